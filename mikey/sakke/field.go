package sakke

import "math/big"

// fp2 is an element a + i*b of F_p^2 = F_p[i], i^2 = -1 (RFC 6508 §2.1),
// with a and b in Montgomery form.
type fp2 struct{ a, b fe }

// fp2ops does F_p^2 arithmetic with reusable scratch space; not safe for
// concurrent use.
type fp2ops struct {
	m          *mont
	t0, t1, t2 fe
}

// sqr sets z = x^2: (a+ib)^2 = (a+b)(a-b) + i*2ab. z may alias x.
func (o *fp2ops) sqr(z, x *fp2) {
	m := o.m
	m.add(&o.t0, &x.a, &x.b)
	m.sub(&o.t1, &x.a, &x.b)
	m.mul(&o.t2, &x.a, &x.b)
	m.mul(&z.a, &o.t0, &o.t1)
	m.add(&z.b, &o.t2, &o.t2)
}

// mul sets z = x*y with Karatsuba: (ac - bd) + i((a+b)(c+d) - ac - bd).
// z may alias x or y.
func (o *fp2ops) mul(z, x, y *fp2) {
	m := o.m
	m.mul(&o.t0, &x.a, &y.a)
	m.mul(&o.t1, &x.b, &y.b)
	m.add(&o.t2, &x.a, &x.b)
	m.add(&z.b, &y.a, &y.b) // reads y before z.a is written
	m.mul(&z.b, &z.b, &o.t2)
	m.sub(&z.b, &z.b, &o.t0)
	m.sub(&z.b, &z.b, &o.t1)
	m.sub(&z.a, &o.t0, &o.t1)
}

// exp sets z = x^e for e >= 0 by left-to-right square and multiply.
func (o *fp2ops) exp(z, x *fp2, e *big.Int) {
	base := *x
	z.a, z.b = o.m.one, fe{}
	for i := e.BitLen() - 1; i >= 0; i-- {
		o.sqr(z, z)
		if e.Bit(i) == 1 {
			o.mul(z, z, &base)
		}
	}
}
