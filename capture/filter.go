package capture

import (
	"encoding/binary"
	"net/netip"
)

// Filter is a compiled capture filter: a subset of tcpdump/pcap-filter(7)
// syntax (ip, ip6, udp, tcp, vlan [id], [src|dst] host/net/port/portrange,
// and/or/not, parentheses) evaluated in Go over the decoded headers of each
// frame. Non-initial IP fragments carry no ports: a port test on them is
// "unknown", which keeps the fragment (three-valued logic), so fragmented
// datagrams selected by port still reassemble.
type Filter struct {
	expr string
	root filterNode
	h    filterHeaders
}

// CompileFilter parses expr; the empty string matches every frame.
func CompileFilter(expr string) (*Filter, error) {
	root, err := parseFilter(expr)
	if err != nil {
		return nil, err
	}
	return &Filter{expr: expr, root: root}, nil
}

// String returns the expression the filter was compiled from.
func (f *Filter) String() string { return f.expr }

// Match reports whether the frame passes the filter. It is not safe for
// concurrent use (it reuses one header scratch area) and does not allocate.
func (f *Filter) Match(p *Packet) bool {
	f.h.decode(linkCode(p), p.Data)
	return f.root.eval(&f.h) != triNo
}

// FilterSource returns a Source yielding only the packets of src that match
// f. Frame numbers stay those of src, as Wireshark keeps them with a display
// filter.
func FilterSource(src Source, f *Filter) Source {
	return &filteredSource{Source: src, f: f}
}

type filteredSource struct {
	Source
	f *Filter
}

func (s *filteredSource) Next(p *Packet) error {
	for {
		if err := s.Source.Next(p); err != nil {
			return err
		}
		if s.f.Match(p) {
			return nil
		}
	}
}

// tri is a three-valued truth value: a test on a field that the frame does
// not carry (ports of a non-initial fragment) is unknown.
type tri uint8

const (
	triNo tri = iota
	triYes
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triYes
	}
	return triNo
}

type filterNode interface{ eval(h *filterHeaders) tri }

type trueNode struct{}

func (trueNode) eval(*filterHeaders) tri { return triYes }

type notNode struct{ n filterNode }

func (n *notNode) eval(h *filterHeaders) tri {
	switch v := n.n.eval(h); v {
	case triYes:
		return triNo
	case triNo:
		return triYes
	default:
		return v
	}
}

type andNode struct{ a, b filterNode }

func (n *andNode) eval(h *filterHeaders) tri {
	a := n.a.eval(h)
	if a == triNo {
		return triNo
	}
	b := n.b.eval(h)
	if b == triNo {
		return triNo
	}
	if a == triYes && b == triYes {
		return triYes
	}
	return triUnknown
}

type orNode struct{ a, b filterNode }

func (n *orNode) eval(h *filterHeaders) tri {
	a := n.a.eval(h)
	if a == triYes {
		return triYes
	}
	b := n.b.eval(h)
	if b == triYes {
		return triYes
	}
	if a == triNo && b == triNo {
		return triNo
	}
	return triUnknown
}

// protoNode tests the network or transport protocol.
type protoNode struct{ proto string }

func (n *protoNode) eval(h *filterHeaders) tri {
	switch n.proto {
	case "ip":
		return triOf(h.version == 4)
	case "ip6":
		return triOf(h.version == 6)
	case "udp":
		return triOf(h.version != 0 && h.proto == protoUDP)
	default:
		return triOf(h.version != 0 && h.proto == protoTCP)
	}
}

type vlanNode struct {
	id  uint16
	any bool
}

func (n *vlanNode) eval(h *filterHeaders) tri {
	if n.any {
		return triOf(h.vlans > 0)
	}
	for _, id := range h.vlanIDs[:min(h.vlans, len(h.vlanIDs))] {
		if id == n.id {
			return triYes
		}
	}
	return triNo
}

// Directions of a host/net/port test.
const (
	dirEither = iota // src or dst
	dirSrc
	dirDst
	dirBoth // src and dst
)

// fieldTest is [proto] [dir] host/net/port/portrange.
type fieldTest struct {
	proto  string // "", ip, ip6, udp, tcp
	dir    int
	kind   string // host, net, port, portrange
	net    netip.Prefix
	lo, hi uint16
}

func (t *fieldTest) combine(src, dst bool) tri {
	switch t.dir {
	case dirSrc:
		return triOf(src)
	case dirDst:
		return triOf(dst)
	case dirBoth:
		return triOf(src && dst)
	}
	return triOf(src || dst)
}

