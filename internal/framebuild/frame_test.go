package framebuild

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

var (
	v4a = netip.MustParseAddrPort("192.0.2.10:5060")
	v4b = netip.MustParseAddrPort("198.51.100.20:5062")
	v6a = netip.MustParseAddrPort("[2001:db8::10]:5060")
	v6b = netip.MustParseAddrPort("[2001:db8::20]:40000")
)

// reference serialises the same frame with gopacket, an independent
// implementation of the headers and checksums.
func reference(t testing.TB, vlan uint16, ipID uint16, df bool, src, dst netip.AddrPort, l4 gopacket.SerializableLayer, payload []byte) []byte {
	t.Helper()
	sm, dm := MAC(src.Addr()), MAC(dst.Addr())
	eth := &layers.Ethernet{SrcMAC: net.HardwareAddr(sm[:]), DstMAC: net.HardwareAddr(dm[:])}
	var ls []gopacket.SerializableLayer
	ls = append(ls, eth)
	var nl gopacket.NetworkLayer
	proto := layers.IPProtocolUDP
	if _, ok := l4.(*layers.TCP); ok {
		proto = layers.IPProtocolTCP
	}
	if src.Addr().Is4() {
		flags := layers.IPv4Flag(0)
		if df {
			flags = layers.IPv4DontFragment
		}
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: ipID, Flags: flags, Protocol: proto,
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		nl = ip
		eth.EthernetType = layers.EthernetTypeIPv4
		ls = append(ls, ip)
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto,
			SrcIP: src.Addr().AsSlice(), DstIP: dst.Addr().AsSlice()}
		nl = ip
		eth.EthernetType = layers.EthernetTypeIPv6
		ls = append(ls, ip)
	}
	if vlan != 0 {
		et := eth.EthernetType
		eth.EthernetType = layers.EthernetTypeDot1Q
		ls = append(ls[:1], append([]gopacket.SerializableLayer{&layers.Dot1Q{VLANIdentifier: vlan, Type: et}}, ls[1:]...)...)
	}
	switch x := l4.(type) {
	case *layers.UDP:
		x.SetNetworkLayerForChecksum(nl)
	case *layers.TCP:
		x.SetNetworkLayerForChecksum(nl)
	}
	ls = append(ls, l4, gopacket.Payload(payload))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	// gopacket pads Ethernet frames to the 60-byte minimum; the builders
	// produce frames as the sending host captures them, without padding.
	out := buf.Bytes()
	if n := wantLen(src, vlan, l4, payload); len(out) == 60 && n < 60 {
		if !bytes.Equal(out[n:], make([]byte, 60-n)) {
			t.Fatalf("gopacket padding is not zero: %x", out[n:])
		}
		out = out[:n]
	}
	return out
}

func wantLen(src netip.AddrPort, vlan uint16, l4 gopacket.SerializableLayer, payload []byte) int {
	n := EthernetLen + IPv4Len + UDPLen + len(payload)
	if src.Addr().Is6() {
		n += IPv6Len - IPv4Len
	}
	if vlan != 0 {
		n += VLANTagLen
	}
	if _, ok := l4.(*layers.TCP); ok {
		n += TCPLen - UDPLen
	}
	return n
}

func TestAppendUDPMatchesGopacket(t *testing.T) {
	tests := []struct {
		name     string
		vlan     uint16
		src, dst netip.AddrPort
		payload  []byte
	}{
		{"v4", 0, v4a, v4b, []byte("INVITE sip:bob@example.com SIP/2.0\r\n\r\n")},
		{"v4 odd length", 0, v4a, v4b, []byte{1, 2, 3}},
		{"v4 empty", 0, v4a, v4b, nil},
		{"v4 vlan", 42, v4b, v4a, bytes.Repeat([]byte{0xa5}, 172)},
		{"v6", 0, v6a, v6b, []byte("hello")},
		{"v6 vlan", 7, v6b, v6a, bytes.Repeat([]byte{0xff}, 1001)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Builder{VLAN: tc.vlan}
			got, err := b.UDP(tc.src, tc.dst, tc.payload)
			if err != nil {
				t.Fatal(err)
			}
			want := reference(t, tc.vlan, 1, false, tc.src, tc.dst,
				&layers.UDP{SrcPort: layers.UDPPort(tc.src.Port()), DstPort: layers.UDPPort(tc.dst.Port())}, tc.payload)
			if !bytes.Equal(got, want) {
				t.Fatalf("frame differs from gopacket's\n got %x\nwant %x", got, want)
			}
		})
	}
}

