package srtp

import (
	"crypto/subtle"
	"encoding/binary"
	"time"
)

// srtcpEBit is the E flag of the SRTCP index word (RFC 3711 §3.4).
const srtcpEBit = 0x80000000

// DecryptRTCP authenticates and decrypts one SRTCP compound packet (RFC
// 3711 §3.4; RFC 7714 §9 for AES-GCM) received on stream st. The
// plaintext RTCP compound packet (without E||index, MKI and tag) is
// written to dst as for DecryptRTP. Whether the packet was encrypted comes
// from its E flag (Result.Encrypted), which the analysis can compare with
// the policy.
func (c *Context) DecryptRTCP(dst, pkt []byte, st *Stream, at time.Time) ([]byte, Result, error) {
	r := Result{KeyIndex: -1, HeaderLen: 8}
	if st == nil {
		return nil, r, ErrNoStream
	}
	stats := &st.Stats
	stats.observe(at, len(pkt))
	if len(pkt) < 8 {
		stats.Malformed++
		return nil, r, shortErr("SRTCP header", 0, 8, len(pkt))
	}
	if pkt[0]>>6 != 2 {
		stats.Malformed++
		return nil, r, &PacketError{Err: ErrBadVersion, Offset: 0, Field: "RTCP version"}
	}
	ssrc := binary.BigEndian.Uint32(pkt[4:])
	r.SSRC, r.PayloadType = ssrc, pkt[1]
	if err := st.checkSSRC(ssrc); err != nil {
		stats.Malformed++
		return nil, r, err
	}
	stats.PayloadTypes.Add(pkt[1])

	p := &c.p
	tagLen := p.rtcpTagLen()
	aeadLen := p.aeadTagLen()
	if need := aeadLen + 4 + p.MKILen + tagLen; len(pkt)-8 < need {
		stats.Malformed++
		return nil, r, shortErr("SRTCP E||index, MKI and tag", 8, need, len(pkt)-8)
	}
	wordOff := len(pkt) - tagLen - p.MKILen - 4
	word := binary.BigEndian.Uint32(pkt[wordOff:])
	encrypted := word&srtcpEBit != 0
	index := word &^ srtcpEBit
	r.Index, r.Encrypted = uint64(index), encrypted
	authEnd := wordOff + 4
	tag := pkt[authEnd+p.MKILen:]

	first, nkeys, err := c.keysFor(st, pkt, authEnd, stats, &r, "SRTCP MKI")
	if err != nil {
		return nil, r, err
	}
	dst = grow(dst, wordOff-aeadLen)
	inPlace, bad := overlap(dst, pkt)
	if bad {
		return nil, r, ErrBufferOverlap
	}
	verifiable := p.IsAEAD() || (p.RTCPAuth.hasMAC() && tagLen > 0)
	if !verifiable || (inPlace && p.IsAEAD()) {
		nkeys = 1
	}
	found, key := false, 0
	for ki := 0; ki < nkeys; ki++ {
		key = (first + ki) % len(c.keys)
		ok, err := c.openRTCP(key, pkt, ssrc, word, wordOff, tag, dst, verifiable)
		if err != nil {
			return nil, r, err
		}
		if ok {
			found = true
			break
		}
	}
	if !found {
		stats.AuthFailed++
		return nil, r, ErrAuthFailed
	}
	r.KeyIndex = key
	r.Authenticated = verifiable
	r.Decrypted = encrypted && p.Cipher != CipherNull
	a := st.accept(&st.Stats, uint64(index), 0, 0, false, false)
	r.Duplicate, r.OutOfOrder = a.duplicate, a.outOfOrder
	st.key = key
	stats.opened(key, verifiable, r.Decrypted)
	return dst, r, nil
}

