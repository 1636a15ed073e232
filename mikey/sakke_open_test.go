package mikey

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey/eccsi"
	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// sakkeWorld is a freshly generated KMS (SAKKE master secret and ECCSI
// KSAK) with one initiator and one responder provisioned for two months.
type sakkeWorld struct {
	when, nextMonth  time.Time
	alice, bob       string // initiator, responder
	Z, KPAK          []byte
	rskBob, rskBobNx []byte // responder RSKs for when and the next month
	rskAlice         []byte
	ssk, pvt         []byte // initiator signing key for when
	otherKPAK        []byte
	otherZ           []byte // another KMS's public key
}

var (
	sakkeWorldOnce sync.Once
	sakkeWorldVal  *sakkeWorld
	sakkeWorldErr  error
)

func newSAKKEWorld(t testing.TB) *sakkeWorld {
	t.Helper()
	sakkeWorldOnce.Do(func() { sakkeWorldVal, sakkeWorldErr = genSAKKEWorld() })
	if sakkeWorldErr != nil {
		t.Fatal(sakkeWorldErr)
	}
	return sakkeWorldVal
}

func genSAKKEWorld() (*sakkeWorld, error) {
	pp := sakke.ParameterSet1()
	w := &sakkeWorld{
		when:      time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC),
		nextMonth: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		alice:     "tel:+447700900123",
		bob:       "tel:+15551230001",
	}
	z, err := pp.GenerateMasterSecret(rand.Reader)
	if err != nil {
		return nil, err
	}
	Z, err := pp.PublicKey(z)
	if err != nil {
		return nil, err
	}
	w.Z = pp.MarshalPoint(Z)
	z2, err := pp.GenerateMasterSecret(rand.Reader)
	if err != nil {
		return nil, err
	}
	Z2, err := pp.PublicKey(z2)
	if err != nil {
		return nil, err
	}
	w.otherZ = pp.MarshalPoint(Z2)
	rsk := func(uri string, t time.Time) ([]byte, error) {
		k, err := pp.ExtractRSK(z, sakke.Identity(uri, t))
		return pp.MarshalPoint(k), err
	}
	if w.rskBob, err = rsk(w.bob, w.when); err != nil {
		return nil, err
	}
	if w.rskBobNx, err = rsk(w.bob, w.nextMonth); err != nil {
		return nil, err
	}
	if w.rskAlice, err = rsk(w.alice, w.when); err != nil {
		return nil, err
	}
	scalar := func() *big.Int {
		b := make([]byte, 32)
		rand.Read(b)
		v := new(big.Int).SetBytes(b)
		v.Mod(v, new(big.Int).Sub(eccsi.Order(), big.NewInt(1)))
		return v.Add(v, big.NewInt(1))
	}
	ksak := scalar()
	kpak, err := eccsi.KPAK(ksak)
	if err != nil {
		return nil, err
	}
	w.KPAK = eccsi.MarshalPoint(kpak)
	ssk, pvt, err := eccsi.IssueSSK(ksak, sakke.Identity(w.alice, w.when), scalar())
	if err != nil {
		return nil, err
	}
	w.ssk = make([]byte, 32)
	ssk.FillBytes(w.ssk)
	w.pvt = eccsi.MarshalPoint(pvt)
	other, err := eccsi.KPAK(scalar())
	if err != nil {
		return nil, err
	}
	w.otherKPAK = eccsi.MarshalPoint(other)
	return w, nil
}

// buildMessage builds a MIKEY-SAKKE I_MESSAGE from alice to bob with two
// AES-GCM SRTP crypto sessions and returns its wire bytes and the SSV.
func (w *sakkeWorld) buildMessage(t testing.TB) ([]byte, []byte) {
	t.Helper()
	return w.build(t, false)
}

