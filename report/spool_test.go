package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/report"
)

// seriesCapture writes 40 calls that end one after the other (1 s apart,
// 5 SRTP packets a direction) and returns the capture and keys file.
func seriesCapture(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := scenario.WriteSeriesFiles(dir, "series", 40, scenario.SeriesShape{Packets: 5, Spacing: time.Second}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "series.pcap"), filepath.Join(dir, "series.keys")
}

// analyse runs one pass with the options and the keys of keyFile ("" for
// none).
func analyse(t *testing.T, file, keyFile string, opts analysis.Options) *analysis.Report {
	t.Helper()
	if keyFile != "" {
		st, _, err := keys.ParseFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		opts.Keys = st
	}
	opts.Trees = true
	src, err := capture.OpenFiles(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(opts)
	a.SetInputs([]string{file})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}

// TestSpooledReportIsTheSame: the text and JSON reports of a pass whose
// finished sessions went to a spool file are byte for byte those of a
// pass that kept every session in memory, in every form (compact,
// indented, trees, verbose text), with and without keys.
func TestSpooledReportIsTheSame(t *testing.T) {
	file, keyFile := seriesCapture(t)
	for _, kf := range []string{"", keyFile} {
		whole := analyse(t, file, kf, analysis.Options{})
		for _, jo := range []report.JSONOptions{{}, {Pretty: true}, {Trees: true}, {Trees: true, Pretty: true}} {
			t.Run(fmt.Sprintf("json keys=%v %+v", kf != "", jo), func(t *testing.T) {
				var want bytes.Buffer
				if err := report.WriteJSON(&want, whole, jo); err != nil {
					t.Fatal(err)
				}
				sp, err := report.NewJSONSpool(jo)
				if err != nil {
					t.Fatal(err)
				}
				defer sp.Close()
				r := analyse(t, file, kf, analysis.Options{Retire: sp.Add})
				if sp.Len() < 30 {
					t.Fatalf("only %d sessions spooled", sp.Len())
				}
				jo.Spool = sp
				var got bytes.Buffer
				if err := report.WriteJSON(&got, r, jo); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("spooled JSON differs (%d vs %d bytes)", got.Len(), want.Len())
				}
			})
		}
		for _, verbose := range []bool{false, true} {
			t.Run(fmt.Sprintf("text keys=%v verbose=%v", kf != "", verbose), func(t *testing.T) {
				to := report.TextOptions{Verbose: verbose}
				var want bytes.Buffer
				if err := report.WriteText(&want, whole, to); err != nil {
					t.Fatal(err)
				}
				sp, err := report.NewTextSpool(to)
				if err != nil {
					t.Fatal(err)
				}
				defer sp.Close()
				r := analyse(t, file, kf, analysis.Options{Retire: sp.Add})
				to.Spool = sp
				var got bytes.Buffer
				if err := report.WriteText(&got, r, to); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("spooled text differs:\n%s", firstDiff(got.String(), want.String()))
				}
				// A spool of one kind given to the other writer is refused.
				if err := report.WriteJSON(&bytes.Buffer{}, r, report.JSONOptions{Spool: sp}); err == nil {
					t.Error("a text spool was accepted by WriteJSON")
				}
			})
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(al), len(bl))
}

