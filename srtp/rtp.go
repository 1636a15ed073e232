package srtp

import (
	"crypto/subtle"
	"encoding/binary"
	"time"
)

// DecryptRTP authenticates and decrypts one SRTP packet (RFC 3711 §3.3)
// received on stream st, at capture time at (zero if unknown).
//
// The plaintext RTP packet (header and payload, without MKI and tags) is
// written to dst, which is grown only when its capacity is too small; dst
// may be pkt[:0] to decrypt in place (with AES-GCM in place, the ROC search
// is skipped because a failed AEAD open clears its output). Any other
// overlap of dst and pkt is rejected. When the packet was opened ahead
// (GuessRTP) and that verdict answers, the plaintext returned is the one
// OpenGuess wrote, in the buffer it was given, and dst is left alone.
//
// The ROC is estimated from the stream (RFC 3711 §3.3.1); when the tag
// does not verify, ROCs around the estimate are tried (Stream.ROCSearch)
// and, without MKIs, the other master keys. A packet that verifies with
// none returns ErrAuthFailed and leaves the stream state unchanged apart
// from the statistics. Duplicates and reordering are counted in st.Stats,
// not rejected.
func (c *Context) DecryptRTP(dst, pkt []byte, st *Stream, at time.Time) ([]byte, Result, error) {
	r := Result{KeyIndex: -1}
	if st == nil {
		return nil, r, ErrNoStream
	}
	g, usable := st.takeGuess(pkt)
	verdict := g // the guess's verdict, when it may be read
	if !usable {
		verdict = nil
	}
	stats := &st.Stats
	stats.observe(at, len(pkt))
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		stats.Malformed++
		return nil, r, err
	}
	r.SSRC, r.Seq, r.HeaderLen, r.PayloadType = h.SSRC, h.SequenceNumber, h.HeaderLen, h.PayloadType
	if err := st.checkSSRC(h.SSRC); err != nil {
		stats.Malformed++
		return nil, r, err
	}
	stats.PayloadTypes.Add(h.PayloadType)

	p := &c.p
	hl := h.HeaderLen
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	aeadLen := p.aeadTagLen()
	trailer := p.MKILen + tagLen
	if len(pkt) < hl+aeadLen+trailer {
		stats.Malformed++
		return nil, r, shortErr("SRTP payload, MKI and tag", hl, aeadLen+trailer, len(pkt)-hl)
	}
	authEnd := len(pkt) - trailer
	tag := pkt[authEnd+p.MKILen:]

	first, nkeys, err := c.keysFor(st, pkt, authEnd, stats, &r, "SRTP MKI")
	if err != nil {
		return nil, r, err
	}

	dst = grow(dst, authEnd-aeadLen)
	inPlace, bad := overlap(dst, pkt)
	if bad {
		return nil, r, ErrBufferOverlap
	}

	est := st.estimateROC(h.SequenceNumber)
	r.EstimatedROC = est
	var rocPkt uint32
	if rocInTag {
		rocPkt = binary.BigEndian.Uint32(tag)
		r.ROCFromPacket = true
	}
	verifiable := p.rtpVerifiable(tagLen, rocInTag)
	maxTries := 1
	if verifiable && !rocInTag && !(inPlace && p.IsAEAD()) {
		maxTries = 2*max(st.ROCSearch, 0) + 1
	}
	if !verifiable || (inPlace && p.IsAEAD()) {
		nkeys = 1
	}

	found := false
	var key int
	var roc uint32
