package mikey

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	rsaOnce sync.Once
	rsaKeys [2]*rsa.PrivateKey
)

// testRSA returns two fresh 2048-bit keys (initiator, responder), generated
// once per test binary.
func testRSA(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	rsaOnce.Do(func() {
		for i := range rsaKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			rsaKeys[i] = k
		}
	})
	return rsaKeys[0], rsaKeys[1]
}

func selfSigned(t testing.TB, k *rsa.PrivateKey, cn string) []byte {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

const testCSB = 0x1a2b3c4d

var (
	testIDi = []byte("alice@example.com")
	testIDr = []byte("bob@example.com")
	testTS  = NTP64(time.Date(2026, 3, 24, 13, 13, 59, 0, time.UTC))
)

func testHdr(dt DataType, prf PRFFunc) Header {
	return Header{Version: 1, DataType: dt, V: true, PRF: prf, CSBID: testCSB, MapType: MapSRTPID,
		SRTPMap: []SRTPCS{{PolicyNo: 0, SSRC: 0x11111111, ROC: 0}, {PolicyNo: 0, SSRC: 0x22222222, ROC: 5}}}
}

func srtpSP() *SPPayload {
	return &SPPayload{PolicyNo: 0, Prot: ProtSRTP, Params: []SPParam{
		{Type: SPEncrAlg, Value: []byte{1}}, {Type: SPEncrKeyLen, Value: []byte{16}},
		{Type: SPAuthAlg, Value: []byte{1}}, {Type: SPSaltKeyLen, Value: []byte{14}}}}
}

func reparse(t testing.TB, m *Message) *Message {
	t.Helper()
	p, err := Parse(append([]byte(nil), m.Raw...))
	if err != nil {
		t.Fatalf("sealed message does not parse: %v", err)
	}
	return p
}

// expectTEK computes the TEK of RFC 3830 §4.1.3 with the spelled-out PRF of
// prf_test.go, independently of DeriveTEK.
func expectTEK(prf PRFFunc, tgk []byte, csID uint8, rnd []byte, n int, constant uint32) []byte {
	label := []byte{byte(constant >> 24), byte(constant >> 16), byte(constant >> 8), byte(constant), csID,
		byte(uint32(testCSB) >> 24), byte(uint32(testCSB) >> 16 & 0xff), byte(uint32(testCSB) >> 8 & 0xff), byte(uint32(testCSB) & 0xff)}
	label = append(label, rnd...)
	if prf == PRFFuncHMACSHA256 {
		return refPRF(newSHA256, 256, tgk, label, n)
	}
	return refPRF(sha1.New, 160, tgk, label, n)
}

func checkTGKSessions(t *testing.T, r *ExchangeResult, prf PRFFunc, tgk, rnd []byte, mki []byte) {
	t.Helper()
	if len(r.Sessions) != 2 {
		t.Fatalf("%d sessions, notes %v / %+v", len(r.Sessions), r.Notes, r.Init)
	}
	for i, s := range r.Sessions {
		csID := uint8(i + 1)
		if s.CSID != csID || !s.Derived || s.KeyLen != 16 || s.SaltLen != 14 {
			t.Errorf("session %+v", s)
		}
		if want := expectTEK(prf, tgk, csID, rnd, 16, 0x2AD01C64); !bytes.Equal(s.MasterKey, want) {
			t.Errorf("CS %d TEK %x, want %x", csID, s.MasterKey.Reveal(), want)
		}
		if want := expectTEK(prf, tgk, csID, rnd, 14, 0x39A2C14B); !bytes.Equal(s.MasterSalt, want) {
			t.Errorf("CS %d salt %x, want %x", csID, s.MasterSalt.Reveal(), want)
		}
		if !bytes.Equal(s.MKI, mki) {
			t.Errorf("MKI %x", s.MKI)
		}
	}
	if r.Sessions[1].SSRC != 0x22222222 || r.Sessions[1].ROC != 5 {
		t.Errorf("CS 2 %+v", r.Sessions[1])
	}
}

// buildPSKInit builds and seals a PSK I_MESSAGE carrying one TGK with an MKI.
func buildPSKInit(t testing.TB, prf PRFFunc, enc EncrAlg, mac MACAlg, psk, tgk, rnd []byte) *Message {
	m := &Message{Header: testHdr(DataTypePSKInit, prf), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS},
		&RANDPayload{Rand: rnd},
		&IDPayload{IDType: IDNAI, Data: testIDi},
		&IDPayload{IDType: IDNAI, Data: testIDr},
		srtpSP(),
		&KEMACPayload{EncrAlg: enc, MACAlg: mac},
	}}
	kd := []*KeyData{{Type: KeyTGK, KeyValidity: KeyValidity{KV: KVSPI, SPI: []byte{0, 0, 0, 7}}, Key: tgk}}
	if err := SealKEMAC(m, psk, kd, SealOptions{}); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPSKRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		prf  PRFFunc
		enc  EncrAlg
		mac  MACAlg
	}{
		{"AES-CM-128 HMAC-SHA-1", PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160},
		{"AES-KW-128 HMAC-SHA-1", PRFFuncMIKEY1, EncrAESKW128, MACHMACSHA1160},
		{"AES-CM-256 HMAC-SHA-256 PRF-HMAC-SHA-256", PRFFuncHMACSHA256, EncrAESCM256, MACHMACSHA256256},
		{"NULL HMAC-SHA-1", PRFFuncMIKEY1, EncrNULL, MACHMACSHA1160},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			psk, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
			if tt.enc == EncrAESKW128 {
				tgk = randBytes(21) // key data of 4+21+5 = 30 bytes, zero-padded to 32 for the key wrap
			}
			sealed := buildPSKInit(t, tt.prf, tt.enc, tt.mac, psk, tgk, rnd)
			m := reparse(t, sealed)
			if tt.enc != EncrNULL && bytes.Contains(m.Raw, tgk) {
				t.Fatal("TGK visible in the encrypted message")
			}
			keys := &Keys{PSKs: []PSK{{Key: randBytes(16), Source: "wrong"}, {Key: psk, Source: "right"}}}
			r := OpenExchange(m, nil, keys, OpenOptions{})
			if r.Init.Auth != AuthVerified || r.Init.KeyRef != KindFingerprint("psk", psk) || r.Init.KeySource != "right" || r.Init.Tried != 2 {
				t.Fatalf("init %+v", r.Init)
			}
			if len(r.TGKs) != 1 || !bytes.Equal(r.TGKs[0], tgk) {
				t.Fatalf("TGK %v", r.TGKs)
			}
			checkTGKSessions(t, r, tt.prf, tgk, rnd, []byte{0, 0, 0, 7})

			// Wrong key: MAC mismatch, no keys, no panic.
			r = OpenExchange(m, nil, &Keys{PSKs: []PSK{{Key: randBytes(16), Source: "wrong"}}}, OpenOptions{})
			if r.Init.Auth != AuthFailed || r.Init.Tried != 1 || len(r.Sessions) != 0 || len(r.TGKs) != 0 {
				t.Fatalf("wrong key %+v", r.Init)
			}
			if tt.enc != EncrNULL && len(r.Init.Keys) != 0 {
				t.Fatal("keys reported for a failed MAC")
			}
			if !strings.Contains(strings.Join(r.Init.Notes, ";"), "MAC mismatch") {
				t.Errorf("notes %v", r.Init.Notes)
			}
			// Tampering with one byte before the MAC breaks it.
			bad := append([]byte(nil), m.Raw...)
			bad[20] ^= 1
			mb, err := Parse(bad)
			if err == nil {
				r = OpenExchange(mb, nil, keys, OpenOptions{})
				if r.Init.Auth == AuthVerified {
					t.Fatal("tampered message verified")
				}
			}
		})
	}
}

