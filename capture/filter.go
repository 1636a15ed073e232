package capture

import (
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
	f.h.decode(p.LinkType, p.Data)
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
