package report_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/report"
)

// encodeWhole is what WriteJSON writes, stated plainly: the whole report
// through one json.Encoder, compact or with two-space indentation (the
// trees dropped when not asked for; no sessions or findings are empty
// arrays).
func encodeWhole(t *testing.T, r *analysis.Report, trees, pretty bool) []byte {
	t.Helper()
	out := *r
	if out.Sessions == nil {
		out.Sessions = []*analysis.Session{}
	}
	if out.Findings == nil {
		out.Findings = []*analysis.Finding{}
	}
	if !trees {
		out.Sessions = make([]*analysis.Session, len(r.Sessions))
		for i, s := range r.Sessions {
			sc := *s
			sc.MIKEY = make([]*analysis.MIKEYMessage, len(s.MIKEY))
			for j, m := range s.MIKEY {
				mc := *m
				mc.Tree = nil
				sc.MIKEY[j] = &mc
			}
			out.Sessions[i] = &sc
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if pretty {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(&out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteJSONStreamsTheSameDocument checks that WriteJSON, which encodes
// sessions and findings one at a time, writes byte for byte the document
// one encoder writes, on every sample with and without keys and trees, and
// on reports with empty and nil arrays.
func TestWriteJSONStreamsTheSameDocument(t *testing.T) {
	var reports []*analysis.Report
	pcaps, _ := filepath.Glob(filepath.Join("..", "samples", "*.pcap*"))
	more, _ := filepath.Glob(filepath.Join("..", "samples", "*", "*.pcap*"))
	for _, f := range append(pcaps, more...) {
		for _, withKeys := range []bool{false, true} {
			reports = append(reports, sampleReport(t, f, withKeys))
		}
	}
	if len(reports) < 30 {
		t.Fatalf("only %d reports", len(reports))
	}
	empty := &analysis.Report{Schema: analysis.Schema, Sessions: []*analysis.Session{}, Findings: []*analysis.Finding{}}
	reports = append(reports, empty, &analysis.Report{Schema: analysis.Schema})
	for i, r := range reports {
		for _, trees := range []bool{false, true} {
			for _, pretty := range []bool{false, true} {
				var got bytes.Buffer
				if err := report.WriteJSON(&got, r, report.JSONOptions{Trees: trees, Pretty: pretty}); err != nil {
					t.Fatal(err)
				}
				if want := encodeWhole(t, r, trees, pretty); !bytes.Equal(got.Bytes(), want) {
					t.Errorf("report %d (trees %v, pretty %v): streamed document differs from the encoder's (%d vs %d bytes)", i, trees, pretty, got.Len(), len(want))
				}
			}
		}
	}
}
