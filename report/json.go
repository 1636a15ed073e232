package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// JSONOptions selects what the JSON report carries.
type JSONOptions struct {
	// Trees includes each MIKEY message's full field tree (every field with
	// its offset and length); without it only the summary fields appear.
	Trees bool
}

// WriteJSON writes the report as one JSON document with
// "schema": "mikeyscope.report/v1" (docs/report-schema.json), indented by
// two spaces as json.Encoder writes it.
//
// The sessions and findings, the arrays that grow with the capture, are
// encoded one element at a time into a buffered writer: encoding the whole
// document at once held it in memory as text, several times its size while
// the encoder's buffer grew (215 MB of RSS for 4,000 calls).
func WriteJSON(w io.Writer, r *analysis.Report, opts JSONOptions) error {
	frame := *r
	frame.Sessions, frame.Findings = nil, nil
	doc, err := json.MarshalIndent(&frame, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rest := doc
	for _, member := range []struct {
		name string // in document order
		n    int
		elem func(i int) any
	}{
		{"sessions", len(r.Sessions), func(i int) any { return sessionForJSON(r.Sessions[i], opts) }},
		{"findings", len(r.Findings), func(i int) any { return r.Findings[i] }},
	} {
		// Each member sits at the top level, two spaces in, as null.
		mark := []byte("\n  \"" + member.name + "\": null")
		at := bytes.Index(rest, mark)
		if at < 0 {
			return fmt.Errorf("report: %s member missing from the document", member.name)
		}
		bw.Write(rest[:at+len(mark)-len("null")])
		rest = rest[at+len(mark):]
		if err := writeArray(bw, member.n, member.elem); err != nil {
			return err
		}
	}
	bw.Write(rest)
	bw.WriteByte('\n')
	return bw.Flush()
}

// writeArray writes a top-level member's array of n elements, each
// encoded by itself at the depth it has in the document. The schema makes
// sessions and findings arrays: none is [], never null.
func writeArray(bw *bufio.Writer, n int, elem func(int) any) error {
	if n == 0 {
		bw.WriteString("[]")
		return nil
	}
	bw.WriteString("[\n")
	for i := 0; i < n; i++ {
		b, err := json.MarshalIndent(elem(i), "    ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteString(",\n")
		}
		bw.WriteString("    ")
		bw.Write(b)
	}
	bw.WriteString("\n  ]")
	return nil
}

// sessionForJSON returns s, or without Trees a shallow copy of it whose
// MIKEY messages carry no tree.
func sessionForJSON(s *analysis.Session, opts JSONOptions) *analysis.Session {
	if opts.Trees || s == nil {
		return s
	}
	sc := *s
	sc.MIKEY = make([]*analysis.MIKEYMessage, len(s.MIKEY))
	for j, m := range s.MIKEY {
		mc := *m
		mc.Tree = nil
		sc.MIKEY[j] = &mc
	}
	return &sc
}
