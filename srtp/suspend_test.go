package srtp

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// TestSuspendResume: a stream suspended and resumed (with its statistics)
// before every packet decrypts and counts exactly as one never suspended,
// across a sequence wrap, duplicates, reordering, a lost packet, a packet
// that fails authentication and a re-key by MKI; SRTCP with its index and
// the send side's index carry over too.
func TestSuspendResume(t *testing.T) {
	p := DefaultPolicy()
	p.MKILen = 2
	k1 := MasterKey{Key: crossKey32[:16], Salt: crossSalt14, MKI: []byte{0, 1}}
	k2 := MasterKey{Key: crossKey32[16:], Salt: crossSalt14, MKI: []byte{0, 2}}
	sender := mustContext(t, p, k1, k2)
	const ssrc = 0xcafe
	var pkts [][]byte
	seal := func(seq uint16, roc uint32, key int) {
		pkt, err := sender.SealRTP(nil, testRTP(seq, ssrc, 40), roc, key)
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, pkt)
	}
	for i := 0; i < 30; i++ {
		seq := uint16(65520 + i) // wraps to ROC 1
		roc := uint32(0)
		if seq < 100 {
			roc = 1
		}
		key := 0
		if i >= 20 {
			key = 1
		}
		if i == 10 {
			continue // lost
		}
		seal(seq, roc, key)
		if i%9 == 4 {
			pkts = append(pkts, pkts[len(pkts)-1]) // duplicate
		}
	}
	pkts[8], pkts[9] = pkts[9], pkts[8] // reordered
	bad := bytes.Clone(pkts[12])
	bad[len(bad)-1] ^= 1
	pkts = append(pkts[:13], append([][]byte{bad}, pkts[13:]...)...)

	receiver := mustContext(t, p, k1, k2)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	straight, suspended := NewStreamSSRC(ssrc, 0), NewStreamSSRC(ssrc, 0)
	for i, pkt := range pkts {
		at := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		suspended = suspended.Suspend().Resume(suspended.Stats)
		want, wres, werr := receiver.DecryptRTP(nil, pkt, straight, at)
		got, gres, gerr := receiver.DecryptRTP(nil, pkt, suspended, at)
		if !bytes.Equal(got, want) || !reflect.DeepEqual(gres, wres) || (gerr == nil) != (werr == nil) {
			t.Fatalf("packet %d: suspended %x %+v %v, straight %x %+v %v", i, got, gres, gerr, want, wres, werr)
		}
	}
	if !reflect.DeepEqual(suspended, straight) {
		t.Fatalf("suspended stream %+v\nstraight stream %+v", suspended, straight)
	}
	if straight.Stats.AuthFailed != 1 || straight.Stats.Duplicates == 0 || straight.Stats.OutOfOrder == 0 || straight.Stats.ROC != 1 || straight.Stats.MKIs.Len() != 2 {
		t.Fatalf("the sequence does not exercise what it should: %+v", straight.Stats)
	}

	// SRTCP: the receiver's index and the sender's next index.
	rtcp := []byte{0x80, 200, 0, 6, 0, 0, 0xca, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	send1, send2 := NewStreamSSRC(ssrc, 0), NewStreamSSRC(ssrc, 0)
	send1.SetRTCPIndex(41)
	send2.SetRTCPIndex(41)
	recv1, recv2 := NewStreamSSRC(ssrc, 0), NewStreamSSRC(ssrc, 0)
	for i := 0; i < 5; i++ {
		send2 = send2.Suspend().Resume(send2.Stats)
		recv2 = recv2.Suspend().Resume(recv2.Stats)
		a, err1 := sender.EncryptRTCP(nil, rtcp, send1)
		b, err2 := sender.EncryptRTCP(nil, rtcp, send2)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("SRTCP %d sealed %x %v, suspended %x %v", i, a, err1, b, err2)
		}
		if _, _, err := receiver.DecryptRTCP(nil, a, recv1, t0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := receiver.DecryptRTCP(nil, b, recv2, t0); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(send1, send2) || !reflect.DeepEqual(recv1, recv2) {
		t.Fatalf("SRTCP streams differ after suspending: %+v %+v, %+v %+v", send1, send2, recv1, recv2)
	}
}