search:
	for ki := 0; ki < nkeys; ki++ {
		key = (first + ki) % len(c.keys)
		for i := 0; i < maxTries; i++ {
			if rocInTag {
				roc = rocPkt
			} else {
				roc, _ = st.rocCandidate(est, i)
			}
			if ki == 0 && i == 0 && verdict.answers(c, key, roc) {
				// Opened ahead (see GuessRTP), maybe on another goroutine.
				verdict.taken = true
				if verdict.ok {
					dst, found = verdict.plain, true
					break search
				}
				continue
			}
			ok, err := c.openRTP(key, roc, pkt, &h, authEnd, tag, rocInTag, dst, verifiable)
			if err != nil {
				return nil, r, err
			}
			if ok {
				found = true
				break search
			}
		}
	}
	if !found {
		if g != nil {
			st.ahead.diverged = true
		}
		stats.AuthFailed++
		return nil, r, ErrAuthFailed
	}

	r.KeyIndex = key
	r.ROC = roc
	r.Index = uint64(roc)<<16 | uint64(h.SequenceNumber)
	r.Authenticated = verifiable
	r.Encrypted = p.SRTPEncrypt
	r.Decrypted = p.SRTPEncrypt && p.Cipher != CipherNull
	resync := false
	if roc != est {
		resync = true
		if !rocInTag {
			r.ROCAdjusted = true
			stats.ROCAdjustments++
		}
	}
	if rocInTag {
		stats.ROCFromPacket++
	}
	a := st.accept(&st.Stats, r.Index, roc, h.SequenceNumber, true, resync)
	r.Duplicate, r.OutOfOrder = a.duplicate, a.outOfOrder
	st.key = key
	stats.opened(key, verifiable, r.Decrypted)
	st.checkPrediction(g)
	return dst, r, nil
}

// rtpVerifiable reports whether an SRTP packet with an authentication tag
// of tagLen bytes (the ROC included when rocInTag) carries something that
// proves key and ROC.
func (p *Policy) rtpVerifiable(tagLen int, rocInTag bool) bool {
	return p.IsAEAD() || (p.SRTPAuth && p.Auth.hasMAC() && tagLen > 0 && (!rocInTag || tagLen > 4))
}

// openRTP verifies the packet with master key k and ROC roc and, if it
// verifies (or cannot be verified), writes the plaintext into dst.
func (c *Context) openRTP(k int, roc uint32, pkt []byte, h *RTPHeader, authEnd int, tag []byte, rocInTag bool, dst []byte, verifiable bool) (bool, error) {
	p := &c.p
	hl := h.HeaderLen
	idx := uint64(roc)<<16 | uint64(h.SequenceNumber)
	s, err := c.rtpKeys(k, idx)
	if err != nil {
		return false, err
	}
	if p.IsAEAD() {
		c.setGCMNonceRTP(s, h.SSRC, roc, h.SequenceNumber)
		aeadLen := p.AEADTagLen
		if p.SRTPEncrypt {
			if _, err := s.aead.Open(dst[hl:hl], c.nonce[:], pkt[hl:authEnd], pkt[:hl]); err != nil {
				return false, nil
			}
		} else {
			// RFC 7714 §16.1.3: tagging only, the whole packet is AAD.
			if _, err := s.aead.Open(c.tagBuf[:0], c.nonce[:], pkt[authEnd-aeadLen:authEnd], pkt[:authEnd-aeadLen]); err != nil {
				return false, nil
			}
			copy(dst[hl:], pkt[hl:authEnd-aeadLen])
		}
		copy(dst[:hl], pkt[:hl])
		return true, nil
	}
	if verifiable {
		binary.BigEndian.PutUint32(c.roc[:], roc)
		sum := c.hmacTag(s, pkt[:authEnd], c.roc[:])
		want := tag
		if rocInTag {
			want = tag[4:]
		}
		if len(want) > len(sum) || subtle.ConstantTimeCompare(sum[:len(want)], want) != 1 {
			return false, nil
		}
	}
	payload := pkt[hl:authEnd]
	c.cryptRTPPayload(s, dst[hl:authEnd], payload, pkt, h.SSRC, idx, roc)
	copy(dst[:hl], pkt[:hl])
	c.cryptHeaderExt(s, dst, h, idx)
	return true, nil
}