// openRTCP verifies and decrypts an SRTCP packet with master key k.
func (c *Context) openRTCP(k int, pkt []byte, ssrc, word uint32, wordOff int, tag, dst []byte, verifiable bool) (bool, error) {
	p := &c.p
	index := word &^ srtcpEBit
	encrypted := word&srtcpEBit != 0
	s, err := c.rtcpKeys(k, uint64(index))
	if err != nil {
		return false, err
	}
	if p.IsAEAD() {
		aeadLen := p.AEADTagLen
		c.setGCMNonceRTCP(s, ssrc, index)
		if encrypted {
			// RFC 7714 §9.2: AAD = first 8 octets || ESRTCP word.
			c.aad = append(append(c.aad[:0], pkt[:8]...), pkt[wordOff:wordOff+4]...)
			if _, err := s.aead.Open(dst[8:8], c.nonce[:], pkt[8:wordOff], c.aad); err != nil {
				return false, nil
			}
			copy(dst[:8], pkt[:8])
		} else {
			// RFC 7714 §9.3: AAD = whole RTCP packet || ESRTCP word.
			c.aad = append(append(c.aad[:0], pkt[:wordOff-aeadLen]...), pkt[wordOff:wordOff+4]...)
			if _, err := s.aead.Open(c.tagBuf[:0], c.nonce[:], pkt[wordOff-aeadLen:wordOff], c.aad); err != nil {
				return false, nil
			}
			copy(dst, pkt[:wordOff-aeadLen])
		}
		return true, nil
	}
	if verifiable {
		sum := c.hmacTag(s, pkt[:wordOff+4], nil)
		if len(tag) > len(sum) || subtle.ConstantTimeCompare(sum[:len(tag)], tag) != 1 {
			return false, nil
		}
	}
	c.cryptRTCPBody(s, encrypted, dst[8:wordOff], pkt[8:wordOff], pkt, ssrc, index, word)
	copy(dst[:8], pkt[:8])
	return true, nil
}

// SealRTCP protects the plaintext RTCP compound packet pkt with master key
// k and SRTCP index index (RFC 3711 §3.4, RFC 7714 §9). The E flag follows
// Policy.SRTCPEncrypt.
func (c *Context) SealRTCP(dst, pkt []byte, index uint32, k int) ([]byte, error) {
	if k < 0 || k >= len(c.keys) {
		return nil, ErrPolicy
	}
	if len(pkt) < 8 {
		return nil, shortErr("RTCP header", 0, 8, len(pkt))
	}
	if pkt[0]>>6 != 2 {
		return nil, &PacketError{Err: ErrBadVersion, Offset: 0, Field: "RTCP version"}
	}
	p := &c.p
	index &^= srtcpEBit
	word := index
	if p.SRTCPEncrypt {
		word |= srtcpEBit
	}
	ssrc := binary.BigEndian.Uint32(pkt[4:])
	aeadLen := p.aeadTagLen()
	wordOff := len(pkt) + aeadLen
	tagLen := p.rtcpTagLen()
	dst = grow(dst, wordOff+4+p.MKILen+tagLen)
	if _, bad := overlap(dst, pkt); bad {
		return nil, ErrBufferOverlap
	}
	s, err := c.rtcpKeys(k, uint64(index))
	if err != nil {
		return nil, err
	}
	var wbuf [4]byte
	binary.BigEndian.PutUint32(wbuf[:], word)
	if p.IsAEAD() {
		c.setGCMNonceRTCP(s, ssrc, index)
		if p.SRTCPEncrypt {
			c.aad = append(append(c.aad[:0], pkt[:8]...), wbuf[:]...)
			s.aead.Seal(dst[8:8], c.nonce[:], pkt[8:], c.aad)
			copy(dst[:8], pkt[:8])
		} else {
			c.aad = append(append(c.aad[:0], pkt...), wbuf[:]...)
			copy(dst, pkt)
			s.aead.Seal(dst[len(pkt):len(pkt)], c.nonce[:], nil, c.aad)
		}
	} else {
		c.cryptRTCPBody(s, p.SRTCPEncrypt, dst[8:len(pkt)], pkt[8:], pkt, ssrc, index, word)
		copy(dst[:8], pkt[:8])
	}
	copy(dst[wordOff:], wbuf[:])
	copy(dst[wordOff+4:], c.keys[k].mki)
	if tagLen > 0 {
		sum := c.hmacTag(s, dst[:wordOff+4], nil)
		copy(dst[wordOff+4+p.MKILen:], sum[:tagLen])
	}
	return dst, nil
}

// EncryptRTCP protects pkt as the sender of stream st, using and advancing
// the stream's SRTCP index (starting at 0 unless SetRTCPIndex was called)
// and the context's send key.
func (c *Context) EncryptRTCP(dst, pkt []byte, st *Stream) ([]byte, error) {
	if st == nil {
		return nil, ErrNoStream
	}
	if st.sendIndex > 0x7fffffff {
		return nil, ErrIndexExhausted
	}
	out, err := c.SealRTCP(dst, pkt, uint32(st.sendIndex), c.sendKey)
	if err != nil {
		return nil, err
	}
	st.sendIndex++
	return out, nil
}
