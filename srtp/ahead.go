package srtp

import (
	"encoding/binary"
	"unsafe"
)

// Opening SRTP packets ahead lets the packets of one stream be
// authenticated and decrypted on several goroutines while the stream's
// state (ROC and s_l of RFC 3711 §3.3.1, the replay window of §3.3.2, the
// statistics) is still updated strictly in packet order, by DecryptRTP:
//
//  1. GuessRTP, in packet order, predicts the master key and ROC that
//     DecryptRTP will try first for a packet, following the stream ahead
//     as if every guessed packet authenticates, and queues the Guess on
//     the stream.
//  2. OpenGuess, on any goroutine, verifies the tag and decrypts the
//     packet with that key and ROC, on the guess's context or one of its
//     Worker contexts (one per goroutine).
//  3. DecryptRTP, in packet order, takes the packet's guess from the
//     stream's queue; when its first try is exactly the guess (same
//     context, master key and ROC, same packet bytes), the verdict and
//     plaintext of OpenGuess answer it instead of the crypto being done
//     again. Any other try (a wrong guess, a failed tag, a ROC search, the
//     other keys) is DecryptRTP's own.
//
// A verdict depends only on the context's keys and policy (fixed for a
// Context's life), the master key, the ROC and the packet's bytes, which
// is what DecryptRTP checks before using one, so the results, statistics
// and plaintext are those of DecryptRTP without guesses. The packet's bytes
// must not change between GuessRTP and DecryptRTP.

// predictor follows a stream's ROC, s_l, highest index and last working
// key ahead of the stream itself (the parts of Stream that decide the first
// key and ROC DecryptRTP tries).
type predictor struct {
	started bool
	roc     uint32
	sl      uint16
	highest uint64
	key     int
}

func (s *Stream) predictor() predictor {
	return predictor{started: s.started, roc: s.roc, sl: s.sl, highest: s.highest, key: s.key}
}

// estimate is indexState.estimateROC on the predicted state.
func (p *predictor) estimate(seq uint16) uint32 {
	s := indexState{started: p.started, roc: p.roc, sl: p.sl}
	return s.estimateROC(seq)
}

// accept mirrors the ROC, s_l and highest index updates of indexState.accept
// for an SRTP packet.
func (p *predictor) accept(idx uint64, roc uint32, seq uint16, resync bool) {
	if !p.started || resync {
		p.started, p.highest, p.roc, p.sl = true, idx, roc, seq
		return
	}
	if diff := int64((idx-p.highest)<<16) >> 16; diff > 0 {
		p.highest, p.roc, p.sl = idx, roc, seq
	}
}

// ahead is a stream's queue of guesses not yet taken by DecryptRTP.
type ahead struct {
	pred predictor // the stream's state after the last queued guess
	q    []queued
	head int
	// diverged: a packet's outcome differed from its prediction, so the
	// queued guesses are likely wrong; no new guesses until they are gone.
	diverged bool
}

// queued is a guess in a stream's queue; abandoned: its verdict is not to
// be read (AbandonGuess).
type queued struct {
	g         *Guess
	abandoned bool
}

// Guess is one SRTP packet's predicted master key and ROC (GuessRTP) and,
// once opened (OpenGuess), its verdict and plaintext. The zero value is no
// guess. A Guess is owned by the caller, who must keep it, and the packet
// and plaintext buffer it refers to, unchanged until DecryptRTP took it or
// the stream dropped it (DropGuesses).
type Guess struct {
	ctx    *Context
	pkt    []byte
	tag    uint64
	key    int
	roc    uint32
	after  predictor // the stream's predicted state after this packet
	opened bool      // OpenGuess reached a verdict
	ok     bool      // the tag verified (or the policy has none)
	taken  bool      // DecryptRTP used the verdict
	plain  []byte
}

// Opened reports whether OpenGuess reached a verdict for the guess.
func (g *Guess) Opened() bool { return g.opened }

// Taken reports whether DecryptRTP used the guess's verdict instead of
// doing the crypto itself.
func (g *Guess) Taken() bool { return g.taken }