func TestPSKVerificationMessage(t *testing.T) {
	psk, tgk, rnd := randBytes(20), randBytes(16), randBytes(16)
	init := reparse(t, buildPSKInit(t, PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160, psk, tgk, rnd))
	buildResp := func(in VInput) *Message {
		h := testHdr(DataTypePSKVerify, PRFFuncMIKEY1)
		h.V = false
		resp := &Message{Header: h, Payloads: []Payload{
			&TPayload{TSType: TSTypeNTPUTC, Value: testTS},
			&IDPayload{IDType: IDNAI, Data: testIDr},
			&VPayload{AuthAlg: MACHMACSHA1160},
		}}
		if err := SealV(resp, psk, rnd, in); err != nil {
			t.Fatal(err)
		}
		return reparse(t, resp)
	}
	ts := []byte{byte(testTS >> 56), byte(testTS >> 48), byte(testTS >> 40), byte(testTS >> 32), byte(testTS >> 24), byte(testTS >> 16), byte(testTS >> 8), byte(testTS)}
	keys := &Keys{PSKs: []PSK{{Key: psk, Source: "k"}}}
	tests := []struct {
		in      VInput
		variant string
	}{
		{VInput{IDi: testIDi, IDr: testIDr, TS: ts}, VVariantRFC},
		{VInput{TS: ts}, VVariantNoIDs},
		{VInput{IDi: testIDr, IDr: testIDi, TS: ts}, VVariantSwapped},
	}
	for _, tt := range tests {
		resp := buildResp(tt.in)
		r := OpenExchange(init, resp, keys, OpenOptions{})
		if r.Resp.Auth != AuthVerified || r.Resp.VVariant != tt.variant || r.Resp.KeyRef != KindFingerprint("psk", psk) {
			t.Errorf("variant %q: %+v", tt.variant, r.Resp)
		}
		// Without the initiator's message the V still verifies when the
		// RAND and identities are supplied.
		r = OpenExchange(nil, resp, keys, OpenOptions{RAND: rnd, InitiatorID: testIDi, ResponderID: testIDr})
		if r.Resp.Auth != AuthVerified {
			t.Errorf("resp alone, variant %q: %+v", tt.variant, r.Resp)
		}
	}
	resp := buildResp(VInput{IDi: testIDi, IDr: testIDr, TS: ts})
	r := OpenExchange(init, resp, &Keys{PSKs: []PSK{{Key: randBytes(20)}}}, OpenOptions{})
	if r.Resp.Auth != AuthFailed {
		t.Errorf("wrong key V: %+v", r.Resp)
	}
}

