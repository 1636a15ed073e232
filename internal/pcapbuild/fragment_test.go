package pcapbuild

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/ip4defrag"
	"github.com/google/gopacket/layers"
)

// reassemble puts the fragments back together with gopacket (ip4defrag for
// IPv4, the Fragment header fields for IPv6) and returns the UDP layer of the
// datagram, checking every fragment's IPv4 header checksum on the way.
func reassemble(t testing.TB, frames [][]byte) (*layers.UDP, []byte) {
	t.Helper()
	d := ip4defrag.NewIPv4Defragmenter()
	var v6 []byte
	var v6src, v6dst netip.Addr
	var last int = -1
	for i, f := range frames {
		p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
		if ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
			if c := Checksum(f[EthernetLen : EthernetLen+IPv4Len]); c != 0 {
				t.Fatalf("fragment %d: IPv4 header checksum residue %#04x", i, c)
			}
			out, err := d.DefragIPv4(ip)
			if err != nil {
				t.Fatalf("fragment %d: %v", i, err)
			}
			if out == nil {
				continue
			}
			udp := &layers.UDP{}
			if err := udp.DecodeFromBytes(out.Payload, gopacket.NilDecodeFeedback); err != nil {
				t.Fatalf("reassembled datagram: %v", err)
			}
			if c := TransportChecksum(netip.AddrFrom4([4]byte(out.SrcIP.To4())), netip.AddrFrom4([4]byte(out.DstIP.To4())), ProtoUDP, out.Payload); c != 0 {
				t.Fatalf("reassembled UDP checksum residue %#04x", c)
			}
			return udp, out.Payload
		}
		fr, ok := p.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
		ip6, _ := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
		if !ok || ip6 == nil {
			t.Fatalf("fragment %d: neither IPv4 nor an IPv6 fragment: %v", i, p)
		}
		v6src, v6dst = netip.AddrFrom16([16]byte(ip6.SrcIP)), netip.AddrFrom16([16]byte(ip6.DstIP))
		off := int(fr.FragmentOffset) * 8
		if need := off + len(fr.Payload); need > len(v6) {
			v6 = append(v6, make([]byte, need-len(v6))...)
		}
		copy(v6[off:], fr.Payload)
		if !fr.MoreFragments {
			last = off + len(fr.Payload)
		}
	}
	if last < 0 || last != len(v6) {
		t.Fatalf("fragments incomplete (last end %d, have %d bytes)", last, len(v6))
	}
	if c := TransportChecksum(v6src, v6dst, ProtoUDP, v6); c != 0 {
		t.Fatalf("reassembled UDP checksum residue %#04x", c)
	}
	udp := &layers.UDP{}
	if err := udp.DecodeFromBytes(v6, gopacket.NilDecodeFeedback); err != nil {
		t.Fatal(err)
	}
	return udp, v6
}

func TestUDPFragments(t *testing.T) {
	big := make([]byte, 3000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	tests := []struct {
		src, dst netip.AddrPort
		n        int
		order    []int
	}{
		{v4a, v4b, 3, []int{0, 2, 1}},
		{v4a, v4b, 1, []int{0}},
		{v4b, v4a, 2, []int{1, 0}},
		{v6a, v6b, 3, []int{2, 0, 1}},
		{v6a, v6b, 2, []int{0, 1}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v-%d", tc.src.Addr(), tc.n), func(t *testing.T) {
			b := Builder{}
			frames, err := b.UDPFragments(tc.src, tc.dst, big, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if len(frames) != tc.n {
				t.Fatalf("%d fragments, want %d", len(frames), tc.n)
			}
			for i, f := range frames {
				if len(f) > EthernetLen+IPv6Len+IPv6FragLen+1500 && tc.n == 3 {
					t.Fatalf("fragment %d is %d bytes, exceeds MTU", i, len(f))
				}
			}
			ordered := make([][]byte, len(frames))
			for i, j := range tc.order {
				ordered[i] = frames[j]
			}
			udp, dgram := reassemble(t, ordered)
			if int(udp.SrcPort) != int(tc.src.Port()) || int(udp.DstPort) != int(tc.dst.Port()) || int(udp.Length) != len(dgram) {
				t.Fatalf("UDP header %+v", udp)
			}
			if !bytes.Equal(dgram[UDPLen:], big) {
				t.Fatal("reassembled payload differs")
			}
		})
	}
}

func TestUDPFragmentsRejectsBadCount(t *testing.T) {
	b := Builder{}
	for _, n := range []int{0, -1, 3} {
		if _, err := b.UDPFragments(v4a, v4b, []byte("abc"), n); err == nil {
			t.Errorf("n=%d accepted for an 11-byte datagram", n)
		}
	}
	if _, err := b.UDPFragments(v4a, v6b, []byte("abc"), 1); err != ErrAddressFamily {
		t.Errorf("mixed families: %v", err)
	}
}

// FuzzUDPFragments checks that any payload split into any valid number of
// fragments reassembles (with gopacket) into the original datagram.
func FuzzUDPFragments(f *testing.F) {
	f.Add([]byte("INVITE sip:bob@example.com SIP/2.0\r\n"), uint8(3), false)
	f.Add(make([]byte, 2000), uint8(2), true)
	f.Add([]byte{}, uint8(1), false)
	f.Fuzz(func(t *testing.T, payload []byte, n uint8, v6 bool) {
		src, dst := v4a, v4b
		if v6 {
			src, dst = v6a, v6b
		}
		b := Builder{}
		frames, err := b.UDPFragments(src, dst, payload, int(n))
		if int(n) < 1 || int(n) > (UDPLen+len(payload)+7)/8 || len(payload) > MaxUDPPayload {
			if err == nil {
				t.Fatalf("n=%d len=%d accepted", n, len(payload))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) > int(n) || len(frames) == 0 {
			t.Fatalf("%d fragments for n=%d", len(frames), n)
		}
		_, dgram := reassemble(t, frames)
		if !bytes.Equal(dgram[UDPLen:], payload) {
			t.Fatal("reassembled payload differs")
		}
	})
}

// FuzzAppendUDP checks frames against gopacket's serialisation for any
// payload, ports and VLAN.
func FuzzAppendUDP(f *testing.F) {
	f.Add([]byte("x"), uint16(5060), uint16(5060), uint16(0), false)
	f.Add([]byte{}, uint16(0), uint16(65535), uint16(4094), true)
	f.Fuzz(func(t *testing.T, payload []byte, sp, dp, vlan uint16, v6 bool) {
		src, dst := netip.AddrPortFrom(v4a.Addr(), sp), netip.AddrPortFrom(v4b.Addr(), dp)
		if v6 {
			src, dst = netip.AddrPortFrom(v6a.Addr(), sp), netip.AddrPortFrom(v6b.Addr(), dp)
		}
		vlan &= 0x0fff
		b := Builder{VLAN: vlan}
		got, err := b.UDP(src, dst, payload)
		if len(payload) > MaxUDPPayload {
			if err == nil {
				t.Fatal("oversized payload accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		want := reference(t, vlan, 1, false, src, dst, &layers.UDP{SrcPort: layers.UDPPort(sp), DstPort: layers.UDPPort(dp)}, payload)
		if !bytes.Equal(got, want) {
			t.Fatalf("frame differs from gopacket's\n got %x\nwant %x", got, want)
		}
	})
}
