package mikey_test

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/mckms"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// mcWorld is a generated UID KMS (weekly key periods with a one-hour
// offset) and the key sets of alice, bob, carol and the GMS for the
// message's key period and the one before, and RFC 6509 key sets.
type mcWorld struct {
	kms                  *mckms.KMS
	when                 time.Time
	n                    uint64
	alice, bob, carol    mckms.KeySet // period n
	alicePrev, bobPrev   mckms.KeySet // period n-1
	gms                  mckms.KeySet
	aliceRFC, bobRFC     mckms.KeySet // RFC 6509 identifiers of the month
	aliceURI, bobURI     string
	carolURI, gmsURI     string
	gmk, pck, gmkRAND    []byte
	gmkID, pckID, cskID  uint32
	sessionsPCK, sessGMK []mikey.GenericCS
}

var (
	mcOnce sync.Once
	mcW    *mcWorld
	mcErr  error
)

func newMCWorld(t testing.TB) *mcWorld {
	t.Helper()
	mcOnce.Do(func() { mcW, mcErr = genMCWorld() })
	if mcErr != nil {
		t.Fatal(mcErr)
	}
	return mcW
}

func genMCWorld() (*mcWorld, error) {
	kms, err := mckms.New("mikey MC tests", "kms.mc.example.org", mikey.KeyPeriod{Length: 604800, Offset: 3600})
	if err != nil {
		return nil, err
	}
	w := &mcWorld{kms: kms, when: time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC),
		aliceURI: "sip:alice@mc.example.org", bobURI: "sip:bob@mc.example.org", carolURI: "sip:carol@mc.example.org", gmsURI: "sip:gms@mc.example.org",
		gmk: []byte("group master key"), pck: []byte("private call key"), gmkRAND: []byte("0123456789abcdef"),
		gmkID: 0x0123_4567, pckID: 0x1abc_def0, cskID: 0x2000_0001}
	w.n = kms.PeriodNo(w.when)
	for _, x := range []struct {
		out *mckms.KeySet
		uri string
		n   uint64
	}{{&w.alice, w.aliceURI, w.n}, {&w.bob, w.bobURI, w.n}, {&w.carol, w.carolURI, w.n}, {&w.gms, w.gmsURI, w.n},
		{&w.alicePrev, w.aliceURI, w.n - 1}, {&w.bobPrev, w.bobURI, w.n - 1}} {
		if *x.out, err = kms.UIDKeySet(x.uri, x.n); err != nil {
			return nil, err
		}
	}
	if w.aliceRFC, err = kms.RFC6509KeySet(w.aliceURI, w.when); err != nil {
		return nil, err
	}
	if w.bobRFC, err = kms.RFC6509KeySet(w.bobURI, w.when); err != nil {
		return nil, err
	}
	return w, nil
}

// mc builds an I_MESSAGE from one key set to another.
type mcMsg struct {
	from, to   mckms.KeySet
	csbID      uint32
	sessions   []mikey.GenericCS
	ssv        []byte
	uids, uris bool
	scheme     mikey.SAKKEIDScheme
	toSelf     bool
}

func (w *mcWorld) build(t testing.TB, c mcMsg) *mikey.Message {
	t.Helper()
	b := mikey.SAKKEBuild{CSBID: c.csbID, Time: w.when, Rand: w.gmkRAND, Sessions: c.sessions,
		InitiatorKMS: w.kms.URI, ResponderKMS: w.kms.URI, SSV: c.ssv, Z: w.kms.Z, KPAK: w.kms.KPAK, PVT: c.from.PVT, SSK: c.from.SSK,
		InitiatorID: c.from.UID, ResponderID: c.to.UID, UIDs: c.uids, IDScheme: c.scheme, KeyParams: true, ToSelf: c.toSelf,
		Rnd: &mckms.Seeded{Seed: "ECCSI j"}}
	if c.uris {
		b.InitiatorURI, b.ResponderURI = c.from.UserURI, c.to.UserURI
	}
	m, err := mikey.BuildSAKKE(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mki(a, b uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, a), b)
}

