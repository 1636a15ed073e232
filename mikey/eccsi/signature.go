package eccsi

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// SignatureLen is the length of an ECCSI signature r || s || PVT,
// 4N+1 octets (RFC 6507 §3.3).
const SignatureLen = 4*N + 1

// Signature is an ECCSI signature (RFC 6507 §3.3).
type Signature struct {
	R, S *big.Int // N-octet integers; either may exceed p or q
	PVT  Point    // the signer's Public Validation Token
}

// Marshal encodes r || s || PVT (RFC 6507 §3.3). It fails when r or s
// does not fit N octets or PVT is not a finite point with coordinates
// below p.
func (sig *Signature) Marshal() ([]byte, error) {
	if sig.R == nil || sig.S == nil || sig.R.Sign() < 0 || sig.S.Sign() < 0 || sig.R.BitLen() > 8*N || sig.S.BitLen() > 8*N {
		return nil, errors.New("eccsi: r or s does not fit 32 octets")
	}
	pvt := MarshalPoint(sig.PVT)
	if len(pvt) != 1+2*N {
		return nil, errors.New("eccsi: PVT is not a finite point with coordinates below p")
	}
	out := make([]byte, 2*N, SignatureLen)
	sig.R.FillBytes(out[:N])
	sig.S.FillBytes(out[N:])
	return append(out, pvt...), nil
}

// ParseSignature decodes r || s || PVT (RFC 6507 §3.3) and checks that
// PVT lies on the curve (§5.2.2 step 1). Errors name the octet offset.
func ParseSignature(b []byte) (*Signature, error) {
	if len(b) != SignatureLen {
		return nil, fmt.Errorf("eccsi: signature is %d octets, want %d (r || s || PVT)", len(b), SignatureLen)
	}
	pvt, err := ParsePoint(b[2*N:])
	if err != nil {
		return nil, fmt.Errorf("eccsi: PVT at offset %d: %w", 2*N, err)
	}
	return &Signature{
		R:   new(big.Int).SetBytes(b[:N]),
		S:   new(big.Int).SetBytes(b[N : 2*N]),
		PVT: pvt,
	}, nil
}

// hashHE computes HE = hash(HS || r || M) (RFC 6507 §5.2.1 step 3).
func hashHE(hs []byte, r *big.Int, msg []byte) []byte {
	var rb [N]byte
	r.FillBytes(rb[:])
	h := sha256.New()
	h.Write(hs)
	h.Write(rb[:])
	h.Write(msg)
	return h.Sum(nil)
}

// signTrace records intermediate values of §5.2.1 for tests.
type signTrace struct {
	J      Point
	HE     []byte
	sPrime *big.Int
}

// Sign signs msg as the holder of (SSK, PVT) for Identifier id
// (RFC 6507 §5.2.1) with the ephemeral j in [1, q-1] given by the caller.
// The SSK is not validated here; use ValidateSSK once when provisioning.
func Sign(kpak Point, id, msg []byte, ssk *big.Int, pvt Point, j *big.Int) (*Signature, error) {
	return sign(kpak, id, msg, ssk, pvt, j, nil)
}

// SignRandom is Sign with j drawn from rnd, retrying per §5.2.1 step 4.
func SignRandom(rnd io.Reader, kpak Point, id, msg []byte, ssk *big.Int, pvt Point) (*Signature, error) {
	buf := make([]byte, N+8)
	qm1 := new(big.Int).Sub(curveQ, big.NewInt(1))
	for range 16 {
		if _, err := io.ReadFull(rnd, buf); err != nil {
			return nil, fmt.Errorf("eccsi: reading randomness: %w", err)
		}
		j := new(big.Int).SetBytes(buf)
		j.Mod(j, qm1).Add(j, big.NewInt(1))
		sig, err := Sign(kpak, id, msg, ssk, pvt, j)
		if err == nil {
			return sig, nil
		}
		if !errors.Is(err, errRetry) {
			return nil, err
		}
	}
	return nil, errors.New("eccsi: could not find a usable ephemeral j")
}

var errRetry = errors.New("eccsi: HE + r*SSK is zero modulo q; choose another j")

