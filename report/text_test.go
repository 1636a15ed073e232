package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// TestTextFindingsByCode: the header counts the findings per code, most
// severe first, then most frequent, with the number of distinct sessions.
func TestTextFindingsByCode(t *testing.T) {
	f := func(code string, sev analysis.Severity, session int) *analysis.Finding {
		return &analysis.Finding{Code: code, Severity: sev, Session: session, Summary: "s"}
	}
	r := &analysis.Report{Inputs: []string{"x.pcap"}, Findings: []*analysis.Finding{
		f("srtp.no-key", analysis.SeverityNote, 1), f("srtp.no-key", analysis.SeverityNote, 1),
		f("srtp.no-key", analysis.SeverityNote, 2), f("mikey.replay", analysis.SeverityWarning, 2),
		f("mikey.mac-mismatch", analysis.SeverityError, 3), f("capture.limit", analysis.SeverityWarning, 0),
		f("capture.limit", analysis.SeverityWarning, 0), f("tcp.gap", analysis.SeverityWarning, 0),
		f("tcp.gap", analysis.SeverityWarning, 4),
	}}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(b.String(), "\n") {
		if fs := strings.Fields(line); len(fs) >= 4 && (fs[3] == "in" || fs[3] == "capture-wide") {
			got = append(got, strings.Join(fs, " "))
		}
	}
	want := []string{
		"error mikey.mac-mismatch 1 in 1 session(s)",
		// Capture-wide findings are not "in 0 session(s)" (issue 17 item 8).
		"warning capture.limit 2 capture-wide",
		"warning tcp.gap 2 in 1 session(s) and capture-wide",
		"warning mikey.replay 1 in 1 session(s)",
		"note srtp.no-key 3 in 2 session(s)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("by code:\n%s\nwant\n%s\n\nreport:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), b.String())
	}
}

// TestTextJitterLabel: jitter is named for what it is, RFC 3550
// interarrival jitter, last value and maximum (issue 17 item 8).
func TestTextJitterLabel(t *testing.T) {
	r := &analysis.Report{Inputs: []string{"x"}, Sessions: []*analysis.Session{{ID: 1, Carrier: "rtsp", Key: "s1",
		Streams: []*analysis.Stream{{Kind: "rtp", SSRC: "0x00000001", JitterMS: 1.25, MaxJitterMS: 3.5, KeyStatus: "no-key"}}}}}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ", RFC 3550 interarrival jitter 1.25 ms last, 3.50 ms max") {
		t.Errorf("jitter label:\n%s", b.String())
	}
}

// TestTextHostileHEPNames: a HEP node name (or anything else from the
// wire) with a terminal escape, a bidi override or invalid UTF-8 reaches
// the text report in visible forms. The bidi override U+202E passed
// through the report's escaper before and reversed the rest of the line on screen.
func TestTextHostileHEPNames(t *testing.T) {
	node := "sbc\x1b[2J\u202eevil\u2066\xff"
	via := "hep agent 7 (" + node + ")"
	r := &analysis.Report{Inputs: []string{"x"},
		Summary: analysis.Summary{HEP: &analysis.HEPSummary{Packets: 1, SIP: 1, Agents: []analysis.HEPAgent{{ID: "7", Node: node, Packets: 1}}}},
		Sessions: []*analysis.Session{{ID: 1, Carrier: "sip", Key: "c\u202e1",
			Signals: []*analysis.Signal{{Frame: 1, Summary: "INVITE sip:b@x", Via: via,
				AlsoSeen: []analysis.SignalCopy{{Frame: 2, Via: via}}}}}}}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\u202e\u2066") || !utf8.ValidString(out) {
		t.Errorf("escape, bidi override or invalid UTF-8 in the report:\n%q", out)
	}
	want := `sbc\x1b[2J\u202eevil\u2066` + "\ufffd"
	if n := strings.Count(out, want); n < 3 {
		t.Errorf("the node name in visible form %d times, want 3 (HEP line, session, signal):\n%s", n, out)
	}
}
