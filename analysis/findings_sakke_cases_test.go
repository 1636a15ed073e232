package analysis_test

// MIKEY-SAKKE findings (RFC 6509): a KMS generated here from a fixed seed
// (SAKKE master secret, ECCSI KSAK), an initiator alice with her ECCSI
// signing key, and responders bob and carol with their RSKs; messages built
// with mikey.BuildSAKKE.

import (
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"sync"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/mikey/eccsi"
	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// seededReader is a deterministic byte stream: SHA-256(seed || counter).
type seededReader struct {
	seed string
	ctr  uint64
	buf  []byte
}

func (r *seededReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.buf) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], r.ctr)
			r.ctr++
			sum := sha256.Sum256(append([]byte(r.seed), c[:]...))
			r.buf = sum[:]
		}
		k := copy(p[n:], r.buf)
		r.buf = r.buf[k:]
		n += k
	}
	return n, nil
}

// sakkeKMS is the generated key material.
type sakkeKMS struct {
	Z, KPAK, otherKPAK []byte
	rskBob, rskCarol   []byte
	ssk                *big.Int
	pvt                eccsi.Point
	kpak               eccsi.Point
}

const (
	sakkeAlice = "tel:+447700900123"
	sakkeBob   = "tel:+15551230001"
	sakkeCarol = "tel:+15551230002" // same length as bob's URI
)

var (
	kmsOnce sync.Once
	kmsVal  *sakkeKMS
	kmsErr  error
)

func sakkeKeysFor(t *testing.T) *sakkeKMS {
	t.Helper()
	kmsOnce.Do(func() { kmsVal, kmsErr = genKMS() })
	if kmsErr != nil {
		t.Fatal(kmsErr)
	}
	return kmsVal
}

func eccsiScalar(r *seededReader) *big.Int {
	b := make([]byte, 40)
	r.Read(b)
	v := new(big.Int).SetBytes(b)
	v.Mod(v, new(big.Int).Sub(eccsi.Order(), big.NewInt(1)))
	return v.Add(v, big.NewInt(1))
}

func genKMS() (*sakkeKMS, error) {
	pp := sakke.ParameterSet1()
	rnd := &seededReader{seed: "mikeyscope issue 6 KMS"}
	z, err := pp.GenerateMasterSecret(rnd)
	if err != nil {
		return nil, err
	}
	Z, err := pp.PublicKey(z)
	if err != nil {
		return nil, err
	}
	k := &sakkeKMS{Z: pp.MarshalPoint(Z)}
	for _, x := range []struct {
		uri string
		out *[]byte
	}{{sakkeBob, &k.rskBob}, {sakkeCarol, &k.rskCarol}} {
		rsk, err := pp.ExtractRSK(z, sakke.Identity(x.uri, caseT0))
		if err != nil {
			return nil, err
		}
		*x.out = pp.MarshalPoint(rsk)
	}
	ksak := eccsiScalar(rnd)
	if k.kpak, err = eccsi.KPAK(ksak); err != nil {
		return nil, err
	}
	k.KPAK = eccsi.MarshalPoint(k.kpak)
	if k.ssk, k.pvt, err = eccsi.IssueSSK(ksak, sakke.Identity(sakkeAlice, caseT0), eccsiScalar(rnd)); err != nil {
		return nil, err
	}
	other, err := eccsi.KPAK(eccsiScalar(rnd))
	if err != nil {
		return nil, err
	}
	k.otherKPAK = eccsi.MarshalPoint(other)
	return k, nil
}

// sakkeMessage builds a signed MIKEY-SAKKE I_MESSAGE from alice whose SAKKE
// payload is encapsulated for encapTo and whose IDRr names idrR (the two
// differ only to build a message for another identity).
func sakkeMessage(t *testing.T, encapTo, idrR string) []byte {
	t.Helper()
	k := sakkeKeysFor(t)
	ssk := make([]byte, 32)
	k.ssk.FillBytes(ssk)
	b := mikey.SAKKEBuild{CSBID: caseCSB, Time: caseT0, Rand: caseRAND,
		InitiatorURI: sakkeAlice, ResponderURI: encapTo,
		Sessions: []mikey.GenericCS{{CSID: 1, Prot: mikey.ProtSRTP, Policies: []byte{0}, SessionData: []byte{0xa1, 0xa1, 0xa1, 0xa1}}},
		Policies: []*mikey.SPPayload{aesCMPolicy()},
		SSV:      seq(0x20, 16), Z: k.Z, KPAK: k.KPAK, PVT: eccsi.MarshalPoint(k.pvt), SSK: mikey.Secret(ssk),
		Rnd: &seededReader{seed: "ECCSI j"}}
	m, err := mikey.BuildSAKKE(b)
	if err != nil {
		t.Fatal(err)
	}
	if idrR == encapTo {
		return m.Raw
	}
	// Name another responder and sign again (RFC 6507 §5.2.1 over the
	// message up to the Signature field, RFC 3830 §5.2).
	raw := append([]byte(nil), m.Raw...)
	p := m.IDR(mikey.RoleResponder)
	off := p.End() - len(p.Data)
	if string(raw[off:p.End()]) != encapTo || len(idrR) != len(encapTo) {
		t.Fatalf("IDRr data not where expected")
	}
	copy(raw[off:], idrR)
	s := m.SIGN()
	sig, err := eccsi.SignRandom(&seededReader{seed: "ECCSI j 2"}, k.kpak, sakke.Identity(sakkeAlice, caseT0), raw[:s.SignatureOffset], k.ssk, k.pvt)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sig.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	copy(raw[s.SignatureOffset:], sb)
	return raw
}

