package sakke

import (
	"errors"
	"fmt"
	"math/big"
)

// ErrWrongIdentity reports Encapsulated Data whose check of RFC 6508
// §6.2.2 step 5 fails: [r]([b]P + Z) != R_(b,S). The data was formed for
// another Identifier (another user or key period), under another KMS
// public key, or was altered; the SSV must not be used.
var ErrWrongIdentity = errors.New("sakke: encapsulated data not for this identifier and KMS key (TEST != R_(b,S))")

// decapTrace records the intermediate values of §6.2.2 for tests.
type decapTrace struct {
	w, r *big.Int
	test Point
}

// Decapsulate recovers the SSV from Encapsulated Data with the receiver's
// Identifier id, its RSK and the KMS Public Key Z (RFC 6508 §6.2.2).
// It returns ErrWrongIdentity when the step 5 check fails.
func (pp *Params) Decapsulate(ed *EncapsulatedData, id []byte, rsk, Z Point) ([]byte, error) {
	return pp.decapsulate(ed, id, rsk, Z, nil)
}

func (pp *Params) decapsulate(ed *EncapsulatedData, id []byte, rsk, Z Point, tr *decapTrace) ([]byte, error) {
	if len(ed.H) != pp.N/8 {
		return nil, fmt.Errorf("sakke: hint is %d octets, want %d", len(ed.H), pp.N/8)
	}
	if !pp.IsOnCurve(Z) {
		return nil, fmt.Errorf("sakke: KMS public key: %w", ErrNotOnCurve)
	}
	if !pp.IsOnCurve(rsk) {
		return nil, fmt.Errorf("sakke: RSK: %w", ErrNotOnCurve)
	}
	if !pp.IsOnCurve(ed.R) {
		return nil, fmt.Errorf("sakke: R_(b,S): %w", ErrNotOnCurve)
	}
	b, err := pp.identifierInt(id)
	if err != nil {
		return nil, err
	}
	// 2) w = <R_(b,S), K_(b,S)>
	w, err := pp.Pairing(ed.R, rsk)
	if err != nil {
		if errors.Is(err, ErrDegeneratePairing) {
			return nil, fmt.Errorf("%w: %v", ErrWrongIdentity, err)
		}
		return nil, err
	}
	// 3) SSV = H XOR HashToIntegerRange(w, 2^n, Hash)
	ssv := make([]byte, len(ed.H))
	pp.mask(w).FillBytes(ssv)
	for i := range ssv {
		ssv[i] ^= ed.H[i]
	}
	// 4) r = HashToIntegerRange(SSV || b, q, Hash)
	r := HashToIntegerRange(concat(ssv, id), pp.Q, pp.Hash)
	// 5) TEST = [r]([b]P + Z_S) must equal R_(b,S)
	test := pp.ScalarMult(pp.Add(pp.ScalarMult(pp.Base, b), Z), r)
	if tr != nil {
		tr.w, tr.r, tr.test = w, r, test
	}
	if !test.Equal(ed.R) {
		clear(ssv)
		return nil, ErrWrongIdentity
	}
	return ssv, nil
}
