package sakke

import (
	"errors"
	"math/big"
)

// jacobian is a point (X/Z^2, Y/Z^3) of E in Jacobian coordinates over
// Montgomery-form F_p; Z = 0 is the point at infinity. Formulas are those
// for curves with a = -3 (IEEE P1363 A.10, "dbl-2001-b" and mixed
// addition), which RFC 6508 §3 points to for point addition and doubling.
type jacobian struct{ x, y, z fe }

// affine is a finite affine point with Montgomery-form coordinates.
type affine struct{ x, y fe }

// curveOps performs point arithmetic with reusable scratch values; not
// safe for concurrent use.
type curveOps struct {
	m                                 *mont
	three                             fe
	delta, gamma, beta, alpha, t0, t1 fe
	u2, s2, h, r, hh, hhh, v          fe
	oldX                              fe // X before the last double, for Miller's line
}

func (pp *Params) newCurveOps() *curveOps { return &curveOps{m: pp.mont, three: pp.threeM} }

// toAffineM converts a finite Point to Montgomery form.
func (pp *Params) toAffineM(pt Point) affine {
	var a affine
	pp.mont.toMont(&a.x, pt.X)
	pp.mont.toMont(&a.y, pt.Y)
	return a
}

func (c *curveOps) setAffine(j *jacobian, pt *affine) {
	j.x, j.y, j.z = pt.x, pt.y, c.m.one
}

// double sets j = [2]j, leaving delta = Z^2, gamma = Y^2, alpha =
// 3(X^2 - Z^4) and oldX = X of the input in c for the Miller line.
func (c *curveOps) double(j *jacobian) {
	m := c.m
	if j.z.isZero() || j.y.isZero() {
		j.z = fe{}
		return
	}
	c.oldX = j.x
	m.mul(&c.delta, &j.z, &j.z)
	m.mul(&c.gamma, &j.y, &j.y)
	m.mul(&c.beta, &j.x, &c.gamma)
	m.sub(&c.t0, &j.x, &c.delta)
	m.add(&c.t1, &j.x, &c.delta)
	m.mul(&c.alpha, &c.t0, &c.t1)
	m.mul(&c.alpha, &c.alpha, &c.three)
	// Z3 = (Y+Z)^2 - gamma - delta = 2YZ
	m.add(&c.t0, &j.y, &j.z)
	m.mul(&c.t0, &c.t0, &c.t0)
	m.sub(&c.t0, &c.t0, &c.gamma)
	m.sub(&j.z, &c.t0, &c.delta)
	// X3 = alpha^2 - 8 beta
	m.add(&c.t1, &c.beta, &c.beta)
	m.add(&c.t1, &c.t1, &c.t1) // 4 beta
	m.mul(&j.x, &c.alpha, &c.alpha)
	m.sub(&j.x, &j.x, &c.t1)
	m.sub(&j.x, &j.x, &c.t1)
	// Y3 = alpha (4 beta - X3) - 8 gamma^2
	m.sub(&c.t1, &c.t1, &j.x)
	m.mul(&c.t1, &c.t1, &c.alpha)
	m.mul(&c.t0, &c.gamma, &c.gamma)
	m.add(&c.t0, &c.t0, &c.t0)
	m.add(&c.t0, &c.t0, &c.t0)
	m.add(&c.t0, &c.t0, &c.t0)
	m.sub(&j.y, &c.t1, &c.t0)
}

// prepareAdd computes H = x2 Z1^2 - X1 and R = y2 Z1^3 - Y1 into c.h and
// c.r for adding the affine point pt to j (Z1 != 0).
func (c *curveOps) prepareAdd(j *jacobian, pt *affine) {
	m := c.m
	m.mul(&c.t0, &j.z, &j.z)
	m.mul(&c.u2, &pt.x, &c.t0)
	m.mul(&c.t0, &c.t0, &j.z)
	m.mul(&c.s2, &pt.y, &c.t0)
	m.sub(&c.h, &c.u2, &j.x)
	m.sub(&c.r, &c.s2, &j.y)
}

