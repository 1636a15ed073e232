package sakke

import (
	"math/big"
	"math/bits"
)

// limbs is the number of 64-bit words of an F_p element for the 1024-bit
// primes of MIKEY-SAKKE (RFC 6509 Appendix A).
const limbs = 16

// fe is an element of F_p in Montgomery form (x*R mod p, R = 2^1024),
// little-endian 64-bit limbs, always reduced below p.
type fe [limbs]uint64

// mont is F_p arithmetic in Montgomery form. It holds no scratch state and
// is safe for concurrent use.
type mont struct {
	p    fe
	pinv uint64 // -p^-1 mod 2^64
	r2   fe     // R^2 mod p, for conversion into Montgomery form
	one  fe     // R mod p, the Montgomery form of 1
}

// newMont prepares Montgomery arithmetic for an odd p of at most 1024 bits.
func newMont(p *big.Int) *mont {
	m := &mont{}
	bigToLimbs(&m.p, p)
	// Newton iteration for p^-1 mod 2^64: each step doubles the correct bits.
	inv := uint64(1)
	for range 6 {
		inv *= 2 - m.p[0]*inv
	}
	m.pinv = -inv
	r := new(big.Int).Lsh(big.NewInt(1), 64*limbs)
	bigToLimbs(&m.one, new(big.Int).Mod(r, p))
	r.Mul(r, r).Mod(r, p)
	bigToLimbs(&m.r2, r)
	return m
}

func bigToLimbs(z *fe, x *big.Int) {
	*z = fe{}
	for i, w := range x.Bits() {
		if i < limbs {
			z[i] = uint64(w)
		}
	}
}

func limbsToBig(x *fe) *big.Int {
	ws := make([]big.Word, limbs)
	for i := range ws {
		ws[i] = big.Word(x[i])
	}
	return new(big.Int).SetBits(ws)
}

// toMont sets z to the Montgomery form of x, 0 <= x < p.
func (m *mont) toMont(z *fe, x *big.Int) {
	var t fe
	bigToLimbs(&t, x)
	m.mul(z, &t, &m.r2)
}

// fromMont returns the integer value of x.
func (m *mont) fromMont(x *fe) *big.Int {
	var t, one fe
	one[0] = 1
	m.mul(&t, x, &one)
	return limbsToBig(&t)
}

// mul sets z = x*y/R mod p (CIOS Montgomery multiplication). z may alias
// x or y.
func (m *mont) mul(z, x, y *fe) {
	var t [limbs + 2]uint64
	for i := range limbs {
		// t += x * y[i]
		var c uint64
		yi := y[i]
		for j := range limbs {
			hi, lo := bits.Mul64(x[j], yi)
			var cc uint64
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j], c = lo, hi
		}
		var cc uint64
		t[limbs], cc = bits.Add64(t[limbs], c, 0)
		t[limbs+1] = cc
		// t = (t + q*p) / 2^64 with q chosen so the low word vanishes
		q := t[0] * m.pinv
		hi, lo := bits.Mul64(q, m.p[0])
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < limbs; j++ {
			hi, lo = bits.Mul64(q, m.p[j])
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1], c = lo, hi
		}
		t[limbs-1], cc = bits.Add64(t[limbs], c, 0)
		t[limbs] = t[limbs+1] + cc
	}
	m.reduceOnce(z, (*fe)(t[:limbs]), t[limbs])
}

// reduceOnce sets z = x - p if (carry:x) >= p, else x; (carry:x) < 2p.
func (m *mont) reduceOnce(z, x *fe, carry uint64) {
	var d fe
	var b uint64
	for i := range limbs {
		d[i], b = bits.Sub64(x[i], m.p[i], b)
	}
	// Keep the difference when it did not borrow, or when the carry word
	// absorbs the borrow.
	if carry != 0 || b == 0 {
		*z = d
	} else {
		*z = *x
	}
}

// add sets z = x+y mod p.
func (m *mont) add(z, x, y *fe) {
	var s fe
	var c uint64
	for i := range limbs {
		s[i], c = bits.Add64(x[i], y[i], c)
	}
	m.reduceOnce(z, &s, c)
}

// sub sets z = x-y mod p.
func (m *mont) sub(z, x, y *fe) {
	var b uint64
	var d fe
	for i := range limbs {
		d[i], b = bits.Sub64(x[i], y[i], b)
	}
	if b != 0 {
		var c uint64
		for i := range limbs {
			d[i], c = bits.Add64(d[i], m.p[i], c)
		}
	}
	*z = d
}

func (x *fe) isZero() bool {
	var acc uint64
	for _, w := range x {
		acc |= w
	}
	return acc == 0
}
