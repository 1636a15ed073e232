package mikey

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/mcvectors"
)

// streamwideKeys returns the published KMS and the users' key sets
// (internal/mcvectors) as SAKKEKeys: the RSKs of the named users, the KMS
// public keys, and (withKMS) the KMS certificate with its UserIdFormat and
// key period.
func streamwideKeys(t testing.TB, withKMS bool, rskOf ...mcvectors.KeySet) SAKKEKeys {
	kms := mcvectors.KMS
	k := SAKKEKeys{Zs: [][]byte{mustHex(t, kms.Z)}, KPAKs: [][]byte{mustHex(t, kms.KPAK)}, Source: mcvectors.Source}
	if withKMS {
		k.KMS = []SAKKEKMS{{URI: kms.URI, Format: UserIDFormat(kms.UserIDFormat), Period: KeyPeriod{kms.Length, kms.Offset}}}
	}
	for _, ks := range mcvectors.Users {
		u := SAKKEUser{URI: ks.URI, UID: mustHex(t, ks.UID), PeriodNo: ks.PeriodNo, HavePeriodNo: true, KMSURI: kms.URI}
		k.Users = append(k.Users, u)
		for _, r := range rskOf {
			if r.Name == ks.Name {
				k.RSKs = append(k.RSKs, mustHex(t, ks.RSK))
				k.RSKUsers = append(k.RSKUsers, u)
			}
		}
	}
	return k
}

