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
	// Pretty indents the document by two spaces as json.Encoder with
	// SetIndent("", "  ") writes it (report --json --pretty); without it
	// the document is compact, as json.Marshal writes it, on one line.
	Pretty bool
	// Spool holds sessions written out during the pass (NewJSONSpool with
	// the same Trees and Pretty); they are listed with the report's own, by
	// ID.
	Spool *Spool
}

// WriteJSON writes the report as one JSON document with
// "schema": "mikeyscope.report/v1" (docs/report-schema.json), compact or
// indented (Pretty), followed by a newline.
//
// The sessions and findings, the arrays that grow with the capture, are
// encoded one element at a time into a buffered writer (sessions retired
// during the pass come from the spool, encoded already): the document is
// never held in memory whole. Compact output takes one encoding pass;
// Pretty a second, indenting one, per element.
func WriteJSON(w io.Writer, r *analysis.Report, opts JSONOptions) error {
	frame := *r
	frame.Sessions, frame.Findings = nil, nil
	var doc []byte
	var err error
	if opts.Pretty {
		doc, err = json.MarshalIndent(&frame, "", "  ")
	} else {
		doc, err = json.Marshal(&frame)
	}
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rest := doc
	enc := jsonElems{pretty: opts.Pretty}
	for _, member := range []struct {
		name  string // in document order
		write func() error
	}{
		{"sessions", func() error {
			return mergeSessions(r.Sessions, opts.Spool, "json", func(s *analysis.Session) error {
				b, err := encodeSession(enc.buf[:0], s, opts)
				enc.buf = b
				if err != nil {
					return err
				}
				enc.elem(bw, b)
				return nil
			}, func(_ int, b []byte, _ int) error {
				enc.elem(bw, b)
				return nil
			})
		}},
		{"findings", func() error {
			for _, f := range r.Findings {
				b, err := encodeJSON(enc.buf[:0], f, opts.Pretty, "    ")
				enc.buf = b
				if err != nil {
					return err
				}
				enc.elem(bw, b)
			}
			return nil
		}},
	} {
		// Each member sits at the top level (two spaces in when indented),
		// as null.
		mark := []byte(`"` + member.name + `":null`)
		if opts.Pretty {
			mark = []byte("\n  \"" + member.name + "\": null")
		}
		at := bytes.Index(rest, mark)
		if at < 0 {
			return fmt.Errorf("report: %s member missing from the document", member.name)
		}
		bw.Write(rest[:at+len(mark)-len("null")])
		rest = rest[at+len(mark):]
		enc.n = 0
		bw.WriteByte('[')
		if err := member.write(); err != nil {
			return err
		}
		enc.end(bw)
	}
	bw.Write(rest)
	bw.WriteByte('\n')
	return bw.Flush()
}

// jsonElems writes the elements of a top-level array: none is [] (the
// schema makes sessions and findings arrays, never null).
type jsonElems struct {
	pretty bool
	n      int
	buf    []byte
}

func (e *jsonElems) elem(bw *bufio.Writer, b []byte) {
	switch {
	case e.n > 0 && e.pretty:
		bw.WriteString(",\n    ")
	case e.n > 0:
		bw.WriteByte(',')
	case e.pretty:
		bw.WriteString("\n    ")
	}
	bw.Write(b)
	e.n++
}

func (e *jsonElems) end(bw *bufio.Writer) {
	if e.n > 0 && e.pretty {
		bw.WriteString("\n  ")
	}
	bw.WriteByte(']')
}

// encodeSession appends a session as the sessions array of the document
// lists it.
func encodeSession(dst []byte, s *analysis.Session, opts JSONOptions) ([]byte, error) {
	return encodeJSON(dst, sessionForJSON(s, opts), opts.Pretty, "    ")
}

// encodeJSON appends v, compact or indented as an element at the given
// depth (prefix).
func encodeJSON(dst []byte, v any, pretty bool, prefix string) ([]byte, error) {
	var b []byte
	var err error
	if pretty {
		b, err = json.MarshalIndent(v, prefix, "  ")
	} else {
		b, err = json.Marshal(v)
	}
	return append(dst, b...), err
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
