package sakke

import (
	"errors"
	"fmt"
	"io"
	"math/big"
)

// identifierInt interprets an Identifier as an integer (RFC 6508 §2.2,
// §6.1.1): big-endian, required to lie in [2, q-1].
func (pp *Params) identifierInt(id []byte) (*big.Int, error) {
	if len(id) > pp.l {
		return nil, fmt.Errorf("sakke: identifier of %d octets does not fit below q", len(id))
	}
	b := new(big.Int).SetBytes(id)
	if b.Cmp(big.NewInt(2)) < 0 || b.Cmp(pp.Q) >= 0 {
		return nil, errors.New("sakke: identifier as an integer is not in [2, q-1]")
	}
	return b, nil
}

// PublicKey returns the KMS Public Key Z = [z]P for master secret z
// (RFC 6508 §6.1).
func (pp *Params) PublicKey(z *big.Int) (Point, error) {
	if z.Cmp(big.NewInt(2)) < 0 || z.Cmp(pp.Q) >= 0 {
		return Point{}, errors.New("sakke: KMS master secret is not in [2, q-1]")
	}
	return pp.ScalarMult(pp.Base, z), nil
}

// GenerateMasterSecret picks a KMS master secret z uniformly in [2, q-1]
// (RFC 6508 §6.1). For tests and sample generation.
func (pp *Params) GenerateMasterSecret(rnd io.Reader) (*big.Int, error) {
	max := new(big.Int).Sub(pp.Q, big.NewInt(2))
	buf := make([]byte, pp.l+8)
	if _, err := io.ReadFull(rnd, buf); err != nil {
		return nil, fmt.Errorf("sakke: reading randomness: %w", err)
	}
	z := new(big.Int).SetBytes(buf)
	z.Mod(z, max)
	return z.Add(z, big.NewInt(2)), nil
}

// ExtractRSK derives the Receiver Secret Key K_(a) = [(a + z)^-1]P for
// Identifier a (RFC 6508 §6.1.1), inverting modulo q.
func (pp *Params) ExtractRSK(z *big.Int, id []byte) (Point, error) {
	a, err := pp.identifierInt(id)
	if err != nil {
		return Point{}, err
	}
	s := new(big.Int).Add(a, z)
	s.Mod(s, pp.Q)
	inv := new(big.Int).ModInverse(s, pp.Q)
	if s.Sign() == 0 || inv == nil {
		return Point{}, errors.New("sakke: a + z is zero modulo q; choose another master secret")
	}
	return pp.ScalarMult(pp.Base, inv), nil
}

// ErrInvalidRSK reports an RSK that fails the check of RFC 6508 §6.1.2
// for the given Identifier and KMS Public Key: wrong key for this
// identity or key period, or a corrupted key.
var ErrInvalidRSK = errors.New("sakke: RSK does not match identifier and KMS public key (<[a]P+Z, RSK> != g)")

// ValidateRSK checks < [a]P + Z, RSK > = g for Identifier a
// (RFC 6508 §6.1.2).
func (pp *Params) ValidateRSK(id []byte, Z, rsk Point) error {
	if !pp.IsOnCurve(Z) {
		return fmt.Errorf("sakke: KMS public key: %w", ErrNotOnCurve)
	}
	if !pp.IsOnCurve(rsk) {
		return fmt.Errorf("sakke: RSK: %w", ErrNotOnCurve)
	}
	a, err := pp.identifierInt(id)
	if err != nil {
		return err
	}
	aPZ := pp.Add(pp.ScalarMult(pp.Base, a), Z)
	if aPZ.IsInfinity() {
		return ErrInvalidRSK
	}
	w, err := pp.Pairing(aPZ, rsk)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidRSK, err)
	}
	if w.Cmp(pp.G) != 0 {
		return ErrInvalidRSK
	}
	return nil
}
