package mikey

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"errors"
	"fmt"
)

// EnvelopeScheme names how an envelope key was RSA-encrypted.
type EnvelopeScheme string

// Envelope key encryption schemes (RFC 3830 §4.2.5: PKCS#1 v1.5 mandatory,
// OAEP recommended).
const (
	EnvelopePKCS1v15 EnvelopeScheme = "RSAES-PKCS1-v1_5"
	EnvelopeOAEPSHA1 EnvelopeScheme = "RSAES-OAEP (SHA-1)"
)

// ErrEnvelopeDecrypt is returned when no scheme decrypts a PKE payload
// with the given key: a wrong key or damaged data.
var ErrEnvelopeDecrypt = errors.New("PKE envelope key does not decrypt with this RSA key")

// DecryptEnvelopeKey decrypts the Data of a PKE payload (RFC 3830 §6.3,
// §4.2.5) with an RSA private key, trying RSAES-PKCS1-v1_5 and then OAEP
// with SHA-1, and says which scheme worked. A PKCS#1 v1.5 "success" with a
// wrong key is possible in about 1 in 2^16 tries; callers confirm the key
// with the KEMAC MAC.
func DecryptEnvelopeKey(priv *rsa.PrivateKey, data []byte) ([]byte, EnvelopeScheme, error) {
	if priv == nil {
		return nil, "", errors.New("no RSA private key")
	}
	if len(data) != priv.Size() {
		return nil, "", fmt.Errorf("PKE data is %d bytes, the %d-bit key needs %d", len(data), priv.N.BitLen(), priv.Size())
	}
	if k, err := rsa.DecryptPKCS1v15(nil, priv, data); err == nil && len(k) > 0 {
		return k, EnvelopePKCS1v15, nil
	}
	if k, err := rsa.DecryptOAEP(sha1.New(), nil, priv, data, nil); err == nil && len(k) > 0 {
		return k, EnvelopeOAEPSHA1, nil
	}
	return nil, "", ErrEnvelopeDecrypt
}

// EncryptEnvelopeKey encrypts an envelope key for a PKE payload with
// RSAES-PKCS1-v1_5 (RFC 3830 §4.2.5), for building messages.
func EncryptEnvelopeKey(pub *rsa.PublicKey, envKey []byte) ([]byte, error) {
	if pub == nil {
		return nil, errors.New("no RSA public key")
	}
	return rsa.EncryptPKCS1v15(rand.Reader, pub, envKey)
}

// NewPKEPayload encrypts envKey to pub (RSAES-PKCS1-v1_5) as a PKE payload
// with cache indicator c (RFC 3830 §6.3).
func NewPKEPayload(pub *rsa.PublicKey, envKey []byte, c PKECache) (*PKEPayload, error) {
	data, err := EncryptEnvelopeKey(pub, envKey)
	if err != nil {
		return nil, err
	}
	return &PKEPayload{Cache: c, Data: data}, nil
}
