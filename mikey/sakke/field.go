package sakke

import "math/big"

// field does arithmetic modulo p on non-negative big.Ints in [0, p) with
// reusable scratch space, so the pairing and scalar multiplication loops do
// not allocate per operation. A field is not safe for concurrent use.
type field struct {
	p    *big.Int
	quo  big.Int
	prod big.Int
}

func newField(p *big.Int) *field { return &field{p: p} }

// mul sets z = x*y mod p. z may alias x or y.
func (f *field) mul(z, x, y *big.Int) {
	f.prod.Mul(x, y)
	f.quo.QuoRem(&f.prod, f.p, z)
}

// sqr sets z = x^2 mod p.
func (f *field) sqr(z, x *big.Int) { f.mul(z, x, x) }

// add sets z = x+y mod p.
func (f *field) add(z, x, y *big.Int) {
	z.Add(x, y)
	if z.Cmp(f.p) >= 0 {
		z.Sub(z, f.p)
	}
}

// sub sets z = x-y mod p.
func (f *field) sub(z, x, y *big.Int) {
	z.Sub(x, y)
	if z.Sign() < 0 {
		z.Add(z, f.p)
	}
}

// dbl sets z = 2x mod p.
func (f *field) dbl(z, x *big.Int) { f.add(z, x, x) }

// fp2 is an element a + i*b of F_p^2 = F_p[i], i^2 = -1 (RFC 6508 §2.1).
type fp2 struct{ a, b big.Int }

// fp2ops holds scratch space for F_p^2 arithmetic.
type fp2ops struct {
	f          *field
	t0, t1, t2 big.Int
}

// sqr sets z = x^2: (a+ib)^2 = (a+b)(a-b) + i*2ab. z may alias x.
func (o *fp2ops) sqr(z, x *fp2) {
	f := o.f
	f.add(&o.t0, &x.a, &x.b)
	f.sub(&o.t1, &x.a, &x.b)
	f.mul(&o.t2, &x.a, &x.b)
	f.mul(&z.a, &o.t0, &o.t1)
	f.dbl(&z.b, &o.t2)
}

// mul sets z = x*y with Karatsuba: (ac - bd) + i((a+b)(c+d) - ac - bd).
// z may alias x or y.
func (o *fp2ops) mul(z, x, y *fp2) {
	f := o.f
	f.mul(&o.t0, &x.a, &y.a)
	f.mul(&o.t1, &x.b, &y.b)
	f.add(&o.t2, &x.a, &x.b)
	f.add(&z.b, &y.a, &y.b) // y no longer needed except via t0,t1 after this
	f.mul(&z.b, &z.b, &o.t2)
	f.sub(&z.b, &z.b, &o.t0)
	f.sub(&z.b, &z.b, &o.t1)
	f.sub(&z.a, &o.t0, &o.t1)
}

// exp sets z = x^e for e >= 0 by left-to-right square and multiply.
func (o *fp2ops) exp(z, x *fp2, e *big.Int) {
	var base fp2
	base.a.Set(&x.a)
	base.b.Set(&x.b)
	z.a.SetInt64(1)
	z.b.SetInt64(0)
	for i := e.BitLen() - 1; i >= 0; i-- {
		o.sqr(z, z)
		if e.Bit(i) == 1 {
			o.mul(z, z, &base)
		}
	}
}
