package sakke

import (
	"bytes"
	"crypto/rand"
	"errors"
	"math/big"
	"testing"
	"time"
)

func TestParameterSet1(t *testing.T) {
	pp := ParameterSet1()
	eqInt(t, "p", pp.P, vecP)
	eqInt(t, "q", pp.Q, vecQ)
	eqInt(t, "Px", pp.Base.X, vecPx)
	eqInt(t, "Py", pp.Base.Y, vecPy)
	eqInt(t, "g", pp.G, vecG)
	if pp.N != 128 || pp.L() != 128 || pp.EncapsulatedLen() != 273 {
		t.Errorf("n=%d L=%d len=%d, want 128 128 273", pp.N, pp.L(), pp.EncapsulatedLen())
	}
	if new(big.Int).Mod(pp.P, big.NewInt(4)).Int64() != 3 {
		t.Error("p is not 3 mod 4 (RFC 6508 §2.1)")
	}
	if !pp.P.ProbablyPrime(20) || !pp.Q.ProbablyPrime(20) {
		t.Error("p or q is not prime")
	}
	p1 := new(big.Int).Add(pp.P, big.NewInt(1))
	if new(big.Int).Mod(p1, pp.Q).Sign() != 0 {
		t.Error("q does not divide p+1")
	}
	if !pp.IsOnCurve(pp.Base) {
		t.Error("P is not on y^2 = x^3 - 3x")
	}
	if !pp.ScalarMult(pp.Base, pp.Q).IsInfinity() {
		t.Error("[q]P is not the point at infinity")
	}
	// g = <P,P> (RFC 6508 §2.3): checks the whole pairing routine.
	g, err := pp.Pairing(pp.Base, pp.Base)
	if err != nil {
		t.Fatal(err)
	}
	eqInt(t, "<P,P>", g, vecG)
	if got, err := ParamsByID(1); err != nil || got != pp {
		t.Errorf("ParamsByID(1) = %v, %v", got, err)
	}
	if _, err := ParamsByID(2); err == nil {
		t.Error("ParamsByID(2) succeeded")
	}
}

func TestIdentity(t *testing.T) {
	tests := []struct {
		uri  string
		when time.Time
		want string
	}{
		{"tel:+447700900123", time.Date(2011, 2, 14, 12, 0, 0, 0, time.UTC), vecB},
		// 2011-03-01 00:30 in UTC+1 is still February in UTC.
		{"tel:+447700900123", time.Date(2011, 3, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), vecB},
	}
	for _, tc := range tests {
		eqBytes(t, tc.when.String(), Identity(tc.uri, tc.when), tc.want)
	}
	month, uri, err := ParseIdentity(unhex(t, vecB))
	if err != nil || month != "2011-02" || uri != "tel:+447700900123" {
		t.Errorf("ParseIdentity = %q %q %v", month, uri, err)
	}
	for _, bad := range []string{"", "2011-02\x00tel:+1", "2011-13\x00tel:+1\x00", "2011-02\x00a\x00b\x00"} {
		if _, _, err := ParseIdentity([]byte(bad)); err == nil {
			t.Errorf("ParseIdentity(%q) accepted", bad)
		}
	}
}

func TestCheckTelURI(t *testing.T) {
	tests := []struct {
		uri string
		ok  bool
	}{
		{"tel:+447700900123", true},
		{"tel:447700900123", false},
		{"tel:+44-7700-900123", false},
		{"tel:+447700900123;phone-context=x", false},
		{"sip:alice@example.com", false},
		{"tel:+", false},
	}
	for _, tc := range tests {
		if err := CheckTelURI(tc.uri); (err == nil) != tc.ok {
			t.Errorf("CheckTelURI(%q) = %v, want ok=%v", tc.uri, err, tc.ok)
		}
	}
}

func TestHashToIntegerRangeRFC6508(t *testing.T) {
	pp := ParameterSet1()
	m := append(unhex(t, vecSSV), unhex(t, vecB)...)
	var tr hashTrace
	v := hashToIntegerRange(m, pp.Q, pp.Hash, &tr)
	eqBytes(t, "A", tr.A, vecHTIRA)
	if tr.Blocks != 4 {
		t.Fatalf("l = %d, want 4", tr.Blocks)
	}
	for i := range 4 {
		eqBytes(t, "h"+string(rune('1'+i)), tr.H[i], vecHTIRh[i])
		eqBytes(t, "v"+string(rune('1'+i)), tr.V[i], vecHTIRv[i])
	}
	eqInt(t, "v mod q", v, vecR)
	eqInt(t, "HashToIntegerRange", HashToIntegerRange(m, pp.Q, pp.Hash), vecR)
	// n = 2^128 needs a single block (l = Ceiling(128/256) = 1).
	var tr2 hashTrace
	mask := hashToIntegerRange(unhex(t, vecGr), pp.twoN, pp.Hash, &tr2)
	if tr2.Blocks != 1 {
		t.Errorf("l for 2^128 = %d, want 1", tr2.Blocks)
	}
	eqInt(t, "mask", mask, vecMask)
}

