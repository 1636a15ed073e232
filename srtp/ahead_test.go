package srtp

import (
	"bytes"
	"math/rand"
	"reflect"
	"sync"
	"testing"
	"time"
)

// aheadCase is a stream of SRTP packets (in arrival order) for a receiver
// context.
type aheadCase struct {
	name string
	rx   *Context
	roc  uint32 // receiver's starting ROC
	pkts [][]byte
}

// sealRun seals the packets seqs (in that order) for ssrc with context c,
// master key k, starting at sender ROC roc, following the ROC across wraps.
func sealRun(t testing.TB, c *Context, k int, ssrc uint32, roc uint32, seqs []uint16, size int) [][]byte {
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

func aheadCases(t testing.TB) []aheadCase {
	k1 := MasterKey{Key: crossKey32[:16], Salt: crossSalt14}
	k2 := MasterKey{Key: bytes.Repeat([]byte{7}, 16), Salt: bytes.Repeat([]byte{9}, 14)}
	def := DefaultPolicy()
	var cases []aheadCase

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
			arr = append(arr, bytes.Clone(order[s])) // duplicate
		}
	}
	cases = append(cases, aheadCase{"reorder-wrap", c, 5, arr})

	// Wrong-key packets interleaved, and a tampered one.
	wrong := mustContext(t, def, k2)
	good := sealRun(t, c, 0, 9, 0, seqRun(100, 40), 160)
	bad := sealRun(t, wrong, 0, 9, 0, seqRun(140, 10), 160)
	arr = append(append([][]byte{}, good[:20]...), bad...)
	tampered := bytes.Clone(good[20])
	tampered[len(tampered)-1] ^= 1
	arr = append(arr, tampered)
	arr = append(arr, good[20:]...)
	cases = append(cases, aheadCase{"wrong-key", c, 0, arr})

	// The sender's ROC is one ahead of the signalled one (found by search).
	cases = append(cases, aheadCase{"roc-ahead", c, 0, sealRun(t, c, 0, 9, 1, seqRun(10, 30), 20)})

	// Two keys without MKI: a re-key switches keys mid-stream.
	c2 := mustContext(t, def, k1, k2)
	arr = append(sealRun(t, c2, 0, 9, 0, seqRun(1, 20), 30), sealRun(t, c2, 1, 9, 0, seqRun(21, 20), 30)...)
	arr = append(arr, sealRun(t, c2, 0, 9, 0, seqRun(41, 3), 30)...)
	cases = append(cases, aheadCase{"two-keys", c2, 0, arr})

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
	cases = append(cases, aheadCase{"mki", cm, 0, arr})

	// Another SSRC on the stream (rejected before any key is tried).
	other := sealRun(t, c, 0, 10, 0, seqRun(5, 3), 20)
	arr = append(sealRun(t, c, 0, 9, 0, seqRun(1, 10), 20), other...)
	arr = append(arr, sealRun(t, c, 0, 9, 0, seqRun(11, 10), 20)...)
	cases = append(cases, aheadCase{"other-ssrc", c, 0, arr})

	// AES-GCM, f8, RCC modes, null cipher, key derivation rate, no auth,
	// header extension encryption, AES-256.
	cases = append(cases, aheadCase{"gcm", mustContext(t, GCMPolicy(16), MasterKey{Key: k1.Key, Salt: k1.Salt[:12]}), 0, nil})
	f8 := def
	f8.Cipher = CipherAESF8
	cases = append(cases, aheadCase{"f8", mustContext(t, f8, k1), 0, nil})
	rcc := def
	rcc.Auth, rcc.TagLen, rcc.ROCRate = AuthRCCm2, 14, 4
	cases = append(cases, aheadCase{"rcc2", mustContext(t, rcc, k1), 0, nil})
	rcc3 := def
	rcc3.Auth, rcc3.TagLen, rcc3.ROCRate = AuthRCCm3, 4, 2
	cases = append(cases, aheadCase{"rcc3", mustContext(t, rcc3, k1), 0, nil})
	null := def
	null.SRTPEncrypt = false
	cases = append(cases, aheadCase{"null-cipher", mustContext(t, null, k1), 0, nil})
	kdr := def
	kdr.KDR = 16
	cases = append(cases, aheadCase{"kdr", mustContext(t, kdr, k1), 0, nil})
	noauth := def
	noauth.SRTPAuth = false
	cases = append(cases, aheadCase{"no-auth", mustContext(t, noauth, k1), 0, nil})
	hx := def
	hx.HeaderExtIDs.Add(1)
	cases = append(cases, aheadCase{"header-ext", mustContext(t, hx, k1), 0, nil})
	p256 := def
	p256.KeyLen = 32
	cases = append(cases, aheadCase{"aes-256", mustContext(t, p256, MasterKey{Key: crossKey32, Salt: crossSalt14}), 0, nil})
	for i := range cases {
		if cases[i].pkts == nil {
			cases[i].pkts = sealRun(t, cases[i].rx, 0, 9, 0, seqRun(65530, 60), 50)
		}
	}
	return cases
}