func (w *sakkeWorld) build(t testing.TB, toSelf bool) ([]byte, []byte) {
	t.Helper()
	ssv := make([]byte, 16)
	rand.Read(ssv)
	rnd := make([]byte, 16)
	rand.Read(rnd)
	gcm := &SPPayload{PolicyNo: 0, Prot: ProtSRTP, Params: []SPParam{
		SPUint(SPEncrAlg, uint8(SRTPEncrAESGCM)), SPUint(SPEncrKeyLen, 16),
		SPUint(SPSaltKeyLen, 12), SPUint(SPAEADAuthTagLen, 16),
	}}
	m, err := BuildSAKKE(SAKKEBuild{
		CSBID: 0x1000_0042, Time: w.when, Rand: rnd,
		InitiatorURI: w.alice, ResponderURI: w.bob,
		InitiatorKMS: "kms.example.org", ResponderKMS: "kms.example.org",
		Sessions: []GenericCS{
			{CSID: 1, Prot: ProtSRTP, Policies: []byte{0}, SessionData: []byte{0xCA, 0xFE, 0xBA, 0xBE}},
			{CSID: 2, Prot: ProtSRTP, Policies: []byte{0}, SessionData: []byte{0x12, 0x34, 0x56, 0x78}},
		},
		Policies: []*SPPayload{gcm},
		SSV:      ssv, Z: w.Z, KPAK: w.KPAK, PVT: w.pvt, SSK: Secret(w.ssk),
		ToSelf: toSelf,
	})
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(m.Raw), ssv
}

func (w *sakkeWorld) keys() SAKKEKeys {
	return SAKKEKeys{RSKs: []Secret{w.rskBob}, Zs: [][]byte{w.Z}, KPAKs: [][]byte{w.KPAK}, Source: "test KMS"}
}

