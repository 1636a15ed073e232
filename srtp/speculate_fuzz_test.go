package srtp

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// FuzzSpeculativeRTP feeds arbitrary packets, after a valid one, through
// GuessRTP, OpenGuess on a clone and DecryptRTPGuessed, and checks that
// nothing panics, the packet is not modified, and the result is exactly
// DecryptRTP's (plaintext, Result, error and stream statistics).
func FuzzSpeculativeRTP(f *testing.F) {
	cs := fuzzContexts(f)
	fuzzSeeds(f, cs, false)
	f.Fuzz(func(t *testing.T, pkt []byte, which uint8, roc uint32) {
		c := cs[int(which)%len(cs)]
		first, err := c.SealRTP(nil, testRTP(uint16(roc), 9, 20), roc>>16, 0)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Unix(int64(roc), 0)
		ref, st := NewStream(roc>>16), NewStream(roc>>16)
		clone := c.Clone()
		pr := st.Predict()
		var sps [2]Speculation
		for i, p := range [][]byte{first, pkt} {
			if c.GuessRTP(p, &pr, &sps[i]) {
				clone.OpenGuess(nil, p, &sps[i])
			}
		}
		orig := bytes.Clone(pkt)
		for i, p := range [][]byte{first, pkt} {
			want, wres, werr := c.DecryptRTP(nil, p, ref, at)
			got, gres, gerr := c.DecryptRTPGuessed(nil, p, st, at, &sps[i])
			if !bytes.Equal(got, want) || !reflect.DeepEqual(gres, wres) || !reflect.DeepEqual(gerr, werr) {
				t.Fatalf("packet %d: got %x %+v %v, want %x %+v %v", i, got, gres, gerr, want, wres, werr)
			}
		}
		if !bytes.Equal(pkt, orig) {
			t.Fatal("packet modified")
		}
		if !reflect.DeepEqual(st.Stats, ref.Stats) {
			t.Fatalf("stats differ:\n got %+v\nwant %+v", st.Stats, ref.Stats)
		}
	})
}
