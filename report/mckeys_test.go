package report_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/report"
)

// TestTextMCKeys: the text report of the MC group sample lists the
// distributed GMK once, with both deliveries, their GUK-IDs and checks, and
// the two talk bursts of the group call it keyed; no key in hex.
func TestTextMCKeys(t *testing.T) {
	r := sampleReport(t, filepath.Join("..", "samples", "sakke", "mc-group-keys.pcap"), true)
	var buf bytes.Buffer
	if err := report.WriteText(&buf, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	i := strings.Index(out, "\nDistributed MC keys\n")
	if i < 0 {
		t.Fatalf("no MC keys section:\n%s", out)
	}
	want := "  GMK 0x0a11ce55 " + r.MCKeys[0].Key + ", delivered in frame 1 to sip:alice@mcptt.example.org (GUK-ID 0x08c52cdb matches); frame 3 to sip:bob@mcptt.example.org (GUK-ID 0x05581ddf matches); keyed 2 SRTP streams of other dialogs\n"
	if got := out[i+len("\nDistributed MC keys\n"):]; got != want {
		t.Errorf("MC keys section:\n%q\nwant\n%q", got, want)
	}
}
