package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/report"
)

// schemaNode is the subset of JSON Schema that docs/report-schema.json uses.
type schemaNode struct {
	Ref                  string                 `json:"$ref"`
	Type                 string                 `json:"type"`
	Required             []string               `json:"required"`
	Properties           map[string]*schemaNode `json:"properties"`
	AdditionalProperties *bool                  `json:"additionalProperties"`
	Items                *schemaNode            `json:"items"`
	Enum                 []string               `json:"enum"`
	Pattern              string                 `json:"pattern"`
	Defs                 map[string]*schemaNode `json:"$defs"`
}

func loadSchema(t *testing.T) *schemaNode {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "report-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s schemaNode
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema: %v", err)
	}
	return &s
}

// validate checks v (decoded with UseNumber) against node; root resolves $ref.
func validate(root, node *schemaNode, v any, path string) []string {
	if node.Ref != "" {
		name := strings.TrimPrefix(node.Ref, "#/$defs/")
		def, ok := root.Defs[name]
		if !ok {
			return []string{path + ": unknown $ref " + node.Ref}
		}
		return validate(root, def, v, path)
	}
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, a...)) }
	switch node.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want object, got %T", v)
			return errs
		}
		for _, r := range node.Required {
			if _, ok := obj[r]; !ok {
				bad("missing required %q", r)
			}
		}
		for k, val := range obj {
			p, ok := node.Properties[k]
			if !ok {
				if node.AdditionalProperties != nil && !*node.AdditionalProperties {
					bad("property %q is not in the schema", k)
				}
				continue
			}
			errs = append(errs, validate(root, p, val, path+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("want array, got %T", v)
			return errs
		}
		if node.Items != nil {
			for i, e := range arr {
				errs = append(errs, validate(root, node.Items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("want string, got %T", v)
			return errs
		}
		if len(node.Enum) > 0 {
			found := false
			for _, e := range node.Enum {
				found = found || e == s
			}
			if !found {
				bad("%q not in %v", s, node.Enum)
			}
		}
		if node.Pattern != "" && !regexp.MustCompile(node.Pattern).MatchString(s) {
			bad("%q does not match %s", s, node.Pattern)
		}
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			bad("want integer, got %T", v)
			return errs
		}
		if _, err := n.Int64(); err != nil {
			bad("want integer, got %s", n)
		}
	}
	return errs
}

// TestReportJSONMatchesSchema runs the report over every bundled sample
// (with and without keys, with the field trees) and validates the JSON
// document against docs/report-schema.json.
func TestReportJSONMatchesSchema(t *testing.T) {
	root := loadSchema(t)
	pcaps, _ := filepath.Glob(filepath.Join("..", "samples", "*.pcap*"))
	sdesPcaps, _ := filepath.Glob(filepath.Join("..", "samples", "sdes", "*.pcap"))
	// The MIKEY-SAKKE samples, mission-critical ones included (mc objects).
	sakke, _ := filepath.Glob(filepath.Join("..", "samples", "sakke", "*.pcap"))
	pcaps = append(pcaps, sakke...)
	if len(pcaps) == 0 || len(sdesPcaps) == 0 {
		t.Fatal("no samples")
	}
	for _, f := range append(pcaps, sdesPcaps...) {
		for _, withKeys := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/keys=%v", filepath.Base(f), withKeys), func(t *testing.T) {
				var buf bytes.Buffer
				if err := report.WriteJSON(&buf, sampleReport(t, f, withKeys), report.JSONOptions{Trees: true}); err != nil {
					t.Fatal(err)
				}
				dec := json.NewDecoder(&buf)
				dec.UseNumber()
				var doc any
				if err := dec.Decode(&doc); err != nil {
					t.Fatal(err)
				}
				if errs := validate(root, root, doc, "$"); len(errs) > 0 {
					if len(errs) > 10 {
						errs = errs[:10]
					}
					t.Errorf("report does not match the schema:\n%s", strings.Join(errs, "\n"))
				}
				if doc.(map[string]any)["sessions"] == nil {
					t.Error("no sessions array")
				}
			})
		}
	}
}

