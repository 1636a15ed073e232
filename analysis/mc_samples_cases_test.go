package analysis_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// TestMCPrivateCallSample: the MC private call of samples/sakke opens with
// the KMS documents its keys file names (KmsCertificate of UserIdFormat 2,
// bob's KmsKeySet): the UIDs of the IDR payloads, named by the mcptt-info
// body's MC identities; the ECCSI signature verified, the PCK decapsulated,
// both AES-GCM streams (SRTP written by pion/srtp, with the PCK-ID as MKI)
// and their SRTCP authenticated and every payload equal to the
// generator's plaintext. Bob's key set of the previous key period and
// carol's key set are rejected with the findings that say so
// (sakke.rsk-invalid with sakke.key-period; mikey.no-key-fits).
func TestMCPrivateCallSample(t *testing.T) {
	r := analyseSAKKECall(t, "sakke/mc-private-call.pcap", "sakke/mc-private-call")
	ss := r.Sessions[0]
	mm := ss.MIKEY[0]
	mc := mm.MC
	if mm.Auth != "verified" || mm.KeyFP == "" || mc == nil {
		t.Fatalf("auth %s (%s), MC %+v", mm.Auth, mm.Detail, mc)
	}
	if mc.Purpose != "PCK" || mc.Role != "private" || mc.KeyID != "0x1c0ffee5" || mc.KeyIDFrom != "MKI" || mc.IDScheme != "uid" ||
		mc.Initiator != "sip:alice@mcptt.example.org" || mc.Responder != "sip:bob@mcptt.example.org" || mc.KMS != "kms.mcptt.example.org" ||
		mc.KeyPeriod == nil || *mc.KeyPeriod != 1544 || !strings.HasPrefix(mc.Key, "pck:") || mc.KeyHex != "" || len(mc.Problems) != 0 ||
		!strings.Contains(mc.KeyParams, "key type PCK, status 1") {
		t.Errorf("MC %+v", mc)
	}
	if len(ss.CryptoSessions) != 2 || ss.CryptoSessions[0].CSID != 0 || ss.CryptoSessions[1].CSID != 1 || ss.CryptoSessions[0].MKI != "0x1c0ffee5" {
		t.Errorf("crypto sessions: %+v", ss.CryptoSessions)
	}
	for _, f := range r.Findings {
		t.Errorf("finding %s frame %d: %s", f.Code, f.Frame, f.Summary)
	}

	for _, c := range []struct {
		keys    string
		codes   []string
		summary string
	}{
		{"sakke/mc-private-call-wrong-period", []string{analysis.KindSAKKERSKInvalid.Code, analysis.KindSAKKEKeyPeriod.Code},
			"the supplied RSK of sip:bob@mcptt.example.org is the key of period 1543, not of the message's period 1544"},
		// Carol's key set is nobody's evidence against bob's keys: bob's
		// key was not supplied (mikey.no-key-fits), and the detail says
		// whose key set it is.
		{"sakke/mc-private-call-wrong-recipient", []string{analysis.KindNoKeyFits.Code},
			"no supplied RSK is valid for sip:bob@mcptt.example.org in key period 1544, and none is bound to it"},
	} {
		r := analyse(t, "sakke/mc-private-call.pcap", sampleKeys(t, c.keys), nil)
		codes := map[string]bool{}
		found := false
		for _, f := range r.Findings {
			if f.Code != analysis.KindSRTPUndecryptable.Code {
				codes[f.Code] = true
			}
			found = found || strings.Contains(f.Summary, c.summary)
		}
		if len(codes) != len(c.codes) || !found {
			t.Errorf("%s: %s", c.keys, describeFindings(r))
		}
		for _, code := range c.codes {
			if !codes[code] {
				t.Errorf("%s: no %s", c.keys, code)
			}
		}
		if c.codes[0] == analysis.KindNoKeyFits.Code && !strings.Contains(r.Sessions[0].MIKEY[0].Detail, `by its key set (mc-carol.xml:9), the key of "sip:carol@mcptt.example.org" for key period 1544`) {
			t.Errorf("wrong recipient detail: %s", r.Sessions[0].MIKEY[0].Detail)
		}
		for _, s := range r.Sessions[0].Streams {
			if s.Decrypted != 0 {
				t.Errorf("%s: %s %s decrypted", c.keys, s.Kind, s.SSRC)
			}
		}
	}
}

