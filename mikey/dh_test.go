package mikey

import (
	"bytes"
	"errors"
	"math/big"
	"testing"
)

// piTimes2 returns floor(pi * 2^k), computed with Machin's formula
// pi = 16 arctan(1/5) - 4 arctan(1/239) in fixed point with guard bits.
func piTimes2(k uint) *big.Int {
	const guard = 64
	one := new(big.Int).Lsh(big.NewInt(1), k+guard)
	arctanInv := func(x int64) *big.Int {
		sum := new(big.Int)
		bx := big.NewInt(x)
		x2 := big.NewInt(x * x)
		term := new(big.Int).Quo(one, bx)
		for n, sign := int64(1), 1; term.Sign() != 0; n, sign = n+2, -sign {
			t := new(big.Int).Quo(term, big.NewInt(n))
			if sign > 0 {
				sum.Add(sum, t)
			} else {
				sum.Sub(sum, t)
			}
			term.Quo(term, x2)
		}
		return sum
	}
	pi := new(big.Int).Mul(arctanInv(5), big.NewInt(16))
	pi.Sub(pi, new(big.Int).Mul(arctanInv(239), big.NewInt(4)))
	return pi.Rsh(pi, guard)
}

// TestOAKLEYPrimesFromFormula recomputes each prime from its definition in
// RFC 2409 §6 / RFC 3526 §2: p = 2^b - 2^(b-64) - 1 + 2^64 * ([2^(b-130) pi] + c).
func TestOAKLEYPrimesFromFormula(t *testing.T) {
	tests := []struct {
		g    DHGroup
		bits uint
		c    int64
	}{
		{DHOakley1, 768, 149686},
		{DHOakley2, 1024, 129093},
		{DHOakley5, 1536, 741804},
	}
	for _, tt := range tests {
		one := big.NewInt(1)
		want := new(big.Int).Lsh(one, tt.bits)
		want.Sub(want, new(big.Int).Lsh(one, tt.bits-64))
		want.Sub(want, one)
		f := piTimes2(tt.bits - 130)
		f.Add(f, big.NewInt(tt.c))
		want.Add(want, f.Lsh(f, 64))
		p, err := DHPrime(tt.g)
		if err != nil {
			t.Fatal(err)
		}
		if p.Cmp(want) != 0 {
			t.Errorf("%v: prime differs from formula", tt.g)
		}
		if !p.ProbablyPrime(20) {
			t.Errorf("%v: not prime", tt.g)
		}
		if n, _ := tt.g.ValueLen(); p.BitLen() != int(tt.bits) || n*8 != int(tt.bits) {
			t.Errorf("%v: %d bits", tt.g, p.BitLen())
		}
	}
}

func TestDHSharedAgrees(t *testing.T) {
	for _, g := range []DHGroup{DHOakley1, DHOakley2, DHOakley5} {
		xi, _ := NewDHPrivate()
		xr, _ := NewDHPrivate()
		yi, err := DHPublic(g, xi)
		if err != nil {
			t.Fatal(err)
		}
		yr, _ := DHPublic(g, xr)
		ki, err := DHShared(g, xi, yr)
		if err != nil {
			t.Fatal(err)
		}
		kr, _ := DHShared(g, xr, yi)
		n, _ := g.ValueLen()
		if !bytes.Equal(ki, kr) || len(ki) != n {
			t.Fatalf("%v: shared secrets differ", g)
		}
	}
	// Small-number check by hand: 2^3 = 8, 8^5 mod p = 2^15.
	k, _ := DHShared(DHOakley1, []byte{5}, []byte{8})
	if new(big.Int).SetBytes(k).Int64() != 1<<15 {
		t.Fatalf("2^15 expected, got %x", k)
	}
}

func TestDHRejectsBadValues(t *testing.T) {
	p, _ := DHPrime(DHOakley1)
	pm1 := new(big.Int).Sub(p, big.NewInt(1)).Bytes()
	for _, y := range [][]byte{{0}, {1}, pm1, p.Bytes(), make([]byte, 97)} {
		if _, err := DHShared(DHOakley1, []byte{3}, y); !errors.Is(err, ErrBadDHValue) {
			t.Errorf("value %x accepted: %v", y[:1], err)
		}
	}
	if _, err := DHPublic(9, []byte{1}); !errors.Is(err, ErrUnknownDHGroup) {
		t.Error("unknown group accepted")
	}
}
