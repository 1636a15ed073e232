package analysis_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// misorderedSDP puts a session-level b= line before c= (RFC 4566 §5 orders
// c= first), which github.com/pion/sdp/v3 rejects.
func misorderedSDP(offer []byte) (string, []byte) {
	return "application/sdp", bytes.Replace(offer, []byte("\r\nc="), []byte("\r\nb=AS:64\r\nc="), 1)
}

// TestReadableTimesAndPlaces (issue 17 item 8) on a capture of two calls
// five days apart made by the sample generator's call builder, the first
// with a misordered SDP in its INVITE: the SDP finding says what is wrong
// in words and belongs to the first call's session (the INVITE creates the
// session after the dissector reported the problem); each SIP session
// knows its final response.
func TestReadableTimesAndPlaces(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	c1 := callSpec(0, t0, 5)
	c1.InviteBody = misorderedSDP
	c2 := callSpec(1, t0.Add(120*time.Hour+56*time.Minute+37380*time.Millisecond), 5)
	r := analyseFile(t, writeCalls(t, []scenario.SIPCallSpec{c1, c2}), nil)
	if len(r.Sessions) != 2 {
		t.Fatalf("%d sessions", len(r.Sessions))
	}
	var sdp int
	for _, f := range r.Findings {
		if !strings.Contains(f.Summary, "SDP rejected by the strict parser") {
			continue
		}
		sdp++
		if f.Session != r.Sessions[0].ID {
			t.Errorf("SDP finding in session %d, want %d (the INVITE's): %s", f.Session, r.Sessions[0].ID, f.Summary)
		}
		if f.Frame != 1 || !strings.Contains(f.Summary, "b= line 4 comes before c= line 5 in the session section: RFC 4566 §5 orders c= before b=") ||
			strings.Contains(f.Summary, "syntax error at pos") {
			t.Errorf("SDP finding at frame %d: %s", f.Frame, f.Summary)
		}
	}
	if sdp != 1 {
		t.Errorf("%d SDP findings, want 1", sdp)
	}
	for _, s := range r.Sessions {
		if s.FinalStatus != "200 OK" {
			t.Errorf("session %s: final status %q, want 200 OK", s.Key, s.FinalStatus)
		}
		if s.FindingCounts.Errors+s.FindingCounts.Warnings+s.FindingCounts.Notes == 0 && s.ID == r.Sessions[0].ID {
			t.Errorf("session %d counts no finding", s.ID)
		}
	}
}
