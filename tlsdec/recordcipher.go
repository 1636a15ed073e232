package tlsdec

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"

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
