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
// of first appearance, in fixed storage (recording never allocates).
// Overflow counts MKIs that did not fit.
type MKISet struct {
	n        int
	lens     [mkiSetCap]uint8
	vals     [mkiSetCap][mkiMaxLen]byte
	Overflow uint64
}

// Add records mki (a value longer than 16 bytes is kept truncated).
func (m *MKISet) Add(mki []byte) {
	if len(mki) > mkiMaxLen {
		mki = mki[:mkiMaxLen]
	}
	for i := 0; i < m.n; i++ {
		if int(m.lens[i]) == len(mki) && bytes.Equal(m.vals[i][:len(mki)], mki) {
			return
		}
	}
	if m.n == mkiSetCap {
		m.Overflow++
		return
	}
	m.lens[m.n] = uint8(len(mki))
	copy(m.vals[m.n][:], mki)
	m.n++
}

// Len returns the number of distinct MKIs remembered.
func (m *MKISet) Len() int { return m.n }

// At returns the i-th MKI (a copy).
func (m *MKISet) At(i int) []byte {
	if i < 0 || i >= m.n {
		return nil
	}
	return bytes.Clone(m.vals[i][:m.lens[i]])
}

// MarshalJSON writes the MKIs as an array of hex strings.
func (m MKISet) MarshalJSON() ([]byte, error) {
	out := make([]string, m.n)
	for i := range out {
		out[i] = hex.EncodeToString(m.vals[i][:m.lens[i]])
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
