package sakke

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// TestMontAgainstBig checks Montgomery arithmetic against math/big on
// random and edge values.
func TestMontAgainstBig(t *testing.T) {
	pp := ParameterSet1()
	m := newMont(pp.P)
	pm1 := new(big.Int).Sub(pp.P, big.NewInt(1))
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), pm1, new(big.Int).Rsh(pp.P, 1)}
	for range 200 {
		v, _ := rand.Int(rand.Reader, pp.P)
		vals = append(vals, v)
	}
	for i, x := range vals {
		y := vals[(i*7+3)%len(vals)]
		var a, b, z fe
		m.toMont(&a, x)
		m.toMont(&b, y)
		if got := m.fromMont(&a); got.Cmp(x) != 0 {
			t.Fatalf("round trip of %x gave %x", x, got)
		}
		check := func(op string, want *big.Int) {
			want.Mod(want, pp.P)
			if got := m.fromMont(&z); got.Cmp(want) != 0 {
				t.Fatalf("%s(%x, %x) = %x, want %x", op, x, y, got, want)
			}
		}
		m.mul(&z, &a, &b)
		check("mul", new(big.Int).Mul(x, y))
		m.add(&z, &a, &b)
		check("add", new(big.Int).Add(x, y))
		m.sub(&z, &a, &b)
		check("sub", new(big.Int).Sub(x, y))
		z = a
		m.mul(&z, &z, &z)
		check("sqr aliased", new(big.Int).Mul(x, x))
	}
}

func BenchmarkMontMul(b *testing.B) {
	pp := ParameterSet1()
	m := newMont(pp.P)
	var x, y fe
	m.toMont(&x, new(big.Int).Sub(pp.P, big.NewInt(5)))
	m.toMont(&y, pp.G)
	b.ReportAllocs()
	for b.Loop() {
		m.mul(&x, &x, &y)
	}
}

func BenchmarkBigMulMod(b *testing.B) {
	pp := ParameterSet1()
	x := new(big.Int).Sub(pp.P, big.NewInt(5))
	var prod, quo big.Int
	b.ReportAllocs()
	for b.Loop() {
		prod.Mul(x, pp.G)
		quo.QuoRem(&prod, pp.P, x)
	}
}

// FuzzMont compares Montgomery multiplication, addition and subtraction
// with math/big for arbitrary operands reduced below p (carries near p are
// where limb arithmetic goes wrong).
func FuzzMont(f *testing.F) {
	pp := ParameterSet1()
	pm1 := new(big.Int).Sub(pp.P, big.NewInt(1)).Bytes()
	f.Add(pm1, pm1)
	f.Add([]byte{1}, pm1)
	f.Add([]byte{}, []byte{0xff})
	m := newMont(pp.P)
	f.Fuzz(func(t *testing.T, xb, yb []byte) {
		if len(xb) > 128 || len(yb) > 128 {
			return
		}
		x := new(big.Int).SetBytes(xb)
		y := new(big.Int).SetBytes(yb)
		x.Mod(x, pp.P)
		y.Mod(y, pp.P)
		var a, b, z fe
		m.toMont(&a, x)
		m.toMont(&b, y)
		for _, op := range []struct {
			name string
			do   func()
			want *big.Int
		}{
			{"mul", func() { m.mul(&z, &a, &b) }, new(big.Int).Mul(x, y)},
			{"add", func() { m.add(&z, &a, &b) }, new(big.Int).Add(x, y)},
			{"sub", func() { m.sub(&z, &a, &b) }, new(big.Int).Sub(x, y)},
		} {
			op.do()
			op.want.Mod(op.want, pp.P)
			if got := m.fromMont(&z); got.Cmp(op.want) != 0 {
				t.Fatalf("%s(%x, %x) = %x, want %x", op.name, x, y, got, op.want)
			}
		}
	})
}
