package export

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestSpoolOrder: packets handed over out of capture order by less than
// the read-ahead are all found again by frame and protected bytes; two
// packets of one frame are told apart; a packet never asked for is
// counted unplaced, and one asked for with other bytes is not returned.
func TestSpoolOrder(t *testing.T) {
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	type pkt struct {
		frame uint64
		data  string
	}
	var pkts []pkt
	for f := uint64(1); f <= 2000; f++ {
		pkts = append(pkts, pkt{f, fmt.Sprint("srtp-", f)})
		if f%7 == 0 {
			pkts = append(pkts, pkt{f, fmt.Sprint("second-", f)}) // two interleaved packets in one frame
		}
	}
	// Shuffle within windows of 100 packets.
	r := rand.New(rand.NewPCG(1, 2))
	order := append([]pkt(nil), pkts...)
	for i := 0; i+100 <= len(order); i += 100 {
		r.Shuffle(100, func(a, b int) { order[i+a], order[i+b] = order[i+b], order[i+a] })
	}
	src, dst := netip.MustParseAddrPort("192.0.2.1:4000"), netip.MustParseAddrPort("192.0.2.2:5000")
	for _, p := range order {
		if p.frame == 1500 {
			continue // decrypted but never asked for below
		}
		sp.add(&dissect.MediaPacket{Frame: p.frame, Src: src, Dst: dst, Kind: dissect.KindRTP, Data: []byte(p.data)}, []byte("plain-"+p.data))
	}
	sp.add(&dissect.MediaPacket{Frame: 1500, Src: src, Dst: dst, Kind: dissect.KindRTP, Data: []byte("never")}, []byte("x"))
	rd, err := sp.rewind()
	if err != nil {
		t.Fatal(err)
	}
	if !sp.endpoints[src] || !sp.addrs[dst.Addr()] {
		t.Error("endpoints not recorded")
	}
	for _, p := range pkts {
		if p.frame == 1500 {
			if _, _, ok := rd.take(p.frame, sp.hash([]byte(p.data))); ok {
				t.Fatal("frame 1500: a packet with other bytes was returned")
			}
			rd.done(p.frame + 1)
			continue
		}
		plain, kind, ok := rd.take(p.frame, sp.hash([]byte(p.data)))
		if !ok || string(plain) != "plain-"+p.data || kind != dissect.KindRTP {
			t.Fatalf("frame %d %q: got %q %v", p.frame, p.data, plain, ok)
		}
		rd.done(p.frame)
	}
	rd.done(1 << 40)
	if rd.unplaced != 1 || rd.held != 0 || rd.err != nil {
		t.Errorf("unplaced %d held %d err %v, want 1, 0, nil", rd.unplaced, rd.held, rd.err)
	}
}
