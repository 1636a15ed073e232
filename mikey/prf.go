package mikey

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
)

// prfInkeyBlockLen is the inkey block size s_i of RFC 3830 §4.1.2 (256 bits).
const prfInkeyBlockLen = 32

// ErrUnknownPRF is returned for a PRF func value no RFC defines.
var ErrUnknownPRF = errors.New("unknown MIKEY PRF func")

// errEmptyKey is returned when a derivation is asked to run on no key.
var errEmptyKey = errors.New("empty input key")

// maxPRFOut bounds the output of one PRF call; MIKEY never derives more
// than a few dozen bytes, so a larger request is a programming error or a
// hostile length field.
const maxPRFOut = 4096

// prfHash returns the hash constructor and output size for a PRF func.
func prfHash(f PRFFunc) (func() hash.Hash, int, error) {
	switch f {
	case PRFFuncMIKEY1:
		return sha1.New, sha1.Size, nil
	case PRFFuncHMACSHA256:
		return sha256.New, sha256.Size, nil
	}
	return nil, 0, fmt.Errorf("%w %d", ErrUnknownPRF, f)
}

// PRF computes outLen bytes of the MIKEY key derivation function of
// RFC 3830 §4.1.2:
//
//	PRF(inkey, label) = P(s_1, label, m) XOR ... XOR P(s_n, label, m)
//	P(s, label, m)    = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label)
//	A_0 = label, A_i = HMAC(s, A_(i-1))
//
// where inkey is split into 256-bit blocks s_1..s_n (the last may be
// shorter) and the output is truncated to outLen bytes. f selects HMAC-SHA-1
// (PRFFuncMIKEY1) or HMAC-SHA-256 (PRFFuncHMACSHA256, RFC 6043 §6.1, whose P blocks
// are 256 bits instead of 160).
func PRF(f PRFFunc, inkey, label []byte, outLen int) ([]byte, error) {
	out := make([]byte, outLen)
	if err := prfInto(out, f, inkey, label); err != nil {
		return nil, err
	}
	return out, nil
}

// prfInto writes len(out) bytes of PRF(inkey, label) into out.
func prfInto(out []byte, f PRFFunc, inkey, label []byte) error {
	newHash, size, err := prfHash(f)
	if err != nil {
		return err
	}
	if len(inkey) == 0 {
		return errEmptyKey
	}
	if len(out) > maxPRFOut {
		return fmt.Errorf("PRF output of %d bytes exceeds %d", len(out), maxPRFOut)
	}
	clear(out)
	var aBuf, blockBuf [sha256.Size]byte
	for start := 0; start < len(inkey); start += prfInkeyBlockLen {
		end := min(start+prfInkeyBlockLen, len(inkey))
		mac := hmac.New(newHash, inkey[start:end])
		// A_1 = HMAC(s, A_0) with A_0 = label.
		mac.Write(label)
		a := mac.Sum(aBuf[:0])
		for off := 0; off < len(out); off += size {
			mac.Reset()
			mac.Write(a)
			mac.Write(label)
			block := mac.Sum(blockBuf[:0])
			for i := 0; i < size && off+i < len(out); i++ {
				out[off+i] ^= block[i]
			}
			if off+size < len(out) {
				// A_(i+1) = HMAC(s, A_i)
				mac.Reset()
				mac.Write(a)
				a = mac.Sum(aBuf[:0])
			}
		}
	}
	return nil
}
