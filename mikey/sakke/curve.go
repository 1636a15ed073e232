package sakke

import (
	"errors"
	"math/big"
)

// jacobian is a point (X/Z^2, Y/Z^3) of E in Jacobian coordinates; Z = 0
// is the point at infinity. Formulas are those for curves with a = -3
// (IEEE P1363 A.10, "dbl-2001-b" and mixed addition), which RFC 6508 §3
// points to for point addition and doubling.
type jacobian struct{ x, y, z big.Int }

// curveOps performs point arithmetic with reusable scratch values.
type curveOps struct {
	f                                 *field
	three                             *big.Int
	delta, gamma, beta, alpha, t0, t1 big.Int
	u2, s2, h, r, hh, hhh, v          big.Int
	oldX                              big.Int // X before the last double, for Miller's line
}

func newCurveOps(pp *Params) *curveOps { return &curveOps{f: newField(pp.P), three: pp.three} }

func (c *curveOps) setAffine(j *jacobian, pt Point) {
	j.x.Set(pt.X)
	j.y.Set(pt.Y)
	j.z.SetInt64(1)
}

// double sets j = [2]j.
func (c *curveOps) double(j *jacobian) {
	f := c.f
	if j.z.Sign() == 0 || j.y.Sign() == 0 {
		j.z.SetInt64(0)
		return
	}
	c.oldX.Set(&j.x)
	f.sqr(&c.delta, &j.z)
	f.sqr(&c.gamma, &j.y)
	f.mul(&c.beta, &j.x, &c.gamma)
	f.sub(&c.t0, &j.x, &c.delta)
	f.add(&c.t1, &j.x, &c.delta)
	f.mul(&c.alpha, &c.t0, &c.t1)
	f.mul(&c.alpha, &c.alpha, c.three)
	// Z3 = (Y+Z)^2 - gamma - delta = 2YZ
	f.add(&c.t0, &j.y, &j.z)
	f.sqr(&c.t0, &c.t0)
	f.sub(&c.t0, &c.t0, &c.gamma)
	f.sub(&j.z, &c.t0, &c.delta)
	// X3 = alpha^2 - 8 beta
	f.dbl(&c.t1, &c.beta)
	f.dbl(&c.t1, &c.t1) // 4 beta
	f.sqr(&j.x, &c.alpha)
	f.sub(&j.x, &j.x, &c.t1)
	f.sub(&j.x, &j.x, &c.t1)
	// Y3 = alpha (4 beta - X3) - 8 gamma^2
	f.sub(&c.t1, &c.t1, &j.x)
	f.mul(&c.t1, &c.t1, &c.alpha)
	f.sqr(&c.t0, &c.gamma)
	f.dbl(&c.t0, &c.t0)
	f.dbl(&c.t0, &c.t0)
	f.dbl(&c.t0, &c.t0)
	f.sub(&j.y, &c.t1, &c.t0)
}

// addAffine sets j = j + pt for a finite affine point pt, handling the
// doubling and inverse cases.
func (c *curveOps) addAffine(j *jacobian, pt Point) {
	f := c.f
	if j.z.Sign() == 0 {
		c.setAffine(j, pt)
		return
	}
	f.sqr(&c.t0, &j.z)        // Z1^2
	f.mul(&c.u2, pt.X, &c.t0) // U2 = x2 Z1^2
	f.mul(&c.t0, &c.t0, &j.z) // Z1^3
	f.mul(&c.s2, pt.Y, &c.t0) // S2 = y2 Z1^3
	f.sub(&c.h, &c.u2, &j.x)  // H = U2 - X1
	f.sub(&c.r, &c.s2, &j.y)  // R = S2 - Y1
	if c.h.Sign() == 0 {
		if c.r.Sign() == 0 {
			c.double(j)
		} else {
			j.z.SetInt64(0)
		}
		return
	}
	c.finishAdd(j)
}

// finishAdd completes a mixed addition once H and R are in c.h and c.r:
// X3 = R^2 - H^3 - 2 X1 H^2, Y3 = R (X1 H^2 - X3) - Y1 H^3, Z3 = Z1 H.
func (c *curveOps) finishAdd(j *jacobian) {
	f := c.f
	f.sqr(&c.hh, &c.h)
	f.mul(&c.hhh, &c.hh, &c.h)
	f.mul(&c.v, &j.x, &c.hh)
	f.sqr(&j.x, &c.r)
	f.sub(&j.x, &j.x, &c.hhh)
	f.sub(&j.x, &j.x, &c.v)
	f.sub(&j.x, &j.x, &c.v)
	f.sub(&c.t0, &c.v, &j.x)
	f.mul(&c.t0, &c.t0, &c.r)
	f.mul(&c.t1, &j.y, &c.hhh)
	f.sub(&j.y, &c.t0, &c.t1)
	f.mul(&j.z, &j.z, &c.h)
}

// toAffine converts j to affine coordinates; infinity gives the zero Point.
func (c *curveOps) toAffine(j *jacobian) Point {
	if j.z.Sign() == 0 {
		return Point{}
	}
	zinv := new(big.Int).ModInverse(&j.z, c.f.p)
	if zinv == nil {
		return Point{}
	}
	var zi2 big.Int
	x, y := new(big.Int), new(big.Int)
	c.f.sqr(&zi2, zinv)
	c.f.mul(x, &j.x, &zi2)
	c.f.mul(&zi2, &zi2, zinv)
	c.f.mul(y, &j.y, &zi2)
	return Point{X: x, Y: y}
}

// scalarMult returns [k]pt for k >= 0 by left-to-right double and add.
func (c *curveOps) scalarMult(pt Point, k *big.Int) Point {
	var acc jacobian
	if pt.IsInfinity() || k.Sign() <= 0 {
		return Point{}
	}
	for i := k.BitLen() - 1; i >= 0; i-- {
		c.double(&acc)
		if k.Bit(i) == 1 {
			c.addAffine(&acc, pt)
		}
	}
	return c.toAffine(&acc)
}

// errInfinity reports that a computation reached the point at infinity
// where the protocol requires a point of order q.
var errInfinity = errors.New("sakke: result is the point at infinity")

// ScalarMult returns [k]pt on E (pt must be on the curve; k is reduced
// modulo q only by the caller).
func (pp *Params) ScalarMult(pt Point, k *big.Int) Point {
	return newCurveOps(pp).scalarMult(pt, k)
}

// Add returns a + b on E.
func (pp *Params) Add(a, b Point) Point {
	if a.IsInfinity() {
		return b
	}
	if b.IsInfinity() {
		return a
	}
	c := newCurveOps(pp)
	var j jacobian
	c.setAffine(&j, a)
	c.addAffine(&j, b)
	return c.toAffine(&j)
}
