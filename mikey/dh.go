package mikey

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
)

// OAKLEY MODP primes, generator 2 (RFC 3830 §4.2.7, Table 6.4):
// group 1 (768-bit) and group 2 (1024-bit) from RFC 2409 §6.1-6.2, group 5
// (1536-bit) from RFC 3526 §2. Each is 2^b - 2^(b-64) - 1 + 2^64 *
// ([2^(b-130) pi] + c); dh_test.go recomputes them from that formula.
const (
	oakley1Hex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
		"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
		"E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF"
	oakley2Hex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
		"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
		"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
		"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381" +
		"FFFFFFFFFFFFFFFF"
	oakley5Hex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
		"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
		"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
		"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
		"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
		"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
		"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
		"670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF"
)

var (
	oakleyPrimes = map[DHGroup]*big.Int{
		DHOakley1: mustHexInt(oakley1Hex),
		DHOakley2: mustHexInt(oakley2Hex),
		DHOakley5: mustHexInt(oakley5Hex),
	}
	dhGenerator = big.NewInt(2)
)

// ErrUnknownDHGroup is returned for a DH group no RFC defines.
var ErrUnknownDHGroup = errors.New("unknown DH group")

// ErrBadDHValue is returned for a public value outside 2..p-2.
var ErrBadDHValue = errors.New("DH public value out of range")

// mustHexInt parses a constant of this file; a typo would yield nil, which
// DHPrime reports as an unknown group (and dh_test.go catches).
func mustHexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return nil
	}
	return n
}

// DHPrime returns the prime of an OAKLEY group (generator 2).
func DHPrime(g DHGroup) (*big.Int, error) {
	p := oakleyPrimes[g]
	if p == nil {
		return nil, fmt.Errorf("%w %d", ErrUnknownDHGroup, g)
	}
	return p, nil
}

// DHPublic returns g^x mod p as a DH-value of the group's fixed length
// (RFC 3830 §6.4).
func DHPublic(g DHGroup, priv []byte) ([]byte, error) {
	p, err := DHPrime(g)
	if err != nil {
		return nil, err
	}
	x := new(big.Int).SetBytes(priv)
	if x.Sign() == 0 {
		return nil, errors.New("DH private value is zero")
	}
	n, _ := g.ValueLen()
	return new(big.Int).Exp(dhGenerator, x, p).FillBytes(make([]byte, n)), nil
}

// DHShared returns peer^x mod p, the TGK g^(xi*xr) of RFC 3830 §3.3, as a
// value of the group's fixed length. The peer value must lie in 2..p-2.
func DHShared(g DHGroup, priv, peerPublic []byte) ([]byte, error) {
	p, err := DHPrime(g)
	if err != nil {
		return nil, err
	}
	n, _ := g.ValueLen()
	if len(peerPublic) > n {
		return nil, fmt.Errorf("%w: %d bytes for a %d-byte group", ErrBadDHValue, len(peerPublic), n)
	}
	y := new(big.Int).SetBytes(peerPublic)
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	if y.Cmp(big.NewInt(1)) <= 0 || y.Cmp(pm1) >= 0 {
		return nil, ErrBadDHValue
	}
	x := new(big.Int).SetBytes(priv)
	if x.Sign() == 0 {
		return nil, errors.New("DH private value is zero")
	}
	return new(big.Int).Exp(y, x, p).FillBytes(make([]byte, n)), nil
}

// NewDHPrivate draws a random private value of 256 bits (for building
// messages and tests).
func NewDHPrivate() ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	b[0] |= 0x80
	return b, nil
}

// NewDHPayload builds a DH payload carrying g^priv of group g (RFC 3830
// §6.4), with no key validity data.
func NewDHPayload(g DHGroup, priv []byte) (*DHPayload, error) {
	v, err := DHPublic(g, priv)
	if err != nil {
		return nil, err
	}
	return &DHPayload{Group: g, Value: v}, nil
}