// sakkeStore supplies the given RSK, KMS public key and KPAK (nil: absent).
func sakkeStore(rsk, z, kpak []byte) *keys.Store {
	st := &keys.Store{}
	if rsk != nil {
		st.SAKKERSKs = append(st.SAKKERSKs, keys.SAKKEKey{RSK: rsk, Source: "test"})
	}
	if z != nil {
		st.KMSZ = append(st.KMSZ, keys.RawKey{Value: z, Source: "test"})
	}
	if kpak != nil {
		st.KMSKPAK = append(st.KMSKPAK, keys.RawKey{Value: kpak, Source: "test"})
	}
	return st
}

func sakkeRun(t *testing.T, raw []byte, st *keys.Store) *analysis.Report {
	t.Helper()
	f := newFeed(analysis.Options{Keys: st})
	f.invite(raw)
	return f.finish()
}

func sakkeFindingCases() []findingCase {
	return []findingCase{
		{name: "encapsulated for carol, IDRr bob", code: analysis.KindSAKKEWrongIdentity.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				k := sakkeKeysFor(t)
				r := sakkeRun(t, sakkeMessage(t, sakkeCarol, sakkeBob), sakkeStore(k.rskBob, k.Z, k.KPAK))
				if mm := r.Sessions[0].MIKEY[0]; mm.Auth != "failed" {
					t.Errorf("auth %s (%s), want failed", mm.Auth, mm.Detail)
				}
				return r
			},
			summary: []string{"does not decapsulate for " + sakkeBob + " in 2026-11"}},
		// Issue 17 item 7: carol's RSK is not evidence that bob's message
		// is wrong: bob's key was not supplied.
		{name: "carol's RSK for bob's message", code: analysis.KindNoKeyFits.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				k := sakkeKeysFor(t)
				r := sakkeRun(t, sakkeMessage(t, sakkeBob, sakkeBob), sakkeStore(k.rskCarol, k.Z, k.KPAK))
				if mm := r.Sessions[0].MIKEY[0]; mm.Auth != "no-key-fits" {
					t.Errorf("auth %s (%s), want no-key-fits", mm.Auth, mm.Detail)
				}
				return r
			},
			summary: []string{"no supplied RSK is valid for " + sakkeBob + " in key period 2026-11", "its RSK was not supplied"}},
		{name: "carol's RSK bound to bob", code: analysis.KindSAKKERSKInvalid.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				k := sakkeKeysFor(t)
				st := sakkeStore(k.rskCarol, k.Z, k.KPAK)
				st.SAKKERSKs[0].Identity = sakkeBob
				r := sakkeRun(t, sakkeMessage(t, sakkeBob, sakkeBob), st)
				if mm := r.Sessions[0].MIKEY[0]; mm.Auth != "failed" {
					t.Errorf("auth %s (%s), want failed", mm.Auth, mm.Detail)
				}
				return r
			},
			summary: []string{"no supplied RSK is valid for " + sakkeBob + " in key period 2026-11"}},
		{name: "no Z", code: analysis.KindSAKKEMissingKMS.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				k := sakkeKeysFor(t)
				return sakkeRun(t, sakkeMessage(t, sakkeBob, sakkeBob), sakkeStore(k.rskBob, nil, k.KPAK))
			},
			summary: []string{"the RSK or the KMS public key (Z) is missing"}},
		{name: "no KPAK", code: analysis.KindSAKKEMissingKMS.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				k := sakkeKeysFor(t)
				r := sakkeRun(t, sakkeMessage(t, sakkeBob, sakkeBob), sakkeStore(k.rskBob, k.Z, nil))
				if n := len(r.Sessions[0].CryptoSessions); n != 1 {
					t.Errorf("the SSV should open without the KPAK: %d crypto sessions", n)
				}
				return r
			},
			summary: []string{"no KMS public authentication key (KPAK) to verify the ECCSI signature"}},
		{name: "SAKKE signed under another KPAK", code: analysis.KindSignatureInvalid.Code, frame: 1,
			run: func(t *testing.T) *analysis.Report {
				k := sakkeKeysFor(t)
				return sakkeRun(t, sakkeMessage(t, sakkeBob, sakkeBob), sakkeStore(k.rskBob, k.Z, k.otherKPAK))
			},
			summary: []string{"ECCSI signature of the MIKEY-SAKKE message from " + sakkeAlice + " does not verify"}},
	}
}

// TestSAKKECaseControl: with the right keys the same message verifies, the
// SSV opens and no finding is made.
func TestSAKKECaseControl(t *testing.T) {
	k := sakkeKeysFor(t)
	r := sakkeRun(t, sakkeMessage(t, sakkeBob, sakkeBob), sakkeStore(k.rskBob, k.Z, k.KPAK))
	if mm := r.Sessions[0].MIKEY[0]; mm.Auth != "verified" || len(r.Sessions[0].CryptoSessions) != 1 {
		t.Errorf("auth %s (%s), %d crypto sessions", mm.Auth, mm.Detail, len(r.Sessions[0].CryptoSessions))
	}
	if len(r.Findings) != 0 {
		t.Errorf("findings: %s", describeFindings(r))
	}
}