func TestPKRoundTrip(t *testing.T) {
	initKey, respKey := testRSA(t)
	env, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	pke, err := NewPKEPayload(&respKey.PublicKey, env, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{Header: testHdr(DataTypePKInit, PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS},
		&RANDPayload{Rand: rnd},
		&CERTPayload{CertType: 0, Data: selfSigned(t, initKey, "alice")},
		&IDPayload{IDType: IDNAI, Data: testIDr},
		srtpSP(),
		&KEMACPayload{EncrAlg: EncrAESCM128, MACAlg: MACHMACSHA1160},
		pke,
		&SIGNPayload{},
	}}
	kd := []*KeyData{{Type: KeyTGK, KeyValidity: KeyValidity{KV: KVSPI, SPI: []byte{9}}, Key: tgk}}
	if err := SealKEMAC(m, env, kd, SealOptions{EncryptedID: &IDPayload{IDType: IDNAI, Data: testIDi}}); err != nil {
		t.Fatal(err)
	}
	if err := SealSIGN(m, initKey, SignRSAPKCS1, crypto.SHA1, false); err != nil {
		t.Fatal(err)
	}
	pm := reparse(t, m)
	r := OpenExchange(pm, nil, &Keys{RSA: []RSAKey{{Private: initKey, Source: "other"}, {Private: respKey, Source: "resp.pem"}}}, OpenOptions{})
	mr := r.Init
	if mr.Auth != AuthVerified || mr.Envelope != EnvelopePKCS1v15 || mr.KeySource != "resp.pem" || mr.MACVariant != "" {
		t.Fatalf("init %+v", mr)
	}
	if mr.Signature.Status != AuthVerified || mr.Signature.CertSource != "CERT payload" || mr.Signature.Scheme != "RSA/PKCS#1/1.5 SHA-1" {
		t.Fatalf("signature %+v", mr.Signature)
	}
	if string(mr.EncryptedID) != string(testIDi) {
		t.Fatalf("encrypted ID %q", mr.EncryptedID)
	}
	checkTGKSessions(t, r, PRFFuncMIKEY1, tgk, rnd, []byte{9})

	// The PK verification message: V keyed from the envelope key.
	h := testHdr(DataTypePKVerify, PRFFuncMIKEY1)
	resp := &Message{Header: h, Payloads: []Payload{&TPayload{TSType: TSTypeNTPUTC, Value: testTS}, &VPayload{AuthAlg: MACHMACSHA1160}}}
	ts := pm.Raw[pm.Timestamp().Offset+2 : pm.Timestamp().End()]
	if err := SealV(resp, env, rnd, VInput{IDi: testIDi, IDr: testIDr, TS: ts}); err != nil {
		t.Fatal(err)
	}
	r = OpenExchange(pm, reparse(t, resp), &Keys{RSA: []RSAKey{{Private: respKey}}}, OpenOptions{})
	if r.Resp.Auth != AuthVerified || r.Resp.VVariant != VVariantRFC {
		t.Fatalf("PK V: %+v", r.Resp)
	}

	// Without the responder's key: the signature still verifies, keys do not open.
	r = OpenExchange(pm, nil, &Keys{RSA: []RSAKey{{Private: initKey}}}, OpenOptions{})
	if r.Init.Auth != AuthFailed || len(r.Sessions) != 0 || r.Init.Signature.Status != AuthVerified {
		t.Fatalf("wrong RSA key: %+v", r.Init)
	}
	// A damaged signature fails.
	bad := append([]byte(nil), pm.Raw...)
	bad[len(bad)-1] ^= 1
	r = OpenExchange(reparse(t, &Message{Raw: bad}), nil, nil, OpenOptions{})
	if r.Init.Signature.Status != AuthFailed {
		t.Fatalf("damaged signature: %+v", r.Init.Signature)
	}
}

