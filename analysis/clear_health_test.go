package analysis_test

import (
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// TestHealthWithoutKeys: a stream whose keys are not supplied still
// reports its health from the clear RTP headers (RFC 3711 §3.1: the header
// is not encrypted), and the same losses, duplicates and reordering as
// when the keys are supplied and every packet is decrypted; its packet and
// byte counts agree with the stream's.
func TestHealthWithoutKeys(t *testing.T) {
	key, salt, err := pskExchange(casePSK).SRTPKeys(1)
	if err != nil {
		t.Fatal(err)
	}
	// seq 65530..65535 at ROC 0, then 0..7 at ROC 1
	pkts := append(srtpPackets(t, key, salt, nil, ssrcA, 65530, 6, 0), srtpPackets(t, key, salt, nil, ssrcA, 0, 8, 1)...)
	order := []int{0, 1, 2, 4, 3, 5, 6, 6, 7, 9, 10, 12, 13} // 8 and 11 lost, 3/4 swapped, 6 twice
	health := func(opts analysis.Options) *analysis.Stream {
		f := newFeed(opts)
		f.invite(must(t)(pskExchange(casePSK).Init()))
		for _, i := range order {
			f.rtp(pkts[i])
		}
		r := f.finish()
		if len(r.Sessions) != 1 || len(r.Sessions[0].Streams) != 1 {
			t.Fatalf("want one session with one stream: %+v", r.Sessions)
		}
		return r.Sessions[0].Streams[0]
	}
	without := health(analysis.Options{})
	with := health(analysis.Options{Keys: pskStore(t, casePSK)})
	if without.KeyStatus != "no-key" || with.KeyStatus != "decrypting" || with.Decrypted != uint64(len(order)) {
		t.Fatalf("key status without keys %q, with keys %q (%d decrypted)", without.KeyStatus, with.KeyStatus, with.Decrypted)
	}
	h, w := without.Health, with.Health
	if h.Lost != 2 || h.Duplicates != 1 || h.OutOfOrder != 1 || h.ROC != 1 {
		t.Errorf("without keys: lost %d duplicates %d out of order %d ROC %d, want 2, 1, 1, 1", h.Lost, h.Duplicates, h.OutOfOrder, h.ROC)
	}
	if h.Lost != w.Lost || h.Duplicates != w.Duplicates || h.OutOfOrder != w.OutOfOrder || h.HighestIndex != w.HighestIndex ||
		h.ROC != w.ROC || h.Packets != w.Packets || h.Bytes != w.Bytes || h.PayloadTypes != w.PayloadTypes {
		t.Errorf("health without keys %+v\ndiffers from health with keys %+v", h, w)
	}
	if h.Packets != without.Packets || h.Authenticated != 0 || h.Decrypted != 0 || h.Unverified != 0 {
		t.Errorf("without keys: %d packets in health, %d in the stream; authenticated %d decrypted %d unverified %d",
			h.Packets, without.Packets, h.Authenticated, h.Decrypted, h.Unverified)
	}
}
