package sakke

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParseEncapsulatedData feeds junk to the Encapsulated Data parser
// and, when it parses, to decapsulation with the RFC 6508 keys: neither
// may panic, and only the RFC vector may decapsulate to its SSV.
func FuzzParseEncapsulatedData(f *testing.F) {
	good := append([]byte{4}, unhex(f, vecRbx+vecRby+vecH)...)
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte{})
	f.Add([]byte{4})
	tampered := bytes.Clone(good)
	tampered[272] ^= 0x80
	f.Add(tampered)
	pp := ParameterSet1()
	Z := vecPoint(f, vecZx, vecZy)
	rsk := vecPoint(f, vecKbx, vecKby)
	id := unhex(f, vecB)
	f.Fuzz(func(t *testing.T, b []byte) {
		ed, err := pp.ParseEncapsulatedData(b)
		if err != nil {
			return
		}
		if !bytes.Equal(ed.Marshal(pp), b) {
			t.Fatal("Marshal(Parse(b)) != b")
		}
		ssv, err := pp.Decapsulate(ed, id, rsk, Z)
		if err == nil && !bytes.Equal(b, good) {
			t.Fatalf("decapsulated forged data to SSV %x", ssv)
		}
		if err != nil && !errors.Is(err, ErrWrongIdentity) {
			t.Fatalf("unexpected error class: %v", err)
		}
	})
}

// FuzzPairing checks that arbitrary coordinates never panic the pairing
// or the point parser.
func FuzzPairing(f *testing.F) {
	pp := ParameterSet1()
	f.Add(pp.MarshalPoint(pp.Base), pp.MarshalPoint(pp.Base))
	f.Add([]byte{4, 0}, []byte{})
	f.Add(make([]byte, 257), make([]byte, 257))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		R, err1 := pp.ParsePoint(a)
		Q, err2 := pp.ParsePoint(b)
		if err1 != nil || err2 != nil {
			return
		}
		_, _ = pp.Pairing(R, Q)
	})
}

// FuzzParseIdentity checks the Identifier parser on junk.
func FuzzParseIdentity(f *testing.F) {
	f.Add(unhex(f, vecB))
	f.Add([]byte("2011-02\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		month, uri, err := ParseIdentity(b)
		if err != nil {
			return
		}
		if len(month) != 7 || 9+len(uri) != len(b) {
			t.Fatalf("inconsistent split %q %q of %d octets", month, uri, len(b))
		}
	})
}
