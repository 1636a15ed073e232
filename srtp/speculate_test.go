package srtp

import (
	"bytes"
	"errors"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// specCase is a stream of SRTP packets (in arrival order) for a receiver
// context.
type specCase struct {
	name string
	rx   *Context
	roc  uint32 // receiver's starting ROC
	pkts [][]byte
}

// sealRun seals the packets seqs (in that order) for ssrc with context c,
// master key k, starting at sender ROC roc, following the ROC across wraps.
func sealRun(t *testing.T, c *Context, k int, ssrc uint32, roc uint32, seqs []uint16, size int) [][]byte {
	t.Helper()
	var out [][]byte
	prev := -1
	for _, s := range seqs {
		if prev >= 0 && int(s) < prev && prev-int(s) > 0x8000 {
			roc++
		}
		prev = int(s)
		pkt, err := c.SealRTP(nil, testRTP(s, ssrc, size), roc, k)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pkt)
	}
	return out
}

func seqRun(from uint16, n int) []uint16 {
	s := make([]uint16, n)
	for i := range s {
		s[i] = from + uint16(i)
	}
	return s
}

func specCases(t *testing.T) []specCase {
	k1 := MasterKey{Key: crossKey32[:16], Salt: crossSalt14}
	k2 := MasterKey{Key: bytes.Repeat([]byte{7}, 16), Salt: bytes.Repeat([]byte{9}, 14)}
	def := DefaultPolicy()
	var cases []specCase

	// Wrap, loss, reordering and duplicates.
	c := mustContext(t, def, k1)
	seqs := seqRun(65500, 80)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 30; i++ {
		a, b := rng.Intn(len(seqs)), rng.Intn(len(seqs))
		if d := a - b; d > -10 && d < 10 {
			seqs[a], seqs[b] = seqs[b], seqs[a]
		}
	}
	pkts := sealRun(t, c, 0, 9, 5, seqRun(65500, 80), 40)
	order := map[uint16][]byte{}
	for i, s := range seqRun(65500, 80) {
		order[s] = pkts[i]
	}
	var arr [][]byte
	for i, s := range seqs {
		if i%17 == 3 {
			continue // lost
		}
		arr = append(arr, order[s])
		if i%23 == 5 {
			arr = append(arr, order[s]) // duplicate
		}
	}
	cases = append(cases, specCase{"reorder-wrap", c, 5, arr})

	// Wrong-key packets interleaved, and a tampered one.
	wrong := mustContext(t, def, k2)
	good := sealRun(t, c, 0, 9, 0, seqRun(100, 40), 160)
	bad := sealRun(t, wrong, 0, 9, 0, seqRun(140, 10), 160)
	arr = append(append([][]byte{}, good[:20]...), bad...)
	tampered := bytes.Clone(good[20])
	tampered[len(tampered)-1] ^= 1
	arr = append(arr, tampered)
	arr = append(arr, good[20:]...)
	cases = append(cases, specCase{"wrong-key", c, 0, arr})

	// The sender's ROC is one ahead of the signalled one (found by search).
	cases = append(cases, specCase{"roc-ahead", c, 0, sealRun(t, c, 0, 9, 1, seqRun(10, 30), 20)})

	// Two keys without MKI: a re-key switches keys mid-stream.
	c2 := mustContext(t, def, k1, k2)
	arr = append(sealRun(t, c2, 0, 9, 0, seqRun(1, 20), 30), sealRun(t, c2, 1, 9, 0, seqRun(21, 20), 30)...)
	arr = append(arr, sealRun(t, c2, 0, 9, 0, seqRun(41, 3), 30)...)
	cases = append(cases, specCase{"two-keys", c2, 0, arr})

	// MKIs, including an unknown one and a short packet.
	mp := def
	mp.MKILen = 4
	m1, m2 := k1, k2
	m1.MKI, m2.MKI = []byte{0, 0, 0, 1}, []byte{0, 0, 0, 2}
	cm := mustContext(t, mp, m1, m2)
	arr = append(sealRun(t, cm, 0, 9, 0, seqRun(1, 20), 30), sealRun(t, cm, 1, 9, 0, seqRun(21, 20), 30)...)
	unk := bytes.Clone(arr[5])
	copy(unk[len(unk)-14:], []byte{9, 9, 9, 9})
	arr = append(arr, unk, arr[3][:13])
	cases = append(cases, specCase{"mki", cm, 0, arr})

	// AES-GCM, f8, RCC mode 2, null cipher, key derivation rate.
	cases = append(cases, specCase{"gcm", mustContext(t, GCMPolicy(16), MasterKey{Key: k1.Key, Salt: k1.Salt[:12]}), 0, nil})
	f8 := def
	f8.Cipher = CipherAESF8
	cases = append(cases, specCase{"f8", mustContext(t, f8, k1), 0, nil})
	rcc := def
	rcc.Auth, rcc.TagLen, rcc.ROCRate = AuthRCCm2, 14, 4
	cases = append(cases, specCase{"rcc2", mustContext(t, rcc, k1), 0, nil})
	null := def
	null.SRTPEncrypt = false
	cases = append(cases, specCase{"null-cipher", mustContext(t, null, k1), 0, nil})
	kdr := def
	kdr.KDR = 16
	cases = append(cases, specCase{"kdr", mustContext(t, kdr, k1), 0, nil})
	noauth := def
	noauth.SRTPAuth = false
	cases = append(cases, specCase{"no-auth", mustContext(t, noauth, k1), 0, nil})
	for i := range cases {
		if cases[i].pkts == nil {
			cases[i].pkts = sealRun(t, cases[i].rx, 0, 9, 0, seqRun(65530, 60), 50)
		}
	}
	return cases
}

