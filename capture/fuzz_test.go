package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// fuzzLinks are the link types FuzzDecoder picks from with its first byte.
var fuzzLinks = []LinkType{linkEthernet, linkLinuxSLL, linkLinuxSLL2, linkNull, linkLoop, linkRaw, linkRawOpen, linkIPv4, linkIPv6}

// fuzzFrames encodes frames as the FuzzDecoder input: a link selector, then
// per frame a 2-byte length, a time step byte and the bytes.
func fuzzFrames(link byte, frames ...[]byte) []byte {
	out := []byte{link}
	for _, f := range frames {
		out = binary.BigEndian.AppendUint16(out, uint16(len(f)))
		out = append(out, 1)
		out = append(out, f...)
	}
	return out
}

// checkingHandler checks the invariants of the Handler contract.
type checkingHandler struct {
	t     *testing.T
	frame uint64
}

func (h *checkingHandler) Datagram(d *Datagram) {
	if d.Frame > h.frame || len(d.Payload) > 65535 {
		h.t.Fatalf("datagram frame %d (current %d), %d bytes", d.Frame, h.frame, len(d.Payload))
	}
}

func (h *checkingHandler) Segment(s *Segment) {
	if s.Frame > h.frame || s.GapBefore < 0 || len(s.Payload) == 0 {
		h.t.Fatalf("segment frame %d (current %d), gap %d, %d bytes", s.Frame, h.frame, s.GapBefore, len(s.Payload))
	}
}

func (h *checkingHandler) Problem(p *Problem) {
	if p.Frame > h.frame || p.Kind < ProblemMalformed || p.Kind > ProblemMidStream || p.Detail == "" {
		h.t.Fatalf("problem %+v (current frame %d)", p, h.frame)
	}
}

func FuzzDecoder(f *testing.F) {
	udp4 := ipUDP(f, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("INVITE sip:x SIP/2.0\r\n"))
	udp6 := ipUDP(f, "2001:db8::1", 5060, "2001:db8::2", 5060, []byte("OPTIONS"))
	full := ipUDP(f, "10.0.0.1", 1, "10.0.0.2", 2, bytes.Repeat([]byte("f"), 100))
	frags := fragmentIP(f, full, piece{0, 48}, piece{40, 108})
	full6 := ipUDP(f, "2001:db8::1", 1, "2001:db8::2", 2, bytes.Repeat([]byte("g"), 100))
	frags6 := fragmentIP(f, full6, piece{48, 108}, piece{0, 48})
	syn := ipTCP(f, "10.0.0.1", 1000, "10.0.0.2", 5061, 7, tcpOpts{syn: true}, nil)
	d1 := ipTCP(f, "10.0.0.1", 1000, "10.0.0.2", 5061, 8, ack, []byte("hello "))
	d3 := ipTCP(f, "10.0.0.1", 1000, "10.0.0.2", 5061, 20, ack, []byte("again"))
	d2 := ipTCP(f, "10.0.0.1", 1000, "10.0.0.2", 5061, 14, ack, []byte("world!"))
	fin := ipTCP(f, "10.0.0.1", 1000, "10.0.0.2", 5061, 25, tcpOpts{fin: true, ack: true}, nil)
	for i := range fuzzLinks {
		f.Add(fuzzFrames(byte(i), udp4))
		f.Add(fuzzFrames(byte(i), udp6))
	}
	f.Add(fuzzFrames(0, ethernet(udp4, etherQinQ, etherVLAN)))
	f.Add(fuzzFrames(5, frags...))
	f.Add(fuzzFrames(5, frags6...))
	f.Add(fuzzFrames(5, syn, d1, d3, d2, fin))
	f.Add(fuzzFrames(5, d3, d1, d1, fin))
	for _, tc := range tunnelCases(f) { // GTP-U, VXLAN, GRE, ERSPAN (Ethernet frames)
		f.Add(fuzzFrames(0, tc.frame))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		link := fuzzLinks[int(in[0])%len(fuzzLinks)]
		in = in[1:]
		h := &checkingHandler{t: t}
		d := NewDecoder(h, DecoderOptions{MaxFragmentDatagrams: 4, MaxFragmentBytes: 1 << 16, MaxTCPConnections: 4, TCPGapBytes: 64, MaxTCPBufferedBytes: 256})
		now := t0
		for len(in) >= 3 {
			n := int(binary.BigEndian.Uint16(in))
			now = now.Add(time.Duration(in[2]) * time.Second)
			in = in[3:]
			n = min(n, len(in))
			h.frame++
			p := &Packet{Frame: h.frame, Time: now, Data: in[:n], OrigLen: n, LinkType: link}
			d.Packet(p)
			in = in[n:]
		}
		if len(in) > 0 {
			h.frame++
			p := &Packet{Frame: h.frame, Time: now, Data: in, OrigLen: len(in) + 10, LinkType: link}
			d.Packet(p)
		}
		d.Flush()
	})
}