func openWire(t *testing.T, wire []byte, k SAKKEKeys, opts OpenOptions) *SAKKEResult {
	t.Helper()
	m, err := Parse(wire)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	res, err := OpenSAKKE(m, k, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOpenSAKKE(t *testing.T) {
	w := newSAKKEWorld(t)
	wire, ssv := w.buildMessage(t)
	m, err := Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.DataType != DataTypeSAKKE || m.Header.PRF != PRFFuncHMACSHA256 || m.Header.MapType != MapGenericID {
		t.Fatalf("header: %+v", m.Header)
	}
	if s := m.SIGN(); s == nil || s.SType != SignECCSI || len(s.Signature) != 129 || s.SignatureOffset != len(wire)-129 {
		t.Fatalf("SIGN payload: %+v", s)
	}
	if p := m.SAKKE(); p == nil || len(p.Data) != 273 || p.Params != 1 || p.IDScheme != 1 {
		t.Fatalf("SAKKE payload: %+v", p)
	}
	res, err := OpenSAKKE(m, w.keys(), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Signature.Status != AuthVerified || res.Decap != SAKKEDecapsulated {
		t.Fatalf("signature %v, decap %v, notes %q", res.Signature.Status, res.Decap, res.Notes)
	}
	if !bytes.Equal(res.SSV, ssv) {
		t.Fatal("SSV differs from the one encapsulated")
	}
	if res.Month != "2026-11" || res.ResponderURI != w.bob || res.InitiatorURI != w.alice ||
		res.ResponderKMS != "kms.example.org" || res.InitiatorKMS != "kms.example.org" {
		t.Errorf("identities: %+v", res)
	}
	if want := "2026-11\x00" + w.bob + "\x00"; string(res.ResponderID) != want {
		t.Errorf("ResponderID = %q, want %q", res.ResponderID, want)
	}
	if res.RSKRef != KindFingerprint("sakke", w.rskBob) || res.ZRef != KindFingerprint("kms-z", w.Z) || res.KPAKRef != KindFingerprint("kms-kpak", w.KPAK) {
		t.Errorf("refs %q %q %q", res.RSKRef, res.ZRef, res.KPAKRef)
	}
	// Crypto session keys: the SSV is the TGK (RFC 6509 §3.1), PRF-HMAC-SHA-256.
	if len(res.Sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(res.Sessions))
	}
	rnd := m.RAND().Rand
	for i, s := range res.Sessions {
		csid := uint8(i + 1)
		tek, err := DeriveTEK(PRFFuncHMACSHA256, ssv, csid, 0x1000_0042, rnd, 16)
		if err != nil {
			t.Fatal(err)
		}
		salt, err := DeriveTEKSalt(PRFFuncHMACSHA256, ssv, csid, 0x1000_0042, rnd, 12)
		if err != nil {
			t.Fatal(err)
		}
		if s.CSID != csid || !bytes.Equal(s.MasterKey, tek) || !bytes.Equal(s.MasterSalt, salt) || !s.Derived {
			t.Errorf("session %d: CSID %d key %v salt %v", i, s.CSID, s.MasterKey, s.MasterSalt)
		}
	}
	// Nothing secret is printed, in text or JSON.
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%v %+v", res, res) + string(js)
	for _, secret := range [][]byte{ssv, res.Sessions[0].MasterKey, w.rskBob[1:33]} {
		if strings.Contains(strings.ToLower(text), hex.EncodeToString(secret)) || strings.Contains(string(js), string(secret)) {
			t.Errorf("secret leaked in output")
		}
	}
	// The one entry point opens SAKKE too, with the SAKKE keys of Keys,
	// giving the same result in the shape of the other modes (the SIGN
	// verdict as the message's, the SSV as the TGK); supplied TGKs are not
	// applied to it.
	o := OpenExchange(m, nil, &Keys{SAKKE: w.keys(), TGKs: []TGK{{Key: make(Secret, 16)}}}, OpenOptions{})
	if o.Mode != ModeSAKKE || o.SAKKE == nil || o.Init == nil || o.Init.Auth != AuthVerified || o.Init.KeyRef != res.RSKRef ||
		len(o.TGKs) != 1 || !bytes.Equal(o.TGKs[0], ssv) || len(o.Sessions) != 2 || len(o.Notes) != 0 {
		t.Errorf("OpenExchange of SAKKE: %+v", o)
	}
	if o.SAKKE.Decap != res.Decap || !bytes.Equal(o.SAKKE.SSV, res.SSV) || strings.Join(o.SAKKE.Details(), "; ") != strings.Join(res.Details(), "; ") {
		t.Errorf("OpenExchange SAKKE result %+v, OpenSAKKE %+v", o.SAKKE, res)
	}
	if d := res.Details(); len(d) < 4 || d[0] != "key period 2026-11" || d[1] != "to "+w.bob || d[2] != "signature verified" || d[3] != "SAKKE decapsulated" {
		t.Errorf("Details = %q", d)
	}
	if (SAKKEKeys{}).Supplied() || !w.keys().Supplied() || (SAKKEKeys{Source: "x", KMS: []SAKKEKMS{{}}}).Supplied() {
		t.Error("Supplied")
	}
}

func TestOpenSAKKEVerdicts(t *testing.T) {
	w := newSAKKEWorld(t)
	wire, _ := w.buildMessage(t)
	m, _ := Parse(bytes.Clone(wire))
	flip := func(off int) []byte { b := bytes.Clone(wire); b[off] ^= 0x01; return b }
	randOff := m.RAND().Offset + 3
	hintOff := m.SAKKE().DataOffset + 272
	sigOff := m.SIGN().SignatureOffset + 10
	bobNov := sakke.Identity(w.bob, w.when)
	aliceNov := sakke.Identity(w.alice, w.when)
	with := func(f func(*SAKKEKeys)) SAKKEKeys { k := w.keys(); f(&k); return k }

	tests := []struct {
		name  string
		wire  []byte
		keys  SAKKEKeys
		opts  OpenOptions
		sig   AuthStatus
		decap SAKKEDecap
	}{
		{"intact", wire, w.keys(), OpenOptions{}, AuthVerified, SAKKEDecapsulated},
		{"RAND altered", flip(randOff), w.keys(), OpenOptions{}, AuthFailed, SAKKEDecapsulated},
		{"signature altered", flip(sigOff), w.keys(), OpenOptions{}, AuthFailed, SAKKEDecapsulated},
		{"hint altered", flip(hintOff), w.keys(), OpenOptions{}, AuthFailed, SAKKEOtherIdentity},
		{"wrong KPAK", wire, with(func(k *SAKKEKeys) { k.KPAKs = [][]byte{w.otherKPAK} }), OpenOptions{}, AuthFailed, SAKKEDecapsulated},
		{"no KPAK", wire, with(func(k *SAKKEKeys) { k.KPAKs = nil }), OpenOptions{}, AuthNoKey, SAKKEDecapsulated},
		{"no RSK", wire, with(func(k *SAKKEKeys) { k.RSKs = nil }), OpenOptions{}, AuthVerified, SAKKENoKey},
		{"no Z", wire, with(func(k *SAKKEKeys) { k.Zs = nil }), OpenOptions{}, AuthVerified, SAKKENoKey},
		{"RSK of next month only", wire, with(func(k *SAKKEKeys) { k.RSKs = []Secret{w.rskBobNx} }), OpenOptions{}, AuthVerified, SAKKERSKInvalid},
		{"RSKs of both months", wire, with(func(k *SAKKEKeys) { k.RSKs = []Secret{w.rskBobNx, w.rskBob} }), OpenOptions{}, AuthVerified, SAKKEDecapsulated},
		{"RSK of another user", wire, with(func(k *SAKKEKeys) { k.RSKs = []Secret{w.rskAlice} }), OpenOptions{}, AuthVerified, SAKKERSKInvalid},
		// Alice's keys, told she is the responder: her RSK is valid for her
		// identifier, but the data was encapsulated for Bob.
		{"message for another identity", wire, with(func(k *SAKKEKeys) { k.RSKs = []Secret{w.rskAlice}; k.ResponderID = aliceNov }), OpenOptions{}, AuthVerified, SAKKEOtherIdentity},
		{"identifier given verbatim", wire, with(func(k *SAKKEKeys) { k.ResponderID = bobNov }), OpenOptions{}, AuthVerified, SAKKEDecapsulated},
		{"garbage RSK", wire, with(func(k *SAKKEKeys) { k.RSKs = []Secret{make([]byte, 257)} }), OpenOptions{}, AuthVerified, SAKKENoKey},
		{"garbage Z", wire, with(func(k *SAKKEKeys) { k.Zs = [][]byte{{4, 1, 2}} }), OpenOptions{}, AuthVerified, SAKKENoKey},
		{"garbage KPAK", wire, with(func(k *SAKKEKeys) { k.KPAKs = [][]byte{{4}} }), OpenOptions{}, AuthNoKey, SAKKEDecapsulated},
		{"two KPAKs, second right", wire, with(func(k *SAKKEKeys) { k.KPAKs = [][]byte{w.otherKPAK, w.KPAK} }), OpenOptions{}, AuthVerified, SAKKEDecapsulated},
		{"two Zs, second right", wire, with(func(k *SAKKEKeys) { k.Zs = [][]byte{w.otherZ, w.Z} }), OpenOptions{}, AuthVerified, SAKKEDecapsulated},
		{"wrong Z", wire, with(func(k *SAKKEKeys) { k.Zs = [][]byte{w.otherZ} }), OpenOptions{}, AuthVerified, SAKKERSKInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := openWire(t, tc.wire, tc.keys, tc.opts)
			if res.Signature.Status != tc.sig || res.Decap != tc.decap {
				t.Errorf("signature %v decap %v, want %v %v; notes %q", res.Signature.Status, res.Decap, tc.sig, tc.decap, res.Notes)
			}
			if tc.name == "RSK of next month only" && res.RSKMonth != "2026-12" {
				t.Errorf("RSKMonth = %q, want 2026-12", res.RSKMonth)
			}
			if (res.Decap == SAKKEDecapsulated) != (len(res.SSV) > 0) || (res.Decap == SAKKEDecapsulated) != (len(res.Sessions) > 0) {
				t.Errorf("SSV/sessions present (%d/%d) inconsistent with %v", len(res.SSV), len(res.Sessions), res.Decap)
			}
		})
	}
}

// TestOpenSAKKESignatureWithoutHeader re-signs a message over the bytes
// before the SIGN payload (leaving out S type and length) and expects the
// second layout to verify, named in Variant.
func TestOpenSAKKESignatureWithoutHeader(t *testing.T) {
	w := newSAKKEWorld(t)
	wire, _ := w.buildMessage(t)
	m, err := Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	kpak, _ := eccsi.ParsePoint(w.KPAK)
	pvt, _ := eccsi.ParsePoint(w.pvt)
	s := m.SIGN()
	sig, err := eccsi.SignRandom(rand.Reader, kpak, sakke.Identity(w.alice, w.when), wire[:s.Offset], new(big.Int).SetBytes(w.ssk), pvt)
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := sig.Marshal()
	copy(wire[s.SignatureOffset:], sb)
	res := openWire(t, wire, w.keys(), OpenOptions{})
	if res.Signature.Status != AuthVerified || res.Signature.Variant != VariantSIGNWithoutHeader {
		t.Errorf("signature %v variant %q", res.Signature.Status, res.Signature.Variant)
	}
	res = openWire(t, bytes.Clone(w.mustBuild(t)), w.keys(), OpenOptions{})
	if res.Signature.Status != AuthVerified || res.Signature.Variant != "" {
		t.Errorf("RFC layout: signature %v variant %q", res.Signature.Status, res.Signature.Variant)
	}
}

func (w *sakkeWorld) mustBuild(t testing.TB) []byte {
	wire, _ := w.buildMessage(t)
	return wire
}

// TestOpenSAKKEToSelf opens the SAKKE-to-self extension with the
// initiator's RSK when the responder's is not at hand.
func TestOpenSAKKEToSelf(t *testing.T) {
	w := newSAKKEWorld(t)
	wire, ssv := w.build(t, true)
	m, err := Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	if g := m.GenExts(); len(g) != 1 || g[0].ExtType != GenExtSAKKEToSelf {
		t.Fatalf("general extensions: %+v", g)
	}
	k := w.keys()
	k.RSKs = []Secret{w.rskAlice}
	res, err := OpenSAKKE(m, k, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decap != SAKKERSKInvalid || res.ToSelf != SAKKEDecapsulated || !bytes.Equal(res.SSV, ssv) || len(res.Sessions) != 2 || res.Signature.Status != AuthVerified {
		t.Errorf("decap %v to-self %v sig %v notes %q", res.Decap, res.ToSelf, res.Signature.Status, res.Notes)
	}
	// With the responder's key the SAKKE payload opens and to-self is not needed.
	res, _ = OpenSAKKE(m, w.keys(), OpenOptions{})
	if res.Decap != SAKKEDecapsulated || res.ToSelf != SAKKENoPayload || !bytes.Equal(res.SSV, ssv) {
		t.Errorf("responder key: decap %v to-self %v", res.Decap, res.ToSelf)
	}
}

// TestOpenSAKKEIdentityFromSignalling removes the IDR and T payloads
// from a message and supplies the URIs and the time from outside.
func TestOpenSAKKEIdentityFromSignalling(t *testing.T) {
	w := newSAKKEWorld(t)
	wire, ssv := w.buildMessage(t)
	m, err := Parse(wire)
	if err != nil {
		t.Fatal(err)
	}
	var kept []Payload
	for _, p := range m.Payloads {
		switch p.(type) {
		case *IDRPayload, *TPayload:
			continue
		}
		kept = append(kept, p)
	}
	m.Payloads = kept
	if _, err := m.Build(); err != nil {
		t.Fatal(err)
	}
	// The signature no longer covers these bytes; only the SAKKE part opens.
	res, err := OpenSAKKE(m, w.keys(), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decap != SAKKENoIdentity || res.Signature.Status != AuthNoKey {
		t.Errorf("without identities: decap %v sig %v", res.Decap, res.Signature.Status)
	}
	res, err = OpenSAKKE(m, w.keys(), OpenOptions{CaptureTime: w.when, ResponderID: []byte(w.bob), InitiatorID: []byte(w.alice)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decap != SAKKEDecapsulated || !bytes.Equal(res.SSV, ssv) || res.Signature.Status != AuthFailed {
		t.Errorf("from signalling: decap %v sig %v notes %q", res.Decap, res.Signature.Status, res.Notes)
	}
}

func TestOpenSAKKENoPayloads(t *testing.T) {
	m := &Message{Header: Header{Version: 1, DataType: DataTypeSAKKE, MapType: MapGenericID}}
	if _, err := m.Build(); err != nil {
		t.Fatal(err)
	}
	res, err := OpenSAKKE(m, SAKKEKeys{}, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decap != SAKKENoPayload || res.Signature.Status != AuthNotApplicable {
		t.Errorf("empty message: %v %v", res.Decap, res.Signature.Status)
	}
	if _, err := OpenSAKKE(nil, SAKKEKeys{}, OpenOptions{}); err == nil {
		t.Error("nil message accepted")
	}
}

// FuzzOpenSAKKE parses junk as a MIKEY message and opens it with SAKKE
// keys: no panic, and a decapsulated SSV only from an intact SAKKE payload.
func FuzzOpenSAKKE(f *testing.F) {
	w := newSAKKEWorld(f)
	wire, _ := w.buildMessage(f)
	f.Add(wire)
	f.Add(wire[:len(wire)-129])
	f.Add(wire[:40])
	k := w.keys()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		res, err := OpenSAKKE(m, k, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Decap == SAKKEDecapsulated && len(res.SSV) != 16 {
			t.Fatalf("SSV of %d octets", len(res.SSV))
		}
	})
}

func BenchmarkOpenSAKKE(b *testing.B) {
	w := newSAKKEWorld(b)
	wire, _ := w.buildMessage(b)
	k := w.keys()
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		m, err := Parse(wire)
		if err != nil {
			b.Fatal(err)
		}
		res, err := OpenSAKKE(m, k, OpenOptions{})
		if err != nil || res.Decap != SAKKEDecapsulated {
			b.Fatal(err, res.Decap)
		}
	}
}