// SealRTP protects the plaintext RTP packet pkt with master key k and the
// given ROC (RFC 3711 §3.3, RFC 7714 §8, RFC 4771 §2), writing the SRTP
// packet to dst (grown as needed; dst may be pkt[:0] when pkt has spare
// capacity). It is the sender side used by sample generators and tests.
func (c *Context) SealRTP(dst, pkt []byte, roc uint32, k int) ([]byte, error) {
	if k < 0 || k >= len(c.keys) {
		return nil, ErrPolicy
	}
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		return nil, err
	}
	p := &c.p
	hl := h.HeaderLen
	tagLen, rocInTag := p.rtpTagLen(h.SequenceNumber)
	aeadLen := p.aeadTagLen()
	authEnd := len(pkt) + aeadLen
	dst = grow(dst, authEnd+p.MKILen+tagLen)
	if _, bad := overlap(dst, pkt); bad {
		return nil, ErrBufferOverlap
	}
	idx := uint64(roc)<<16 | uint64(h.SequenceNumber)
	s, err := c.rtpKeys(k, idx)
	if err != nil {
		return nil, err
	}
	if p.IsAEAD() {
		c.setGCMNonceRTP(s, h.SSRC, roc, h.SequenceNumber)
		if p.SRTPEncrypt {
			s.aead.Seal(dst[hl:hl], c.nonce[:], pkt[hl:], pkt[:hl])
			copy(dst[:hl], pkt[:hl])
		} else {
			copy(dst, pkt)
			s.aead.Seal(dst[len(pkt):len(pkt)], c.nonce[:], nil, dst[:len(pkt)])
		}
	} else {
		c.cryptRTPPayload(s, dst[hl:len(pkt)], pkt[hl:], pkt, h.SSRC, idx, roc)
		copy(dst[:hl], pkt[:hl])
		c.cryptHeaderExt(s, dst, &h, idx)
	}
	copy(dst[authEnd:], c.keys[k].mki)
	tag := dst[authEnd+p.MKILen:]
	if tagLen == 0 {
		return dst, nil
	}
	binary.BigEndian.PutUint32(c.roc[:], roc)
	if rocInTag {
		copy(tag, c.roc[:])
		tag = tag[4:]
	}
	if len(tag) > 0 && !p.IsAEAD() {
		sum := c.hmacTag(s, dst[:authEnd], c.roc[:])
		copy(tag, sum)
	}
	return dst, nil
}

// EncryptRTP protects pkt as the sender of stream st: the ROC follows the
// sequence numbers from the stream's starting ROC, and the context's send
// key (SetSendKey) is used.
func (c *Context) EncryptRTP(dst, pkt []byte, st *Stream) ([]byte, error) {
	if st == nil {
		return nil, ErrNoStream
	}
	h, err := ParseRTPHeader(pkt)
	if err != nil {
		return nil, err
	}
	roc := st.estimateROC(h.SequenceNumber)
	out, err := c.SealRTP(dst, pkt, roc, c.sendKey)
	if err != nil {
		return nil, err
	}
	st.accept(&st.Stats, uint64(roc)<<16|uint64(h.SequenceNumber), roc, h.SequenceNumber, true, false)
	return out, nil
}

// keysFor picks the master keys to try for a packet (RFC 3711 §3.2.1): by
// its MKI when the policy carries one (an unknown MKI is counted and is an
// error), else every key, starting with the one that last worked.
func (c *Context) keysFor(st *Stream, pkt []byte, authEnd int, stats *Stats, r *Result, field string) (first, nkeys int, err error) {
	first, nkeys = st.key, len(c.keys)
	if first >= nkeys {
		first = 0
	}
	if c.p.MKILen > 0 {
		r.MKI = pkt[authEnd : authEnd+c.p.MKILen]
		stats.MKIs.Add(r.MKI)
		first = c.keyForMKI(r.MKI)
		if first < 0 {
			stats.UnknownMKI++
			return 0, 0, &PacketError{Err: ErrUnknownMKI, Offset: authEnd, Field: field}
		}
		nkeys = 1
	}
	return first, nkeys, nil
}