func dhMessages(t *testing.T, dt [2]DataType, xi, xr []byte, seal func(m *Message, initiator bool)) (*Message, *Message, []byte) {
	rnd := randBytes(16)
	dhi, err := NewDHPayload(DHOakley5, xi)
	if err != nil {
		t.Fatal(err)
	}
	dhr, _ := NewDHPayload(DHOakley5, xr)
	init := &Message{Header: testHdr(dt[0], PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS}, &RANDPayload{Rand: rnd},
		&IDPayload{IDType: IDNAI, Data: testIDi}, &IDPayload{IDType: IDNAI, Data: testIDr}, srtpSP(), dhi}}
	dhiEcho := *dhi
	resp := &Message{Header: testHdr(dt[1], PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS},
		&IDPayload{IDType: IDNAI, Data: testIDr}, &IDPayload{IDType: IDNAI, Data: testIDi}, dhr, &dhiEcho}}
	resp.Header.V = false
	seal(init, true)
	seal(resp, false)
	return reparse(t, init), reparse(t, resp), rnd
}

func TestDHSIGNRoundTrip(t *testing.T) {
	initKey, respKey := testRSA(t)
	xi, _ := NewDHPrivate()
	xr, _ := NewDHPrivate()
	init, resp, rnd := dhMessages(t, [2]DataType{DataTypeDHInit, DataTypeDHResp}, xi, xr, func(m *Message, initiator bool) {
		k := respKey
		if initiator {
			k = initKey
			m.Payloads = append(m.Payloads, &CERTPayload{CertType: 0, Data: selfSigned(t, initKey, "alice")})
		}
		m.Payloads = append(m.Payloads, &SIGNPayload{})
		if err := SealSIGN(m, k, SignRSAPSS, crypto.SHA256, false); err != nil {
			t.Fatal(err)
		}
	})
	want, _ := DHShared(DHOakley5, xi, mustDHPublic(t, xr))
	for _, k := range [][]byte{xr, xi} {
		keys := &Keys{DH: []DHKey{{Private: randBytes(32), Source: "other"}, {Private: k, Source: "mine"}},
			Certs: []Cert{{Cert: mustCert(t, selfSigned(t, respKey, "bob")), Source: "bob.pem"}}}
		r := OpenExchange(init, resp, keys, OpenOptions{})
		if len(r.TGKs) != 1 || !bytes.Equal(r.TGKs[0], want) || len(want) != 192 {
			t.Fatalf("TGK mismatch; notes %v", r.Notes)
		}
		if r.Init.Signature.Status != AuthVerified || r.Init.Signature.Scheme != "RSA/PSS SHA-256" || r.Resp.Signature.Status != AuthVerified || r.Resp.Signature.CertSource != "bob.pem" {
			t.Fatalf("signatures %+v %+v", r.Init.Signature, r.Resp.Signature)
		}
		checkTGKSessions(t, r, PRFFuncMIKEY1, want, rnd, nil)
	}
	r := OpenExchange(init, resp, &Keys{DH: []DHKey{{Private: randBytes(32)}}}, OpenOptions{})
	if len(r.TGKs) != 0 || len(r.Sessions) != 0 || !strings.Contains(strings.Join(r.Notes, ";"), "matches DHi or DHr") {
		t.Fatalf("wrong DH key: %v", r.Notes)
	}
}

