package srtp

import (
	"testing"
	"time"
)

// TestClearIndexMatchesDecryption: a ClearIndex fed the clear headers of an
// SRTP stream counts packets, bytes, losses, duplicates, reordering, the
// highest index, the ROC and its changes exactly as a Stream decrypting
// the same packets with the keys, across a sequence wrap; and it counts
// nothing as authenticated, decrypted or unverified.
func TestClearIndexMatchesDecryption(t *testing.T) {
	p := DefaultPolicy()
	k := MasterKey{Key: crossKey32[:16], Salt: crossSalt14}
	sender := mustContext(t, p, k)
	const ssrc = 0xcafe
	var pkts [][]byte
	for i := 0; i < 40; i++ {
		seq := uint16(65515 + i) // wraps to ROC 1
		roc := uint32(0)
		if seq < 100 {
			roc = 1
		}
		if i == 10 || i == 11 || i == 30 {
			continue // lost
		}
		pkt, err := sender.SealRTP(nil, testRTP(seq, ssrc, 40+i), roc, 0)
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, pkt)
		if i%9 == 4 {
			pkts = append(pkts, pkt) // duplicate
		}
	}
	pkts[8], pkts[9] = pkts[9], pkts[8]     // reordered
	pkts[20], pkts[23] = pkts[23], pkts[20] // reordered across the wrap

	receiver := mustContext(t, p, k)
	decrypting := NewStreamSSRC(ssrc, 0)
	var clear ClearIndex
	var st Stats
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for i, pkt := range pkts {
		at := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		if _, _, err := receiver.DecryptRTP(nil, pkt, decrypting, at); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		h, err := ParseRTPHeader(pkt)
		if err != nil {
			t.Fatal(err)
		}
		clear.Observe(&st, h.SequenceNumber, h.PayloadType, at, len(pkt))
	}
	want := decrypting.Stats
	if want.Lost == 0 || want.Duplicates == 0 || want.OutOfOrder == 0 || want.ROC != 1 || want.ROCChanges == 0 {
		t.Fatalf("the sequence does not exercise what it should: %+v", want)
	}
	if st.Authenticated != 0 || st.Decrypted != 0 || st.Unverified != 0 || st.KeysUsed != 0 {
		t.Errorf("clear observation counted crypto: %+v", st)
	}
	want.Authenticated, want.Decrypted, want.KeysUsed = 0, 0, 0
	if st != want {
		t.Errorf("clear index:\n%+v\ndecrypting stream:\n%+v", st, want)
	}
}
