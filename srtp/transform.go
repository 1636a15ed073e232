package srtp

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
)

// setCMIV sets c.iv to the AES-CM IV of RFC 3711 §4.1.1:
//
//	IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16)
//
// where i is the 48-bit SRTP index or the 31-bit SRTCP index.
func (c *Context) setCMIV(s *sessionKeys, ssrc uint32, index uint64) {
	iv := &c.iv
	copy(iv[:14], s.salt[:14])
	iv[14], iv[15] = 0, 0
	iv[4] ^= byte(ssrc >> 24)
	iv[5] ^= byte(ssrc >> 16)
	iv[6] ^= byte(ssrc >> 8)
	iv[7] ^= byte(ssrc)
	for i := 0; i < 6; i++ {
		iv[13-i] ^= byte(index >> (8 * i))
	}
}

// xorCM XORs src with the AES-CM keystream for c.iv into dst (aesctr.go:
// no allocation per packet).
func (c *Context) xorCM(s *sessionKeys, dst, src []byte) {
	xorCTR(s.ctr, s.block, dst, src, &c.iv)
}

// cryptRTPPayload applies the policy's (non-AEAD) cipher to an SRTP
// payload, or copies it when SRTP encryption is off or NULL. Encryption and
// decryption are the same keystream XOR (RFC 3711 §4.1); hdr is the
// packet's RTP header, which the f8 IV is made of.
func (c *Context) cryptRTPPayload(s *sessionKeys, dst, src, hdr []byte, ssrc uint32, idx uint64, roc uint32) {
	switch p := &c.p; {
	case !p.SRTPEncrypt || p.Cipher == CipherNull:
		copy(dst, src)
	case p.Cipher == CipherAESCM:
		c.setCMIV(s, ssrc, idx)
		c.xorCM(s, dst, src)
	case p.Cipher == CipherAESF8:
		c.setF8IVRTP(hdr, roc)
		c.xorF8(s, dst, src)
	}
}

// cryptRTCPBody is cryptRTPPayload for an SRTCP body: encrypted is the
// packet's E flag (or the policy when sealing), word its E||index word.
func (c *Context) cryptRTCPBody(s *sessionKeys, encrypted bool, dst, src, hdr []byte, ssrc, index, word uint32) {
	switch p := &c.p; {
	case !encrypted || p.Cipher == CipherNull:
		copy(dst, src)
	case p.Cipher == CipherAESCM:
		c.setCMIV(s, ssrc, uint64(index))
		c.xorCM(s, dst, src)
	case p.Cipher == CipherAESF8:
		c.setF8IVRTCP(word, hdr)
		c.xorF8(s, dst, src)
	}
}

// setF8IVRTP sets c.f8iv to the SRTP f8 IV (RFC 3711 §4.1.2.2):
//
//	IV = 0x00 || M || PT || SEQ || TS || SSRC || ROC
func (c *Context) setF8IVRTP(hdr []byte, roc uint32) {
	iv := &c.f8iv
	copy(iv[:12], hdr[:12])
	iv[0] = 0
	binary.BigEndian.PutUint32(iv[12:], roc)
}

// setF8IVRTCP sets c.f8iv to the SRTCP f8 IV (RFC 3711 §4.1.2.3):
//
//	IV = 0..0 (32 bits) || E || SRTCP index || V || P || RC || PT || length || SSRC
func (c *Context) setF8IVRTCP(eIndex uint32, hdr []byte) {
	iv := &c.f8iv
	binary.BigEndian.PutUint32(iv[0:], 0)
	binary.BigEndian.PutUint32(iv[4:], eIndex)
	copy(iv[8:], hdr[:8])
}

// xorF8 XORs src with the f8 keystream for c.f8iv (RFC 3711 §4.1.2.1):
//
//	IV'  = E(k_e XOR m, IV)
//	S(j) = E(k_e, IV' XOR j XOR S(j-1)),  S(-1) = 0
func (c *Context) xorF8(s *sessionKeys, dst, src []byte) {
	xorF8(s.block, s.f8Block, &c.f8iv, &c.f8s, &c.f8t, dst, src)
}

func xorF8(ke, kem cipher.Block, iv, sbuf, tbuf *[16]byte, dst, src []byte) {
	var ivp [16]byte
	kem.Encrypt(tbuf[:], iv[:])
	ivp = *tbuf
	*sbuf = [16]byte{}
	for j, off := uint64(0), 0; off < len(src); j, off = j+1, off+16 {
		for i := 0; i < 8; i++ {
			tbuf[i] = ivp[i] ^ sbuf[i]
		}
		jv := binary.BigEndian.Uint64(ivp[8:]) ^ j ^ binary.BigEndian.Uint64(sbuf[8:])
		binary.BigEndian.PutUint64(tbuf[8:], jv)
		ke.Encrypt(sbuf[:], tbuf[:])
		end := off + 16
		if end > len(src) {
			end = len(src)
		}
		subtle.XORBytes(dst[off:end], src[off:end], sbuf[:end-off])
	}
}

// setGCMNonceRTP sets c.nonce to the RFC 7714 §8.1 SRTP IV:
//
//	IV = (00 00 || SSRC || ROC || SEQ) XOR salt
func (c *Context) setGCMNonceRTP(s *sessionKeys, ssrc, roc uint32, seq uint16) {
	n := &c.nonce
	n[0], n[1] = 0, 0
	binary.BigEndian.PutUint32(n[2:], ssrc)
	binary.BigEndian.PutUint32(n[6:], roc)
	binary.BigEndian.PutUint16(n[10:], seq)
	subtle.XORBytes(n[:], n[:], s.salt[:12])
}

// setGCMNonceRTCP sets c.nonce to the RFC 7714 §9.1 SRTCP IV:
//
//	IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt
func (c *Context) setGCMNonceRTCP(s *sessionKeys, ssrc, index uint32) {
	n := &c.nonce
	n[0], n[1] = 0, 0
	binary.BigEndian.PutUint32(n[2:], ssrc)
	n[6], n[7] = 0, 0
	binary.BigEndian.PutUint32(n[8:], index&0x7fffffff)
	subtle.XORBytes(n[:], n[:], s.salt[:12])
}

// hmacTag computes HMAC-SHA1(k_a, data || suffix) into c.sum (RFC 3711
// §4.2.1). suffix is the ROC for SRTP and empty for SRTCP.
func (c *Context) hmacTag(s *sessionKeys, data []byte, suffix []byte) []byte {
	s.mac.Reset()
	s.mac.Write(data)
	if len(suffix) > 0 {
		s.mac.Write(suffix)
	}
	return s.mac.Sum(c.sum[:0])
}