// Context returns the context the guess was made for (nil for no guess).
func (g *Guess) Context() *Context { return g.ctx }

// guessMaxQueue bounds a stream's queue of guesses; past it GuessRTP
// declines (the caller is not taking them).
const guessMaxQueue = 1 << 14

// GuessRTP predicts the master key and ROC that DecryptRTP will try first
// for pkt on stream st (RFC 3711 §3.3.1 index estimation; the key by MKI,
// §3.2.1, or the one that last worked), queues g on st and advances the
// stream's prediction as if the packet authenticates. tag is the caller's
// label for the guess (e.g. a batch number, see DropGuesses). It reports
// false, leaving g empty and unqueued, for a packet DecryptRTP would reject
// before trying a key, and while the stream's earlier guesses proved wrong
// and are still queued. It reads st without changing what DecryptRTP does
// with it: packets guessed or not decrypt the same.
func (c *Context) GuessRTP(pkt []byte, st *Stream, g *Guess, tag uint64) bool {
	*g = Guess{}
	if st == nil {
		return false
	}
	a := st.ahead
	if a == nil {
		a = &ahead{}
		st.ahead = a
	}
	if a.head == len(a.q) {
		// Nothing pending: start from the stream's state itself.
		a.q, a.head, a.diverged = a.q[:0], 0, false
		a.pred = st.predictor()
	} else if a.diverged || len(a.q)-a.head >= guessMaxQueue {
		return false
	}
	h, err := ParseRTPHeader(pkt)
	if err != nil || (st.HasSSRC && h.SSRC != st.SSRC) {
		return false
	}
	p := &c.p
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	aeadLen := p.aeadTagLen()
	trailer := p.MKILen + tagLen
	if len(pkt) < h.HeaderLen+aeadLen+trailer {
		return false
	}
	authEnd := len(pkt) - trailer
	key := a.pred.key
	if key >= len(c.keys) {
		key = 0
	}
	if p.MKILen > 0 {
		if key = c.keyForMKI(pkt[authEnd : authEnd+p.MKILen]); key < 0 {
			return false
		}
	}
	est := a.pred.estimate(h.SequenceNumber)
	roc := est
	if rocInTag {
		roc = binary.BigEndian.Uint32(pkt[authEnd+p.MKILen:])
	}
	a.pred.accept(uint64(roc)<<16|uint64(h.SequenceNumber), roc, h.SequenceNumber, roc != est)
	a.pred.key = key
	g.ctx, g.pkt, g.tag, g.key, g.roc, g.after = c, pkt, tag, key, roc, a.pred
	if len(a.q) == cap(a.q) && a.head > len(a.q)/2 {
		// Compact the queue rather than grow it while it is being taken.
		n := copy(a.q, a.q[a.head:])
		clear(a.q[n:])
		a.q, a.head = a.q[:n], 0
	}
	a.q = append(a.q, queued{g: g})
	return true
}

// DropGuesses removes from st's queue the guesses with a tag up to tag
// (those DecryptRTP did not take: their packets went elsewhere), oldest
// first, stopping at the first newer one. Guesses are queued in tag order
// when tags increase, as batch numbers do.
func (st *Stream) DropGuesses(tag uint64) {
	a := st.ahead
	if a == nil {
		return
	}
	for a.head < len(a.q) && a.q[a.head].g.tag <= tag {
		a.q[a.head] = queued{}
		a.head++
	}
	if a.head == len(a.q) {
		a.q, a.head = a.q[:0], 0
	}
}

// takeGuess returns the queued guess for pkt, dropping the older guesses
// before it (their packets were not decrypted on st), or nil; usable is
// false for an abandoned guess, whose prediction (g.after) may be read but
// not its verdict. Only the next few guesses are looked at: the packets
// come in the order guessed.
func (st *Stream) takeGuess(pkt []byte) (g *Guess, usable bool) {
	a := st.ahead
	if a == nil || a.head == len(a.q) || len(pkt) == 0 {
		return nil, false
	}
	end := min(len(a.q), a.head+4)
	for i := a.head; i < end; i++ {
		e := a.q[i]
		if len(e.g.pkt) == len(pkt) && unsafe.SliceData(e.g.pkt) == unsafe.SliceData(pkt) {
			clear(a.q[a.head : i+1])
			a.head = i + 1
			if a.head == len(a.q) {
				a.q, a.head = a.q[:0], 0
			}
			return e.g, !e.abandoned
		}
	}
	return nil, false
}

