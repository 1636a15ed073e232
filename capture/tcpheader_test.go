package capture

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestDecoderTCPHeaderOption: the TCPHeader option sees every TCP header
// (SYN, data, a retransmission the reassembler drops, pure ACK, FIN) with
// its direction, sequence number, flags and payload length (here in VLAN
// frames), and is called before the payload is delivered.
func TestDecoderTCPHeaderOption(t *testing.T) {
	r := &recorder{}
	var got []string
	dec := NewDecoder(r, DecoderOptions{TCPHeader: func(src, dst netip.AddrPort, seq uint32, flags uint8, n int) {
		got = append(got, fmt.Sprintf("%s>%s seq=%d flags=%#02x len=%d delivered=%d", src, dst, seq, flags, n, len(r.of("tcp"))))
	}})
	frames := [][]byte{
		ipTCP(t, "192.0.2.1", 5000, "192.0.2.2", 554, 100, tcpOpts{syn: true}, nil),
		ipTCP(t, "192.0.2.2", 554, "192.0.2.1", 5000, 900, tcpOpts{syn: true, ack: true}, nil),
		ipTCP(t, "192.0.2.1", 5000, "192.0.2.2", 554, 101, tcpOpts{ack: true}, []byte("OPTIONS")),
		ipTCP(t, "192.0.2.1", 5000, "192.0.2.2", 554, 101, tcpOpts{ack: true}, []byte("OPTIONS")),
		ipTCP(t, "192.0.2.2", 554, "192.0.2.1", 5000, 901, tcpOpts{ack: true}, nil),
		ipTCP(t, "192.0.2.1", 5000, "192.0.2.2", 554, 108, tcpOpts{fin: true, ack: true}, nil),
	}
	for i, f := range frames {
		dec.Packet(pkt(uint64(i+1), LinkTypeEthernet, ethernet(f, 0x8100)))
	}
	want := []string{
		"192.0.2.1:5000>192.0.2.2:554 seq=100 flags=0x02 len=0 delivered=0",
		"192.0.2.2:554>192.0.2.1:5000 seq=900 flags=0x12 len=0 delivered=0",
		"192.0.2.1:5000>192.0.2.2:554 seq=101 flags=0x10 len=7 delivered=0",
		"192.0.2.1:5000>192.0.2.2:554 seq=101 flags=0x10 len=7 delivered=1",
		"192.0.2.2:554>192.0.2.1:5000 seq=901 flags=0x10 len=0 delivered=1",
		"192.0.2.1:5000>192.0.2.2:554 seq=108 flags=0x11 len=0 delivered=1",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("TCPHeader calls:\n got %q\nwant %q", got, want)
	}
}