// addAffine sets j = j + pt, handling the doubling and inverse cases.
func (c *curveOps) addAffine(j *jacobian, pt *affine) {
	if j.z.isZero() {
		c.setAffine(j, pt)
		return
	}
	c.prepareAdd(j, pt)
	if c.h.isZero() {
		if c.r.isZero() {
			c.double(j)
		} else {
			j.z = fe{}
		}
		return
	}
	c.finishAdd(j)
}

// finishAdd completes a mixed addition once H and R are in c.h and c.r:
// X3 = R^2 - H^3 - 2 X1 H^2, Y3 = R (X1 H^2 - X3) - Y1 H^3, Z3 = Z1 H.
func (c *curveOps) finishAdd(j *jacobian) {
	m := c.m
	m.mul(&c.hh, &c.h, &c.h)
	m.mul(&c.hhh, &c.hh, &c.h)
	m.mul(&c.v, &j.x, &c.hh)
	m.mul(&j.x, &c.r, &c.r)
	m.sub(&j.x, &j.x, &c.hhh)
	m.sub(&j.x, &j.x, &c.v)
	m.sub(&j.x, &j.x, &c.v)
	m.sub(&c.t0, &c.v, &j.x)
	m.mul(&c.t0, &c.t0, &c.r)
	m.mul(&c.t1, &j.y, &c.hhh)
	m.sub(&j.y, &c.t0, &c.t1)
	m.mul(&j.z, &j.z, &c.h)
}

// toAffine converts j to an affine Point; infinity gives the zero Point.
func (c *curveOps) toAffine(j *jacobian) Point {
	if j.z.isZero() {
		return Point{}
	}
	p := limbsToBig(&c.m.p)
	z := c.m.fromMont(&j.z)
	zinv := z.ModInverse(z, p)
	if zinv == nil {
		return Point{}
	}
	zi2 := new(big.Int).Mul(zinv, zinv)
	zi2.Mod(zi2, p)
	x := c.m.fromMont(&j.x)
	x.Mul(x, zi2).Mod(x, p)
	zi2.Mul(zi2, zinv).Mod(zi2, p)
	y := c.m.fromMont(&j.y)
	y.Mul(y, zi2).Mod(y, p)
	return Point{X: x, Y: y}
}

// scalarMult returns [k]pt for k >= 0 by left-to-right double and add.
func (pp *Params) scalarMult(pt Point, k *big.Int) Point {
	if pt.IsInfinity() || k.Sign() <= 0 {
		return Point{}
	}
	c := pp.newCurveOps()
	a := pp.toAffineM(pt)
	var acc jacobian
	for i := k.BitLen() - 1; i >= 0; i-- {
		c.double(&acc)
		if k.Bit(i) == 1 {
			c.addAffine(&acc, &a)
		}
	}
	return c.toAffine(&acc)
}

// errInfinity reports that a computation reached the point at infinity
// where the protocol requires a point of order q.
var errInfinity = errors.New("sakke: result is the point at infinity")

// ScalarMult returns [k]pt on E for a point pt on E and k >= 0.
func (pp *Params) ScalarMult(pt Point, k *big.Int) Point {
	if !pt.IsInfinity() && (pt.X.Cmp(pp.P) >= 0 || pt.Y.Cmp(pp.P) >= 0 || pt.X.Sign() < 0 || pt.Y.Sign() < 0) {
		return Point{}
	}
	return pp.scalarMult(pt, k)
}

// Add returns a + b on E.
func (pp *Params) Add(a, b Point) Point {
	if a.IsInfinity() {
		return b
	}
	if b.IsInfinity() {
		return a
	}
	c := pp.newCurveOps()
	am, bm := pp.toAffineM(a), pp.toAffineM(b)
	var j jacobian
	c.setAffine(&j, &am)
	c.addAffine(&j, &bm)
	return c.toAffine(&j)
}
