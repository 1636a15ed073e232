package report

import (
	"bytes"
	"strings"
	"testing"

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
		f("capture.limit", analysis.SeverityWarning, 0),
	}}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(b.String(), "\n") {
		if fs := strings.Fields(line); len(fs) == 6 && fs[3] == "in" {
			got = append(got, strings.Join(fs, " "))
		}
	}
	want := []string{
		"error mikey.mac-mismatch 1 in 1 session(s)",
		"warning capture.limit 2 in 0 session(s)",
		"warning mikey.replay 1 in 1 session(s)",
		"note srtp.no-key 3 in 2 session(s)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("by code:\n%s\nwant\n%s\n\nreport:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), b.String())
	}
}
