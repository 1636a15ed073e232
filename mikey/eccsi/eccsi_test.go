package eccsi

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// RFC 6507 Appendix A test data, copied verbatim.
const (
	vecKSAK = `12345`
	vecKPAK = `04 50D4670B DE75244F 28D2838A 0D25558A 7A72686D 4522D4C8 273FB644 2AEBFA93
		DBDD3755 1AFD263B 5DFD617F 3960C65A 8C298850 FF99F203 66DCE7D4 367217F4`
	vecID  = `3230 31312D30 32007465 6C3A2B34 34373730 30393030 31323300`
	vecV   = `23456`
	vecPVT = `04 758A1427 79BE89E8 29E71984 CB40EF75 8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9
		A79D2476 92F4EDA3 A6BDAB77 D6AA6474 A464AE49 34663C52 65BA7018 BA091F79`
	vecHS  = `490F3FEB BC1C902F 6289723D 7F8CBF79 DB889308 49D19F38 F0295B5C 276C14D1`
	vecSSK = `23F374AE 1F4033F3 E9DBDDAA EF20F4CF 0B86BBD5 A138A5AE 9E7E006B 34489A0D`
	vecM   = `6D657373 61676500`
	vecJ   = `34567`
	vecJpt = `04 269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81
		6DDA6A13 10F4B067 BD5DABDA D741B7CE F36457E1 96B1BFA9 7FD5F8FB B3926ADB`
	vecR   = `269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81`
	vecHE  = `111F90EA E8271C96 DF9B3D67 26768D9E E9B18145 D7EC152C FA9C23D1 C4F02285`
	vecSp  = `E09B528D 0EF8D6DF 1AA3ECBF 80110CFC EC9FC682 52CEBB67 9F413484 6940CCFD`
	vecS   = `E09B528D 0EF8D6DF 1AA3ECBF 80110CFC EC9FC682 52CEBB67 9F413484 6940CCFD`
	vecSig = `269D4C8F DEB66A74 E4EF8C0D 5DCC597D DFE6029C 2AFFC493 6008CD2C C1045D81
		E09B528D 0EF8D6DF 1AA3ECBF 80110CFC EC9FC682 52CEBB67 9F413484 6940CCFD
		04 758A1427 79BE89E8 29E71984 CB40EF75 8CC4AD77 5FC5B9A3 E1C8ED52 F6FA36D9
		A79D2476 92F4EDA3 A6BDAB77 D6AA6474 A464AE49 34663C52 65BA7018 BA091F79`
	vecY = `04 833898D9 39C0013B B0502728 6F95CCE0 37C11BD2 5799423C 76E48362 A4959978
		95D0473A 1CD6186E E9F0C104 B472499E 1A24D6CE 3D85173F 02EBBD94 5C25F604`
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	return b
}

func bigHex(t testing.TB, s string) *big.Int { return new(big.Int).SetBytes(unhex(t, s)) }

func vecPoint(t testing.TB, s string) Point {
	p, err := ParsePoint(unhex(t, s))
	if err != nil {
		t.Fatalf("vector point: %v", err)
	}
	return p
}

func eqBytes(t *testing.T, name string, got []byte, want string) {
	t.Helper()
	if w := unhex(t, want); !bytes.Equal(got, w) {
		t.Errorf("%s = %x, want %x", name, got, w)
	}
}

func eqInt(t *testing.T, name string, got *big.Int, want string) {
	t.Helper()
	if w := bigHex(t, want); got == nil || got.Cmp(w) != 0 {
		t.Errorf("%s = %x, want %x", name, got, w)
	}
}

func TestP256Parameters(t *testing.T) {
	if !IsOnCurve(baseG) {
		t.Fatal("G not on curve")
	}
	if !scalarMult(baseG, curveQ).IsInfinity() {
		t.Error("[q]G != 0")
	}
	if curveP.BitLen() != 256 || !curveP.ProbablyPrime(20) || !curveQ.ProbablyPrime(20) {
		t.Error("bad p or q")
	}
}