func sign(kpak Point, id, msg []byte, ssk *big.Int, pvt Point, j *big.Int, tr *signTrace) (*Signature, error) {
	if j.Sign() <= 0 || j.Cmp(curveQ) >= 0 {
		return nil, errors.New("eccsi: j is not a non-zero element of F_q")
	}
	if !IsOnCurve(pvt) || !IsOnCurve(kpak) {
		return nil, ErrNotOnCurve
	}
	// 2) J = [j]G, r = Jx
	J := scalarMult(baseG, j)
	r := new(big.Int).Set(J.X)
	// 3) HE = hash(HS || r || M)
	he := hashHE(HashHS(kpak, id, pvt), r, msg)
	// 4) HE + r*SSK must be non-zero modulo q
	t := new(big.Int).Mul(r, ssk)
	t.Add(t, new(big.Int).SetBytes(he)).Mod(t, curveQ)
	if t.Sign() == 0 {
		return nil, errRetry
	}
	// 5) s' = ((HE + r*SSK)^-1 * j) mod q
	sp := new(big.Int).ModInverse(t, curveQ)
	sp.Mul(sp, j).Mod(sp, curveQ)
	// 6) s = q - s' if s' does not fit in N octets
	s := new(big.Int).Set(sp)
	if s.BitLen() > 8*N {
		s.Sub(curveQ, s)
	}
	if tr != nil {
		tr.J, tr.HE, tr.sPrime = J, he, sp
	}
	return &Signature{R: r, S: s, PVT: Point{X: new(big.Int).Set(pvt.X), Y: new(big.Int).Set(pvt.Y)}}, nil
}

// ErrBadSignature reports a signature that fails RFC 6507 §5.2.2 step 6
// for this message, Identifier and KPAK.
var ErrBadSignature = errors.New("eccsi: signature does not verify (Jx != r)")

// verifyTrace records intermediate values of §5.2.2 for tests.
type verifyTrace struct {
	HS, HE []byte
	Y, J   Point
}

// Verify checks an ECCSI signature on msg by the holder of Identifier id
// against the KPAK (RFC 6507 §5.2.2). It returns nil, ErrBadSignature, or
// an error wrapping ErrNotOnCurve for an invalid KPAK or PVT.
func Verify(kpak Point, id, msg []byte, sig *Signature) error {
	return verify(kpak, id, msg, sig, nil)
}

// VerifyBytes parses sig (r || s || PVT) and verifies it.
func VerifyBytes(kpak Point, id, msg, sig []byte) error {
	s, err := ParseSignature(sig)
	if err != nil {
		return err
	}
	return Verify(kpak, id, msg, s)
}

func verify(kpak Point, id, msg []byte, sig *Signature, tr *verifyTrace) error {
	if !IsOnCurve(kpak) {
		return fmt.Errorf("eccsi: KPAK: %w", ErrNotOnCurve)
	}
	// 1) PVT on E
	if !IsOnCurve(sig.PVT) {
		return fmt.Errorf("eccsi: PVT: %w", ErrNotOnCurve)
	}
	if sig.R == nil || sig.S == nil || sig.R.Sign() < 0 || sig.S.Sign() < 0 {
		return ErrBadSignature
	}
	// 2) HS, 3) HE
	hs := HashHS(kpak, id, sig.PVT)
	he := hashHE(hs, sig.R, msg)
	// 4) Y = [HS]PVT + KPAK
	Y := add(scalarMult(sig.PVT, new(big.Int).Mod(new(big.Int).SetBytes(hs), curveQ)), kpak)
	// 5) J = [s]([HE]G + [r]Y); G and Y have order q, so scalars reduce mod q.
	heq := new(big.Int).Mod(new(big.Int).SetBytes(he), curveQ)
	inner := shamirMult(baseG, heq, Y, new(big.Int).Mod(sig.R, curveQ))
	J := scalarMult(inner, new(big.Int).Mod(sig.S, curveQ))
	if tr != nil {
		tr.HS, tr.HE, tr.Y, tr.J = hs, he, Y, J
	}
	// 6) Jx = r mod p and Jx mod p non-zero
	if J.IsInfinity() || J.X.Sign() == 0 {
		return ErrBadSignature
	}
	if new(big.Int).Mod(sig.R, curveP).Cmp(J.X) != 0 {
		return ErrBadSignature
	}
	return nil
}
