// Package eccsi implements Elliptic Curve-Based Certificateless Signatures
// for Identity-Based Encryption (ECCSI, RFC 6507) with the parameters
// MIKEY-SAKKE mandates (RFC 6509 §2.1.1): NIST P-256 and SHA-256.
//
// It covers KPAK creation (§4.2), SSK/PVT issuing (§5.1.1) and validation
// (§5.1.2), signing (§5.2.1) and verification (§5.2.2). Arithmetic is
// math/big in Jacobian coordinates; it is not constant time and is meant
// for analysis and test generation. Key material is never printed.
package eccsi

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// N is the octet length of integers, F_p elements and the hash output
// (RFC 6507 §4.1, N = Ceiling(n/8) with n = 256).
const N = 32

func hexInt(s string) *big.Int {
	v, _ := new(big.Int).SetString(strings.Join(strings.Fields(s), ""), 16) // fixed text; checked by TestP256Parameters
	return v
}

// P-256 domain parameters (FIPS 186-3 D.1.2.3, RFC 6507 Appendix A).
var (
	curveP = hexInt("FFFFFFFF 00000001 00000000 00000000 00000000 FFFFFFFF FFFFFFFF FFFFFFFF")
	curveB = hexInt("5AC635D8 AA3A93E7 B3EBBD55 769886BC 651D06B0 CC53B0F6 3BCE3C3E 27D2604B")
	curveQ = hexInt("FFFFFFFF 00000000 FFFFFFFF FFFFFFFF BCE6FAAD A7179E84 F3B9CAC2 FC632551")
	baseG  = Point{
		X: hexInt("6B17D1F2 E12C4247 F8BCE6E5 63A440F2 77037D81 2DEB33A0 F4A13945 D898C296"),
		Y: hexInt("4FE342E2 FE1A7F9B 8EE7EB4A 7C0F9E16 2BCE3357 6B315ECE CBB64068 37BF51F5"),
	}
	three = big.NewInt(3)
)

// Order returns q, the order of G. The value must not be modified.
func Order() *big.Int { return curveQ }

// Generator returns the base point G.
func Generator() Point { return Point{X: new(big.Int).Set(baseG.X), Y: new(big.Int).Set(baseG.Y)} }

// Point is an affine point of P-256; the zero value is the point at
// infinity.
type Point struct {
	X, Y *big.Int
}

// IsInfinity reports whether pt is the point at infinity.
func (pt Point) IsInfinity() bool { return pt.X == nil || pt.Y == nil }

// Equal reports whether two points are the same.
func (pt Point) Equal(o Point) bool {
	if pt.IsInfinity() || o.IsInfinity() {
		return pt.IsInfinity() && o.IsInfinity()
	}
	return pt.X.Cmp(o.X) == 0 && pt.Y.Cmp(o.Y) == 0
}

// ErrNotOnCurve reports a point that is not on P-256.
var ErrNotOnCurve = errors.New("eccsi: point is not on P-256")

// ErrPointFormat reports a point encoding other than the uncompressed
// 0x04 || x || y of RFC 6507 §3.2 (wrong length or format octet).
var ErrPointFormat = errors.New("eccsi: point is not 0x04 || x || y")

// IsOnCurve reports whether pt is a finite point with coordinates in
// [0,p) and y^2 = x^3 - 3x + B mod p (RFC 6507 §3.1).
func IsOnCurve(pt Point) bool {
	if pt.IsInfinity() || pt.X.Sign() < 0 || pt.Y.Sign() < 0 || pt.X.Cmp(curveP) >= 0 || pt.Y.Cmp(curveP) >= 0 {
		return false
	}
	var lhs, rhs big.Int
	lhs.Mul(pt.Y, pt.Y).Mod(&lhs, curveP)
	rhs.Mul(pt.X, pt.X).Sub(&rhs, three).Mul(&rhs, pt.X).Add(&rhs, curveB).Mod(&rhs, curveP)
	return lhs.Cmp(&rhs) == 0
}

