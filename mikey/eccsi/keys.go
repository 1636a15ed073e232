package eccsi

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
)

// ErrInvalidSSK reports an (SSK, PVT) pair failing the check of RFC 6507
// §5.1.2 for the given Identifier and KPAK.
var ErrInvalidSSK = errors.New("eccsi: SSK/PVT do not match identifier and KPAK (KPAK != [SSK]G - [HS]PVT)")

// KPAK returns the KMS Public Authentication Key [KSAK]G (RFC 6507 §4.2).
func KPAK(ksak *big.Int) (Point, error) {
	if ksak.Sign() <= 0 || ksak.Cmp(curveQ) >= 0 {
		return Point{}, errors.New("eccsi: KSAK is not a non-zero integer modulo q")
	}
	return scalarMult(baseG, ksak), nil
}

// HashHS computes HS = hash(G || KPAK || ID || PVT) (RFC 6507 §5.1.1
// step 3, §5.1.2 step 2, §5.2.2 step 2) with points in their canonical
// uncompressed form.
func HashHS(kpak Point, id []byte, pvt Point) []byte {
	h := sha256.New()
	h.Write(MarshalPoint(baseG))
	h.Write(MarshalPoint(kpak))
	h.Write(id)
	h.Write(MarshalPoint(pvt))
	return h.Sum(nil)
}

// IssueSSK is the KMS side of RFC 6507 §5.1.1: with ephemeral v it
// returns PVT = [v]G and SSK = (KSAK + HS*v) mod q. The caller supplies v
// (random in production, fixed in tests).
func IssueSSK(ksak *big.Int, id []byte, v *big.Int) (ssk *big.Int, pvt Point, err error) {
	kpak, err := KPAK(ksak)
	if err != nil {
		return nil, Point{}, err
	}
	if v.Sign() <= 0 || v.Cmp(curveQ) >= 0 {
		return nil, Point{}, errors.New("eccsi: v is not a non-zero element of F_q")
	}
	pvt = scalarMult(baseG, v)
	hs := new(big.Int).SetBytes(HashHS(kpak, id, pvt))
	ssk = new(big.Int).Mul(hs, v)
	ssk.Add(ssk, ksak).Mod(ssk, curveQ)
	if ssk.Sign() == 0 || new(big.Int).Mod(hs, curveQ).Sign() == 0 {
		return nil, Point{}, errors.New("eccsi: SSK or HS is zero modulo q; choose another v")
	}
	return ssk, pvt, nil
}

// ValidateSSK checks a received (SSK, PVT) pair against the signer's
// Identifier and the KPAK (RFC 6507 §5.1.2): PVT on the curve and
// KPAK = [SSK]G - [HS]PVT.
func ValidateSSK(kpak Point, id []byte, ssk *big.Int, pvt Point) error {
	if !IsOnCurve(kpak) {
		return fmt.Errorf("eccsi: KPAK: %w", ErrNotOnCurve)
	}
	if !IsOnCurve(pvt) {
		return fmt.Errorf("eccsi: PVT: %w", ErrNotOnCurve)
	}
	hs := new(big.Int).SetBytes(HashHS(kpak, id, pvt))
	// [SSK]G - [HS]PVT = [SSK]G + [q - HS mod q]PVT
	neg := new(big.Int).Mod(hs, curveQ)
	neg.Sub(curveQ, neg)
	k := new(big.Int).Mod(ssk, curveQ)
	if !add(scalarMult(baseG, k), scalarMult(pvt, neg)).Equal(kpak) {
		return ErrInvalidSSK
	}
	return nil
}
