package sakke

import (
	"testing"
)

func BenchmarkPairing(b *testing.B) {
	pp := ParameterSet1()
	rsk := vecPoint(b, vecKbx, vecKby)
	R := vecPoint(b, vecRbx, vecRby)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pp.Pairing(R, rsk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecapsulate(b *testing.B) {
	pp := ParameterSet1()
	Z := vecPoint(b, vecZx, vecZy)
	rsk := vecPoint(b, vecKbx, vecKby)
	id := unhex(b, vecB)
	wire := append([]byte{4}, unhex(b, vecRbx+vecRby+vecH)...)
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		ed, err := pp.ParseEncapsulatedData(wire)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pp.Decapsulate(ed, id, rsk, Z); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncapsulate(b *testing.B) {
	pp := ParameterSet1()
	Z := vecPoint(b, vecZx, vecZy)
	id := unhex(b, vecB)
	ssv := unhex(b, vecSSV)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pp.Encapsulate(Z, id, ssv); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateRSK(b *testing.B) {
	pp := ParameterSet1()
	Z := vecPoint(b, vecZx, vecZy)
	rsk := vecPoint(b, vecKbx, vecKby)
	id := unhex(b, vecB)
	b.ReportAllocs()
	for b.Loop() {
		if err := pp.ValidateRSK(id, Z, rsk); err != nil {
			b.Fatal(err)
		}
	}
}