// MarshalPoint encodes pt as 0x04 || x || y with N-octet coordinates
// (RFC 6507 §3.2). The point at infinity encodes as the single octet
// 0x00; coordinates outside [0, p) give nil.
func MarshalPoint(pt Point) []byte {
	out := make([]byte, 1+2*N)
	if pt.IsInfinity() {
		return out[:1]
	}
	if pt.X.Sign() < 0 || pt.Y.Sign() < 0 || pt.X.Cmp(curveP) >= 0 || pt.Y.Cmp(curveP) >= 0 {
		return nil
	}
	out[0] = 4
	pt.X.FillBytes(out[1 : 1+N])
	pt.Y.FillBytes(out[1+N:])
	return out
}

// ParsePoint decodes an uncompressed point of 2N+1 octets and checks that
// it lies on the curve. Errors name the offset within b.
func ParsePoint(b []byte) (Point, error) {
	if len(b) != 1+2*N {
		return Point{}, fmt.Errorf("%w: %d octets, want %d", ErrPointFormat, len(b), 1+2*N)
	}
	if b[0] != 4 {
		return Point{}, fmt.Errorf("%w: offset 0: format octet 0x%02x, want 0x04 (uncompressed)", ErrPointFormat, b[0])
	}
	pt := Point{X: new(big.Int).SetBytes(b[1 : 1+N]), Y: new(big.Int).SetBytes(b[1+N:])}
	if !IsOnCurve(pt) {
		return Point{}, fmt.Errorf("eccsi: offset 0: %w", ErrNotOnCurve)
	}
	return pt, nil
}

// jacobian is (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.
type jacobian struct{ x, y, z big.Int }

// ops does P-256 arithmetic (a = -3 formulas, IEEE P1363 A.10) with
// scratch values reused across calls.
type ops struct {
	quo, prod                                       big.Int
	delta, gamma, beta, alpha, t0, t1, u2, s2, h, r big.Int
}

func (o *ops) mul(z, x, y *big.Int) { o.prod.Mul(x, y); o.quo.QuoRem(&o.prod, curveP, z) }
func (o *ops) add(z, x, y *big.Int) {
	z.Add(x, y)
	if z.Cmp(curveP) >= 0 {
		z.Sub(z, curveP)
	}
}
func (o *ops) sub(z, x, y *big.Int) {
	z.Sub(x, y)
	if z.Sign() < 0 {
		z.Add(z, curveP)
	}
}

func (o *ops) double(j *jacobian) {
	if j.z.Sign() == 0 || j.y.Sign() == 0 {
		j.z.SetInt64(0)
		return
	}
	o.mul(&o.delta, &j.z, &j.z)
	o.mul(&o.gamma, &j.y, &j.y)
	o.mul(&o.beta, &j.x, &o.gamma)
	o.sub(&o.t0, &j.x, &o.delta)
	o.add(&o.t1, &j.x, &o.delta)
	o.mul(&o.alpha, &o.t0, &o.t1)
	o.mul(&o.alpha, &o.alpha, three)
	o.add(&o.t0, &j.y, &j.z)
	o.mul(&o.t0, &o.t0, &o.t0)
	o.sub(&o.t0, &o.t0, &o.gamma)
	o.sub(&j.z, &o.t0, &o.delta)
	o.add(&o.t1, &o.beta, &o.beta)
	o.add(&o.t1, &o.t1, &o.t1) // 4 beta
	o.mul(&j.x, &o.alpha, &o.alpha)
	o.sub(&j.x, &j.x, &o.t1)
	o.sub(&j.x, &j.x, &o.t1)
	o.sub(&o.t1, &o.t1, &j.x)
	o.mul(&o.t1, &o.t1, &o.alpha)
	o.mul(&o.t0, &o.gamma, &o.gamma)
	o.add(&o.t0, &o.t0, &o.t0)
	o.add(&o.t0, &o.t0, &o.t0)
	o.add(&o.t0, &o.t0, &o.t0)
	o.sub(&j.y, &o.t1, &o.t0)
}

