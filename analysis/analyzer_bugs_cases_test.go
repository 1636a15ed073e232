package analysis_test

// Failing tests for analyzer bugs found while writing the finding cases
// (issue #6); the fixes are for the analysis package's owner.

import (
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// TestFinishTwiceSameFindings: analysis.Run ends with Finish, and callers
// (the CLI, these tests) call Finish again to get the report; the findings
// made at the end of the pass must not be added a second time.
func TestFinishTwiceSameFindings(t *testing.T) {
	f := newFeed(analysis.Options{})
	f.invite(must(t)(pskExchange(casePSK).Init())) // V flag, no answer: mikey.no-response at the end
	for _, p := range srtpPackets(t, caseKey, caseSalt, nil, ssrcA, 1, 2, 0) {
		f.rtp(p) // not opened: srtp.no-key at the end
	}
	first := len(f.a.Finish().Findings)
	if second := len(f.a.Finish().Findings); second != first {
		t.Errorf("Finish twice: %d findings, then %d: end-of-pass findings are added again", first, second)
	}
}

// TestSAVPAnswerToKeyedOffer: an SDP answer with RTP/SAVP and no key-mgmt
// to an offer keyed by a MIKEY message that needs no answer (MIKEY-NULL
// here; PSK without V, MIKEY-SAKKE) is normal (RFC 4567 §3.1, RFC 6509
// §2.2): no sdp.savp-without-keying.
func TestSAVPAnswerToKeyedOffer(t *testing.T) {
	f := newFeed(analysis.Options{})
	f.invite(nullMessage(t, nil))
	f.sip(false, "INVITE", 200, audioSDP("RTP/SAVP", false))
	r := f.finish()
	for _, fd := range r.Findings {
		if fd.Code == analysis.KindSAVPWithoutKeying.Code {
			t.Errorf("frame %d: %s", fd.Frame, fd.Summary)
		}
	}
}
