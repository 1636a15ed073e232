package mikey

import (
	"encoding/binary"
	"encoding/hex"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/mcvectors"
)

// TestMCUIDVectors: the UID of TS 33.180 §F.2.1 against published values:
// issue #20's two vectors (its second is Streamwide's first), the five UIDs
// of Streamwide's test vectors and the
// UserIDs its KMS provisioned with the key sets of the same file (values in
// internal/mcvectors: Streamwide/sw_mikey_sakke StreamwideTestVectors.md
// v5, commit f599c2a0d2aa76391d173294bda56f108a39aba5).
func TestMCUIDVectors(t *testing.T) {
	type vector struct {
		uri, kms       string
		length, offset uint64
		n              uint64
		want           string
	}
	cases := []vector{
		{"alice@org.com", "192.168.4.101:8080", 2592000, 0, 631, "309d9c5b8e681c330283f85e04dab2ca4daa7dfd125f1d7bf9aa9f4e11fe91af"},
	}
	for _, u := range mcvectors.UIDs {
		cases = append(cases, vector{u.URI, u.KMSURI, u.Length, u.Offset, u.PeriodNo, u.UID})
	}
	// KmsKeySet UserIDs for key period 236 of the published KMS
	// (kms.mydev.streamwide.com, UserKeyPeriod 16777215, UserKeyOffset 0).
	for _, s := range []mcvectors.KeySet{mcvectors.GMS, mcvectors.Alice, mcvectors.Bob} {
		cases = append(cases, vector{s.URI, mcvectors.KMS.URI, mcvectors.KMS.Length, mcvectors.KMS.Offset, s.PeriodNo, s.UID})
	}
	if len(cases) != 9 {
		t.Fatalf("%d vectors", len(cases))
	}
	for _, c := range cases {
		got := hex.EncodeToString(MCUID(c.uri, c.kms, KeyPeriod{c.length, c.offset}, c.n))
		if got != c.want {
			t.Errorf("UID(%q, %q, %d, %d, %d) = %s, want %s", c.uri, c.kms, c.length, c.offset, c.n, got, c.want)
		}
	}
}

// TestKeyPeriodNumber: ⌊(T − offset) / length⌋ with T in seconds since
// 1900-01-01, at the epoch, at period boundaries and around the offset.
func TestKeyPeriodNumber(t *testing.T) {
	month := KeyPeriod{Length: 2592000}
	at := func(sec int64) time.Time { return NTPEpoch.Add(time.Duration(sec) * time.Second) }
	for _, c := range []struct {
		p       KeyPeriod
		t       time.Time
		want    uint64
		wantErr bool
	}{
		{month, NTPEpoch, 0, false},
		{month, at(2591999), 0, false},
		{month, at(2592000), 1, false},
		{month, at(2592001), 1, false},
		{month, NTPEpoch.Add(-time.Second), 0, true},
		{KeyPeriod{Length: 100, Offset: 50}, at(49), 0, true},
		{KeyPeriod{Length: 100, Offset: 50}, at(50), 0, false},
		{KeyPeriod{Length: 100, Offset: 50}, at(149), 0, false},
		{KeyPeriod{Length: 100, Offset: 50}, at(150), 1, false},
		{KeyPeriod{}, at(150), 0, true},
		// The T of Streamwide's published GMK I_MESSAGE (NTP 0xec898da8,
		// 2025-10-02T23:47:52Z) is in period 236 of 16777215 s, the period
		// of the key sets its KMS issued.
		{KeyPeriod{Length: 16777215}, NTPTime(0xec898da800000000), 236, false},
		// The Unix epoch: 2208988800 s after the NTP epoch.
		{KeyPeriod{Length: 2208988800}, time.Unix(0, 0), 1, false},
		{KeyPeriod{Length: 2208988801}, time.Unix(0, 0), 0, false},
	} {
		got, err := c.p.Number(c.t)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("%v.Number(%s) = %d, %v; want %d, error %v", c.p, c.t.Format(time.RFC3339), got, err, c.want, c.wantErr)
		}
		if err == nil && c.p.Start(got).After(c.t) || err == nil && !c.p.Start(got+1).After(c.t) {
			t.Errorf("%v: %s is not in [Start(%d), Start(%d))", c.p, c.t, got, got+1)
		}
	}
}

// TestGUKID: the GUK-ID of TS 33.180 §F.1.3 against Streamwide's published
// GMK test (GMK 07d1…, GMK-ID 0df9bc39, alice → 06a12aea) and Etherstack's
// two vectors in the same repository (unit_tests/test_guk.cc), and back.
func TestGUKID(t *testing.T) {
	for _, c := range []struct {
		gmk, uri     string
		gmkID, gukID uint32
	}{
		{mcvectors.GMK.Key, mcvectors.GMK.Responder, binary.BigEndian.Uint32(mustHex(t, mcvectors.GMK.KeyID)), binary.BigEndian.Uint32(mustHex(t, mcvectors.GMK.GUKID))},
		{"fcfe65cd967c58d260b603ccb9a887a9", "sip:p25user01@etherstack.com", 0x09bf9d37, 0x01c8de7b},
		{"fcfe65cd967c58d260b603ccb9a887a9", "sip:p25user02@etherstack.co.jp", 0x09bf9d37, 0x0abe69d0},
	} {
		gmk, _ := hex.DecodeString(c.gmk)
		if got := GUKID(gmk, c.uri, c.gmkID); got != c.gukID {
			t.Errorf("GUKID(%s, %q, %08x) = %08x, want %08x", c.gmk, c.uri, c.gmkID, got, c.gukID)
		}
		if got := GMKIDFromGUKID(gmk, c.uri, c.gukID); got != c.gmkID {
			t.Errorf("GMKIDFromGUKID = %08x, want %08x", got, c.gmkID)
		}
		if PurposeOf(c.gukID) != PurposeOf(c.gmkID) {
			t.Errorf("the purpose tag does not survive: %08x -> %08x", c.gmkID, c.gukID)
		}
	}
	// The purpose tag survives whatever the salt: a PCK-tagged id stays PCK.
	if got := PurposeOf(GUKID([]byte("k"), "sip:x@y", 0x1234_5678)); got != PurposePCK {
		t.Errorf("purpose %v", got)
	}
}

func TestKeyPurposeNames(t *testing.T) {
	for id, want := range map[uint32]string{0x0df9bc39: "GMK group", 0x16992638: "PCK private", 0x2ddd5bf0: "CSK client-server", 0x60000000: "MuSiK multicast signalling", 0xf0000000: "unknown (15) unknown (15)"} {
		p := PurposeOf(id)
		if got := p.String() + " " + p.Role(); got != want {
			t.Errorf("%08x: %q, want %q", id, got, want)
		}
	}
}