// TestScalarMultAgainstECDH cross-checks the math/big arithmetic against
// the standard library's P-256 (crypto/ecdh), an independent
// implementation.
func TestScalarMultAgainstECDH(t *testing.T) {
	for i := range 20 {
		k := make([]byte, 32)
		rand.Read(k)
		k[0] &= 0x7f
		if i == 0 {
			k = append(make([]byte, 31), 1)
		}
		priv, err := ecdh.P256().NewPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		want := priv.PublicKey().Bytes()
		if got := MarshalPoint(scalarMult(baseG, new(big.Int).SetBytes(k))); !bytes.Equal(got, want) {
			t.Fatalf("[k]G mismatch for k=%x", k)
		}
	}
}

func TestKeysRFC6507(t *testing.T) {
	kpak, err := KPAK(bigHex(t, vecKSAK))
	if err != nil {
		t.Fatal(err)
	}
	eqBytes(t, "KPAK", MarshalPoint(kpak), vecKPAK)
	id := unhex(t, vecID)
	eqBytes(t, "ID", id, "323031312D3032 00 74656C3A2B343437373030393030313233 00")
	ssk, pvt, err := IssueSSK(bigHex(t, vecKSAK), id, bigHex(t, vecV))
	if err != nil {
		t.Fatal(err)
	}
	eqBytes(t, "PVT", MarshalPoint(pvt), vecPVT)
	eqBytes(t, "HS", HashHS(kpak, id, pvt), vecHS)
	eqInt(t, "SSK", ssk, vecSSK)
	if err := ValidateSSK(kpak, id, ssk, pvt); err != nil {
		t.Errorf("ValidateSSK(RFC vector) = %v", err)
	}
	// Wrong SSK, wrong identity, wrong KPAK.
	bad := new(big.Int).Add(ssk, big.NewInt(1))
	if err := ValidateSSK(kpak, id, bad, pvt); !errors.Is(err, ErrInvalidSSK) {
		t.Errorf("SSK+1: %v", err)
	}
	other := bytes.Clone(id)
	other[6] = '3'
	if err := ValidateSSK(kpak, other, ssk, pvt); !errors.Is(err, ErrInvalidSSK) {
		t.Errorf("other month: %v", err)
	}
	if err := ValidateSSK(baseG, id, ssk, pvt); !errors.Is(err, ErrInvalidSSK) {
		t.Errorf("other KPAK: %v", err)
	}
}

func TestSignRFC6507(t *testing.T) {
	kpak := vecPoint(t, vecKPAK)
	pvt := vecPoint(t, vecPVT)
	var tr signTrace
	sig, err := sign(kpak, unhex(t, vecID), unhex(t, vecM), bigHex(t, vecSSK), pvt, bigHex(t, vecJ), &tr)
	if err != nil {
		t.Fatal(err)
	}
	eqBytes(t, "J", MarshalPoint(tr.J), vecJpt)
	eqInt(t, "r", sig.R, vecR)
	eqBytes(t, "HE", tr.HE, vecHE)
	eqInt(t, "s'", tr.sPrime, vecSp)
	eqInt(t, "s", sig.S, vecS)
	wire, err := sig.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	eqBytes(t, "Signature", wire, vecSig)
	wide := &Signature{R: new(big.Int).Lsh(big.NewInt(1), 256), S: sig.S, PVT: sig.PVT}
	if _, err := wide.Marshal(); err == nil {
		t.Error("Marshal accepted a 257-bit r")
	}
}

func TestVerifyRFC6507(t *testing.T) {
	kpak := vecPoint(t, vecKPAK)
	id, msg := unhex(t, vecID), unhex(t, vecM)
	sig, err := ParseSignature(unhex(t, vecSig))
	if err != nil {
		t.Fatal(err)
	}
	var tr verifyTrace
	if err := verify(kpak, id, msg, sig, &tr); err != nil {
		t.Fatalf("verify(RFC vector) = %v", err)
	}
	eqBytes(t, "HS", tr.HS, vecHS)
	eqBytes(t, "HE", tr.HE, vecHE)
	eqBytes(t, "Y", MarshalPoint(tr.Y), vecY)
	eqBytes(t, "J", MarshalPoint(tr.J), vecJpt)
	eqInt(t, "Jx", tr.J.X, vecR)
}