// TestMCGroupKeysSample: the GMS's two SIP MESSAGEs distribute one GMK to
// alice and bob (I_MESSAGE in an mcptt-info body): both open with the
// members' key sets, the signer is the GMS, each CSB ID is the member's
// GUK-ID and checks, the GMK-ID is recovered from the MKI, and both carry
// the same key (one fingerprint). The group call that follows (another
// dialog, no key management) is keyed by that GMK: its four streams
// (AES-GCM SRTP and SRTCP written by pion/srtp with keys the generator
// derived per talker from its GUK-ID) authenticate, every payload is the generator's plaintext, each
// talker is named by the GUK-ID in the MKI; bob's key set alone does the
// same; without keys nothing decrypts and no mc.group-key-unknown is made.
func TestMCGroupKeysSample(t *testing.T) {
	const alice, bob = "sip:alice@mcptt.example.org", "sip:bob@mcptt.example.org"
	checked, differ := 0, 0
	hook := payloadHook(&checked, &differ)
	r := analyse(t, "sakke/mc-group-keys.pcap", sampleKeys(t, "sakke/mc-group-keys"), hook)
	if len(r.Sessions) != 3 || len(r.Findings) != 0 {
		t.Fatalf("%d sessions; findings %s", len(r.Sessions), describeFindings(r))
	}
	var keys, guks []string
	for i, ss := range r.Sessions[:2] {
		if len(ss.MIKEY) != 1 {
			t.Fatalf("session %d: %d MIKEY messages", i, len(ss.MIKEY))
		}
		mm := ss.MIKEY[0]
		mc := mm.MC
		member := []string{alice, bob}[i]
		if mm.Auth != "verified" || mm.Where != dissect.WhereMCXMLBody || mc == nil || mc.Purpose != "GMK" || mc.Role != "group" ||
			mc.KeyID != "0x0a11ce55" || mc.GUKCheck != "matches" || mc.GUKID != mm.CSBID || mc.Initiator != "sip:gms@mcptt.example.org" || mc.Responder != member {
			t.Errorf("session %d: auth %s where %s MC %+v", i, mm.Auth, mm.Where, mc)
			continue
		}
		keys, guks = append(keys, mc.Key), append(guks, mc.GUKID)
		if cs := ss.CryptoSessions; len(cs) != 1 || cs[0].CSID != 4 || cs[0].MKI != "0x0a11ce55"+strings.TrimPrefix(mc.GUKID, "0x") {
			t.Errorf("session %d: crypto sessions %+v", i, cs)
		}
	}
	if len(keys) != 2 || keys[0] != keys[1] || guks[0] == guks[1] {
		t.Fatalf("keys %q, GUK-IDs %q: one GMK, two GUK-IDs expected", keys, guks)
	}
	checkGroupCall := func(name string, r *analysis.Report, distFrame map[string]uint64) {
		t.Helper()
		g := r.Sessions[2]
		if g.To != "sip:group-fire@mcptt.example.org" || len(g.MIKEY) != 0 || len(g.CryptoSessions) != 2 {
			t.Fatalf("%s: group call %s -> %s, %d MIKEY, crypto sessions %+v", name, g.From, g.To, len(g.MIKEY), g.CryptoSessions)
		}
		if cs := g.CryptoSessions; cs[0].KeyFP == cs[1].KeyFP {
			t.Errorf("%s: both talkers have key %s (each GUK-ID derives its own)", name, cs[0].KeyFP)
		}
		// The talkers' keys are those of their own GMK messages' crypto
		// sessions (opened by mikey.OpenSAKKE with the GUK-ID as CSB ID).
		for i, cs := range g.CryptoSessions {
			if own := r.Sessions[i].CryptoSessions; len(own) == 1 && own[0].KeyFP != "" && own[0].KeyFP != cs.KeyFP && distFrame["0x4c0a11ce"] == 1 {
				t.Errorf("%s: talker %s key %s, its GMK message's crypto session %s", name, cs.SSRC, cs.KeyFP, own[0].KeyFP)
			}
		}
		wantMKI := map[string]string{"0x4c0a11ce": "0x0a11ce55" + strings.TrimPrefix(guks[0], "0x"), "0x4c0b0b00": "0x0a11ce55" + strings.TrimPrefix(guks[1], "0x")}
		for _, cs := range g.CryptoSessions {
			if cs.Source != "mc-gmk" || cs.CSID != 4 || cs.FromFrame != distFrame[cs.SSRC] || cs.MKI != wantMKI[cs.SSRC] || cs.Policy != "AEAD_AES_128_GCM" {
				t.Errorf("%s: crypto session %+v", name, cs)
			}
		}
		want := map[string]uint64{"rtp": 30, "rtcp": 1}
		sender := map[string]string{"0x4c0a11ce": alice, "0x4c0b0b00": bob}
		if len(g.Streams) != 4 {
			t.Errorf("%s: %d streams", name, len(g.Streams))
		}
		for _, s := range g.Streams {
			if s.Packets != want[s.Kind] || s.Authenticated != s.Packets || s.Decrypted != s.Packets || s.KeyStatus != "decrypting" {
				t.Errorf("%s: %s %s: %d packets, %d authenticated, %d decrypted, %s", name, s.Kind, s.SSRC, s.Packets, s.Authenticated, s.Decrypted, s.KeyStatus)
			}
			if s.Kind == "rtp" && s.MCSender != sender[s.SSRC] {
				t.Errorf("%s: %s sender %q", name, s.SSRC, s.MCSender)
			}
		}
	}
	checkGroupCall("both members", r, map[string]uint64{"0x4c0a11ce": 1, "0x4c0b0b00": 3})
	checkTable := func(name string, r *analysis.Report, frames ...uint64) {
		t.Helper()
		if len(r.MCKeys) != 1 {
			t.Fatalf("%s: MC keys %+v", name, r.MCKeys)
		}
		k := r.MCKeys[0]
		if k.Purpose != "GMK" || k.KeyID != "0x0a11ce55" || k.Key != keys[0] || k.KeyHex != "" || k.Streams != 2 || len(k.Deliveries) != len(frames) {
			t.Errorf("%s: MC key %+v", name, k)
		}
		for i, d := range k.Deliveries {
			if i < len(frames) && (d.Frame != frames[i] || d.GUKCheck != "matches" || d.GUKID != guks[frames[i]/2] || d.Member != []string{alice, bob}[frames[i]/2]) {
				t.Errorf("%s: delivery %+v", name, d)
			}
		}
	}
	checkTable("both members", r, 1, 3)
	if checked != 60 || differ != 0 {
		t.Errorf("payloads: %d checked, %d differ", checked, differ)
	}

	checked, differ = 0, 0
	r = analyse(t, "sakke/mc-group-keys.pcap", sampleKeys(t, "sakke/mc-group-keys-bob"), hook)
	if len(r.Sessions) != 3 || r.Sessions[0].MIKEY[0].Auth == "verified" || r.Sessions[1].MIKEY[0].Auth != "verified" {
		t.Fatalf("bob's keys: %d sessions; findings %s", len(r.Sessions), describeFindings(r))
	}
	for _, f := range r.Findings {
		if f.Session == r.Sessions[2].ID {
			t.Errorf("bob's keys: group call finding %s: %s", f.Code, f.Summary)
		}
	}
	checkGroupCall("bob's key set", r, map[string]uint64{"0x4c0a11ce": 3, "0x4c0b0b00": 3})
	checkTable("bob's key set", r, 3)
	if checked != 60 || differ != 0 {
		t.Errorf("bob's keys: payloads: %d checked, %d differ", checked, differ)
	}

	r = analyseWith(t, "sakke/mc-group-keys.pcap", analysis.Options{Keys: sampleKeys(t, "sakke/mc-group-keys"), ShowKeys: true})
	if len(r.MCKeys) != 1 || r.MCKeys[0].KeyHex != hex.EncodeToString([]byte("MC group key #1!")) {
		t.Errorf("--show-keys: MC keys %+v", r.MCKeys)
	}

	r = analyse(t, "sakke/mc-group-keys.pcap", nil, nil)
	if len(r.MCKeys) != 0 {
		t.Errorf("no keys: MC keys %+v", r.MCKeys)
	}
	for _, s := range r.Sessions[2].Streams {
		if s.Decrypted != 0 {
			t.Errorf("no keys: %s %s decrypted", s.Kind, s.SSRC)
		}
	}
	for _, f := range r.Findings {
		if f.Code == analysis.KindMCGroupKeyUnknown.Code || f.Code == analysis.KindSAVPWithoutKeying.Code {
			t.Errorf("no keys: %s: %s", f.Code, f.Summary)
		}
	}
}