// countingWriter counts the Write calls it gets: JSON lines are written
// one call a line.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestJSONLines: report --jsonl's lines are the JSON report's elements
// with a type (its sessions, its findings and a summary with the rest of
// the document), each written by itself; sessions come out while the pass
// runs; every line matches docs/report-lines-schema.json.
func TestJSONLines(t *testing.T) {
	file, keyFile := seriesCapture(t)
	root := loadSchema(t)
	lineSchema := loadLinesSchema(t)
	for _, kf := range []string{"", keyFile} {
		t.Run(fmt.Sprintf("keys=%v", kf != ""), func(t *testing.T) {
			var doc bytes.Buffer
			if err := report.WriteJSON(&doc, analyse(t, file, kf, analysis.Options{}), report.JSONOptions{Trees: true}); err != nil {
				t.Fatal(err)
			}
			var want map[string]json.RawMessage
			if err := json.Unmarshal(doc.Bytes(), &want); err != nil {
				t.Fatal(err)
			}

			var out countingWriter
			lines := report.NewJSONLines(&out, report.JSONOptions{Trees: true})
			var duringPass int
			r := analyse(t, file, kf, analysis.Options{
				Retire:  func(s *analysis.Session) { lines.Session(s); duringPass++ },
				Finding: lines.Finding,
			})
			if err := lines.Finish(r); err != nil {
				t.Fatal(err)
			}
			if duringPass < 30 {
				t.Errorf("only %d sessions written during the pass", duringPass)
			}
			text := strings.TrimSuffix(out.String(), "\n")
			all := strings.Split(text, "\n")
			if out.writes != len(all) {
				t.Errorf("%d lines in %d writes", len(all), out.writes)
			}
			var sessions, findings []json.RawMessage
			for i, l := range all {
				var m map[string]json.RawMessage
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("line %d: %v", i+1, err)
				}
				var typ string
				json.Unmarshal(m["type"], &typ)
				if (typ == "summary") != (i == len(all)-1) {
					t.Fatalf("line %d is a %s", i+1, typ)
				}
				delete(m, "type")
				rest, _ := json.Marshal(m)
				if errs := validateLine(root, lineSchema, typ, rest); len(errs) > 0 {
					t.Fatalf("line %d: %v", i+1, errs)
				}
				switch typ {
				case "session":
					sessions = append(sessions, rest)
				case "finding":
					findings = append(findings, rest)
				case "summary":
					for _, k := range []string{"schema", "inputs", "summary", "unassociated_streams", "keys"} {
						if canon(t, m[k]) != canon(t, want[k]) {
							t.Errorf("summary line %s: %s, want %s", k, m[k], want[k])
						}
					}
				}
			}
			var wantSessions, wantFindings []json.RawMessage
			json.Unmarshal(want["sessions"], &wantSessions)
			json.Unmarshal(want["findings"], &wantFindings)
			if got, w := canonSorted(t, sessions), canonSorted(t, wantSessions); got != w {
				t.Errorf("session lines differ from the report's sessions")
			}
			if got, w := canonSorted(t, findings), canonSorted(t, wantFindings); got != w {
				t.Errorf("finding lines differ from the report's findings:\n%s\n%s", got, w)
			}
			if len(sessions) != 40 {
				t.Errorf("%d session lines", len(sessions))
			}
		})
	}
}

// canon re-encodes a JSON value with sorted keys.
func canon(t *testing.T, b json.RawMessage) string {
	t.Helper()
	if b == nil {
		return "absent"
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func canonSorted(t *testing.T, list []json.RawMessage) string {
	s := make([]string, len(list))
	for i, b := range list {
		s[i] = canon(t, b)
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}

// linesSchema is the part of docs/report-lines-schema.json the test uses.
type linesSchema struct {
	Properties struct {
		Type struct {
			Enum []string `json:"enum"`
		} `json:"type"`
	} `json:"properties"`
	Members map[string]string `json:"x-members"`
}

func loadLinesSchema(t *testing.T) *linesSchema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "report-lines-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s linesSchema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Members) != 3 || len(s.Properties.Type.Enum) != 3 {
		t.Fatalf("lines schema: %+v", s)
	}
	return &s
}

// validateLine checks a line's members (its type removed) against the
// definition the lines schema names for its type.
func validateLine(root *schemaNode, ls *linesSchema, typ string, rest []byte) []string {
	ref, ok := ls.Members[typ]
	if !ok {
		return []string{"unknown type " + typ}
	}
	dec := json.NewDecoder(bytes.NewReader(rest))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{err.Error()}
	}
	if def, ok := strings.CutPrefix(ref, "report-schema.json#/$defs/"); ok {
		return validate(root, &schemaNode{Ref: "#/$defs/" + def}, v, typ)
	}
	// The summary: the named members of the document.
	list := strings.TrimPrefix(ref, "report-schema.json#/properties/")
	node := &schemaNode{Type: "object", AdditionalProperties: new(bool), Properties: map[string]*schemaNode{}}
	for _, name := range strings.Split(list, ",") {
		p := root.Properties[name]
		if p == nil {
			return []string{"lines schema names unknown member " + name}
		}
		node.Properties[name] = p
	}
	node.Required = []string{"schema", "inputs", "summary"}
	return validate(root, node, v, typ)
}