// TestOpenStreamwideMessages opens the I_MESSAGEs a mission-critical
// vendor published (internal/mcvectors: Streamwide/sw_mikey_sakke
// StreamwideTestVectors.md v5, commit f599c2a0d2aa76391d173294bda56f108a39aba5)
// with the KMS-provisioned keys that go with them: UID
// identifiers (IDR roles 8 and 9), the SSV is the published GMK, CSK or
// PCK, the ECCSI signature of the GMS or of alice verifies, the GUK-ID of
// the group key matches the published one and the key parameters
// extension decrypts. With the KMS certificate the UID scheme is chosen by
// its UserIdFormat; without it both schemes are tried and the UID one
// matches.
func TestOpenStreamwideMessages(t *testing.T) {
	for _, c := range []struct {
		tv      mcvectors.Message
		to      mcvectors.KeySet
		purpose string
		role    string
	}{
		{mcvectors.GMK, mcvectors.Alice, "GMK", "group"},
		{mcvectors.CSK, mcvectors.GMS, "CSK", "client-server"},
		{mcvectors.PCK, mcvectors.Bob, "PCK", "private"},
	} {
		for _, withKMS := range []bool{true, false} {
			tv := c.tv
			if tv.Responder != c.to.URI {
				t.Fatalf("%s is for %s, not %s", tv.Name, tv.Responder, c.to.URI)
			}
			m, err := Parse(tv.Wire())
			if err != nil {
				t.Fatalf("%s: %v", tv.Name, err)
			}
			k := streamwideKeys(t, withKMS, c.to)
			res, err := OpenSAKKE(m, k, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			name := tv.Name + map[bool]string{true: " with KMS certificate", false: " without"}[withKMS]
			if res.Decap != SAKKEDecapsulated || res.Signature.Status != AuthVerified {
				t.Fatalf("%s: decap %v, signature %v; notes %q", name, res.Decap, res.Signature.Status, res.Notes)
			}
			if !bytes.Equal(res.SSV, mustHex(t, tv.Key)) {
				t.Errorf("%s: SSV is not the published %s", name, tv.Purpose)
			}
			if res.ResponderScheme != "uid" || res.InitiatorScheme != "uid" || res.PeriodDelta != 0 || len(res.SchemeMismatch) > 0 {
				t.Errorf("%s: schemes %q/%q, delta %d, mismatch %q", name, res.ResponderScheme, res.InitiatorScheme, res.PeriodDelta, res.SchemeMismatch)
			}
			if res.ResponderURI != tv.Responder || res.InitiatorURI != tv.Initiator {
				t.Errorf("%s: URIs %q -> %q, want %q -> %q", name, res.InitiatorURI, res.ResponderURI, tv.Initiator, tv.Responder)
			}
			if withKMS && (res.KeyPeriodNo == nil || *res.KeyPeriodNo != 236 || res.UserIDFormat != UserIDFormatUID) {
				t.Errorf("%s: key period %v, format %v", name, res.KeyPeriodNo, res.UserIDFormat)
			}
			mc := res.MC
			if mc == nil {
				t.Fatalf("%s: no MC key info", name)
			}
			wantID := binary.BigEndian.Uint32(mustHex(t, tv.KeyID))
			if mc.Purpose != c.purpose || mc.Role != c.role || !mc.HaveKeyID || mc.KeyID != wantID || len(mc.Problems) > 0 {
				t.Errorf("%s: MC %+v, want %s %s key id %08x", name, mc, c.purpose, c.role, wantID)
			}
			if mc.SSVRef != KindFingerprint(strings.ToLower(tv.Purpose), mustHex(t, tv.Key)) {
				t.Errorf("%s: SSV ref %q", name, mc.SSVRef)
			}
			if tv.GUKID != "" {
				if mc.GUKCheck != "matches" || mc.CSBID != binary.BigEndian.Uint32(mustHex(t, tv.GUKID)) || mc.MemberURI != tv.Responder {
					t.Errorf("%s: GUK check %q, CSB ID %08x, member %q", name, mc.GUKCheck, mc.CSBID, mc.MemberURI)
				}
			}
			if p := mc.Params; p == nil || !p.Decrypted || p.KeyType.String() != c.purpose || p.Status != 1 || p.DPPKID != m.Header.CSBID {
				t.Errorf("%s: key parameters %+v", name, p)
			}
			if tv.GUKID != "" {
				// The crypto session keys are those of the group call
				// (CS ID 4, CSB ID the GUK-ID, RAND the GMK-RAND) with the
				// MKI GMK-ID ‖ GUK-ID.
				if len(res.Sessions) != 1 || res.Sessions[0].CSID != 4 || hex.EncodeToString(res.Sessions[0].MKI) != tv.KeyID+tv.GUKID {
					t.Errorf("%s: sessions %+v", name, res.Sessions)
				}
				if hex.EncodeToString(m.RAND().Rand) != tv.Rand {
					t.Errorf("RAND is not the published GMK-RAND")
				}
			}
		}
	}
}

// TestMCTEKEtherstack: the SRTP master key and salt of a group call from a
// GMK, GUK-ID (CSB ID), CS ID 4 and RAND, as Etherstack's vector in
// Streamwide's unit_tests/test_guk.cc gives them (RFC 3830 §4.1.3 with
// PRF-HMAC-SHA-256 as TS 33.180 §E.1.2 requires).
func TestMCTEKEtherstack(t *testing.T) {
	gmk := mustHex(t, "fcfe65cd967c58d260b603ccb9a887a9")
	rnd := mustHex(t, "6819e679461120e10ac458cce67b8024")
	for _, c := range []struct {
		uri       string
		guk       uint32
		key, salt string
	}{
		{"sip:p25user01@etherstack.com", 0x01c8de7b, "64837d2b4d69a266e4489d3807353ad9", "8b2f081ce8e8bdab1f8d9eb8"},
		{"sip:p25user02@etherstack.co.jp", 0x0abe69d0, "de81b70c4ae0ff3f79364df586c2e0ce", "750ea7422b4d5a8ff475c6d5"},
	} {
		if g := GUKID(gmk, c.uri, 0x09bf9d37); g != c.guk {
			t.Fatalf("GUK-ID %08x", g)
		}
		key, err := DeriveTEK(PRFFuncHMACSHA256, gmk, 4, c.guk, rnd, 16)
		if err != nil {
			t.Fatal(err)
		}
		salt, err := DeriveTEKSalt(PRFFuncHMACSHA256, gmk, 4, c.guk, rnd, 12)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(key) != c.key || hex.EncodeToString(salt) != c.salt {
			t.Errorf("%s: key %x salt %x", c.uri, key, salt)
		}
	}
}

// TestMCTree: the field tree of the published GMK message names the key
// purpose and role of the CSB ID (a GUK-ID), the MKI's GMK-ID and GUK-ID
// and the crypto session's use, the UID roles of the IDR payloads, and the
// key parameters extension field by field, each at its offset.
func TestMCTree(t *testing.T) {
	m, err := Parse(mcvectors.GMK.Wire())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Field{}
	var walk func(f *Field)
	walk = func(f *Field) {
		if _, dup := got[f.Name]; !dup {
			got[f.Name] = f
		}
		for _, c := range f.Children {
			walk(c)
		}
	}
	walk(m.Tree())
	for name, want := range map[string]string{
		"CSB ID":       "key purpose GMK (3GPP, group), key ID 0x6a12aea; for a GMK the member's GUK-ID",
		"SPI":          "MKI: GMK-ID 0x0df9bc39 (GMK) ‖ GUK-ID 0x06a12aea; CS 4: MCPTT group call media",
		"ID role":      "8 (Initiator's UID (3GPP TS 33.180))",
		"DPPK-ID":      "key purpose GMK",
		"Message type": "encrypted",
	} {
		f := got[name]
		if f == nil || !strings.Contains(f.Meaning, want) && !strings.Contains(f.Value+" ("+f.Meaning+")", want) {
			t.Errorf("%s: %+v, want %q", name, f, want)
		}
	}
	if f := got["IV"]; f == nil || f.Value != "28704fa41c8fe20f881c1bab0d32d8ca" || f.Offset != 499+12 {
		t.Errorf("IV %+v", f)
	}
	if f := got["Protected key parameters"]; f == nil || f.Length != 36 || f.Offset+f.Length != 570 {
		t.Errorf("protected key parameters %+v", f)
	}
}

// FuzzMCKeyParams: the key parameters extension reader and its decryption
// never panic; a decryption that succeeds gives a key type.
func FuzzMCKeyParams(f *testing.F) {
	f.Add(mustHex(f, "43000000000100000000000128704fa41c8fe20f881c1bab0d32d8ca06a12aea0000244eddc3bf8c2a4a5d3fc9848440123e7d054dab4308d505759206cc789d05a4ce0e49364d"), mustHex(f, "07d1a1677ac36d8e81620484689b3c2d"))
	f.Add(mustHex(f, "0100000001000000000000000000000000"), []byte{})
	sealed, _ := SealMCKeyParams([]byte("0123456789abcdef"), 0x1234_5678, PurposePCK, make([]byte, 16))
	f.Add(sealed, []byte("0123456789abcdef"))
	f.Fuzz(func(t *testing.T, data, key []byte) {
		p, err := ParseMCKeyParams(data)
		if err != nil || p == nil {
			return
		}
		if p.Decrypt(key) == nil && !p.Decrypted {
			t.Fatal("decrypted without a result")
		}
		_ = p.String()
	})
}

// FuzzOpenMC opens mutated MC vendor messages with its published KMS and
// key sets: no panic, and the MC report is consistent.
func FuzzOpenMC(f *testing.F) {
	for _, m := range mcvectors.Messages {
		f.Add(m.Wire())
	}
	k := streamwideKeys(f, true, mcvectors.Alice, mcvectors.Bob, mcvectors.GMS)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err != nil {
			return
		}
		res, err := OpenSAKKE(m, k, OpenOptions{PartyURIs: []string{mcvectors.Alice.URI, ""}})
		if err != nil {
			t.Fatal(err)
		}
		if r := res.MCReport(false); r != nil && (r.KeyHex != "" || r.Purpose == "") {
			t.Fatalf("MC report %+v", r)
		}
	})
}