func TestDHHMACRoundTrip(t *testing.T) {
	psk := randBytes(16)
	xi, _ := NewDHPrivate()
	xr, _ := NewDHPrivate()
	var rnd []byte
	init, resp, rnd := dhMessages(t, [2]DataType{DataTypeDHHMACInit, DataTypeDHHMACResp}, xi, xr, func(m *Message, initiator bool) {
		m.Payloads = append(m.Payloads, &KEMACPayload{EncrAlg: EncrNULL, MACAlg: MACHMACSHA1160})
		opts := SealOptions{}
		if !initiator {
			opts.RAND = rnd
		} else if r := m.RAND(); r != nil {
			rnd = r.Rand
		}
		if err := SealKEMAC(m, psk, nil, opts); err != nil {
			t.Fatal(err)
		}
	})
	keys := &Keys{PSKs: []PSK{{Key: psk, Source: "psk"}}, DH: []DHKey{{Private: xi, Source: "xi"}}}
	r := OpenExchange(init, resp, keys, OpenOptions{})
	if r.Init.Auth != AuthVerified || r.Resp.Auth != AuthVerified {
		t.Fatalf("auth %+v %+v", r.Init, r.Resp)
	}
	want, _ := DHShared(DHOakley5, xr, mustDHPublic(t, xi))
	if len(r.TGKs) != 1 || !bytes.Equal(r.TGKs[0], want) {
		t.Fatalf("TGK; notes %v", r.Notes)
	}
	checkTGKSessions(t, r, PRFFuncMIKEY1, want, rnd, nil)
	r = OpenExchange(init, resp, &Keys{PSKs: []PSK{{Key: randBytes(16)}}}, OpenOptions{})
	if r.Init.Auth != AuthFailed || r.Resp.Auth != AuthFailed {
		t.Fatalf("wrong PSK: %+v %+v", r.Init, r.Resp)
	}
}

