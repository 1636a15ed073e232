package framebuild

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/ip4defrag"
	"github.com/gopacket/gopacket/layers"
)

// reassemble puts the fragments back together from the fields gopacket
// decodes (IPv4 fragment offset and MF flag, IPv6 Fragment header) and
// returns the UDP layer and bytes of the datagram, checking every IPv4 header
// checksum and the UDP checksum. For IPv4 it also runs gopacket's ip4defrag
// (when every fragment holds at least 8 bytes, which ip4defrag insists on)
// and requires the same result.
func reassemble(t testing.TB, frames [][]byte) (*layers.UDP, []byte) {
	t.Helper()
	var whole []byte
	var src, dst netip.Addr
	last := -1
	var v4 []*layers.IPv4
	small := false
	for i, f := range frames {
		p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
		var off int
		var more bool
		var piece []byte
		if ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
			if c := Checksum(f[EthernetLen : EthernetLen+IPv4Len]); c != 0 {
				t.Fatalf("fragment %d: IPv4 header checksum residue %#04x", i, c)
			}
			src, dst = netip.AddrFrom4([4]byte(ip.SrcIP.To4())), netip.AddrFrom4([4]byte(ip.DstIP.To4()))
			off, more, piece = int(ip.FragOffset)*8, ip.Flags&layers.IPv4MoreFragments != 0, ip.Payload
			if len(ip.Payload) < 8 {
				small = true
			}
			v4 = append(v4, ip)
		} else {
			fr, ok := p.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
			ip6, _ := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
			if !ok || ip6 == nil {
				t.Fatalf("fragment %d: neither IPv4 nor an IPv6 fragment: %v", i, p)
			}
			src, dst = netip.AddrFrom16([16]byte(ip6.SrcIP)), netip.AddrFrom16([16]byte(ip6.DstIP))
			off, more, piece = int(fr.FragmentOffset)*8, fr.MoreFragments, fr.Payload
		}
		if need := off + len(piece); need > len(whole) {
			whole = append(whole, make([]byte, need-len(whole))...)
		}
		copy(whole[off:], piece)
		if !more {
			last = off + len(piece)
		}
	}
	if last < 0 || last != len(whole) {
		t.Fatalf("fragments incomplete (last end %d, have %d bytes)", last, len(whole))
	}
	if c := TransportChecksum(src, dst, ProtoUDP, whole); c != 0 {
		t.Fatalf("reassembled UDP checksum residue %#04x", c)
	}
	if len(v4) > 0 && !small {
		d := ip4defrag.NewIPv4Defragmenter()
		var out *layers.IPv4
		for i, ip := range v4 {
			var err error
			if out, err = d.DefragIPv4(ip); err != nil {
				t.Fatalf("ip4defrag fragment %d: %v", i, err)
			}
		}
		if out == nil || !bytes.Equal(out.Payload, whole) {
			t.Fatal("ip4defrag result differs")
		}
	}
	udp := &layers.UDP{}
	if err := udp.DecodeFromBytes(whole, gopacket.NilDecodeFeedback); err != nil {
		t.Fatal(err)
	}
	return udp, whole
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
		// A computed UDP checksum of 0 is sent as 0xffff (RFC 768; RFC 8200
		// §8.1 for IPv6); gopacket writes 0, which means "no checksum".
		if ck := len(want) - len(payload) - 2; ck > 0 && want[ck] == 0 && want[ck+1] == 0 {
			want[ck], want[ck+1] = 0xff, 0xff
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame differs from gopacket's\n got %x\nwant %x", got, want)
		}
	})
}
