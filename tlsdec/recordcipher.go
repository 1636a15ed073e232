package tlsdec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// Record content types (RFC 8446 §5.1).
const (
	TypeChangeCipherSpec uint8 = 20
	TypeAlert            uint8 = 21
	TypeHandshake        uint8 = 22
	TypeApplicationData  uint8 = 23
	TypeHeartbeat        uint8 = 24
)

const (
	recordHeaderLen = 5
	maxPlaintext    = 1 << 14             // RFC 8446 §5.1
	maxCiphertext   = maxPlaintext + 2048 // RFC 5246 §6.2.3 (TLS 1.3 allows +256)
)

var (
	errAuth      = errors.New("record authentication failed")
	errShort     = errors.New("record too short for its cipher")
	errPadding   = errors.New("bad CBC padding")
	errNoContent = errors.New("TLS 1.3 inner plaintext has no content type")
)

// opener decrypts and authenticates the records of one direction with one
// set of keys. Implementations keep their scratch space so that open does
// not allocate.
type opener interface {
	// open authenticates and decrypts the body of the record with header
	// hdr as record number seq, writing the plaintext into dst (which must
	// not overlap body). It returns the plaintext and its content type.
	open(dst []byte, hdr *[recordHeaderLen]byte, body []byte, seq uint64) ([]byte, uint8, error)
}

// newAEAD builds AES-GCM or ChaCha20-Poly1305 for a suite.
func newAEAD(s *suite, key []byte) (cipher.AEAD, error) {
	if s.chacha {
		return chacha20poly1305.New(key)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// aad12 fills the TLS 1.2 additional data: seq_num + type + version +
// length (RFC 5246 §6.2.3.3).
func aad12(aad *[13]byte, seq uint64, hdr *[recordHeaderLen]byte, plainLen int) {
	binary.BigEndian.PutUint64(aad[0:8], seq)
	aad[8], aad[9], aad[10] = hdr[0], hdr[1], hdr[2]
	binary.BigEndian.PutUint16(aad[11:13], uint16(plainLen))
}

// gcm12 is AES-GCM in TLS 1.2: nonce = 4-byte salt from the key block +
// 8-byte explicit nonce carried in the record (RFC 5288 §3).
type gcm12 struct {
	aead  cipher.AEAD
	nonce [12]byte
	aad   [13]byte
}

func (g *gcm12) open(dst []byte, hdr *[recordHeaderLen]byte, body []byte, seq uint64) ([]byte, uint8, error) {
	if len(body) < 8+g.aead.Overhead() {
		return nil, 0, errShort
	}
	copy(g.nonce[4:], body[:8])
	ct := body[8:]
	aad12(&g.aad, seq, hdr, len(ct)-g.aead.Overhead())
	pt, err := g.aead.Open(dst[:0], g.nonce[:], ct, g.aad[:])
	if err != nil {
		return nil, 0, errAuth
	}
	return pt, hdr[0], nil
}

// xorNonce12 writes iv XOR the big-endian sequence number, left-padded to
// 12 bytes (RFC 7905 §2, RFC 8446 §5.3).
func xorNonce12(nonce *[12]byte, iv *[12]byte, seq uint64) {
	*nonce = *iv
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seq)
	for i := 0; i < 8; i++ {
		nonce[4+i] ^= s[i]
	}
}

// chacha12 is ChaCha20-Poly1305 in TLS 1.2 (RFC 7905): no explicit nonce.
type chacha12 struct {
	aead  cipher.AEAD
	iv    [12]byte
	nonce [12]byte
	aad   [13]byte
}

func (c *chacha12) open(dst []byte, hdr *[recordHeaderLen]byte, body []byte, seq uint64) ([]byte, uint8, error) {
	if len(body) < c.aead.Overhead() {
		return nil, 0, errShort
	}
	xorNonce12(&c.nonce, &c.iv, seq)
	aad12(&c.aad, seq, hdr, len(body)-c.aead.Overhead())
	pt, err := c.aead.Open(dst[:0], c.nonce[:], body, c.aad[:])
	if err != nil {
		return nil, 0, errAuth
	}
	return pt, hdr[0], nil
}

// aead13 is TLS 1.3 record protection (RFC 8446 §5.2): the additional data
// is the record header, and the plaintext ends with the real content type
// followed by zero padding.
type aead13 struct {
	aead  cipher.AEAD
	iv    [12]byte
	nonce [12]byte
}

func newAEAD13(s *suite, secret []byte) (*aead13, error) {
	key, iv := trafficKeys(s, secret)
	a, err := newAEAD(s, key)
	if err != nil {
		return nil, err
	}
	o := &aead13{aead: a}
	copy(o.iv[:], iv)
	return o, nil
}

func (a *aead13) open(dst []byte, hdr *[recordHeaderLen]byte, body []byte, seq uint64) ([]byte, uint8, error) {
	if len(body) < a.aead.Overhead()+1 {
		return nil, 0, errShort
	}
	xorNonce12(&a.nonce, &a.iv, seq)
	pt, err := a.aead.Open(dst[:0], a.nonce[:], body, hdr[:])
	if err != nil {
		return nil, 0, errAuth
	}
	i := len(pt) - 1
	for i >= 0 && pt[i] == 0 {
		i--
	}
	if i < 0 {
		return nil, 0, errNoContent
	}
	return pt[:i], pt[i], nil
}

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

// newOpener12 builds the opener of one direction of a TLS 1.0-1.2
// connection from its key block.
func newOpener12(s *suite, version uint16, kb *keyBlock12, client, etm bool) (opener, error) {
	key, iv, macKey := kb.serverKey, kb.serverIV, kb.serverMAC
	if client {
		key, iv, macKey = kb.clientKey, kb.clientIV, kb.clientMAC
	}
	switch s.kind {
	case kindGCM12:
		a, err := newAEAD(s, key)
		if err != nil {
			return nil, err
		}
		g := &gcm12{aead: a}
		copy(g.nonce[:4], iv)
		return g, nil
	case kindChaCha12:
		a, err := newAEAD(s, key)
		if err != nil {
			return nil, err
		}
		c := &chacha12{aead: a}
		copy(c.iv[:], iv)
		return c, nil
	case kindCBC:
		return newCBC(s, version, key, macKey, iv, etm)
	}
	return nil, errors.New("not a TLS 1.2 suite")
}
