package srtp

import (
	"encoding/binary"
	"time"
)

// DecryptRTPGuessed is DecryptRTP (RFC 3711 §3.3) for a packet whose first
// try, the key and ROC GuessRTP predicted, was already opened by OpenGuess
// (possibly on another goroutine): when sp answers that try, its verdict
// and plaintext are used (the returned slice is then sp's plaintext, not
// dst); every other try, and every state and statistics update, is
// DecryptRTP's own. A nil or non-matching sp makes it DecryptRTP.
func (c *Context) DecryptRTPGuessed(dst, pkt []byte, st *Stream, at time.Time, sp *Speculation) ([]byte, Result, error) {
	r := Result{KeyIndex: -1}
	if st == nil {
		return nil, r, ErrNoStream
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
	aeadLen := 0
	if p.IsAEAD() {
		aeadLen = p.AEADTagLen
	}
	trailer := p.MKILen + tagLen
	if len(pkt) < hl+aeadLen+trailer {
		stats.Malformed++
		return nil, r, shortErr("SRTP payload, MKI and tag", hl, aeadLen+trailer, len(pkt)-hl)
	}
	authEnd := len(pkt) - trailer
	tag := pkt[authEnd+p.MKILen:]

	first, nkeys := st.key, len(c.keys)
	if first >= nkeys {
		first = 0
	}
	if p.MKILen > 0 {
		r.MKI = pkt[authEnd : authEnd+p.MKILen]
		stats.MKIs.Add(r.MKI)
		first = c.keyForMKI(r.MKI)
		if first < 0 {
			stats.UnknownMKI++
			return nil, r, &PacketError{Err: ErrUnknownMKI, Offset: authEnd, Field: "SRTP MKI"}
		}
		nkeys = 1
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
	// verifiable: the packet carries something that proves key and ROC.
	verifiable := p.IsAEAD() || (p.SRTPAuth && p.Auth.hasMAC() && tagLen > 0 && (!rocInTag || tagLen > 4))
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
			if ki == 0 && i == 0 && sp.answers(c, key, roc) {
				if sp.ok {
					dst, found = sp.plain, true
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
	a := st.accept(r.Index, roc, h.SequenceNumber, true, resync)
	r.Duplicate, r.OutOfOrder = a.duplicate, a.outOfOrder
	st.key = key
	if key < 64 {
		stats.KeysUsed |= 1 << key
	}
	if verifiable {
		stats.Authenticated++
	} else {
		stats.Unverified++
	}
	if r.Decrypted {
		stats.Decrypted++
	}
	return dst, r, nil
}
