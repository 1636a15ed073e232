package eccsi

import "testing"

func BenchmarkVerify(b *testing.B) {
	kpak := vecPoint(b, vecKPAK)
	id, msg, sig := unhex(b, vecID), unhex(b, vecM), unhex(b, vecSig)
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyBytes(kpak, id, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	kpak, pvt := vecPoint(b, vecKPAK), vecPoint(b, vecPVT)
	id, msg := unhex(b, vecID), unhex(b, vecM)
	ssk, j := bigHex(b, vecSSK), bigHex(b, vecJ)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(kpak, id, msg, ssk, pvt, j); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateSSK(b *testing.B) {
	kpak, pvt := vecPoint(b, vecKPAK), vecPoint(b, vecPVT)
	id, ssk := unhex(b, vecID), bigHex(b, vecSSK)
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateSSK(kpak, id, ssk, pvt); err != nil {
			b.Fatal(err)
		}
	}
}
