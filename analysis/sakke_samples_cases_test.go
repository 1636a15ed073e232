package analysis_test

import (
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// analyseSAKKECall analyses a call of samples/sakke (a MIKEY-SAKKE
// message and AES-GCM media both ways) with a keys file of the sample:
// one session with one MIKEY message, whose four streams (30 RTP and 1
// RTCP packets each way) are all authenticated and decrypted, the 60 RTP
// payloads equal to the generator's plaintext.
func analyseSAKKECall(t *testing.T, pcap, keysFile string) *analysis.Report {
	t.Helper()
	checked, differ := 0, 0
	r := analyse(t, pcap, sampleKeys(t, keysFile), payloadHook(&checked, &differ))
	if len(r.Sessions) != 1 || len(r.Sessions[0].MIKEY) != 1 {
		t.Fatalf("sessions: %+v", r.Sessions)
	}
	ss := r.Sessions[0]
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
	return r
}

// TestSAKKESample: the MIKEY-SAKKE call of samples/sakke opens with its
// keys file: ECCSI signature verified, SSV decapsulated, both AES-GCM
// streams (and their SRTCP) authenticated, every RTP payload equal to the
// generator's plaintext. With bob's RSK of the previous month the
// sakke.rsk-invalid finding names the key period and nothing decrypts.
func TestSAKKESample(t *testing.T) {
	r := analyseSAKKECall(t, "sakke/sip-sakke.pcap", "sakke/sip-sakke")
	ss := r.Sessions[0]
	mm := ss.MIKEY[0]
	if mm.Auth != "verified" || !strings.Contains(mm.Detail, "signature verified") || !strings.Contains(mm.Detail, "SAKKE decapsulated") || ss.Mode != "SAKKE" {
		t.Errorf("MIKEY-SAKKE message: auth %s, detail %q, mode %s", mm.Auth, mm.Detail, ss.Mode)
	}
	if len(ss.CryptoSessions) != 2 || ss.CryptoSessions[0].Policy != "AEAD_AES_128_GCM" {
		t.Errorf("crypto sessions: %+v", ss.CryptoSessions)
	}
	// The only finding is the false positive on the answer's SDP (see
	// TestSAVPAnswerToKeyedOffer): MIKEY-SAKKE has no answer message.
	for _, f := range r.Findings {
		if f.Code != analysis.KindSAVPWithoutKeying.Code || f.Frame != 4 {
			t.Errorf("finding %s frame %d: %s", f.Code, f.Frame, f.Summary)
		}
	}

	r = analyse(t, "sakke/sip-sakke.pcap", sampleKeys(t, "sakke/sip-sakke-wrong-rsk"), nil)
	found := false
	for _, f := range r.Findings {
		found = found || (f.Code == analysis.KindSAKKERSKInvalid.Code && f.Frame == 1 &&
			strings.Contains(f.Summary, "no supplied RSK is valid for tel:+15551230001 in key period 2026-11"))
	}
	if !found {
		t.Errorf("wrong RSK: %s", describeFindings(r))
	}
	if d := r.Sessions[0].MIKEY[0].Detail; !strings.Contains(d, "for 2026-10") {
		t.Errorf("wrong RSK detail does not name its key period: %q", d)
	}
	for _, s := range r.Sessions[0].Streams {
		if s.Decrypted != 0 {
			t.Errorf("%s %s decrypted with a wrong RSK", s.Kind, s.SSRC)
		}
	}
}