// TestValidatorRejects makes sure the validator itself can fail.
func TestValidatorRejects(t *testing.T) {
	root := loadSchema(t)
	var doc any
	dec := json.NewDecoder(strings.NewReader(`{"schema":"mikeyscope.report/v2","inputs":[],"summary":{},"sessions":[{"id":"x"}],"findings":[{"code":"Bad Code"}],"extra":1}`))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	errs := validate(root, root, doc, "$")
	joined := strings.Join(errs, "\n")
	for _, want := range []string{`"mikeyscope.report/v2" not in`, `property "extra"`, `missing required "frames"`, `$.sessions[0].id: want integer`, `does not match`} {
		if !strings.Contains(joined, want) {
			t.Errorf("validator missed %q in:\n%s", want, joined)
		}
	}
}

// sampleReport analyses a sample capture, with the field trees, and with
// its keys file (same base name, .keys) when withKeys is true.
func sampleReport(t *testing.T, file string, withKeys bool) *analysis.Report {
	t.Helper()
	var st *keys.Store
	if withKeys {
		base := strings.TrimSuffix(strings.TrimSuffix(file, ".pcapng"), ".pcap")
		if s, _, err := keys.ParseFile(base + ".keys"); err == nil {
			st = s
		}
	}
	src, err := capture.OpenFiles(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{Keys: st, Trees: true})
	a.SetInputs([]string{file})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	return a.Finish()
}

// TestCaptureCountersMatchSchema: a report with a live capture's kernel
// counters, its -w counts after a write failure and a file's recorded
// drops matches the schema, and writes the counters under the names the
// schema gives.
func TestCaptureCountersMatchSchema(t *testing.T) {
	root := loadSchema(t)
	r := sampleReport(t, filepath.Join("..", "samples", "sip-udp-psk.pcap"), false)
	r.Summary.Live = &analysis.LiveCounters{Received: 10, Dropped: 2, RingFreezes: 1, FilterRemoved: 3}
	r.Summary.RecordedDrops = 4
	r.Summary.Write = &analysis.WriteCounters{FramesWritten: 57, FramesNotWritten: 154, FirstFrameNotWritten: 58,
		Failure: "-w /mnt/live.pcapng: no space left on device"}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r, report.JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if errs := validate(root, root, doc, "$"); len(errs) > 0 {
		t.Errorf("report does not match the schema:\n%s", strings.Join(errs, "\n"))
	}
	s := doc["summary"].(map[string]any)
	live, _ := s["live_capture"].(map[string]any)
	if live == nil || live["kernel_dropped"] != json.Number("2") || live["kernel_received"] != json.Number("10") ||
		live["ring_freezes"] != json.Number("1") || live["filter_removed"] != json.Number("3") || s["recorded_drops"] != json.Number("4") {
		t.Errorf("summary %v", s)
	}
	w, _ := s["capture_write"].(map[string]any)
	if w == nil || w["frames_written"] != json.Number("57") || w["frames_not_written"] != json.Number("154") ||
		w["first_frame_not_written"] != json.Number("58") || w["failure"] != "-w /mnt/live.pcapng: no space left on device" {
		t.Errorf("summary.capture_write %v", w)
	}
}

// TestHEPInflatedMatchesSchema: summary.hep.inflated (compressed HEP
// payloads by format) is in the schema, and the text report names it.
func TestHEPInflatedMatchesSchema(t *testing.T) {
	root := loadSchema(t)
	r := &analysis.Report{Schema: analysis.Schema, Inputs: []string{"x"}, Summary: analysis.Summary{HEP: &analysis.HEPSummary{Packets: 3, SIP: 2, Malformed: 1,
		Inflated: map[string]uint64{"zlib": 1, "packet-gzip": 1}}}}
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r, report.JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if errs := validate(root, root, doc, "$"); len(errs) > 0 {
		t.Errorf("report does not match the schema:\n%s", strings.Join(errs, "\n"))
	}
	if !strings.Contains(buf.String(), `"inflated":{"packet-gzip":1,"zlib":1}`) {
		t.Errorf("no inflated counts in %s", buf.String())
	}
	buf.Reset()
	if err := report.WriteText(&buf, r, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "HEP: 3 packets, 2 SIP, inflated 1 packet-gzip, 1 zlib; 1 malformed") {
		t.Errorf("text report:\n%s", buf.String())
	}
}
