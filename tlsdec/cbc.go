package tlsdec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/subtle"
	"errors"
	"hash"
)

// cbcHMAC is AES-CBC with HMAC, MAC-then-encrypt (RFC 5246 §6.2.3.2) or
// encrypt-then-MAC when negotiated (RFC 7366). TLS 1.1+ carries an explicit
// IV per record; TLS 1.0 chains the last ciphertext block (RFC 2246 §6.2.3.2).
type cbcHMAC struct {
	dec      cbcSetIV
	mac      hash.Hash
	macLen   int
	explicit bool // TLS 1.1+: explicit IV
	etm      bool
	iv       [16]byte // TLS 1.0 chained IV: last ciphertext block of the previous record
	hold     bool     // trial decryption: do not advance the chained IV
	aad      [13]byte
	sum      [64]byte
}

// cbcSetIV is the CBC decrypter of crypto/cipher, which can be re-keyed
// with a new IV instead of being allocated per record.
type cbcSetIV interface {
	cipher.BlockMode
	SetIV([]byte)
}

func newCBC(s *suite, version uint16, key, macKey, iv []byte, etm bool) (*cbcHMAC, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	dec, ok := cipher.NewCBCDecrypter(b, make([]byte, aes.BlockSize)).(cbcSetIV)
	if !ok {
		return nil, errors.New("CBC decrypter cannot reset its IV")
	}
	c := &cbcHMAC{dec: dec, mac: hmac.New(s.mac, macKey), macLen: s.macLen, explicit: version >= VersionTLS11, etm: etm}
	copy(c.iv[:], iv)
	return c, nil
}

func (c *cbcHMAC) checkMAC(seq uint64, hdr *[recordHeaderLen]byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	aad12(&c.aad, seq, hdr, n)
	c.mac.Reset()
	c.mac.Write(c.aad[:])
	for _, p := range parts {
		c.mac.Write(p)
	}
	return c.mac.Sum(c.sum[:0])
}

func (c *cbcHMAC) open(dst []byte, hdr *[recordHeaderLen]byte, body []byte, seq uint64) ([]byte, uint8, error) {
	const bs = aes.BlockSize
	if c.etm {
		if len(body) < c.macLen {
			return nil, 0, errShort
		}
		tag := body[len(body)-c.macLen:]
		body = body[:len(body)-c.macLen]
		if !hmac.Equal(c.checkMAC(seq, hdr, body), tag) {
			return nil, 0, errAuth
		}
	}
	iv := c.iv[:]
	if c.explicit {
		if len(body) < bs {
			return nil, 0, errShort
		}
		iv, body = body[:bs], body[bs:]
	}
	if len(body) == 0 || len(body)%bs != 0 || (!c.etm && len(body) < c.macLen+1) {
		return nil, 0, errShort
	}
	if cap(dst) < len(body) {
		return nil, 0, errShort
	}
	pt := dst[:len(body)]
	c.dec.SetIV(iv)
	c.dec.CryptBlocks(pt, body)
	if !c.explicit && !c.hold {
		copy(c.iv[:], body[len(body)-bs:])
	}
	pad := int(pt[len(pt)-1])
	minLen := pad + 1
	if !c.etm {
		minLen += c.macLen
	}
	if minLen > len(pt) {
		return nil, 0, errPadding
	}
	for _, b := range pt[len(pt)-1-pad : len(pt)-1] {
		if int(b) != pad {
			return nil, 0, errPadding
		}
	}
	pt = pt[:len(pt)-1-pad]
	if c.etm {
		return pt, hdr[0], nil
	}
	content, tag := pt[:len(pt)-c.macLen], pt[len(pt)-c.macLen:]
	if subtle.ConstantTimeCompare(c.checkMAC(seq, hdr, content), tag) != 1 {
		return nil, 0, errAuth
	}
	return content, hdr[0], nil
}
