package analysis_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/srtp"
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
	checked, differ := 0, 0
	hook := func(s *analysis.Stream, p *dissect.MediaPacket, plain []byte) {
		if plain == nil || p.Kind != dissect.KindRTP {
			return
		}
		h, err := srtp.ParseRTPHeader(plain)
		checked++
		if err != nil || !bytes.Equal(plain[h.HeaderLen:], scenario.Payload(h.SSRC, h.SequenceNumber)) {
			differ++
		}
	}
	r := analyse(t, "sakke/mc-private-call.pcap", sampleKeys(t, "sakke/mc-private-call"), hook)
	if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 {
		t.Fatalf("sessions: %+v", r.Sessions)
	}
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
	want := map[string]uint64{"rtp": 30, "rtcp": 1}
	if len(ss.Streams) != 4 {
		t.Errorf("%d streams, want 4", len(ss.Streams))
	}
	for _, s := range ss.Streams {
		if s.Packets != want[s.Kind] || s.Authenticated != s.Packets || s.Decrypted != s.Packets {
			t.Errorf("%s %s: %d packets, %d authenticated, %d decrypted", s.Kind, s.SSRC, s.Packets, s.Authenticated, s.Decrypted)
		}
	}
	if checked != 60 || differ != 0 {
		t.Errorf("payloads: %d checked, %d differ", checked, differ)
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
// the same key (one fingerprint).
func TestMCGroupKeysSample(t *testing.T) {
	r := analyse(t, "sakke/mc-group-keys.pcap", sampleKeys(t, "sakke/mc-group-keys"), nil)
	if len(r.Sessions) != 2 || len(r.Findings) != 0 {
		t.Fatalf("%d sessions; findings %s", len(r.Sessions), describeFindings(r))
	}
	var keys, guks []string
	for i, ss := range r.Sessions {
		if len(ss.MIKEY) != 1 {
			t.Fatalf("session %d: %d MIKEY messages", i, len(ss.MIKEY))
		}
		mm := ss.MIKEY[0]
		mc := mm.MC
		member := []string{"sip:alice@mcptt.example.org", "sip:bob@mcptt.example.org"}[i]
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
	if len(keys) == 2 && (keys[0] != keys[1] || guks[0] == guks[1]) {
		t.Errorf("keys %q, GUK-IDs %q: one GMK, two GUK-IDs expected", keys, guks)
	}
}