// decryptAhead decrypts pkts on st the way the analyzer does: in batches
// of size batch, the guesses of batch n+1 made before batch n is
// committed, every guess opened on one of workers goroutines (each with
// its Worker context) and every skip-th packet never decrypted (its guess
// dropped with its batch). It returns each packet's result and the number
// of packets whose guess answered DecryptRTP.
func decryptAhead(t testing.TB, c *Context, st *Stream, pkts [][]byte, at time.Time, batch, workers, skip int) (out []decryptResult, opened int) {
	t.Helper()
	type group struct {
		guesses []Guess
		ok      []bool
		start   int
	}
	for w := 0; w < workers; w++ {
		c.Worker(w)
	}
	guess := func(n uint64, start int) *group {
		end := min(start+batch, len(pkts))
		g := &group{guesses: make([]Guess, end-start), ok: make([]bool, end-start), start: start}
		for i := start; i < end; i++ {
			g.ok[i-start] = c.GuessRTP(pkts[i], st, &g.guesses[i-start], n)
		}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				wc := c.Worker(w)
				for i := w; i < len(g.guesses); i += workers {
					if g.ok[i] {
						wc.OpenGuess(make([]byte, 0, len(pkts[start+i])), &g.guesses[i])
					}
				}
			}(w)
		}
		wg.Wait()
		for i := range g.guesses {
			if g.guesses[i].Opened() {
				opened++
			}
		}
		return g
	}
	out = make([]decryptResult, len(pkts))
	var prev *group
	n := uint64(0)
	commit := func(g *group, tag uint64) {
		for i := range g.guesses {
			k := g.start + i
			if skip > 0 && k%skip == skip-1 {
				continue
			}
			plain, res, err := c.DecryptRTP(nil, pkts[k], st, at.Add(time.Duration(k)*time.Millisecond))
			out[k] = decryptResult{plain, res, err}
		}
		st.DropGuesses(tag)
	}
	for start := 0; start < len(pkts); start += batch {
		n++
		g := guess(n, start)
		if prev != nil {
			commit(prev, n-1)
		}
		prev = g
	}
	if prev != nil {
		commit(prev, n)
	}
	return out, opened
}

type decryptResult struct {
	plain []byte
	res   Result
	err   error
}

// TestDecryptAheadMatchesDecryptRTP checks that guessing in order, opening
// on worker goroutines and committing with DecryptRTP gives exactly what
// DecryptRTP alone gives: plaintext, Result, error and the final stream
// state and statistics, for every transform, reordering, duplicates, a ROC
// wrap, a ROC found by search, wrong keys, re-keys, MKIs and skipped
// packets.
func TestDecryptAheadMatchesDecryptRTP(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range aheadCases(t) {
		for _, shape := range []struct{ batch, workers, skip int }{{7, 2, 0}, {1, 1, 0}, {16, 3, 5}, {64, 2, 0}} {
			t.Run(tc.name, func(t *testing.T) {
				ref := NewStreamSSRC(9, tc.roc)
				want := make([]decryptResult, len(tc.pkts))
				for k, pkt := range tc.pkts {
					if shape.skip > 0 && k%shape.skip == shape.skip-1 {
						continue
					}
					plain, res, err := tc.rx.DecryptRTP(nil, pkt, ref, at.Add(time.Duration(k)*time.Millisecond))
					want[k] = decryptResult{plain, res, err}
				}
				st := NewStreamSSRC(9, tc.roc)
				got, opened := decryptAhead(t, tc.rx, st, tc.pkts, at, shape.batch, shape.workers, shape.skip)
				if opened < len(tc.pkts)/4 {
					t.Fatalf("%+v: only %d of %d packets opened ahead", shape, opened, len(tc.pkts))
				}
				for k := range want {
					if !bytes.Equal(got[k].plain, want[k].plain) || !reflect.DeepEqual(got[k].res, want[k].res) || !reflect.DeepEqual(got[k].err, want[k].err) {
						t.Fatalf("%+v packet %d: got %x %+v %v\nwant %x %+v %v", shape, k, got[k].plain, got[k].res, got[k].err, want[k].plain, want[k].res, want[k].err)
					}
				}
				if !reflect.DeepEqual(st.Stats, ref.Stats) || st.indexState != ref.indexState || st.key != ref.key {
					t.Fatalf("%+v: state differs:\n got %+v %+v\nwant %+v %+v", shape, st.indexState, st.Stats, ref.indexState, ref.Stats)
				}
				if st.pending() {
					t.Fatalf("%+v: guesses left queued", shape)
				}
			})
		}
	}
}