func FuzzReadFile(f *testing.F) {
	frames := []frameRec{{t: t0, data: []byte("first")}, {t: t0.Add(time.Second), data: []byte("second")}}
	pcapFile := writePcap(f, LinkTypeEthernet, frames...)
	f.Add(pcapFile)
	f.Add(gz(f, pcapFile))
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		n := &ngBuilder{order: order}
		n.section()
		n.iface(linkEthernet, 0)
		n.iface(linkLinuxSLL2, 0, pcapng.OptIfTsresol, []byte{0x80 | 10}, pcapng.OptIfTsoffset, order.AppendUint64(nil, 5))
		n.epb(0, 123456789, []byte("A"), 1)
		n.epb(1, 987654321, []byte("BB"), 9)
		n.block(0x0BAD, []byte("skip"))
		n.spb([]byte("C"))
		n.block(pcapng.BlockPacketObsolete, append(order.AppendUint16(order.AppendUint16(nil, 0), 0), make([]byte, 16)...))
		// Interface statistics (isb_ifdrop, isb_osdrop; one for an
		// interface not described, one with a short option).
		isb := func(id uint32, opts ...[]byte) []byte {
			b := order.AppendUint32(nil, id)
			b = order.AppendUint32(order.AppendUint32(b, 0), 0)
			for _, o := range opts {
				b = append(b, o...)
			}
			return b
		}
		opt := func(code uint16, val []byte) []byte {
			return append(order.AppendUint16(order.AppendUint16(nil, code), uint16(len(val))), val...)
		}
		n.block(pcapng.BlockInterfaceStatistics, isb(0, opt(pcapng.OptIsbIfDrop, order.AppendUint64(nil, 7)), opt(pcapng.OptIsbOsDrop, order.AppendUint64(nil, ^uint64(0))), opt(0, nil)))
		n.block(pcapng.BlockInterfaceStatistics, isb(9, opt(pcapng.OptIsbIfDrop, order.AppendUint64(nil, 1))))
		n.block(pcapng.BlockInterfaceStatistics, isb(1, opt(pcapng.OptIsbIfDrop, []byte{1, 2})))
		f.Add(n.b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		src, err := OpenReader("fuzz", bytes.NewReader(in))
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("open error %T %v", err, err)
			}
			return
		}
		defer src.Close()
		var p Packet
		for i := uint64(1); ; i++ {
			err := src.Next(&p)
			if err == io.EOF {
				return
			}
			if err != nil {
				var re *ReadError
				if !errors.As(err, &re) || re.Frame != i || re.Offset < 0 || re.Offset > int64(len(in))*1100 {
					t.Fatalf("frame %d: error %v", i, err)
				}
				return
			}
			if p.Frame != i || len(p.Data) > len(in)*1100 || p.OrigLen < len(p.Data) {
				t.Fatalf("packet %d: %+v", i, p)
			}
			if y := p.Time.Year(); y < 0 || y > 9999 { // what RFC 3339, and so the JSON report, can write
				t.Fatalf("packet %d: time %v", i, p.Time)
			}
		}
	})
}

func FuzzFilterParse(f *testing.F) {
	for _, s := range []string{"", "udp port 5060", "tcp and (host 10.0.0.1 or net 2001:db8::/32)", "not vlan 100 && portrange 1-2",
		"src or dst host 1.2.3.4", "src and dst port 5 or 6", "ip6 dst host ::1", "!(ip || ip6)"} {
		f.Add(s)
	}
	frames := []*Packet{
		pkt(1, LinkTypeEthernet, ethernet(ipUDP(f, "192.0.2.1", 5060, "192.0.2.2", 5062, []byte("x")), etherVLAN)),
		pkt(2, LinkTypeRaw, ipTCP(f, "2001:db8::1", 1, "::1", 5061, 1, ack, nil)),
	}
	f.Fuzz(func(t *testing.T, expr string) {
		flt, err := CompileFilter(expr)
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Pos < 0 || fe.Pos > len(expr) {
				t.Fatalf("error %v", err)
			}
			return
		}
		for _, p := range frames {
			flt.Match(p)
		}
		// The kernel program keeps every frame the Go filter keeps.
		for _, cooked := range []bool{false, true} {
			prog, err := compileBPF(flt, bpfMode{cooked: cooked, allOutgoing: !cooked})
			if err != nil {
				t.Fatalf("compileBPF(%q): %v", expr, err)
			}
			for _, p := range frames {
				k := ethernetKernelFrame("fuzz", p.Data)
				if p.LinkType == LinkTypeRaw {
					k = cookedKernelFrame("fuzz", etherIPv6, p.Data)
				}
				if _, c := k.meta[bpf.ExtProto]; c != cooked {
					continue
				}
				if k.goFrame.Data != nil && flt.Match(&k.goFrame) && !runBPF(t, prog, k) {
					t.Fatalf("%q: the kernel program drops a frame the Go filter keeps", expr)
				}
			}
		}
	})
}
