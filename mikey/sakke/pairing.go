package sakke

import (
	"errors"
	"math/big"
)

// ErrDegeneratePairing reports pairing inputs for which Miller's loop
// meets a vertical line or the point at infinity, which happens only for
// points outside E(F_p)[q] (for example forged Encapsulated Data).
var ErrDegeneratePairing = errors.New("sakke: degenerate pairing input (point not of order q)")

// Pairing computes the Tate-Lichtenbaum pairing <R,Q> of RFC 6508 §3.2 and
// returns its representative in F_p (x_2/x_1 of t = x_1 + i*x_2, §2.1).
// R and Q must be points of E(F_p)[q]; both are checked to lie on E.
//
// The Miller loop is the one of §3.2 (bits of q-1 from the second most
// significant, doubling line then addition line evaluated at the distorted
// point [i]Q = (-Q_x, i*Q_y), Barreto's denominator elimination, final
// exponent c = (p+1)/q). C is kept in Jacobian coordinates; each line is
// multiplied by a non-zero F_p factor (the denominators 2*C_y*Z^3 and
// Z*(C_x-R_x)), which is invisible in PF_p = (F_p^2)*/(F_p)*.
func (pp *Params) Pairing(R, Q Point) (*big.Int, error) {
	if !pp.IsOnCurve(R) || !pp.IsOnCurve(Q) {
		return nil, ErrNotOnCurve
	}
	var t fp2
	if err := pp.miller(&t, R, Q); err != nil {
		return nil, err
	}
	return pp.pfRepresentative(&t)
}

// miller runs the loop of RFC 6508 §3.2 and sets t = v^c.
func (pp *Params) miller(t *fp2, Rp, Qp Point) error {
	c := pp.newCurveOps()
	m := c.m
	o := &fp2ops{m: m}
	R, Q := pp.toAffineM(Rp), pp.toAffineM(Qp)
	var C jacobian
	c.setAffine(&C, &R)
	var v, line fp2
	var tmp fe
	v.a = m.one
	var qxPlusRx fe
	m.add(&qxPlusRx, &Q.x, &R.x)
	for i := pp.qm1.BitLen() - 2; i >= 0; i-- {
		if C.z.isZero() || C.y.isZero() {
			return ErrDegeneratePairing
		}
		// Doubling line through C, C, [-2]C evaluated at [i]Q, scaled by
		// 2*Y*Z^3:  real = alpha*(Q_x*Z^2 + X) - 2*Y^2,  imag = 2*Y*Z^3*Q_y,
		// with alpha = 3*(X^2 - Z^4).
		c.double(&C) // leaves delta=Z^2, gamma=Y^2, alpha, oldX of the old C
		m.mul(&tmp, &Q.x, &c.delta)
		m.add(&tmp, &tmp, &c.oldX)
		m.mul(&line.a, &c.alpha, &tmp)
		m.sub(&line.a, &line.a, &c.gamma)
		m.sub(&line.a, &line.a, &c.gamma)
		m.mul(&line.b, &C.z, &c.delta) // new Z = 2*Y*Z
		m.mul(&line.b, &line.b, &Q.y)
		o.sqr(&v, &v)
		o.mul(&v, &v, &line)
		if pp.qm1.Bit(i) == 1 {
			// Addition line through C and R evaluated at [i]Q, scaled by
			// Z*H where H = Z^2*(R_x - C_x):  real = Rr*(Q_x + R_x) - R_y*Z*H,
			// imag = Z*H*Q_y, with Rr = Z^3*(R_y - C_y).
			c.prepareAdd(&C, &R)
			if c.h.isZero() {
				return ErrDegeneratePairing
			}
			m.mul(&line.b, &C.z, &c.h) // Z*H, also the new Z
			m.mul(&line.a, &c.r, &qxPlusRx)
			m.mul(&tmp, &R.y, &line.b)
			m.sub(&line.a, &line.a, &tmp)
			m.mul(&line.b, &line.b, &Q.y)
			o.mul(&v, &v, &line)
			c.finishAdd(&C)
		}
	}
	o.exp(t, &v, pp.c)
	return nil
}

// pfRepresentative returns b/a for t = a + i*b (RFC 6508 §3.2).
func (pp *Params) pfRepresentative(t *fp2) (*big.Int, error) {
	if t.a.isZero() {
		return nil, ErrDegeneratePairing
	}
	a, b := pp.mont.fromMont(&t.a), pp.mont.fromMont(&t.b)
	inv := a.ModInverse(a, pp.P)
	if inv == nil {
		return nil, ErrDegeneratePairing
	}
	b.Mul(b, inv)
	return b.Mod(b, pp.P), nil
}

// PFExp computes g^e in PF_p[q] for g given by its F_p representative
// (RFC 6508 §2.1, §6.2.1 step 4a). g is lifted to 1 + i*g in F_p^2,
// raised to e there, and mapped back to b/a; this equals repeated use of
// the PF_p product (a+b)/(1-ab) without an inversion per step.
func (pp *Params) PFExp(g, e *big.Int) (*big.Int, error) {
	o := &fp2ops{m: pp.mont}
	var x, t fp2
	x.a = pp.mont.one
	pp.mont.toMont(&x.b, new(big.Int).Mod(g, pp.P))
	o.exp(&t, &x, e)
	return pp.pfRepresentative(&t)
}
