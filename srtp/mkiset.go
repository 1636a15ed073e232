package srtp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
)

// mkiSetCap bounds the distinct MKIs a stream remembers.
const mkiSetCap = 8

// mkiMaxLen is the longest MKI remembered in full; longer ones are kept
// truncated.
const mkiMaxLen = 16

// MKISet remembers up to 8 distinct MKI values seen on a stream, in order
// of first appearance. Overflow counts MKIs that did not fit.
//
// Most streams carry no MKI, and every stream's statistics are kept until
// the end of a pass (twice: the analysis model copies them), so the values
// live out of line: a set without MKIs is three words. Recording an MKI
// already in the set never allocates; a new one copies the storage, so a
// copied set (a Stats copied by value) never sees later additions.
type MKISet struct {
	n        int
	vals     *[mkiSetCap]mkiValue // nil until the first MKI; never written once set
	Overflow uint64
}

// mkiValue is one remembered MKI.
type mkiValue struct {
	len uint8
	b   [mkiMaxLen]byte
}

// bytes returns the value (aliasing the set's storage).
func (v *mkiValue) bytes() []byte { return v.b[:v.len] }

// Add records mki (a value longer than 16 bytes is kept truncated).
func (m *MKISet) Add(mki []byte) {
	if len(mki) > mkiMaxLen {
		mki = mki[:mkiMaxLen]
	}
	for i := 0; i < m.n; i++ {
		if bytes.Equal(m.vals[i].bytes(), mki) {
			return
		}
	}
	if m.n == mkiSetCap {
		m.Overflow++
		return
	}
	vals := new([mkiSetCap]mkiValue)
	if m.vals != nil {
		*vals = *m.vals
	}
	vals[m.n].len = uint8(len(mki))
	copy(vals[m.n].b[:], mki)
	m.vals = vals
	m.n++
}

// Len returns the number of distinct MKIs remembered.
func (m *MKISet) Len() int { return m.n }

// At returns the i-th MKI (a copy).
func (m *MKISet) At(i int) []byte {
	if i < 0 || i >= m.n {
		return nil
	}
	return bytes.Clone(m.vals[i].bytes())
}

// MarshalJSON writes the MKIs as an array of hex strings.
func (m MKISet) MarshalJSON() ([]byte, error) {
	out := make([]string, m.n)
	for i := range out {
		out[i] = hex.EncodeToString(m.vals[i].bytes())
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads an array of hex strings.
func (m *MKISet) UnmarshalJSON(b []byte) error {
	var hs []string
	if err := json.Unmarshal(b, &hs); err != nil {
		return err
	}
	*m = MKISet{}
	for _, h := range hs {
		v, err := hex.DecodeString(h)
		if err != nil {
			return err
		}
		m.Add(v)
	}
	return nil
}
