package sakke

import (
	"fmt"
	"math/big"
)

// EncapsulatedData is SAKKE Encapsulated Data (R_(b,S), H) (RFC 6508 §4,
// §6.2.1 step 5).
type EncapsulatedData struct {
	R Point  // R_(b,S), a point of order q
	H []byte // the Hint, n/8 octets
}

// Marshal encodes the Encapsulated Data as 0x04 || Rx || Ry || H
// (RFC 6508 §4).
func (ed *EncapsulatedData) Marshal(pp *Params) []byte {
	out := pp.MarshalPoint(ed.R)
	return append(out, ed.H...)
}

// ParseEncapsulatedData decodes Encapsulated Data of exactly
// 2L + n/8 + 1 octets and checks that R lies on E (RFC 6508 §4,
// §6.2.2 step 1). Errors name the octet offset.
func (pp *Params) ParseEncapsulatedData(b []byte) (*EncapsulatedData, error) {
	want := pp.EncapsulatedLen()
	if len(b) != want {
		return nil, fmt.Errorf("sakke: encapsulated data is %d octets, want %d (0x04 || Rx || Ry || H) for %s", len(b), want, pp.Name)
	}
	pl := 1 + 2*pp.l
	r, err := pp.ParsePoint(b[:pl])
	if err != nil {
		return nil, err
	}
	h := make([]byte, pp.N/8)
	copy(h, b[pl:])
	return &EncapsulatedData{R: r, H: h}, nil
}

// encapTrace records the intermediate values of §6.2.1 for tests.
type encapTrace struct {
	r, gr, mask *big.Int
}

// Encapsulate forms Encapsulated Data carrying ssv (n/8 octets) to the
// holder of Identifier id under KMS Public Key Z (RFC 6508 §6.2.1 steps
// 2-5). The SSV is the only randomness: the caller chooses it.
func (pp *Params) Encapsulate(Z Point, id, ssv []byte) (*EncapsulatedData, error) {
	return pp.encapsulate(Z, id, ssv, nil)
}

func (pp *Params) encapsulate(Z Point, id, ssv []byte, tr *encapTrace) (*EncapsulatedData, error) {
	if len(ssv) != pp.N/8 {
		return nil, fmt.Errorf("sakke: SSV is %d octets, want %d", len(ssv), pp.N/8)
	}
	if !pp.IsOnCurve(Z) {
		return nil, fmt.Errorf("sakke: KMS public key: %w", ErrNotOnCurve)
	}
	b, err := pp.identifierInt(id)
	if err != nil {
		return nil, err
	}
	// 2) r = HashToIntegerRange(SSV || b, q, Hash)
	r := HashToIntegerRange(concat(ssv, id), pp.Q, pp.Hash)
	// 3) R_(b,S) = [r]([b]P + Z_S)
	bPZ := pp.Add(pp.ScalarMult(pp.Base, b), Z)
	R := pp.ScalarMult(bPZ, r)
	if R.IsInfinity() {
		return nil, errInfinity
	}
	// 4) H = SSV XOR HashToIntegerRange(g^r, 2^n, Hash)
	gr, err := pp.PFExp(pp.G, r)
	if err != nil {
		return nil, err
	}
	mask := pp.mask(gr)
	h := make([]byte, len(ssv))
	mask.FillBytes(h)
	for i := range h {
		h[i] ^= ssv[i]
	}
	if tr != nil {
		tr.r, tr.gr, tr.mask = r, gr, mask
	}
	return &EncapsulatedData{R: R, H: h}, nil
}

// mask returns HashToIntegerRange(w, 2^n, Hash) with w as an L-octet
// string (RFC 6508 §4 "PF_p elements").
func (pp *Params) mask(w *big.Int) *big.Int {
	wb := make([]byte, pp.l)
	w.FillBytes(wb)
	return HashToIntegerRange(wb, pp.twoN, pp.Hash)
}

func concat(a, b []byte) []byte {
	out := make([]byte, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}
