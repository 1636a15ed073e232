package sakke

import (
	"errors"
	"fmt"
	"math/big"
)

// Point is an affine point of E(F_p), E: y^2 = x^3 - 3x (RFC 6508 §2.1, §3).
// The zero value (nil coordinates) is the point at infinity, which never
// appears in valid SAKKE data.
type Point struct {
	X, Y *big.Int
}

// IsInfinity reports whether pt is the point at infinity.
func (pt Point) IsInfinity() bool { return pt.X == nil || pt.Y == nil }

// Equal reports whether two points are the same point.
func (pt Point) Equal(o Point) bool {
	if pt.IsInfinity() || o.IsInfinity() {
		return pt.IsInfinity() && o.IsInfinity()
	}
	return pt.X.Cmp(o.X) == 0 && pt.Y.Cmp(o.Y) == 0
}

// String describes the point without printing coordinates, which may be
// secret (an RSK).
func (pt Point) String() string {
	if pt.IsInfinity() {
		return "sakke.Point(infinity)"
	}
	return "sakke.Point(" + Fingerprint(pt.X.Bytes()) + ")"
}

// IsOnCurve reports whether pt is a finite point with coordinates in [0,p)
// satisfying y^2 = x^3 - 3x mod p.
func (pp *Params) IsOnCurve(pt Point) bool {
	if pt.IsInfinity() || pt.X.Sign() < 0 || pt.Y.Sign() < 0 || pt.X.Cmp(pp.P) >= 0 || pt.Y.Cmp(pp.P) >= 0 {
		return false
	}
	var lhs, rhs big.Int
	lhs.Mul(pt.Y, pt.Y).Mod(&lhs, pp.P)
	rhs.Mul(pt.X, pt.X).Sub(&rhs, pp.three).Mul(&rhs, pt.X).Mod(&rhs, pp.P)
	return lhs.Cmp(&rhs) == 0
}

// ErrNotOnCurve reports a point that does not satisfy the curve equation.
var ErrNotOnCurve = errors.New("point is not on the SAKKE curve")

// MarshalPoint encodes pt uncompressed, 0x04 || x || y with L-octet
// coordinates (RFC 6508 §4, RFC 5480 §2.2). The point at infinity encodes
// as the single octet 0x00; coordinates outside [0, p) give nil.
func (pp *Params) MarshalPoint(pt Point) []byte {
	out := make([]byte, 1+2*pp.l)
	if pt.IsInfinity() {
		return out[:1]
	}
	if pt.X.Sign() < 0 || pt.Y.Sign() < 0 || pt.X.Cmp(pp.P) >= 0 || pt.Y.Cmp(pp.P) >= 0 {
		return nil
	}
	out[0] = 4
	pt.X.FillBytes(out[1 : 1+pp.l])
	pt.Y.FillBytes(out[1+pp.l:])
	return out
}

// ParsePoint decodes an uncompressed point (RFC 6508 §4) and checks that it
// lies on E. Errors name the offending octet offset within b.
func (pp *Params) ParsePoint(b []byte) (Point, error) {
	want := 1 + 2*pp.l
	if len(b) != want {
		return Point{}, fmt.Errorf("sakke: point is %d octets, want %d (0x04 || x || y)", len(b), want)
	}
	if b[0] != 4 {
		return Point{}, fmt.Errorf("sakke: offset 0: point format 0x%02x, want 0x04 (uncompressed)", b[0])
	}
	x := new(big.Int).SetBytes(b[1 : 1+pp.l])
	y := new(big.Int).SetBytes(b[1+pp.l:])
	if x.Cmp(pp.P) >= 0 {
		return Point{}, fmt.Errorf("sakke: offset 1: x coordinate is not below p")
	}
	if y.Cmp(pp.P) >= 0 {
		return Point{}, fmt.Errorf("sakke: offset %d: y coordinate is not below p", 1+pp.l)
	}
	pt := Point{X: x, Y: y}
	if !pp.IsOnCurve(pt) {
		return Point{}, fmt.Errorf("sakke: offset 0: %w", ErrNotOnCurve)
	}
	return pt, nil
}