// TestOpenMC: MC private and group key messages built with the test KMS
// and UID identities open with the KMS-provisioned keys; the wrong key
// period, the wrong identifier scheme and the wrong recipient are
// rejected and said so; the GUK-ID and the purpose tags are checked.
func TestOpenMC(t *testing.T) {
	w := newMCWorld(t)
	guk := mikey.GUKID(w.gmk, w.aliceURI, w.gmkID)
	gukCarol := mikey.GUKID(w.gmk, w.carolURI, w.gmkID)
	private := []mikey.GenericCS{{CSID: 0, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: binary.BigEndian.AppendUint32(nil, w.pckID)}, {CSID: 1, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: binary.BigEndian.AppendUint32(nil, w.pckID)}}
	group := []mikey.GenericCS{{CSID: 4, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: mki(w.gmkID, guk)}}
	pckMsg := mcMsg{from: w.alice, to: w.bob, csbID: w.pckID, sessions: private, ssv: w.pck, uids: true, scheme: 2}
	gmkMsg := mcMsg{from: w.gms, to: w.alice, csbID: guk, sessions: group, ssv: w.gmk, uids: true, scheme: 2}
	with := func(m mcMsg, f func(*mcMsg)) mcMsg { f(&m); return m }
	keys := func(cert bool, rsks []mckms.KeySet, others ...mckms.KeySet) mikey.SAKKEKeys {
		return w.kms.SAKKEKeys(cert, rsks, others...)
	}
	ks := func(s ...mckms.KeySet) []mckms.KeySet { return s }
	for _, c := range []struct {
		name     string
		msg      mcMsg
		keys     mikey.SAKKEKeys
		opts     mikey.OpenOptions
		decap    mikey.SAKKEDecap
		sig      mikey.AuthStatus
		scheme   string
		delta    int
		rskPer   string
		problem  string // a substring of one MC problem
		guk      string
		toSelf   mikey.SAKKEDecap
		mismatch bool
	}{
		{name: "private call", msg: pckMsg, keys: keys(true, ks(w.bob), w.alice), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid"},
		{name: "private call, no KMS certificate: both schemes tried", msg: pckMsg, keys: keys(false, ks(w.bob)), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid"},
		{name: "private call, UIDs computed from URIs, no UID in IDR", msg: with(pckMsg, func(m *mcMsg) { m.uids, m.uris = false, true }), keys: keys(true, ks(w.bob)), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid"},
		{name: "private call, URIs from the signalling only", msg: with(pckMsg, func(m *mcMsg) { m.uids = false }), keys: keys(true, ks(w.bob)),
			opts: mikey.OpenOptions{InitiatorID: []byte(w.aliceURI), ResponderID: []byte(w.bobURI)}, decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid"},
		{name: "wrong key period: only the RSK of the period before", msg: pckMsg, keys: keys(true, ks(w.bobPrev)), decap: mikey.SAKKERSKInvalid, sig: mikey.AuthVerified, rskPer: "period " + itoa(w.n-1)},
		{name: "sent for the period before: its RSK was needed", msg: with(pckMsg, func(m *mcMsg) { m.from, m.to = w.alicePrev, w.bobPrev }), keys: keys(true, ks(w.bobPrev), w.alicePrev), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid", delta: -1, rskPer: "period " + itoa(w.n-1)},
		{name: "wrong recipient: a message for carol, bob's RSK", msg: with(pckMsg, func(m *mcMsg) { m.to = w.carol }), keys: keys(true, ks(w.bob)), decap: mikey.SAKKERSKInvalid, sig: mikey.AuthVerified},
		{name: "wrong scheme: RFC 6509 identifiers under a UID KMS", msg: with(pckMsg, func(m *mcMsg) { m.from, m.to, m.uids, m.uris, m.scheme = w.aliceRFC, w.bobRFC, false, true, 1 }), keys: keys(true, ks(w.bobRFC)), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "rfc6509", mismatch: true},
		{name: "wrong scheme, UID keys only", msg: with(pckMsg, func(m *mcMsg) { m.from, m.to, m.uids, m.uris, m.scheme = w.aliceRFC, w.bobRFC, false, true, 1 }), keys: keys(true, ks(w.bob)), decap: mikey.SAKKEOtherIdentity, sig: mikey.AuthVerified, mismatch: true},
		{name: "group key", msg: gmkMsg, keys: keys(true, ks(w.alice), w.gms), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid", guk: "matches"},
		{name: "group key, GUK-ID of another member", msg: with(gmkMsg, func(m *mcMsg) {
			m.csbID = gukCarol
			m.sessions = []mikey.GenericCS{{CSID: 4, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: mki(w.gmkID, gukCarol)}}
		}), keys: keys(true, ks(w.alice)), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid", guk: "does not match", problem: "is not the GUK-ID of"},
		{name: "PCK-tagged id in a group key message", msg: with(gmkMsg, func(m *mcMsg) {
			m.sessions = []mikey.GenericCS{{CSID: 4, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: mki(w.pckID, guk)}}
		}), keys: keys(true, ks(w.alice)), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid", guk: "does not match", problem: "has purpose PCK, but the CSB ID says GMK"},
		{name: "private call key on a group call session", msg: with(pckMsg, func(m *mcMsg) {
			m.sessions = []mikey.GenericCS{{CSID: 4, Prot: mikey.ProtSRTP, Policies: []byte{0}, SPI: binary.BigEndian.AppendUint32(nil, w.pckID)}}
		}), keys: keys(true, ks(w.bob)), decap: mikey.SAKKEDecapsulated, sig: mikey.AuthVerified, scheme: "uid", problem: "crypto session 4 is not one of a PCK"},
		{name: "SAKKE-to-self with the initiator's UID", msg: with(pckMsg, func(m *mcMsg) { m.toSelf = true }), keys: keys(true, ks(w.alice)), decap: mikey.SAKKERSKInvalid, sig: mikey.AuthVerified, toSelf: mikey.SAKKEDecapsulated},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := w.build(t, c.msg)
			m, err := mikey.Parse(bytes.Clone(m.Raw))
			if err != nil {
				t.Fatal(err)
			}
			res, err := mikey.OpenSAKKE(m, c.keys, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Decap != c.decap || res.Signature.Status != c.sig || res.ToSelf != c.toSelf {
				t.Fatalf("decap %v, signature %v, to-self %v; want %v, %v, %v; notes %q", res.Decap, res.Signature.Status, res.ToSelf, c.decap, c.sig, c.toSelf, res.Notes)
			}
			if res.ResponderScheme != c.scheme || res.PeriodDelta != c.delta || res.RSKPeriod != c.rskPer || (len(res.SchemeMismatch) > 0) != c.mismatch {
				t.Errorf("scheme %q delta %d RSK period %q mismatch %q; want %q %d %q %v; notes %q", res.ResponderScheme, res.PeriodDelta, res.RSKPeriod, res.SchemeMismatch, c.scheme, c.delta, c.rskPer, c.mismatch, res.Notes)
			}
			if res.Decap == mikey.SAKKEDecapsulated || res.ToSelf == mikey.SAKKEDecapsulated {
				if !bytes.Equal(res.SSV, c.msg.ssv) || len(res.Sessions) != len(c.msg.sessions) {
					t.Errorf("SSV or sessions wrong: %d sessions", len(res.Sessions))
				}
				for i, s := range res.Sessions {
					tek, _ := mikey.DeriveTEK(mikey.PRFFuncHMACSHA256, c.msg.ssv, c.msg.sessions[i].CSID, c.msg.csbID, w.gmkRAND, 16)
					if !bytes.Equal(s.MasterKey, tek) || !bytes.Equal(s.MKI, c.msg.sessions[i].SPI) {
						t.Errorf("session %d: key or MKI wrong", i)
					}
				}
			}
			mc := res.MC
			if mc == nil {
				t.Fatal("no MC info")
			}
			if c.guk != mc.GUKCheck && c.guk != "" {
				t.Errorf("GUK check %q, want %q", mc.GUKCheck, c.guk)
			}
			var texts []string
			for _, p := range mc.Problems {
				texts = append(texts, p.Text)
			}
			joined := strings.Join(texts, "; ")
			if (c.problem == "") != (joined == "") || !strings.Contains(joined, c.problem) {
				t.Errorf("problems %q, want %q", joined, c.problem)
			}
			for _, p := range mc.Problems {
				if !strings.HasPrefix(string(p.Code), "mc-") || strings.Contains(p.Text, "is not the GUK-ID of") != (p.Code == mikey.NoteMCGUKID) {
					t.Errorf("problem %q has code %q", p.Text, p.Code)
				}
			}
			if len(res.SSV) > 0 && (mc.Params == nil || !mc.Params.Decrypted || mc.Params.KeyType != mikey.PurposeOf(c.msg.csbID)) {
				t.Errorf("key parameters %+v", mc.Params)
			}
		})
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
