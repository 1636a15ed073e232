package srtp

import "encoding/binary"

// Speculative decryption lets the packets of one SRTP stream be
// authenticated and decrypted on several goroutines while the stream state
// (ROC and s_l of RFC 3711 §3.3.1, the replay window of §3.3.2, the
// statistics) is still updated strictly in packet order:
//
//  1. GuessRTP, in packet order, predicts the master key and ROC that
//     DecryptRTP would try first, following the stream ahead with a
//     Predictor that assumes every packet authenticates.
//  2. OpenGuess, in parallel, checks the tag and decrypts each packet
//     with its guess, each goroutine on its own Context.Clone.
//  3. DecryptRTPGuessed, in packet order, does exactly what DecryptRTP
//     does, except that the first (key, ROC) it tries is answered by the
//     speculation when the guess matches it. A wrong guess, or a packet
//     whose tag failed, falls back to the full search of DecryptRTP.
//
// The results, statistics and plaintext are therefore those of DecryptRTP.

// Predictor follows a stream's ROC, s_l and last working key ahead of the
// stream itself, assuming each guessed packet authenticates with its
// estimated ROC.
type Predictor struct {
	started bool
	roc     uint32
	sl      uint16
	highest uint64
	key     int
}

// Predict returns a predictor starting from the stream's current state.
func (s *Stream) Predict() Predictor {
	return Predictor{started: s.started, roc: s.roc, sl: s.sl, highest: s.highest, key: s.key}
}

// estimate is Stream.estimateROC on the predicted state.
func (p *Predictor) estimate(seq uint16) uint32 {
	if !p.started {
		return p.roc
	}
	if p.sl < 0x8000 {
		if int(seq)-int(p.sl) > 0x8000 {
			return p.roc - 1
		}
		return p.roc
	}
	if int(p.sl)-0x8000 > int(seq) {
		return p.roc + 1
	}
	return p.roc
}

// accept mirrors the ROC and s_l updates of Stream.accept for SRTP.
func (p *Predictor) accept(idx uint64, roc uint32, seq uint16, resync bool) {
	if !p.started || resync {
		p.started, p.highest, p.roc, p.sl = true, idx, roc, seq
		return
	}
	if diff := int64((idx-p.highest)<<16) >> 16; diff > 0 {
		p.highest, p.roc, p.sl = idx, roc, seq
	}
}

// Speculation is one packet's guessed master key and ROC and, once opened,
// whether its tag verified and where its plaintext is. The zero value is
// no speculation.
type Speculation struct {
	ctx    *Context // the context the guess was made for
	key    int
	roc    uint32
	opened bool // OpenGuess ran to a verdict
	ok     bool // the tag verified (or the policy has none)
	plain  []byte
}

// Reset clears the speculation.
func (sp *Speculation) Reset() { *sp = Speculation{} }

// Opened reports whether the speculation has a verdict.
func (sp *Speculation) Opened() bool { return sp.opened }

// GuessRTP predicts the master key and ROC that DecryptRTP would try first
// for pkt (RFC 3711 §3.3.1 index estimation; the key by MKI, §3.1, or the
// stream's last working key) and advances pr as if the packet
// authenticated. It reports false, leaving sp empty, for a packet that
// DecryptRTP would reject before trying a key.
func (c *Context) GuessRTP(pkt []byte, pr *Predictor, sp *Speculation) bool {
	sp.Reset()
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		return false
	}
	p := &c.p
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	aeadLen := 0
	if p.IsAEAD() {
		aeadLen = p.AEADTagLen
	}
	trailer := p.MKILen + tagLen
	if len(pkt) < h.HeaderLen+aeadLen+trailer {
		return false
	}
	authEnd := len(pkt) - trailer
	key := pr.key
	if key >= len(c.keys) {
		key = 0
	}
	if p.MKILen > 0 {
		if key = c.keyForMKI(pkt[authEnd : authEnd+p.MKILen]); key < 0 {
			return false
		}
	}
	est := pr.estimate(h.SequenceNumber)
	roc := est
	if rocInTag {
		roc = binary.BigEndian.Uint32(pkt[authEnd+p.MKILen:])
	}
	pr.accept(uint64(roc)<<16|uint64(h.SequenceNumber), roc, h.SequenceNumber, roc != est)
	pr.key = key
	sp.ctx, sp.key, sp.roc = c, key, roc
	return true
}

// OpenGuess verifies and decrypts pkt with the speculation's key and ROC,
// writing the plaintext into dst (grown when too small; it must not
// overlap pkt). w must be the context the guess was made for or a Clone of
// it, used by one goroutine at a time; different goroutines may open the
// speculations of one stream at once on different clones. Packets that
// cannot be opened apart from their stream (a bad guess, AES-GCM in place)
// are left without a verdict.
func (w *Context) OpenGuess(dst, pkt []byte, sp *Speculation) {
	sp.opened, sp.ok, sp.plain = false, false, nil
	c := sp.ctx
	if c == nil || sp.key < 0 || sp.key >= len(c.keys) || len(w.keys) != len(c.keys) ||
		w.keys[sp.key].prf != c.keys[sp.key].prf || w.p != c.p {
		return
	}
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		return
	}
	p := &w.p
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	aeadLen := 0
	if p.IsAEAD() {
		aeadLen = p.AEADTagLen
	}
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
	verifiable := p.IsAEAD() || (p.SRTPAuth && p.Auth.hasMAC() && tagLen > 0 && (!rocInTag || tagLen > 4))
	ok, err := w.openRTP(sp.key, sp.roc, pkt, &h, authEnd, tag, rocInTag, dst, verifiable)
	if err != nil {
		return
	}
	sp.opened, sp.ok = true, ok
	if ok {
		sp.plain = dst
	}
}

// answers reports whether the speculation answers DecryptRTP's try of key
// and roc on context c.
func (sp *Speculation) answers(c *Context, key int, roc uint32) bool {
	return sp != nil && sp.opened && sp.ctx == c && sp.key == key && sp.roc == roc
}