// addAffine sets j = j + pt for a finite affine pt.
func (o *ops) addAffine(j *jacobian, pt Point) {
	if j.z.Sign() == 0 {
		j.x.Set(pt.X)
		j.y.Set(pt.Y)
		j.z.SetInt64(1)
		return
	}
	o.mul(&o.t0, &j.z, &j.z)
	o.mul(&o.u2, pt.X, &o.t0)
	o.mul(&o.t0, &o.t0, &j.z)
	o.mul(&o.s2, pt.Y, &o.t0)
	o.sub(&o.h, &o.u2, &j.x)
	o.sub(&o.r, &o.s2, &j.y)
	if o.h.Sign() == 0 {
		if o.r.Sign() == 0 {
			o.double(j)
		} else {
			j.z.SetInt64(0)
		}
		return
	}
	// X3 = R^2 - H^3 - 2 X1 H^2, Y3 = R (X1 H^2 - X3) - Y1 H^3, Z3 = Z1 H
	o.mul(&o.t0, &o.h, &o.h)  // H^2
	o.mul(&o.t1, &o.t0, &o.h) // H^3
	o.mul(&o.u2, &j.x, &o.t0) // V = X1 H^2
	o.mul(&j.x, &o.r, &o.r)
	o.sub(&j.x, &j.x, &o.t1)
	o.sub(&j.x, &j.x, &o.u2)
	o.sub(&j.x, &j.x, &o.u2)
	o.sub(&o.u2, &o.u2, &j.x)
	o.mul(&o.u2, &o.u2, &o.r)
	o.mul(&o.t1, &j.y, &o.t1)
	o.sub(&j.y, &o.u2, &o.t1)
	o.mul(&j.z, &j.z, &o.h)
}

func (o *ops) toAffine(j *jacobian) Point {
	if j.z.Sign() == 0 {
		return Point{}
	}
	zinv := new(big.Int).ModInverse(&j.z, curveP)
	if zinv == nil {
		return Point{}
	}
	var zi2 big.Int
	x, y := new(big.Int), new(big.Int)
	o.mul(&zi2, zinv, zinv)
	o.mul(x, &j.x, &zi2)
	o.mul(&zi2, &zi2, zinv)
	o.mul(y, &j.y, &zi2)
	return Point{X: x, Y: y}
}

// scalarMult returns [k]pt, k >= 0, by left-to-right double and add.
func scalarMult(pt Point, k *big.Int) Point {
	if pt.IsInfinity() || k.Sign() <= 0 {
		return Point{}
	}
	var o ops
	var acc jacobian
	for i := k.BitLen() - 1; i >= 0; i-- {
		o.double(&acc)
		if k.Bit(i) == 1 {
			o.addAffine(&acc, pt)
		}
	}
	return o.toAffine(&acc)
}

// shamirMult returns [k1]P1 + [k2]P2 for k1, k2 >= 0 with one shared
// chain of doublings (Shamir's trick), as in ECDSA verification.
func shamirMult(p1 Point, k1 *big.Int, p2 Point, k2 *big.Int) Point {
	if p1.IsInfinity() || p2.IsInfinity() || k1.Sign() <= 0 || k2.Sign() <= 0 {
		return add(scalarMult(p1, k1), scalarMult(p2, k2))
	}
	sum := add(p1, p2)
	var o ops
	var acc jacobian
	n := max(k1.BitLen(), k2.BitLen())
	for i := n - 1; i >= 0; i-- {
		o.double(&acc)
		switch b1, b2 := k1.Bit(i), k2.Bit(i); {
		case b1 == 1 && b2 == 1:
			if sum.IsInfinity() {
				continue // P2 = -P1: the two additions cancel
			}
			o.addAffine(&acc, sum)
		case b1 == 1:
			o.addAffine(&acc, p1)
		case b2 == 1:
			o.addAffine(&acc, p2)
		}
	}
	return o.toAffine(&acc)
}

// add returns a + b.
func add(a, b Point) Point {
	if a.IsInfinity() {
		return b
	}
	if b.IsInfinity() {
		return a
	}
	var o ops
	var j jacobian
	o.addAffine(&j, a)
	o.addAffine(&j, b)
	return o.toAffine(&j)
}
