package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// event is one Handler callback, copied so it outlives the callback.
type event struct {
	Kind       string // "udp", "tcp", "problem"
	Frame      uint64
	Src, Dst   string
	Payload    string
	Gap        int
	Fragmented bool
	Problem    ProblemKind
	Detail     string
}

func (e event) String() string {
	switch e.Kind {
	case "problem":
		return fmt.Sprintf("problem %d frame %d %s>%s %s", e.Problem, e.Frame, e.Src, e.Dst, e.Detail)
	default:
		return fmt.Sprintf("%s frame %d %s>%s gap=%d frag=%v %q", e.Kind, e.Frame, e.Src, e.Dst, e.Gap, e.Fragmented, e.Payload)
	}
}

// recorder is a Handler that records every event.
type recorder struct{ events []event }

func (r *recorder) Datagram(d *Datagram) {
	r.events = append(r.events, event{Kind: "udp", Frame: d.Frame, Src: d.Src.String(), Dst: d.Dst.String(), Payload: string(d.Payload), Fragmented: d.Fragmented})
}

func (r *recorder) Segment(s *Segment) {
	r.events = append(r.events, event{Kind: "tcp", Frame: s.Frame, Src: s.Src.String(), Dst: s.Dst.String(), Payload: string(s.Payload), Gap: s.GapBefore})
}

func (r *recorder) Problem(p *Problem) {
	r.events = append(r.events, event{Kind: "problem", Frame: p.Frame, Src: p.Src.String(), Dst: p.Dst.String(), Problem: p.Kind, Detail: p.Detail})
}

func (r *recorder) of(kind string) []event {
	var out []event
	for _, e := range r.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) problems(k ProblemKind) []event {
	var out []event
	for _, e := range r.events {
		if e.Kind == "problem" && e.Problem == k {
			out = append(out, e)
		}
	}
	return out
}

// stream concatenates the TCP payload delivered from src.
func (r *recorder) stream(src string) string {
	var b bytes.Buffer
	for _, e := range r.events {
		if e.Kind == "tcp" && e.Src == src {
			b.WriteString(e.Payload)
		}
	}
	return b.String()
}

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func ipLayer(src, dst string, proto layers.IPProtocol) gopacket.NetworkLayer {
	s, d := net.ParseIP(src), net.ParseIP(dst)
	if s.To4() != nil {
		return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Protocol: proto, SrcIP: s.To4(), DstIP: d.To4()}
	}
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: s, DstIP: d}
}

// ipUDP returns an IP packet (v4 or v6 by address) carrying one UDP datagram.
func ipUDP(t testing.TB, src string, sport uint16, dst string, dport uint16, payload []byte) []byte {
	ip := ipLayer(src, dst, layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	udp.SetNetworkLayerForChecksum(ip)
	return serialize(t, ip.(gopacket.SerializableLayer), udp, gopacket.Payload(payload))
}

// tcpOpts selects the flags of a test TCP segment.
type tcpOpts struct{ syn, ack, fin, rst bool }

func ipTCP(t testing.TB, src string, sport uint16, dst string, dport uint16, seq uint32, o tcpOpts, payload []byte) []byte {
	ip := ipLayer(src, dst, layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Window: 65535,
		SYN: o.syn, ACK: o.ack, FIN: o.fin, RST: o.rst}
	tcp.SetNetworkLayerForChecksum(ip)
	return serialize(t, ip.(gopacket.SerializableLayer), tcp, gopacket.Payload(payload))
}

// ethernet wraps an IP packet in an Ethernet header with optional VLAN tags
// (each tag is a TPID; VLAN ids are 100, 200, ...).
func ethernet(ip []byte, tpids ...uint16) []byte {
	b := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	for i, tpid := range tpids {
		b = binary.BigEndian.AppendUint16(b, tpid)
		b = binary.BigEndian.AppendUint16(b, uint16(100*(i+1)))
	}
	b = binary.BigEndian.AppendUint16(b, etherTypeOf(ip))
	return append(b, ip...)
}

func etherTypeOf(ip []byte) uint16 {
	if ip[0]>>4 == 6 {
		return etherIPv6
	}
	return etherIPv4
}

// sll wraps an IP packet in a Linux cooked v1 header (packet type 0, ARPHRD_ETHER).
func sll(ip []byte) []byte {
	b := []byte{0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0}
	b = binary.BigEndian.AppendUint16(b, etherTypeOf(ip))
	return append(b, ip...)
}

// sll2 wraps an IP packet in a Linux cooked v2 header.
func sll2(ip []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, etherTypeOf(ip))
	b = append(b, 0, 0)                         // reserved
	b = binary.BigEndian.AppendUint32(b, 2)     // interface index
	b = append(b, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6) // ARPHRD_ETHER, pkttype, addr len, addr
	b = append(b, 0, 0)
	return append(b, ip...)
}

// null wraps an IP packet in a DLT_NULL header in the given byte order with
// the given AF_INET6 value.
func null(ip []byte, order binary.AppendByteOrder, af6 uint32) []byte {
	fam := uint32(2)
	if ip[0]>>4 == 6 {
		fam = af6
	}
	return append(order.AppendUint32(nil, fam), ip...)
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// pkt makes a Packet for the Decoder.
func pkt(frame uint64, link LinkType, data []byte) *Packet {
	return &Packet{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), LinkType: link, Data: data, OrigLen: len(data)}
}

// decodeAll runs frames (Ethernet unless wrapped) through a Decoder.
func decodeAll(opts DecoderOptions, pkts ...*Packet) *recorder {
	rec := &recorder{}
	d := NewDecoder(rec, opts)
	for _, p := range pkts {
		d.Packet(p)
	}
	d.Flush()
	return rec
}

// frameRec is one frame to write into a test file.
type frameRec struct {
	t     time.Time
	data  []byte
	iface int
}

// writePcap writes a classic pcap with pcapgo.
func writePcap(t testing.TB, link LinkType, frames ...frameRec) []byte {
	t.Helper()
	var b bytes.Buffer
	w := pcapgo.NewWriterNanos(&b)
	if err := w.WriteFileHeader(65535, layers.LinkType(link)); err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		ci := gopacket.CaptureInfo{Timestamp: f.t, CaptureLength: len(f.data), Length: len(f.data)}
		if err := w.WritePacket(ci, f.data); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func mustAddr(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