func TestRSARRoundTrip(t *testing.T) {
	initKey, respKey := testRSA(t)
	env, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	init := &Message{Header: testHdr(DataTypeRSARInit, PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS}, &RANDPayload{Rand: rnd},
		&IDPayload{IDType: IDNAI, Data: testIDi}, &CERTPayload{CertType: 0, Data: selfSigned(t, initKey, "alice")},
		&IDPayload{IDType: IDNAI, Data: testIDr}, srtpSP(), &SIGNPayload{}}}
	if err := SealSIGN(init, initKey, SignRSAPKCS1, crypto.SHA256, false); err != nil {
		t.Fatal(err)
	}
	pke, _ := NewPKEPayload(&initKey.PublicKey, env, 0)
	resp := &Message{Header: testHdr(DataTypeRSARResp, PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS},
		&IDPayload{IDType: IDNAI, Data: testIDr}, &CERTPayload{CertType: 0, Data: selfSigned(t, respKey, "bob")},
		srtpSP(), &KEMACPayload{EncrAlg: EncrAESCM128, MACAlg: MACHMACSHA1160}, pke, &SIGNPayload{}}}
	resp.Header.V = false
	kd := []*KeyData{{Type: KeyTGK, Key: tgk}}
	if err := SealKEMAC(resp, env, kd, SealOptions{EncryptedID: &IDPayload{IDType: IDNAI, Data: testIDr}, RAND: rnd}); err != nil {
		t.Fatal(err)
	}
	ts := []byte{byte(testTS >> 56), byte(testTS >> 48), byte(testTS >> 40), byte(testTS >> 32), byte(testTS >> 24), byte(testTS >> 16), byte(testTS >> 8), byte(testTS)}
	if err := SealSIGN(resp, respKey, SignRSAPKCS1, crypto.SHA1, true, testIDi, testIDr, ts); err != nil {
		t.Fatal(err)
	}
	pi, pr := reparse(t, init), reparse(t, resp)
	r := OpenExchange(pi, pr, &Keys{RSA: []RSAKey{{Private: initKey, Source: "alice.pem"}}}, OpenOptions{})
	if r.Mode != ModeRSAR || r.Init.Signature.Status != AuthVerified {
		t.Fatalf("init %+v", r.Init)
	}
	if r.Resp.Auth != AuthVerified || r.Resp.KeySource != "alice.pem" || r.Resp.Signature.Status != AuthVerified || r.Resp.Signature.Variant != "" {
		t.Fatalf("resp %+v", r.Resp)
	}
	if string(r.Resp.EncryptedID) != string(testIDr) {
		t.Fatalf("encrypted IDr %q", r.Resp.EncryptedID)
	}
	checkTGKSessions(t, r, PRFFuncMIKEY1, tgk, rnd, nil)
	r = OpenExchange(pi, pr, &Keys{RSA: []RSAKey{{Private: respKey}}}, OpenOptions{})
	if r.Resp.Auth != AuthFailed || len(r.Sessions) != 0 {
		t.Fatalf("wrong RSA key: %+v", r.Resp)
	}
}

func mustDHPublic(t *testing.T, x []byte) []byte {
	y, err := DHPublic(DHOakley5, x)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

func mustCert(t *testing.T, der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSuppliedTGK(t *testing.T) {
	psk, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	m := reparse(t, buildPSKInit(t, PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160, psk, tgk, rnd))
	r := OpenExchange(m, nil, &Keys{TGKs: []TGK{{Key: tgk, Source: "--tgk"}}}, OpenOptions{})
	if r.Init.Auth != AuthNoKey {
		t.Fatalf("auth %v", r.Init.Auth)
	}
	checkTGKSessions(t, r, PRFFuncMIKEY1, tgk, rnd, nil)
	if !strings.Contains(r.Sessions[0].From, "not verified") {
		t.Errorf("from %q", r.Sessions[0].From)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret{0xde, 0xad, 0xbe, 0xef}
	for _, out := range []string{s.String(), fmtAll(s)} {
		if strings.Contains(out, "dead") || strings.Contains(out, "222") {
			t.Fatalf("secret leaked: %s", out)
		}
	}
	j, _ := s.MarshalJSON()
	if strings.Contains(string(j), "dead") || !strings.Contains(string(j), Fingerprint(s)) {
		t.Fatalf("json %s", j)
	}
	if !bytes.Equal(s.Reveal(), []byte{0xde, 0xad, 0xbe, 0xef}) {
		t.Fatal("Reveal")
	}
}

func BenchmarkOpenPSKAESCM(b *testing.B) {
	psk, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	sealed := buildPSKInit(b, PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160, psk, tgk, rnd)
	m := reparse(b, sealed)
	keys := &Keys{PSKs: []PSK{{Key: psk}}}
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Raw)))
	for b.Loop() {
		r := OpenExchange(m, nil, keys, OpenOptions{})
		if r.Init.Auth != AuthVerified {
			b.Fatal("not verified")
		}
	}
}

