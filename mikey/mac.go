package mikey

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
)

// ErrUnknownMACAlg is returned for a MAC alg no RFC defines.
var ErrUnknownMACAlg = errors.New("unknown MIKEY MAC algorithm")

// MACLengths returns the auth_key length and the MAC length in bytes of a
// KEMAC/V MAC alg (RFC 3830 §4.2.4: HMAC-SHA-1 with a 160-bit key and tag;
// RFC 6043 §6.2: HMAC-SHA-256 with a 256-bit key and tag; NULL: none).
func MACLengths(macAlg MACAlg) (keyLen, macLen int, err error) {
	switch macAlg {
	case MACNULL:
		return 0, 0, nil
	case MACHMACSHA1160:
		return sha1.Size, sha1.Size, nil
	case MACHMACSHA256256:
		return sha256.Size, sha256.Size, nil
	}
	return 0, 0, fmt.Errorf("%w %d", ErrUnknownMACAlg, macAlg)
}

func macHash(macAlg MACAlg) (func() hash.Hash, error) {
	switch macAlg {
	case MACHMACSHA1160:
		return sha1.New, nil
	case MACHMACSHA256256:
		return sha256.New, nil
	}
	return nil, fmt.Errorf("%w %d", ErrUnknownMACAlg, macAlg)
}

// ComputeMAC returns the MAC of the concatenation of parts under authKey
// (RFC 3830 §4.2.4, §5.2). The NULL MAC is empty.
func ComputeMAC(macAlg MACAlg, authKey []byte, parts ...[]byte) ([]byte, error) {
	if macAlg == MACNULL {
		return nil, nil
	}
	h, err := macHash(macAlg)
	if err != nil {
		return nil, err
	}
	m := hmac.New(h, authKey)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil), nil
}

// VerifyMAC reports whether mac is the MAC of the concatenation of parts,
// comparing in constant time.
func VerifyMAC(macAlg MACAlg, authKey, mac []byte, parts ...[]byte) (bool, error) {
	want, err := ComputeMAC(macAlg, authKey, parts...)
	if err != nil {
		return false, err
	}
	return len(want) == len(mac) && hmac.Equal(want, mac), nil
}