func TestVerifyRejects(t *testing.T) {
	kpak := vecPoint(t, vecKPAK)
	id, msg := unhex(t, vecID), unhex(t, vecM)
	good := unhex(t, vecSig)
	flip := func(i int) []byte { b := bytes.Clone(good); b[i] ^= 1; return b }
	otherKPAK, _ := KPAK(big.NewInt(0x54321))
	tests := []struct {
		name  string
		kpak  Point
		id    []byte
		msg   []byte
		sig   []byte
		want  error
		parse bool // error comes from parsing
	}{
		{"message changed", kpak, id, []byte("message\x01"), good, ErrBadSignature, false},
		{"identity changed", kpak, []byte("2011-03\x00tel:+447700900123\x00"), msg, good, ErrBadSignature, false},
		{"other KPAK", otherKPAK, id, msg, good, ErrBadSignature, false},
		{"r flipped", kpak, id, msg, flip(5), ErrBadSignature, false},
		{"s flipped", kpak, id, msg, flip(40), ErrBadSignature, false},
		{"PVT off curve", kpak, id, msg, flip(100), ErrNotOnCurve, true},
		{"short", kpak, id, msg, good[:128], nil, true},
		// A full-length signature whose PVT format octet is not 0x04: the
		// case the CI fuzz pass found the error class missing for.
		{"PVT format octet", kpak, id, msg, withByte(good, 2*N, 0x02), ErrPointFormat, true},
	}
	for _, tc := range tests {
		err := VerifyBytes(tc.kpak, tc.id, tc.msg, tc.sig)
		if err == nil {
			t.Errorf("%s: verified", tc.name)
			continue
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	// s and q-s both verify (RFC 6507 §5.2.1 note on step 6).
	sig, _ := ParseSignature(good)
	sig.S = new(big.Int).Sub(curveQ, sig.S)
	if err := Verify(kpak, id, msg, sig); err != nil {
		t.Errorf("q - s: %v", err)
	}
}

func withByte(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func TestSignVerifyFreshKeys(t *testing.T) {
	ksakBytes := make([]byte, 32)
	rand.Read(ksakBytes)
	ksak := new(big.Int).Mod(new(big.Int).SetBytes(ksakBytes), curveQ)
	kpak, err := KPAK(ksak)
	if err != nil {
		t.Fatal(err)
	}
	id := []byte("2026-11\x00tel:+15551230001\x00")
	v := new(big.Int).SetBytes(ksakBytes[:16])
	ssk, pvt, err := IssueSSK(ksak, id, v)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateSSK(kpak, id, ssk, pvt); err != nil {
		t.Fatal(err)
	}
	msg := []byte("a MIKEY message up to the signature")
	sig, err := SignRandom(rand.Reader, kpak, id, msg, ssk, pvt)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := sig.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(wire) != SignatureLen {
		t.Fatalf("signature is %d octets", len(wire))
	}
	if err := VerifyBytes(kpak, id, msg, wire); err != nil {
		t.Fatalf("fresh signature: %v", err)
	}
	if err := VerifyBytes(kpak, id, msg[1:], wire); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other message: %v", err)
	}
}

// TestShamirMult checks the joint multiplication against two separate
// ones, including the cancelling case P2 = -P1.
func TestShamirMult(t *testing.T) {
	y := scalarMult(baseG, big.NewInt(0x777))
	negG := Point{X: baseG.X, Y: new(big.Int).Sub(curveP, baseG.Y)}
	for _, tc := range []struct {
		p2     Point
		k1, k2 int64
	}{{y, 0x1234, 0x5678}, {y, 1, 1}, {y, 0xffff, 1}, {negG, 5, 5}, {negG, 7, 3}, {y, 0, 9}} {
		k1, k2 := big.NewInt(tc.k1), big.NewInt(tc.k2)
		want := add(scalarMult(baseG, k1), scalarMult(tc.p2, k2))
		if got := shamirMult(baseG, k1, tc.p2, k2); !got.Equal(want) {
			t.Errorf("[%d]G + [%d]P2 mismatch", tc.k1, tc.k2)
		}
	}
}
