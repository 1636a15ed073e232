package capture

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

func TestDecoderLinkTypes(t *testing.T) {
	v4 := ipUDP(t, "192.0.2.1", 5060, "198.51.100.2", 5062, []byte("INVITE v4"))
	v6 := ipUDP(t, "2001:db8::1", 5060, "2001:db8::2", 5062, []byte("INVITE v6"))
	v4opts := serialize(t, &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
		SrcIP: v4[12:16], DstIP: v4[16:20], Options: []layers.IPv4Option{{OptionType: 0x94, OptionLength: 4, OptionData: []byte{0, 0}}}},
		gopacket.Payload(v4[20:])) // Router Alert (RFC 2113): IHL 6
	if v4opts[0] != 0x46 {
		t.Fatalf("IPv4 options not serialized: IHL %d", v4opts[0]&0xf)
	}
	const want4src, want4dst = "192.0.2.1:5060", "198.51.100.2:5062"
	const want6src, want6dst = "[2001:db8::1]:5060", "[2001:db8::2]:5062"
	tests := []struct {
		name     string
		link     LinkType
		code     uint16
		data     []byte
		src, dst string
		payload  string
	}{
		{"ethernet v4", LinkTypeEthernet, 0, ethernet(v4), want4src, want4dst, "INVITE v4"},
		{"ethernet v6", LinkTypeEthernet, 0, ethernet(v6), want6src, want6dst, "INVITE v6"},
		{"ethernet padded", LinkTypeEthernet, 0, append(ethernet(v4), 0, 0, 0, 0), want4src, want4dst, "INVITE v4"},
		{"802.1Q", LinkTypeEthernet, 0, ethernet(v4, etherVLAN), want4src, want4dst, "INVITE v4"},
		{"QinQ 802.1ad", LinkTypeEthernet, 0, ethernet(v6, etherQinQ, etherVLAN), want6src, want6dst, "INVITE v6"},
		{"QinQ 0x9100", LinkTypeEthernet, 0, ethernet(v4, etherQinQv1, etherVLAN), want4src, want4dst, "INVITE v4"},
		{"SLL v4", LinkTypeLinuxSLL, 0, sll(v4), want4src, want4dst, "INVITE v4"},
		{"SLL v6", LinkTypeLinuxSLL, 0, sll(v6), want6src, want6dst, "INVITE v6"},
		{"SLL2 v4", LinkTypeLinuxSLL2, 0, sll2(v4), want4src, want4dst, "INVITE v4"},
		{"SLL2 v6", LinkTypeLinuxSLL2, 0, sll2(v6), want6src, want6dst, "INVITE v6"},
		{"NULL LE v4", LinkTypeNull, 0, null(v4, binary.LittleEndian, 30), want4src, want4dst, "INVITE v4"},
		{"NULL BE v4", LinkTypeNull, 0, null(v4, binary.BigEndian, 30), want4src, want4dst, "INVITE v4"},
		{"NULL LE v6 macOS", LinkTypeNull, 0, null(v6, binary.LittleEndian, 30), want6src, want6dst, "INVITE v6"},
		{"NULL LE v6 FreeBSD", LinkTypeNull, 0, null(v6, binary.LittleEndian, 28), want6src, want6dst, "INVITE v6"},
		{"NULL BE v6 OpenBSD", LinkTypeNull, 0, null(v6, binary.BigEndian, 24), want6src, want6dst, "INVITE v6"},
		{"LOOP v6", LinkTypeLoop, 0, null(v6, binary.BigEndian, 24), want6src, want6dst, "INVITE v6"},
		{"RAW 101 v4", LinkTypeRaw, 0, v4, want4src, want4dst, "INVITE v4"},
		{"RAW 101 v6", LinkTypeRaw, 0, v6, want6src, want6dst, "INVITE v6"},
		{"DLT_RAW 12", LinkType(12), 0, v4, want4src, want4dst, "INVITE v4"},
		{"DLT_RAW 14", LinkType(14), 0, v6, want6src, want6dst, "INVITE v6"},
		{"IPV4 228", LinkTypeIPv4, 0, v4, want4src, want4dst, "INVITE v4"},
		{"IPV6 229", LinkTypeIPv6, 0, v6, want6src, want6dst, "INVITE v6"},
		{"IPv4 with options", LinkTypeRaw, 0, v4opts, want4src, want4dst, "INVITE v4"},
		{"IPv6 hop-by-hop, routing, AH, dest options", LinkTypeRaw, 0,
			withV6Ext(withV6Ext(withV6Ext(withV6Ext(v6, protoDestOpts, 8), protoAH, 12), protoRouting, 24), protoHopByHop, 8),
			want6src, want6dst, "INVITE v6"},
		{"IPv6 atomic fragment", LinkTypeRaw, 0, withV6Ext(v6, protoFragment, 8), want6src, want6dst, "INVITE v6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pkt(7, tc.link, tc.data)
			rec := decodeAll(DecoderOptions{}, p)
			if len(rec.events) != 1 {
				t.Fatalf("events = %v, want one datagram", rec.events)
			}
			got := rec.events[0]
			want := event{Kind: "udp", Frame: 7, Src: tc.src, Dst: tc.dst, Payload: tc.payload}
			if got != want {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}

// withV6Ext inserts an IPv6 extension header of type nh and size n right
// after the fixed header (RFC 8200 §4; AH sizes per RFC 4302 §2.2).
func withV6Ext(ip []byte, nh uint8, n int) []byte {
	ext := make([]byte, n)
	ext[0] = ip[6]
	ext[1] = byte(n/8 - 1)
	if nh == protoAH {
		ext[1] = byte(n/4 - 2)
	}
	out := append(append(append([]byte(nil), ip[:40]...), ext...), ip[40:]...)
	out[6] = nh
	binary.BigEndian.PutUint16(out[4:], uint16(len(out)-40))
	return out
}

func TestDecoderIgnoresNonIP(t *testing.T) {
	arp := append([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06}, make([]byte, 28)...)
	rec := decodeAll(DecoderOptions{}, pkt(1, LinkTypeEthernet, arp), pkt(2, LinkType(9), []byte{1, 2, 3}), pkt(3, LinkType(9), []byte{1, 2, 3}))
	if len(rec.events) != 1 || rec.events[0].Frame != 2 || !strings.Contains(rec.events[0].Detail, "link type 9") {
		t.Errorf("events = %v, want one report of the unsupported link type at frame 2", rec.events)
	}
}

func TestDecoderMalformed(t *testing.T) {
	v4 := ipUDP(t, "192.0.2.1", 1, "192.0.2.2", 2, []byte("0123456789"))
	badUDPLen := append([]byte(nil), v4...)
	binary.BigEndian.PutUint16(badUDPLen[24:], 4)
	longUDP := append([]byte(nil), v4...)
	binary.BigEndian.PutUint16(longUDP[24:], 400)
	badIHL := append([]byte(nil), v4...)
	badIHL[0] = 0x43
	v6ext := ipUDP(t, "2001:db8::1", 1, "2001:db8::2", 2, []byte("x"))
	v6ext[6] = protoDestOpts // next header claims an extension header that is cut
	tests := []struct {
		name      string
		link      LinkType
		data      []byte
		origExtra int
		kind      ProblemKind
		offset    int
	}{
		{"short ethernet", LinkTypeEthernet, []byte{1, 2, 3}, 0, ProblemMalformed, 0},
		{"short ethernet snaplen", LinkTypeEthernet, []byte{1, 2, 3}, 100, ProblemTruncated, 0},
		{"cut VLAN tag", LinkTypeEthernet, ethernet(v4, etherVLAN)[:16], 0, ProblemMalformed, 14},
		{"IPv4 cut by snaplen", LinkTypeEthernet, ethernet(v4)[:40], 50, ProblemTruncated, 16},
		{"IHL below 5", LinkTypeRaw, badIHL, 0, ProblemMalformed, 0},
		{"UDP length below 8", LinkTypeRaw, badUDPLen, 0, ProblemMalformed, 24},
		{"UDP length beyond packet", LinkTypeRaw, longUDP, 0, ProblemMalformed, 24},
		{"IPv6 ext header cut", LinkTypeRaw, v6ext, 0, ProblemMalformed, 40},
		{"raw not IP", LinkTypeRaw, []byte{0x50, 0, 0}, 0, ProblemMalformed, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pkt(3, tc.link, tc.data)
			p.OrigLen += tc.origExtra
			rec := decodeAll(DecoderOptions{}, p)
			if len(rec.events) != 1 || rec.events[0].Problem != tc.kind || rec.events[0].Frame != 3 {
				t.Fatalf("events = %v, want one problem of kind %d", rec.events, tc.kind)
			}
		})
	}
}

// TestDecoderProblemOffset checks the offset names the field in the frame.
func TestDecoderProblemOffset(t *testing.T) {
	v4 := ipUDP(t, "192.0.2.1", 1, "192.0.2.2", 2, []byte("0123456789"))
	binary.BigEndian.PutUint16(v4[24:], 4)
	var got *Problem
	h := handlerFunc{problem: func(p *Problem) { c := *p; got = &c }}
	d := NewDecoder(h, DecoderOptions{})
	d.Packet(pkt(1, LinkTypeEthernet, ethernet(v4, etherVLAN)))
	if got == nil || got.Offset != 14+4+20+4 || got.Src != mustAddr("192.0.2.1:1") {
		t.Fatalf("problem = %+v, want offset %d with source 192.0.2.1:1", got, 14+4+20+4)
	}
}

type handlerFunc struct {
	datagram func(*Datagram)
	segment  func(*Segment)
	problem  func(*Problem)
}

func (h handlerFunc) Datagram(d *Datagram) {
	if h.datagram != nil {
		h.datagram(d)
	}
}
func (h handlerFunc) Segment(s *Segment) {
	if h.segment != nil {
		h.segment(s)
	}
}
func (h handlerFunc) Problem(p *Problem) {
	if h.problem != nil {
		h.problem(p)
	}
}