// TestDecryptRTPTakesGuess checks that DecryptRTP really answers its
// first try from an opened guess (its plaintext, marked here, comes back),
// and only for the packet, context, key and ROC guessed.
func TestDecryptRTPTakesGuess(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	pkts := sealRun(t, c, 0, 9, 0, seqRun(1, 3), 20)
	st := NewStreamSSRC(9, 0)
	var g [3]Guess
	for i := range g {
		if !c.GuessRTP(pkts[i], st, &g[i], 1) {
			t.Fatalf("packet %d not guessed", i)
		}
	}
	c.Worker(1).OpenGuess(nil, &g[0])
	if !g[0].Opened() || !g[0].ok {
		t.Fatal("the worker did not open the guess")
	}
	g[0].plain[len(g[0].plain)-1] ^= 0xff // a mark: the worker's plaintext is used
	plain, _, err := c.DecryptRTP(nil, pkts[0], st, time.Time{})
	if err != nil || plain[len(plain)-1] != g[0].plain[len(plain)-1] || !g[0].Taken() {
		t.Fatalf("guess not taken: %v", err)
	}
	// A copy of the packet's bytes is another packet: its guess is not
	// used, and is dropped as stale when the next packet's is taken.
	c.Worker(1).OpenGuess(nil, &g[1])
	g[1].plain[len(g[1].plain)-1] ^= 0xff
	plain, _, err = c.DecryptRTP(nil, bytes.Clone(pkts[1]), st, time.Time{})
	if err != nil || plain[len(plain)-1] == g[1].plain[len(plain)-1] || g[1].Taken() {
		t.Fatalf("guess of another slice taken: %v", err)
	}
	// A guess opened on a context of the same keys that is not a worker of
	// the guess's context gets no verdict.
	other := mustContext(t, DefaultPolicy(), defaultKey())
	other.OpenGuess(nil, &g[2])
	if g[2].Opened() {
		t.Fatal("a foreign context opened the guess")
	}
	if _, _, err := c.DecryptRTP(nil, pkts[2], st, time.Time{}); err != nil || st.pending() {
		t.Fatalf("last packet: %v, pending %v", err, st.pending())
	}
}