func TestAppendTCPMatchesGopacket(t *testing.T) {
	for _, pair := range [][2]netip.AddrPort{{v4a, v4b}, {v6a, v6b}} {
		b := Builder{}
		payload := []byte("DESCRIBE rtsp://cam/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n")
		got, err := b.TCP(pair[0], pair[1], TCPHeader{Seq: 1000, Ack: 2000, Flags: FlagPSH | FlagACK}, payload)
		if err != nil {
			t.Fatal(err)
		}
		want := reference(t, 0, 1, true, pair[0], pair[1], &layers.TCP{
			SrcPort: layers.TCPPort(pair[0].Port()), DstPort: layers.TCPPort(pair[1].Port()),
			Seq: 1000, Ack: 2000, PSH: true, ACK: true, Window: 65535,
		}, payload)
		if !bytes.Equal(got, want) {
			t.Fatalf("%v: frame differs from gopacket's\n got %x\nwant %x", pair, got, want)
		}
	}
}

func TestSYNCarriesMSS(t *testing.T) {
	b := Builder{}
	f, err := b.TCP(v4a, v4b, TCPHeader{Seq: 7, Flags: FlagSYN, MSS: 1460}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
	tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if tcp == nil || !tcp.SYN || tcp.ACK || len(tcp.Options) != 1 || tcp.Options[0].OptionType != layers.TCPOptionKindMSS {
		t.Fatalf("SYN not decoded as expected: %v", p)
	}
	if got := TransportChecksum(v4a.Addr(), v4b.Addr(), ProtoTCP, f[EthernetLen+IPv4Len:]); got != 0 {
		t.Fatalf("TCP checksum does not verify: residue %#04x", got)
	}
}

func TestAddressFamilyMismatch(t *testing.T) {
	b := Builder{}
	if _, err := b.UDP(v4a, v6b, nil); err != ErrAddressFamily {
		t.Fatalf("got %v, want ErrAddressFamily", err)
	}
	if _, err := b.TCP(v6a, v4b, TCPHeader{}, nil); err != ErrAddressFamily {
		t.Fatalf("got %v, want ErrAddressFamily", err)
	}
	if _, err := b.UDP(v4a, v4b, make([]byte, MaxUDPPayload+1)); err != ErrTooLong {
		t.Fatalf("got %v, want ErrTooLong", err)
	}
}

func TestIPv4IdentificationCounts(t *testing.T) {
	b := Builder{}
	for want := uint16(1); want <= 3; want++ {
		f, _ := b.UDP(v4a, v4b, nil)
		if got := uint16(f[18])<<8 | uint16(f[19]); got != want {
			t.Fatalf("IP ID %d, want %d", got, want)
		}
	}
}

func BenchmarkAppendUDP(b *testing.B) {
	var bld Builder
	payload := make([]byte, 172)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		var err error
		buf, err = bld.AppendUDP(buf[:0], v4a, v4b, payload)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendTCP(b *testing.B) {
	var bld Builder
	payload := make([]byte, 1400)
	buf := make([]byte, 0, 1500)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		var err error
		buf, err = bld.AppendTCP(buf[:0], v4a, v4b, TCPHeader{Seq: 1, Ack: 1, Flags: FlagACK}, payload)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// TestAppendIPUDP: the raw IP packet is the Ethernet frame of AppendUDP
// without its Ethernet header (the builders at the same identification),
// and the same datagrams are refused.
func TestAppendIPUDP(t *testing.T) {
	for _, c := range []struct {
		name     string
		src, dst netip.AddrPort
		payload  []byte
		err      error
	}{
		{"IPv4", v4a, v4b, []byte("INVITE"), nil},
		{"IPv6", v6a, v6b, []byte("odd"), nil},
		{"empty", v4b, v4a, nil, nil},
		{"families differ", v4a, v6b, nil, ErrAddressFamily},
		{"too long", v4a, v4b, make([]byte, MaxUDPPayload+1), ErrTooLong},
	} {
		var eb, rb Builder
		frame, ferr := eb.AppendUDP(nil, c.src, c.dst, c.payload)
		raw, rerr := rb.AppendIPUDP([]byte("x"), c.src, c.dst, c.payload)
		if ferr != c.err || rerr != c.err {
			t.Errorf("%s: errors %v, %v, want %v", c.name, ferr, rerr, c.err)
			continue
		}
		if c.err != nil {
			continue
		}
		if !bytes.Equal(raw[1:], frame[EthernetLen:]) || raw[0] != 'x' {
			t.Errorf("%s: raw % x, frame % x", c.name, raw, frame)
		}
	}
}