// TestOpenStreamwideLegacy: the published GMK message in the older layout
// (SRTP-ID map, no MKI, key parameters in clear with the key type counted
// from 1) opens with the IWF's key set; its GMK-ID, absent from the
// message, is recovered from the GUK-ID and the GMK and equals the
// published one.
func TestOpenStreamwideLegacy(t *testing.T) {
	tv := mcvectors.GMKLegacy
	m, err := Parse(tv.Wire())
	if err != nil {
		t.Fatal(err)
	}
	res, err := OpenSAKKE(m, streamwideKeys(t, true, mcvectors.IWF), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mc := res.MC
	if res.Decap != SAKKEDecapsulated || res.Signature.Status != AuthVerified || !bytes.Equal(res.SSV, mustHex(t, tv.Key)) || mc == nil {
		t.Fatalf("decap %v signature %v; notes %q", res.Decap, res.Signature.Status, res.Notes)
	}
	if want := binary.BigEndian.Uint32(mustHex(t, tv.KeyID)); mc.KeyID != want || mc.KeyIDFrom != "GUK-ID" || res.ResponderURI != tv.Responder {
		t.Errorf("key id %08x from %s (want %08x), member %q", mc.KeyID, mc.KeyIDFrom, want, res.ResponderURI)
	}
	if p := mc.Params; p == nil || !p.Legacy || p.KeyType != PurposeGMK || p.Status != 1 || len(mc.Problems) != 0 {
		t.Errorf("key parameters %+v, problems %+v", p, mc.Problems)
	}
}