// TestAbandonGuess: an abandoned guess's verdict is not used (its
// plaintext, marked here, does not come back), the packet is decrypted by
// DecryptRTP itself, and the stream goes on guessing.
func TestAbandonGuess(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	pkts := sealRun(t, c, 0, 9, 0, seqRun(1, 3), 20)
	want, _, _ := c.DecryptRTP(nil, pkts[1], NewStreamSSRC(9, 0), time.Time{})
	st := NewStreamSSRC(9, 0)
	var g [3]Guess
	for i := range g {
		if !c.GuessRTP(pkts[i], st, &g[i], 1) {
			t.Fatalf("packet %d not guessed", i)
		}
		c.Worker(1).OpenGuess(nil, &g[i])
	}
	g[1].plain[len(g[1].plain)-1] ^= 0xff
	st.AbandonGuess(&g[1])
	st.AbandonGuess(&Guess{}) // not queued: ignored
	for i := range g {
		plain, _, err := c.DecryptRTP(nil, pkts[i], st, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 && (!bytes.Equal(plain, want) || g[1].Taken()) {
			t.Fatalf("abandoned guess used: %x", plain)
		}
		if i != 1 && !g[i].Taken() {
			t.Fatalf("guess %d not taken", i)
		}
	}
	var next Guess
	if !c.GuessRTP(sealRun(t, c, 0, 9, 0, seqRun(4, 1), 20)[0], st, &next, 2) {
		t.Fatal("no guess after an abandoned one")
	}
}

// TestGuessRTPDivergence checks that a stream whose packets did not do as
// predicted (a packet that fails authentication) stops guessing until its
// queue is empty, then guesses again from its real state.
func TestGuessRTPDivergence(t *testing.T) {
	c := mustContext(t, DefaultPolicy(), defaultKey())
	pkts := sealRun(t, c, 0, 9, 0, seqRun(1, 4), 20)
	pkts[0][len(pkts[0])-1] ^= 1 // fails
	st := NewStreamSSRC(9, 0)
	var g [4]Guess
	for i := 0; i < 2; i++ {
		c.GuessRTP(pkts[i], st, &g[i], 1)
		c.OpenGuess(nil, &g[i])
	}
	if _, _, err := c.DecryptRTP(nil, pkts[0], st, time.Time{}); err == nil {
		t.Fatal("tampered packet opened")
	}
	if c.GuessRTP(pkts[2], st, &g[2], 2) {
		t.Fatal("guessed while diverged with guesses queued")
	}
	if _, _, err := c.DecryptRTP(nil, pkts[1], st, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if !c.GuessRTP(pkts[2], st, &g[2], 2) {
		t.Fatal("no guess after the queue emptied")
	}
}

// TestWorkerOfSessionKeys checks that Worker contexts of a context made from
// session keys (the RFC 7714 vectors) get their own MAC state.
func TestWorkerOfSessionKeys(t *testing.T) {
	p := DefaultPolicy()
	c, err := newSessionContext(p, bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 14), bytes.Repeat([]byte{3}, 20))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Worker(1)
	if w.keys[0].rtp.mac == c.keys[0].rtp.mac {
		t.Fatal("worker shares the MAC state")
	}
	pkt, err := c.SealRTP(nil, testRTP(1, 9, 20), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.DecryptRTP(nil, pkt, NewStreamSSRC(9, 0), time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecryptAhead feeds arbitrary packets, between valid ones, through
// GuessRTP, OpenGuess on a worker context and DecryptRTP, for every
// transform, and checks that nothing panics, no packet is modified, and
// every result is exactly what DecryptRTP alone gives (plaintext, Result,
// error, and the stream's state and statistics).
func FuzzDecryptAhead(f *testing.F) {
	cs := fuzzContexts(f)
	fuzzSeeds(f, cs, false)
	f.Fuzz(func(t *testing.T, pkt []byte, which uint8, roc uint32) {
		c := cs[int(which)%len(cs)]
		seq := uint16(roc)
		var pkts [][]byte
		for i := 0; i < 3; i++ {
			p, err := c.SealRTP(nil, testRTP(seq+uint16(i), 9, 20), roc>>16, 0)
			if err != nil {
				t.Fatal(err)
			}
			pkts = append(pkts, p)
		}
		pkts = [][]byte{pkts[0], pkt, pkts[1], pkt, pkts[2]}
		orig := bytes.Clone(pkt)
		at := time.Unix(int64(roc), 0)
		ref := NewStream(roc >> 16)
		want := make([]decryptResult, len(pkts))
		for k, p := range pkts {
			plain, res, err := c.DecryptRTP(nil, p, ref, at.Add(time.Duration(k)*time.Millisecond))
			want[k] = decryptResult{plain, res, err}
		}
		for _, batch := range []int{1, 2, 5} {
			st := NewStream(roc >> 16)
			got, _ := decryptAhead(t, c, st, pkts, at, batch, 2, 0)
			for k := range want {
				if !bytes.Equal(got[k].plain, want[k].plain) || !reflect.DeepEqual(got[k].res, want[k].res) || !reflect.DeepEqual(got[k].err, want[k].err) {
					t.Fatalf("batch %d packet %d: got %x %+v %v, want %x %+v %v", batch, k, got[k].plain, got[k].res, got[k].err, want[k].plain, want[k].res, want[k].err)
				}
			}
			if !reflect.DeepEqual(st.Stats, ref.Stats) || st.indexState != ref.indexState {
				t.Fatalf("batch %d: state differs:\n got %+v\nwant %+v", batch, st.Stats, ref.Stats)
			}
		}
		if !bytes.Equal(pkt, orig) {
			t.Fatal("packet modified")
		}
	})
}
