package srtp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"fmt"
	"hash"
)

// Key derivation labels (RFC 3711 §4.3.1, §4.3.2).
const (
	labelRTPEncryption  = 0x00
	labelRTPAuth        = 0x01
	labelRTPSalt        = 0x02
	labelRTCPEncryption = 0x03
	labelRTCPAuth       = 0x04
	labelRTCPSalt       = 0x05
	labelHeaderKey      = 0x06 // RFC 6904 §4.3
	labelHeaderSalt     = 0x07
)

// prfOutput fills out with the AES-CM PRF output for one label (RFC 3711
// §4.3.1 and §4.3.3; RFC 6188 §5.1 for AES_192_CM_PRF and AES_256_CM_PRF,
// which are the same construction keyed with the longer master key):
//
//	key_id = label || r          (r = index DIV kdr, 48 bits)
//	x      = key_id XOR master_salt
//	out    = AES-CM(master_key, IV = x * 2^16)
//
// A 12-byte (AES-GCM) master salt is padded on the right with zeros to 14
// bytes, as libsrtp and pion/srtp do (RFC 7714 §11 names the same PRF).
func prfOutput(prf cipher.Block, masterSalt []byte, label byte, r uint64, out []byte) {
	var iv [16]byte
	copy(iv[:14], masterSalt)
	iv[7] ^= label
	for i := 0; i < 6; i++ {
		iv[13-i] ^= byte(r >> (8 * i))
	}
	clear(out)
	cipher.NewCTR(prf, iv[:]).XORKeyStream(out, out)
}

// sessionKeys are the session keys of one direction (SRTP or SRTCP) for one
// value of r = index DIV kdr, with the cipher and MAC state built from them.
type sessionKeys struct {
	valid bool
	fixed bool   // keys were injected (tests); never re-derived
	r     uint64 // index DIV kdr these keys belong to

	salt    [14]byte // session salt (first saltLen bytes valid)
	saltLen int

	block   cipher.Block // AES keyed with the session encryption key
	ctr     *ctrKey      // the same key expanded for counter mode (AES-CM), nil without bulk AES
	f8Block cipher.Block // AES keyed with k_e XOR m (RFC 3711 §4.1.2.1)
	aead    cipher.AEAD  // AES-GCM (RFC 7714)
	mac     hash.Hash    // HMAC-SHA1 keyed with the session auth key

	hdrBlock cipher.Block // RFC 6904 header extension key (SRTP only)
	hdrCTR   *ctrKey
	hdrSalt  [14]byte
}

// setKeys builds the cipher and MAC state from session key material.
func (s *sessionKeys) setKeys(p *Policy, encKey, salt, authKey []byte, rtcp bool) error {
	s.saltLen = copy(s.salt[:], salt)
	s.block, s.ctr, s.f8Block, s.aead, s.mac = nil, nil, nil, nil, nil
	switch p.Cipher {
	case CipherAESCM, CipherAESF8, CipherAESGCM:
		b, err := aes.NewCipher(encKey)
		if err != nil {
			return fmt.Errorf("%w: session key: %v", ErrPolicy, err)
		}
		s.block = b
	}
	if p.Cipher == CipherAESCM {
		s.ctr = newCTRKey(encKey)
	}
	switch p.Cipher {
	case CipherAESF8:
		masked := f8KeyMask(encKey, salt)
		b, err := aes.NewCipher(masked)
		clear(masked)
		if err != nil {
			return fmt.Errorf("%w: f8 masked key: %v", ErrPolicy, err)
		}
		s.f8Block = b
	case CipherAESGCM:
		a, err := cipher.NewGCMWithTagSize(s.block, p.AEADTagLen)
		if err != nil {
			return fmt.Errorf("%w: AES-GCM: %v", ErrPolicy, err)
		}
		s.aead = a
	}
	auth := p.Auth
	if rtcp {
		auth = p.RTCPAuth
	}
	if auth.hasMAC() && len(authKey) > 0 {
		s.mac = hmac.New(sha1.New, authKey)
	}
	s.valid = true
	return nil
}

// f8KeyMask returns k_e XOR m where m = k_s || 0x55...55 has the length of
// k_e (RFC 3711 §4.1.2.1).
func f8KeyMask(encKey, salt []byte) []byte {
	m := make([]byte, len(encKey))
	for i := range m {
		if i < len(salt) {
			m[i] = salt[i]
		} else {
			m[i] = 0x55
		}
		m[i] ^= encKey[i]
	}
	return m
}

// derive computes the session keys for r from the master key (RFC 3711
// §4.3). rtcp selects the SRTCP labels.
func (s *sessionKeys) derive(p *Policy, prf cipher.Block, masterSalt []byte, r uint64, rtcp bool) error {
	labelEnc, labelAuth, labelSalt := byte(labelRTPEncryption), byte(labelRTPAuth), byte(labelRTPSalt)
	authKeyLen := p.AuthKeyLen
	if rtcp {
		labelEnc, labelAuth, labelSalt = labelRTCPEncryption, labelRTCPAuth, labelRTCPSalt
		authKeyLen = p.RTCPAuthKeyLen
	}
	var buf [32 + 14 + 64]byte
	enc := buf[:p.KeyLen]
	salt := buf[32 : 32+p.SaltLen]
	var authKey []byte
	if authKeyLen > 0 && authKeyLen <= 64 {
		authKey = buf[46 : 46+authKeyLen]
	}
	if p.Cipher != CipherNull {
		prfOutput(prf, masterSalt, labelEnc, r, enc)
		prfOutput(prf, masterSalt, labelSalt, r, salt)
	}
	if authKey != nil {
		prfOutput(prf, masterSalt, labelAuth, r, authKey)
	}
	err := s.setKeys(p, enc, salt, authKey, rtcp)
	if err == nil && !rtcp && p.HeaderExtIDs != (TypeSet{}) {
		prfOutput(prf, masterSalt, labelHeaderKey, r, enc)
		prfOutput(prf, masterSalt, labelHeaderSalt, r, s.hdrSalt[:p.SaltLen])
		s.hdrBlock, err = aes.NewCipher(enc)
		s.hdrCTR = newCTRKey(enc)
	}
	clear(buf[:])
	s.r = r
	return err
}