// TestSpeculativeMatchesDecryptRTP checks that guessing in order, opening
// on a clone, and committing with DecryptRTPGuessed gives exactly what
// DecryptRTP gives: plaintext, Result, error and the final statistics.
func TestSpeculativeMatchesDecryptRTP(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range specCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			ref := NewStreamSSRC(9, tc.roc)
			st := NewStreamSSRC(9, tc.roc)
			clone := tc.rx.Clone()
			// Guesses are made in batches of 7 ahead of the commits, as a
			// batching caller would.
			const batch = 7
			used := 0
			for start := 0; start < len(tc.pkts); start += batch {
				end := min(start+batch, len(tc.pkts))
				specs := make([]Speculation, end-start)
				pr := st.Predict()
				for i := start; i < end; i++ {
					if tc.rx.GuessRTP(tc.pkts[i], &pr, &specs[i-start]) {
						w := tc.rx
						if i%2 == 1 {
							w = clone
						}
						w.OpenGuess(nil, tc.pkts[i], &specs[i-start])
					}
				}
				for i := start; i < end; i++ {
					ti := at.Add(time.Duration(i) * time.Millisecond)
					want, wres, werr := tc.rx.DecryptRTP(nil, tc.pkts[i], ref, ti)
					sp := &specs[i-start]
					got, gres, gerr := tc.rx.DecryptRTPGuessed(nil, tc.pkts[i], st, ti, sp)
					if !bytes.Equal(got, want) || !reflect.DeepEqual(gres, wres) || !errors.Is(gerr, werr) && !reflect.DeepEqual(gerr, werr) {
						t.Fatalf("packet %d: got %x %+v %v\nwant %x %+v %v", i, got, gres, gerr, want, wres, werr)
					}
					if sp.Opened() && sp.ok && werr == nil {
						used++
					}
				}
			}
			if !reflect.DeepEqual(st.Stats, ref.Stats) || st.ROC() != ref.ROC() {
				t.Fatalf("stats differ:\n got %+v\nwant %+v", st.Stats, ref.Stats)
			}
			if ref.Stats.Authenticated+ref.Stats.Unverified > 0 && used == 0 {
				t.Fatalf("no speculation was used")
			}
		})
	}
}

// TestOpenGuessRejectsForeignContext checks that a context of other keys
// does not answer a guess.
func TestOpenGuessRejectsForeignContext(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	other := mustContext(t, DefaultPolicy(), defaultKey())
	pkt := sealRun(t, c, 0, 9, 0, []uint16{1}, 20)[0]
	st := NewStreamSSRC(9, 0)
	pr := st.Predict()
	var sp Speculation
	if !c.GuessRTP(pkt, &pr, &sp) {
		t.Fatal("no guess")
	}
	other.OpenGuess(nil, pkt, &sp)
	if sp.Opened() {
		t.Fatal("a context with other PRF blocks opened the guess")
	}
	c.Clone().OpenGuess(nil, pkt, &sp)
	if !sp.Opened() || !sp.ok {
		t.Fatal("a clone did not open the guess")
	}
}