func TestKMSRFC6508(t *testing.T) {
	pp := ParameterSet1()
	z := bigHex(t, vecZ)
	Z, err := pp.PublicKey(z)
	if err != nil {
		t.Fatal(err)
	}
	eqInt(t, "Zx", Z.X, vecZx)
	eqInt(t, "Zy", Z.Y, vecZy)
	b := unhex(t, vecB)
	rsk, err := pp.ExtractRSK(z, b)
	if err != nil {
		t.Fatal(err)
	}
	eqInt(t, "Kbx", rsk.X, vecKbx)
	eqInt(t, "Kby", rsk.Y, vecKby)
	if err := pp.ValidateRSK(b, Z, rsk); err != nil {
		t.Errorf("ValidateRSK(RFC vector) = %v", err)
	}
}

func TestEncapsulateRFC6508(t *testing.T) {
	pp := ParameterSet1()
	Z := vecPoint(t, vecZx, vecZy)
	var tr encapTrace
	ed, err := pp.encapsulate(Z, unhex(t, vecB), unhex(t, vecSSV), &tr)
	if err != nil {
		t.Fatal(err)
	}
	eqInt(t, "r", tr.r, vecR)
	eqInt(t, "Rbx", ed.R.X, vecRbx)
	eqInt(t, "Rby", ed.R.Y, vecRby)
	eqInt(t, "g^r", tr.gr, vecGr)
	eqInt(t, "mask", tr.mask, vecMask)
	eqBytes(t, "H", ed.H, vecH)
	wire := ed.Marshal(pp)
	if len(wire) != pp.EncapsulatedLen() || wire[0] != 4 {
		t.Fatalf("encapsulated data: %d octets, first %#x", len(wire), wire[0])
	}
	eqBytes(t, "wire Rbx", wire[1:129], vecRbx)
	eqBytes(t, "wire Rby", wire[129:257], vecRby)
	eqBytes(t, "wire H", wire[257:], vecH)
}

func TestDecapsulateRFC6508(t *testing.T) {
	pp := ParameterSet1()
	Z := vecPoint(t, vecZx, vecZy)
	rsk := vecPoint(t, vecKbx, vecKby)
	wire := append([]byte{4}, unhex(t, vecRbx+vecRby+vecH)...)
	ed, err := pp.ParseEncapsulatedData(wire)
	if err != nil {
		t.Fatal(err)
	}
	var tr decapTrace
	ssv, err := pp.decapsulate(ed, unhex(t, vecB), rsk, Z, &tr)
	if err != nil {
		t.Fatal(err)
	}
	eqInt(t, "w", tr.w, vecGr)
	eqBytes(t, "SSV", ssv, vecSSV)
	eqInt(t, "r", tr.r, vecR)
	eqInt(t, "TESTx", tr.test.X, vecRbx)
	eqInt(t, "TESTy", tr.test.Y, vecRby)
}

func TestDecapsulateRejects(t *testing.T) {
	pp := ParameterSet1()
	Z := vecPoint(t, vecZx, vecZy)
	rsk := vecPoint(t, vecKbx, vecKby)
	b := unhex(t, vecB)
	good := append([]byte{4}, unhex(t, vecRbx+vecRby+vecH)...)
	march := Identity("tel:+447700900123", time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC))

	tamperedH := bytes.Clone(good)
	tamperedH[len(tamperedH)-1] ^= 1
	edH, err := pp.ParseEncapsulatedData(tamperedH)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pp.Decapsulate(edH, b, rsk, Z); !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("tampered H: err = %v, want ErrWrongIdentity", err)
	}
	ed, _ := pp.ParseEncapsulatedData(good)
	if _, err := pp.Decapsulate(ed, march, rsk, Z); !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("other month: err = %v, want ErrWrongIdentity", err)
	}
	// RSK of another identity: the pairing gives another w.
	other, err := pp.ExtractRSK(bigHex(t, vecZ), march)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pp.Decapsulate(ed, b, other, Z); !errors.Is(err, ErrWrongIdentity) {
		t.Errorf("other RSK: err = %v, want ErrWrongIdentity", err)
	}
	if err := pp.ValidateRSK(march, Z, rsk); !errors.Is(err, ErrInvalidRSK) {
		t.Errorf("ValidateRSK for other month = %v, want ErrInvalidRSK", err)
	}
	if err := pp.ValidateRSK(b, pp.Base, rsk); !errors.Is(err, ErrInvalidRSK) {
		t.Errorf("ValidateRSK with other Z = %v, want ErrInvalidRSK", err)
	}
}

