package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// JSONLines writes a report as JSON lines (report --jsonl; schema
// docs/report-lines-schema.json), one object per line, each line written
// to the writer in one call as it happens so that a pipe sees it at once:
//
//	{"type":"finding",...}  a finding, when it is raised (the fields of a
//	                        finding of the JSON report; count is the count
//	                        when raised: later repeats of a folded finding
//	                        raise no line)
//	{"type":"session",...}  a session, when it has ended (the fields of a
//	                        session of the JSON report)
//	{"type":"summary",...}  last: schema, inputs, summary, unassociated
//	                        streams and keys, as in the JSON report
//
// Session and Finding are analysis.Options.Retire and Finding; Finish
// writes the sessions still in progress at the end and the summary.
type JSONLines struct {
	mu   sync.Mutex
	w    io.Writer
	opts JSONOptions
	buf  []byte
	err  error
}

// NewJSONLines returns a JSON lines writer to w (Pretty is ignored: a line
// is compact).
func NewJSONLines(w io.Writer, opts JSONOptions) *JSONLines {
	opts.Pretty = false
	return &JSONLines{w: w, opts: opts}
}

// line writes {"type":typ, + the members of v's object.
func (j *JSONLines) line(typ string, v any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err == nil && (len(b) < 2 || b[0] != '{') {
		err = fmt.Errorf("report: a %s is not a JSON object", typ)
	}
	if err != nil {
		j.err = err
		return
	}
	j.buf = append(append(append(j.buf[:0], `{"type":"`...), typ...), '"')
	if len(b) > 2 {
		j.buf = append(j.buf, ',')
	}
	j.buf = append(j.buf, b[1:]...)
	j.buf = append(j.buf, '\n')
	_, j.err = j.w.Write(j.buf)
}

// Session writes a session that has ended.
func (j *JSONLines) Session(s *analysis.Session) {
	j.line("session", sessionForJSON(s, j.opts))
}

// Finding writes a finding as it is raised.
func (j *JSONLines) Finding(f *analysis.Finding) {
	j.line("finding", f)
}

// linesSummary is the last line's content.
type linesSummary struct {
	Schema  string                `json:"schema"`
	Inputs  []string              `json:"inputs"`
	Summary analysis.Summary      `json:"summary"`
	Streams []*analysis.Stream    `json:"unassociated_streams,omitempty"`
	Keys    []analysis.KeyUse     `json:"keys,omitempty"`
	MCKeys  []analysis.MCKeyEntry `json:"mc_keys,omitempty"`
}

// Finish writes the sessions of r (those not written when they ended) and
// the summary line, and returns the first error of any line.
func (j *JSONLines) Finish(r *analysis.Report) error {
	for _, s := range r.Sessions {
		j.Session(s)
	}
	j.line("summary", &linesSummary{Schema: r.Schema, Inputs: r.Inputs, Summary: r.Summary, Streams: r.Streams, Keys: r.Keys, MCKeys: r.MCKeys})
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}