// AbandonGuess marks g, queued on st, as one whose verdict DecryptRTP must
// not use: OpenGuess may still be running on it on another goroutine (a
// worker that was descheduled), and the caller would rather decrypt the
// packet itself than wait. DecryptRTP still takes it from the queue and
// checks the stream against its prediction, reading only what GuessRTP
// wrote. A guess not queued on st is ignored.
func (st *Stream) AbandonGuess(g *Guess) {
	if a := st.ahead; a != nil {
		for i := a.head; i < len(a.q); i++ {
			if a.q[i].g == g {
				a.q[i].abandoned = true
				return
			}
		}
	}
}

// pending reports whether st has guesses queued.
func (st *Stream) pending() bool { return st.ahead != nil && st.ahead.head < len(st.ahead.q) }

// checkPrediction compares the stream's state after a packet with what was
// predicted for it (g, nil for a packet that had no guess) and stops new
// guesses while the queued ones are likely wrong.
func (st *Stream) checkPrediction(g *Guess) {
	a := st.ahead
	if a == nil {
		return
	}
	if g == nil {
		if a.head < len(a.q) {
			a.diverged = true
		}
		return
	}
	if st.predictor() != g.after {
		a.diverged = true
	}
}

// Worker returns context i of c for OpenGuess on its own goroutine: c
// itself for 0, else a clone of c made on first use (Clone: shared AES PRF
// blocks, its own session keys, MAC state and scratch buffers). Worker is
// not safe for concurrent use: call it on the goroutine that owns c,
// before handing the contexts to other goroutines.
func (c *Context) Worker(i int) *Context {
	if i <= 0 {
		return c
	}
	for len(c.workers) < i {
		w := c.Clone()
		w.origin = c
		c.workers = append(c.workers, w)
	}
	return c.workers[i-1]
}

// OpenGuess verifies and decrypts the guess's packet with its master key
// and ROC, writing the plaintext into dst (grown when too small; it must
// not overlap the packet). w must be the context the guess was made for or
// one of its Worker contexts, used by one goroutine at a time; guesses of
// one stream may be opened on different goroutines at once, each with its
// own Worker context. A guess that cannot be opened apart from its stream
// is left without a verdict, and DecryptRTP then does its work.
func (w *Context) OpenGuess(dst []byte, g *Guess) {
	g.opened, g.ok, g.plain = false, false, nil
	c := g.ctx
	if c == nil || (w != c && w.origin != c) || g.key < 0 || g.key >= len(c.keys) {
		return
	}
	pkt := g.pkt
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		return
	}
	p := &w.p
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	aeadLen := p.aeadTagLen()
	trailer := p.MKILen + tagLen
	if len(pkt) < h.HeaderLen+aeadLen+trailer {
		return
	}
	authEnd := len(pkt) - trailer
	tag := pkt[authEnd+p.MKILen:]
	dst = grow(dst, authEnd-aeadLen)
	if inPlace, bad := overlap(dst, pkt); inPlace || bad {
		return
	}
	ok, err := w.openRTP(g.key, g.roc, pkt, &h, authEnd, tag, rocInTag, dst, p.rtpVerifiable(tagLen, rocInTag))
	if err != nil {
		return
	}
	g.opened, g.ok = true, ok
	if ok {
		g.plain = dst
	}
}

// answers reports whether the guess answers DecryptRTP's try of master key
// key and ROC roc on context c.
func (g *Guess) answers(c *Context, key int, roc uint32) bool {
	return g != nil && g.opened && g.ctx == c && g.key == key && g.roc == roc
}