func BenchmarkOpenNULLVector(b *testing.B) {
	m := parseVector(b, readPublishedVectors(b), "tsitle-roundtrip1")
	b.ReportAllocs()
	for b.Loop() {
		if r := OpenExchange(m, nil, nil, OpenOptions{}); len(r.Sessions) != 1 {
			b.Fatal("no session")
		}
	}
}

// TestPSKVerificationLibmikeyStyle: libmikey (minisip) puts a fresh T in
// its PSK response and MACs message || initiator's T with no identities;
// early versions number HMAC-SHA-1 as 0 in the V payload.
func TestPSKVerificationLibmikeyStyle(t *testing.T) {
	psk, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	init := reparse(t, buildPSKInit(t, PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160, psk, tgk, rnd))
	initTS := init.Raw[init.Timestamp().Offset+2 : init.Timestamp().End()]
	keys := &Keys{PSKs: []PSK{{Key: psk}}}
	h := testHdr(DataTypePSKVerify, PRFFuncMIKEY1)
	resp := &Message{Header: h, Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS + 1<<32},
		&VPayload{AuthAlg: MACHMACSHA1160},
	}}
	if err := SealV(resp, psk, rnd, VInput{TS: initTS}); err != nil {
		t.Fatal(err)
	}
	r := OpenExchange(init, reparse(t, resp), keys, OpenOptions{})
	if r.Resp.Auth != AuthVerified || !strings.HasPrefix(r.Resp.VVariant, VVariantNoIDs) || !strings.Contains(r.Resp.VVariant, "initiator's T") {
		t.Fatalf("fresh T: %+v", r.Resp)
	}

	// V auth alg 0 with the 20-byte MAC after it.
	resp.Payloads[1] = &VPayload{AuthAlg: MACNULL}
	raw, err := resp.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ak, _ := DeriveMessageKeys(PRFFuncMIKEY1, psk, testCSB, rnd, 0, 20, 0)
	mac, _ := ComputeMAC(MACHMACSHA1160, ak.Auth, raw, initTS)
	m, err := Parse(append(raw, mac...))
	if m == nil {
		t.Fatalf("parse: %v", err)
	}
	r = OpenExchange(init, m, keys, OpenOptions{})
	if r.Resp.Auth != AuthVerified || !strings.Contains(strings.Join(r.Resp.Notes, ";"), "early libmikey") {
		t.Fatalf("alg 0: %+v (trailing %d)", r.Resp, len(m.Trailing))
	}
}

// TestPKVariants: a KEMAC MAC over the KEMAC payload without its Next
// payload byte and a signature without the SIGN header (libmikey's
// layouts) verify and are named.
func TestPKVariants(t *testing.T) {
	initKey, respKey := testRSA(t)
	env, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	pke, _ := NewPKEPayload(&respKey.PublicKey, env, 0)
	m := &Message{Header: testHdr(DataTypePKInit, PRFFuncMIKEY1), Payloads: []Payload{
		&TPayload{TSType: TSTypeNTPUTC, Value: testTS}, &RANDPayload{Rand: rnd}, srtpSP(),
		&KEMACPayload{EncrAlg: EncrAESCM128, MACAlg: MACHMACSHA1160}, pke, &SIGNPayload{}}}
	kd := []*KeyData{{Type: KeyTGK, Key: tgk}}
	if err := SealKEMAC(m, env, kd, SealOptions{EncryptedID: &IDPayload{Data: testIDi}}); err != nil {
		t.Fatal(err)
	}
	// Recompute the MAC over the KEMAC payload minus its first byte.
	if err := SealSIGN(m, initKey, SignRSAPKCS1, crypto.SHA1, true); err != nil {
		t.Fatal(err)
	}
	pm := reparse(t, m)
	k := pm.KEMAC()
	keys, _ := DeriveMessageKeys(PRFFuncMIKEY1, env, testCSB, rnd, 16, 20, 14)
	mac, _ := ComputeMAC(MACHMACSHA1160, keys.Auth, pm.Raw[k.Offset+1:k.MACOffset])
	raw := append([]byte(nil), pm.Raw...)
	copy(raw[k.MACOffset:], mac)
	// Re-sign over the changed bytes, without the SIGN header.
	s := pm.SIGN()
	sig, _ := SignRSA(initKey, SignRSAPKCS1, crypto.SHA1, raw[:s.Offset])
	copy(raw[s.SignatureOffset:], sig)
	pm = reparse(t, &Message{Raw: raw})
	r := OpenExchange(pm, nil, &Keys{RSA: []RSAKey{{Private: respKey}}, Certs: []Cert{{Cert: mustCert(t, selfSigned(t, initKey, "a"))}}}, OpenOptions{})
	if r.Init.Auth != AuthVerified || r.Init.MACVariant != VariantKEMACNoNext {
		t.Fatalf("MAC variant: %+v", r.Init)
	}
	if r.Init.Signature.Status != AuthVerified || r.Init.Signature.Variant != VariantSignNoHeader {
		t.Fatalf("signature variant: %+v", r.Init.Signature)
	}
	checkTGKSessions(t, r, PRFFuncMIKEY1, tgk, rnd, nil)
}

