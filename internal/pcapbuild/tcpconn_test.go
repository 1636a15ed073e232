package pcapbuild

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
)

// The ends of the connections the tests build.
var (
	v4a = netip.MustParseAddrPort("192.0.2.10:5060")
	v4b = netip.MustParseAddrPort("198.51.100.20:5062")
)

func decodeTCP(t *testing.T, f []byte) *layers.TCP {
	t.Helper()
	p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
	tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if tcp == nil {
		t.Fatalf("no TCP layer: %v", p)
	}
	return tcp
}

func TestTCPConnSequence(t *testing.T) {
	b := &framebuild.Builder{}
	c := NewTCPConn(b, v4a, v4b, 1000, 5000)
	hs, err := c.Handshake()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		syn, ack bool
		seq, a   uint32
	}{{true, false, 1000, 0}, {true, true, 5000, 1001}, {false, true, 1001, 5001}}
	for i, f := range hs {
		h := decodeTCP(t, f)
		if h.SYN != want[i].syn || h.ACK != want[i].ack || h.Seq != want[i].seq || h.Ack != want[i].a {
			t.Fatalf("handshake frame %d: SYN=%v ACK=%v seq=%d ack=%d", i, h.SYN, h.ACK, h.Seq, h.Ack)
		}
	}
	msg := []byte("INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n")
	segs, err := c.Data(true, msg, 10, 30)
	if err != nil {
		t.Fatal(err)
	}
	var joined []byte
	next := uint32(1001)
	for i, f := range segs {
		h := decodeTCP(t, f)
		if h.Seq != next || !h.PSH || h.Ack != 5001 {
			t.Fatalf("segment %d: seq=%d want %d, ack=%d", i, h.Seq, next, h.Ack)
		}
		next += uint32(len(h.Payload))
		joined = append(joined, h.Payload...)
	}
	if !bytes.Equal(joined, msg) {
		t.Fatalf("segments carry %q", joined)
	}
	ack, _ := c.Ack(false)
	if h := decodeTCP(t, ack); h.Ack != next || h.Seq != 5001 {
		t.Fatalf("ack: seq=%d ack=%d", h.Seq, h.Ack)
	}
	fin, err := c.Close(true)
	if err != nil {
		t.Fatal(err)
	}
	h0, h1, h2 := decodeTCP(t, fin[0]), decodeTCP(t, fin[1]), decodeTCP(t, fin[2])
	if !h0.FIN || h0.Seq != next || !h1.FIN || h1.Ack != next+1 || h2.FIN || h2.Ack != 5002 || h2.Seq != next+1 {
		t.Fatalf("close: %+v / %+v / %+v", h0, h1, h2)
	}
}

func TestTCPConnBadCuts(t *testing.T) {
	c := NewTCPConn(&framebuild.Builder{}, v4a, v4b, 1, 1)
	for _, cuts := range [][]int{{0}, {5}, {3, 2}, {6}} {
		if _, err := c.Data(true, []byte("hello"), cuts...); err == nil {
			t.Errorf("cuts %v accepted", cuts)
		}
	}
}

// FuzzTCPConnData splits arbitrary data at fuzzer-chosen cuts and checks
// that gopacket decodes segments with contiguous sequence numbers, valid
// checksums and payloads that concatenate to the data; invalid cuts must be
// rejected.
func FuzzTCPConnData(f *testing.F) {
	f.Add([]byte("INVITE sip:bob@example.com SIP/2.0\r\n\r\n"), []byte{5, 20}, uint32(1000))
	f.Add([]byte("x"), []byte{}, uint32(0xffffffff))
	f.Add(make([]byte, 3000), []byte{200, 100}, uint32(7))
	f.Fuzz(func(t *testing.T, data []byte, cutBytes []byte, isn uint32) {
		if len(data) > 4096 { // cuts reach 255*16 bytes; longer data adds nothing
			return
		}
		cuts := make([]int, 0, len(cutBytes))
		valid := true
		prev := 0
		for _, c := range cutBytes {
			cut := int(c) * 16
			cuts = append(cuts, cut)
			if cut <= prev || cut >= len(data) {
				valid = false
			}
			prev = cut
		}
		c := NewTCPConn(&framebuild.Builder{}, v4a, v4b, isn, 1)
		segs, err := c.Data(true, data, cuts...)
		if !valid {
			if err == nil {
				t.Fatalf("cuts %v accepted for %d bytes", cuts, len(data))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var joined []byte
		next := isn
		for i, s := range segs {
			if res := framebuild.TransportChecksum(v4a.Addr(), v4b.Addr(), framebuild.ProtoTCP, s[framebuild.EthernetLen+framebuild.IPv4Len:]); res != 0 {
				t.Fatalf("segment %d: checksum residue %#04x", i, res)
			}
			h := decodeTCP(t, s)
			if h.Seq != next {
				t.Fatalf("segment %d: seq %d, want %d", i, h.Seq, next)
			}
			next += uint32(len(h.Payload))
			joined = append(joined, h.Payload...)
		}
		if !bytes.Equal(joined, data) {
			t.Fatal("segments do not carry the data")
		}
	})
}
