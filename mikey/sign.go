package mikey

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrSignature is returned when a signature verifies under no scheme tried.
var ErrSignature = errors.New("signature does not verify")

// SignatureScheme names the scheme that verified a SIGN payload, e.g.
// "RSA/PKCS#1/1.5 SHA-1".
type SignatureScheme string

var signHashes = []crypto.Hash{crypto.SHA1, crypto.SHA256}

func digest(h crypto.Hash, b []byte) []byte {
	if h == crypto.SHA1 {
		s := sha1.Sum(b)
		return s[:]
	}
	s := sha256.Sum256(b)
	return s[:]
}

// VerifyRSASignature checks an RSA signature over signed (RFC 3830 §4.2.6,
// §6.5): PKCS#1 v1.5 for S type 0, PSS for S type 1, each with SHA-1 (the
// MIKEY default hash, §4.2.1) and SHA-256. It returns the scheme that
// verified.
func VerifyRSASignature(pub *rsa.PublicKey, stype SignType, signed, sig []byte) (SignatureScheme, error) {
	if pub == nil {
		return "", errors.New("no RSA public key")
	}
	for _, h := range signHashes {
		d := digest(h, signed)
		var err error
		switch stype {
		case SignRSAPKCS1:
			err = rsa.VerifyPKCS1v15(pub, h, d, sig)
		case SignRSAPSS:
			err = rsa.VerifyPSS(pub, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		default:
			return "", fmt.Errorf("S type %v is not an RSA signature", stype)
		}
		if err == nil {
			return SignatureScheme(stype.String() + " " + h.String()), nil
		}
	}
	return "", ErrSignature
}

// SignRSA signs signed for a SIGN payload of S type stype with hash h
// (crypto.SHA1 or crypto.SHA256), for building messages.
func SignRSA(priv *rsa.PrivateKey, stype SignType, h crypto.Hash, signed []byte) ([]byte, error) {
	if priv == nil {
		return nil, errors.New("no RSA private key")
	}
	if h != crypto.SHA1 && h != crypto.SHA256 {
		return nil, fmt.Errorf("hash %v not supported for MIKEY signatures", h)
	}
	d := digest(h, signed)
	switch stype {
	case SignRSAPKCS1:
		return rsa.SignPKCS1v15(rand.Reader, priv, h, d)
	case SignRSAPSS:
		return rsa.SignPSS(rand.Reader, priv, h, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	}
	return nil, fmt.Errorf("S type %v is not an RSA signature", stype)
}