// TestSealKEMACIndependently checks a sealed PSK message with the RFC
// steps spelled out here (reference PRF, crypto/aes CTR, crypto/hmac), not
// with the code under test: auth_key/encr_key/salt of RFC 3830 §4.1.4, the
// IV of §4.2.3, the MAC of §5.2 and the Key data layout of §6.13.
func TestSealKEMACIndependently(t *testing.T) {
	psk, tgk, rnd := randBytes(16), randBytes(16), randBytes(16)
	m := reparse(t, buildPSKInit(t, PRFFuncMIKEY1, EncrAESCM128, MACHMACSHA1160, psk, tgk, rnd))
	raw := m.Raw
	lab := func(c uint32) []byte {
		return append([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c), 0xff, 0x1a, 0x2b, 0x3c, 0x4d}, rnd...)
	}
	authKey := refPRF(sha1.New, 160, psk, lab(0x2D22AC75), 20)
	encrKey := refPRF(sha1.New, 160, psk, lab(0x150533E1), 16)
	salt := refPRF(sha1.New, 160, psk, lab(0x29B88916), 14)
	// The KEMAC is the last payload: ... | 0 | encr alg 1 | len(2) | data | mac alg 1 | MAC(20).
	mac := raw[len(raw)-20:]
	h := hmac.New(sha1.New, authKey)
	h.Write(raw[:len(raw)-20])
	if !hmac.Equal(h.Sum(nil), mac) {
		t.Fatal("MAC is not HMAC-SHA-1(auth_key, message up to the MAC)")
	}
	// Key data: next 0, type TGK(0)<<4 | KV SPI(1), len 16, key, SPI len 4, SPI.
	encLen := 4 + 16 + 1 + 4
	if raw[len(raw)-21] != 1 || int(raw[len(raw)-22-encLen-1])<<8|int(raw[len(raw)-22-encLen]) != encLen {
		t.Fatalf("KEMAC layout: %x", raw[len(raw)-21-encLen-4:])
	}
	enc := raw[len(raw)-21-encLen : len(raw)-21]
	iv := make([]byte, 16)
	copy(iv, salt)
	x := []byte{0, 0, 0x1a, 0x2b, 0x3c, 0x4d, byte(testTS >> 56), byte(testTS >> 48), byte(testTS >> 40), byte(testTS >> 32), byte(testTS >> 24), byte(testTS >> 16), byte(testTS >> 8), byte(testTS)}
	for i := range x {
		iv[i] ^= x[i]
	}
	block, _ := aes.NewCipher(encrKey)
	plain := make([]byte, encLen)
	cipher.NewCTR(block, iv).XORKeyStream(plain, enc)
	want := append(append([]byte{0, 0x01, 0, 16}, tgk...), 4, 0, 0, 0, 7)
	if !bytes.Equal(plain, want) {
		t.Fatalf("decrypted key data %x, want %x", plain, want)
	}
}
