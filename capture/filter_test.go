package capture

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestFilterMatch(t *testing.T) {
	sipUDP := pkt(1, LinkTypeEthernet, ethernet(ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5062, []byte("x"))))
	sipTCP6 := pkt(2, LinkTypeEthernet, ethernet(ipTCP(t, "2001:db8::1", 40000, "2001:db8::2", 5061, 1, ack, []byte("x"))))
	rtpVLAN := pkt(3, LinkTypeEthernet, ethernet(ipUDP(t, "10.0.0.1", 20000, "10.0.0.2", 30000, []byte("x")), etherVLAN))
	full := ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, make([]byte, 3000))
	frags := fragmentIP(t, full, piece{0, 1480}, piece{1480, 3008})
	fragRest := pkt(4, LinkTypeRaw, frags[1])
	full6 := ipUDP(t, "2001:db8::1", 5060, "2001:db8::2", 5060, make([]byte, 3000))
	frag6Rest := pkt(5, LinkTypeRaw, fragmentIP(t, full6, piece{0, 1480}, piece{1480, 3008})[1])
	frag6First := pkt(6, LinkTypeRaw, fragmentIP(t, full6, piece{0, 1480}, piece{1480, 3008})[0])
	arp := pkt(7, LinkTypeEthernet, append([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x06}, make([]byte, 28)...))
	all := []*Packet{sipUDP, sipTCP6, rtpVLAN, fragRest, frag6Rest, frag6First, arp}
	tests := []struct {
		expr string
		want []uint64 // frames that match
	}{
		{"", []uint64{1, 2, 3, 4, 5, 6, 7}},
		{"udp", []uint64{1, 3, 4, 5, 6}},
		{"tcp", []uint64{2}},
		{"ip", []uint64{1, 3, 4}},
		{"ip6", []uint64{2, 5, 6}},
		{"port 5060", []uint64{1, 4, 5, 6}}, // non-initial fragments are kept
		{"udp port 5062", []uint64{1, 4, 5}},
		{"tcp port 5061", []uint64{2}},
		{"not port 5060", []uint64{2, 3, 4, 5, 7}},
		{"src port 5060", []uint64{1, 4, 5, 6}},
		{"dst port 5060", []uint64{4, 5, 6}},
		{"portrange 20000-20010", []uint64{3, 4, 5}},
		{"portrange 30000-29990", []uint64{3, 4, 5}},
		{"host 192.0.2.2", []uint64{1, 4}},
		{"src host 192.0.2.2", nil},
		{"dst host 2001:db8::2", []uint64{2, 5, 6}},
		{"ip6 host 2001:db8::1 and tcp", []uint64{2}},
		{"net 10.0.0.0/8", []uint64{3}},
		{"src and dst net 192.0.2.0/24", []uint64{1, 4}},
		{"src or dst host 10.0.0.2", []uint64{3}},
		{"vlan", []uint64{3}},
		{"vlan 100", []uint64{3}},
		{"vlan 101", nil},
		{"udp and (port 5062 or port 30000)", []uint64{1, 3, 4, 5}},
		{"port 5062 or 30000", []uint64{1, 3, 4, 5}},
		{"tcp || (vlan && udp)", []uint64{2, 3}},
		{"!udp and !tcp", []uint64{7}},
		{"not (ip or ip6)", []uint64{7}},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			f, err := CompileFilter(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, p := range all {
				if f.Match(p) {
					got = append(got, p.Frame)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("matched frames %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		expr string
		pos  int
	}{
		{"port", 4},
		{"port 70000", 5},
		{"host 300.1.1.1", 5},
		{"net 10.0.0.0", 4},
		{"portrange 5-", 10},
		{"udp and", 7},
		{"(udp", 4},
		{"udp)", 3},
		{"bogus", 0},
		{"ip port 5", 3},
		{"vlan 5000", 5},
		{"udp port 1 or", 13},
		{"port != 5", 5}, // "!=" once made the tokenizer loop forever (fuzz)
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := CompileFilter(tc.expr)
			var fe *FilterError
			if !errors.As(err, &fe) || fe.Pos != tc.pos {
				t.Errorf("err = %v, want a FilterError at position %d", err, tc.pos)
			}
		})
	}
	deep := ""
	for range 100 {
		deep += "("
	}
	if _, err := CompileFilter(deep + "udp"); err == nil {
		t.Error("deep nesting accepted")
	}
}

func TestFilterSource(t *testing.T) {
	frames := []frameRec{}
	for i := range 6 {
		frames = append(frames, frameRec{t: t0, data: ipUDP(t, "192.0.2.1", uint16(5000+i%2), "192.0.2.2", 9, []byte(fmt.Sprint(i)))})
	}
	src, err := OpenFiles(writeFile(t, "f.pcap", writePcap(t, LinkTypeRaw, frames...)))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := CompileFilter("src port 5001")
	pkts, err := readAll(t, FilterSource(src, f))
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, p := range pkts {
		got = append(got, p.Frame)
	}
	if !slices.Equal(got, []uint64{2, 4, 6}) {
		t.Errorf("frames %v, want [2 4 6] (numbers of the unfiltered file)", got)
	}
}