func (t *fieldTest) eval(h *filterHeaders) tri {
	if h.version == 0 {
		return triNo
	}
	switch t.proto {
	case "ip":
		if h.version != 4 {
			return triNo
		}
	case "ip6":
		if h.version != 6 {
			return triNo
		}
	case "udp":
		if h.proto != protoUDP {
			return triNo
		}
	case "tcp":
		if h.proto != protoTCP {
			return triNo
		}
	}
	switch t.kind {
	case "host", "net":
		return t.combine(t.net.Contains(h.src), t.net.Contains(h.dst))
	}
	if h.proto != protoUDP && h.proto != protoTCP {
		return triNo
	}
	if !h.hasPorts {
		return triUnknown // non-initial fragment
	}
	return t.combine(h.sport >= t.lo && h.sport <= t.hi, h.dport >= t.lo && h.dport <= t.hi)
}

// filterHeaders is what the filter knows about a frame.
type filterHeaders struct {
	vlans        int
	vlanIDs      [maxVLANTags]uint16
	version      int // 4, 6 or 0 when not IP
	src, dst     netip.Addr
	proto        uint8
	hasPorts     bool
	sport, dport uint16
}

// decode fills h from a frame; it never fails, leaving fields unknown.
func (h *filterHeaders) decode(code uint16, b []byte) {
	*h = filterHeaders{}
	et, off := uint16(0), 0
	switch code {
	case linkEthernet:
		if len(b) < 14 {
			return
		}
		et, off = binary.BigEndian.Uint16(b[12:]), 14
	case linkLinuxSLL:
		if len(b) < 16 {
			return
		}
		et, off = binary.BigEndian.Uint16(b[14:]), 16
	case linkLinuxSLL2:
		if len(b) < 20 {
			return
		}
		et, off = binary.BigEndian.Uint16(b), 20
	case linkNull, linkLoop:
		if len(b) < 4 {
			return
		}
		fam := binary.BigEndian.Uint32(b)
		if code == linkNull && fam > 0xffff {
			fam = binary.LittleEndian.Uint32(b)
		}
		switch fam {
		case 2:
			et = etherIPv4
		case 10, 24, 28, 30:
			et = etherIPv6
		}
		off = 4
	case linkRaw, linkRawOpen, linkRawOpenBS, linkIPv4, linkIPv6:
		if len(b) < 1 {
			return
		}
		et = etherIPv4
		if b[0]>>4 == 6 {
			et = etherIPv6
		}
	}
	for (et == etherVLAN || et == etherQinQ || et == etherQinQv1) && len(b) >= off+4 && h.vlans < maxVLANTags {
		h.vlanIDs[h.vlans] = binary.BigEndian.Uint16(b[off:]) & 0x0fff
		h.vlans++
		et = binary.BigEndian.Uint16(b[off+2:])
		off += 4
	}
	switch et {
	case etherIPv4:
		h.decodeIPv4(b[off:])
	case etherIPv6:
		h.decodeIPv6(b[off:])
	}
}

func (h *filterHeaders) decodeIPv4(b []byte) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return
	}
	h.version = 4
	h.src = netip.AddrFrom4([4]byte(b[12:16]))
	h.dst = netip.AddrFrom4([4]byte(b[16:20]))
	h.proto = b[9]
	if binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
		return // non-initial fragment: no transport header
	}
	h.ports(b[ihl:])
}

func (h *filterHeaders) decodeIPv6(b []byte) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return
	}
	h.version = 6
	h.src = netip.AddrFrom16([16]byte(b[8:24]))
	h.dst = netip.AddrFrom16([16]byte(b[24:40]))
	nh, pos := b[6], 40
	for range maxIPv6Ext {
		switch nh {
		case protoHopByHop, protoRouting, protoDestOpts, protoMobility, protoHIP, protoShim6, protoAH:
			if len(b) < pos+2 {
				h.proto = nh
				return
			}
			n := (int(b[pos+1]) + 1) * 8
			if nh == protoAH {
				n = (int(b[pos+1]) + 2) * 4
			}
			nh = b[pos]
			pos += n
		case protoFragment:
			if len(b) < pos+8 {
				h.proto = nh
				return
			}
			nh = b[pos]
			if binary.BigEndian.Uint16(b[pos+2:])&^7 != 0 {
				h.proto = nh
				return // non-initial fragment
			}
			pos += 8
		default:
			h.proto = nh
			if pos <= len(b) {
				h.ports(b[pos:])
			}
			return
		}
	}
}

func (h *filterHeaders) ports(b []byte) {
	if (h.proto == protoUDP || h.proto == protoTCP) && len(b) >= 4 {
		h.hasPorts = true
		h.sport = binary.BigEndian.Uint16(b)
		h.dport = binary.BigEndian.Uint16(b[2:])
	}
}
