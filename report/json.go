package report

import (
	"encoding/json"
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
// "schema": "mikeyscope.report/v1" (docs/report-schema.json).
func WriteJSON(w io.Writer, r *analysis.Report, opts JSONOptions) error {
	out := r
	if !opts.Trees {
		out = withoutTrees(r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// withoutTrees returns a shallow copy of r whose MIKEY messages carry no tree.
func withoutTrees(r *analysis.Report) *analysis.Report {
	cp := *r
	cp.Sessions = make([]*analysis.Session, len(r.Sessions))
	for i, s := range r.Sessions {
		sc := *s
		sc.MIKEY = make([]*analysis.MIKEYMessage, len(s.MIKEY))
		for j, m := range s.MIKEY {
			mc := *m
			mc.Tree = nil
			sc.MIKEY[j] = &mc
		}
		cp.Sessions[i] = &sc
	}
	return &cp
}