func TestParseEncapsulatedDataErrors(t *testing.T) {
	pp := ParameterSet1()
	good := append([]byte{4}, unhex(t, vecRbx+vecRby+vecH)...)
	notOnCurve := bytes.Clone(good)
	notOnCurve[200] ^= 0x10
	compressed := bytes.Clone(good)
	compressed[0] = 2
	xTooBig := bytes.Clone(good)
	for i := 1; i <= 128; i++ {
		xTooBig[i] = 0xff
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"short", good[:272]},
		{"long", append(bytes.Clone(good), 0)},
		{"compressed", compressed},
		{"not on curve", notOnCurve},
		{"x >= p", xTooBig},
	}
	for _, tc := range tests {
		if _, err := pp.ParseEncapsulatedData(tc.in); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestBilinearity(t *testing.T) {
	pp := ParameterSet1()
	a, b := big.NewInt(0x1234567), big.NewInt(0x7654321)
	w, err := pp.Pairing(pp.ScalarMult(pp.Base, a), pp.ScalarMult(pp.Base, b))
	if err != nil {
		t.Fatal(err)
	}
	want, err := pp.PFExp(pp.G, new(big.Int).Mul(a, b))
	if err != nil {
		t.Fatal(err)
	}
	if w.Cmp(want) != 0 {
		t.Error("<[a]P,[b]P> != g^(ab)")
	}
	// The PF_p product of RFC 6508 §2.1, (a+b)/(1-ab), agrees with PFExp.
	g2, _ := pp.PFExp(pp.G, big.NewInt(2))
	num := new(big.Int).Add(pp.G, pp.G)
	den := new(big.Int).Sub(big.NewInt(1), new(big.Int).Mul(pp.G, pp.G))
	den.Mod(den, pp.P).ModInverse(den, pp.P)
	num.Mul(num, den).Mod(num, pp.P)
	if num.Cmp(g2) != 0 {
		t.Error("g*g by (a+b)/(1-ab) != PFExp(g, 2)")
	}
}

func TestRoundTripFreshKMS(t *testing.T) {
	pp := ParameterSet1()
	z, err := pp.GenerateMasterSecret(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	Z, err := pp.PublicKey(z)
	if err != nil {
		t.Fatal(err)
	}
	id := Identity("tel:+15551230001", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	rsk, err := pp.ExtractRSK(z, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := pp.ValidateRSK(id, Z, rsk); err != nil {
		t.Fatalf("fresh RSK invalid: %v", err)
	}
	ssv := make([]byte, pp.SSVLen())
	rand.Read(ssv)
	ed, err := pp.Encapsulate(Z, id, ssv)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := pp.ParseEncapsulatedData(ed.Marshal(pp))
	if err != nil {
		t.Fatal(err)
	}
	got, err := pp.Decapsulate(parsed, id, rsk, Z)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ssv) {
		t.Error("decapsulated SSV differs from the encapsulated one")
	}
}

func TestPointString(t *testing.T) {
	pp := ParameterSet1()
	s := pp.Base.String()
	if bytes.Contains([]byte(s), []byte("53fc09ee")) || len(s) > 40 {
		t.Errorf("String leaks coordinates: %q", s)
	}
}

func TestMarshalPointRange(t *testing.T) {
	pp := ParameterSet1()
	if got := pp.MarshalPoint(Point{X: pp.P, Y: big.NewInt(0)}); got != nil {
		t.Errorf("MarshalPoint(x = p) = %x, want nil", got)
	}
	if got := pp.MarshalPoint(Point{}); len(got) != 1 || got[0] != 0 {
		t.Errorf("MarshalPoint(infinity) = %x, want 00", got)
	}
	b := pp.MarshalPoint(pp.Base)
	back, err := pp.ParsePoint(b)
	if err != nil || !back.Equal(pp.Base) {
		t.Errorf("round trip of P: %v", err)
	}
}
