package ui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// sessionRow is one line of the sessions screen: the session and the
// counts derived from it once per snapshot. Display strings are made when
// the row is first drawn (sessionTable.GetCell), so a snapshot of many
// sessions costs little more than sorting them.
type sessionRow struct {
	s        *analysis.Session
	decrypt  int // streams decrypting
	failing  int // streams failing
	nstreams int // streams
	findings int
	codes    string // space-separated finding codes, lower case
	haystack string // lower-case text the filter searches, made on first use
}

// sortColumn is a column the sessions list can be ordered by.
type sortColumn int

const (
	sortByTime sortColumn = iota
	sortByCarrier
	sortByPeers
	sortByMode
	sortByStatus
	sortByStreams
	sortByFindings
	sortColumns
)

var sortNames = [sortColumns]string{"time", "carrier", "from/to", "mode", "key", "streams", "findings"}

func (c sortColumn) String() string { return sortNames[c] }

// buildSessionRows derives the rows of every session of r. The finding
// codes of each session (for the filter) come from r.Findings, those of a
// retired session's compact row (Session.Retired) from the row.
func buildSessionRows(r *analysis.Report) []*sessionRow {
	if r == nil {
		return nil
	}
	codes := map[int][]string{}
	for _, f := range r.Findings {
		if f.Session != 0 && !slices.Contains(codes[f.Session], f.Code) {
			codes[f.Session] = append(codes[f.Session], f.Code)
		}
	}
	backing := make([]sessionRow, len(r.Sessions))
	rows := make([]*sessionRow, len(r.Sessions))
	for i, s := range r.Sessions {
		rows[i] = &backing[i]
		rows[i].fill(s, codes[s.ID])
	}
	return rows
}

// fill derives the row of s; codes are its finding codes (a retired
// session's compact row, Session.Retired, carries its own).
func (row *sessionRow) fill(s *analysis.Session, codes []string) {
	row.s = s
	if rr := s.Retired; rr != nil {
		// A retired session's compact row: its counts and codes
		// were kept when it was written to the spool.
		row.decrypt, row.failing, row.nstreams = rr.Decrypting, rr.Failing, rr.Streams
		row.findings = s.FindingCounts.Errors + s.FindingCounts.Warnings + s.FindingCounts.Notes
		row.codes = strings.ToLower(strings.Join(rr.Codes, " "))
		return
	}
	row.nstreams = len(s.Streams)
	for _, st := range s.Streams {
		switch st.KeyStatus {
		case analysis.StreamDecrypting:
			row.decrypt++
		case analysis.StreamFailing:
			row.failing++
		}
	}
	fc := s.FindingCounts
	row.findings = fc.Errors + fc.Warnings + fc.Notes
	if codes != nil {
		row.codes = strings.ToLower(strings.Join(codes, " "))
	}
}

// streamsLabel shows the streams decrypting and failing: "2 ok 1 fail /3".
func (r *sessionRow) streamsLabel() string {
	l := strconv.Itoa(r.decrypt) + " ok"
	if r.failing > 0 {
		l += " " + strconv.Itoa(r.failing) + " fail"
	}
	return l + " /" + strconv.Itoa(r.nstreams)
}

// text is the lower-case text the free-text filter searches.
func (r *sessionRow) text() string {
	if r.haystack == "" {
		s := r.s
		r.haystack = strings.ToLower(strings.Join([]string{
			s.Carrier, s.Key, s.From, s.To, s.URL, s.Transport, s.Mode, s.KeyStatus.String(), r.codes,
		}, "\x00"))
	}
	return r.haystack
}

// findingLabel shows a session's finding counts: "3 (1E 2W)".
func findingLabel(fc analysis.FindingCounts) string {
	n := fc.Errors + fc.Warnings + fc.Notes
	if n == 0 {
		return "0"
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	b.WriteString(" (")
	sep := ""
	for _, p := range []struct {
		n int
		l string
	}{{fc.Errors, "E"}, {fc.Warnings, "W"}, {fc.Notes, "N"}} {
		if p.n > 0 {
			b.WriteString(sep + strconv.Itoa(p.n) + p.l)
			sep = " "
		}
	}
	b.WriteString(")")
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sortSessionRows orders rows by col (ties by session ID, so the order is
// stable across snapshots), descending when desc.
func sortSessionRows(rows []*sessionRow, col sortColumn, desc bool) {
	type keyed struct {
		k sortKey
		r *sessionRow
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		ks[i] = keyed{keyOf(r, col), r}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return orderKeys(a.k, b.k, desc) }) // ties by ID: a total order
	for i := range ks {
		rows[i] = ks[i].r
	}
}

// sortKey is what ordering a row by a column compares: the column's value
// (a, b, s), then the session ID. The sessions screen keeps none of them:
// it reads a retired row's key back from the spool when it needs it.
type sortKey struct {
	a, b int64
	s    string
	id   int
	idx  int // the row's place in the spool (a retired row)
}

// keyOf is row r's key for col.
func keyOf(r *sessionRow, col sortColumn) sortKey {
	k := sortKey{id: r.s.ID}
	if rr := r.s.Retired; rr != nil {
		k.idx = rr.Index
	}
	switch col {
	case sortByTime:
		k.a, k.b = r.s.Start.Unix(), int64(r.s.Start.Nanosecond())
	case sortByCarrier:
		k.s = r.s.Carrier
	case sortByPeers:
		k.s = r.s.Title()
	case sortByMode:
		k.s = r.s.Mode
	case sortByStatus:
		k.a = int64(statusRank(r.s.KeyStatus))
	case sortByStreams:
		k.a, k.b = int64(r.failing), int64(r.decrypt)
	case sortByFindings:
		k.a, k.b = int64(r.s.FindingCounts.Errors), int64(r.findings)
	}
	return k
}

// compareKeys compares two keys' column values.
func compareKeys(x, y sortKey) int {
	if c := cmp.Compare(x.a, y.a); c != 0 {
		return c
	}
	if c := cmp.Compare(x.b, y.b); c != 0 {
		return c
	}
	return strings.Compare(x.s, y.s)
}

// orderKeys is the list's order: by the column, ties by session ID,
// reversed when desc.
func orderKeys(x, y sortKey, desc bool) int {
	c := compareKeys(x, y)
	if c == 0 {
		c = cmp.Compare(x.id, y.id)
	}
	if desc {
		return -c
	}
	return c
}

// statusRank orders key statuses from worst to best.
func statusRank(s analysis.KeyStatus) int {
	switch s {
	case analysis.KeyFailed:
		return 0
	case analysis.KeyNoKey, analysis.KeyNoKeyFits:
		return 1
	case analysis.KeyInClear:
		return 2
	case analysis.KeyVerified:
		return 4
	}
	return 3
}

// sessionFilter is a parsed filter: every term must match. A term is
// "carrier:X", "status:X" (key status), "mode:X", "code:X" (a finding
// code, by prefix) or free text searched in the call's text, carrier, mode,
// status and finding codes. Matching ignores case.
type sessionFilter struct {
	terms []filterTerm
}

type filterTerm struct {
	field string // "", "carrier", "status", "mode", "code"
	text  string
}

func parseSessionFilter(q string) sessionFilter {
	var f sessionFilter
	for _, w := range strings.Fields(strings.ToLower(q)) {
		field, text, ok := strings.Cut(w, ":")
		switch field {
		case "carrier", "status", "mode", "code":
			if ok {
				f.terms = append(f.terms, filterTerm{field, text})
				continue
			}
		}
		f.terms = append(f.terms, filterTerm{"", w})
	}
	return f
}

func (f sessionFilter) empty() bool { return len(f.terms) == 0 }

func (f sessionFilter) match(r *sessionRow) bool {
	for _, t := range f.terms {
		var ok bool
		switch t.field {
		case "carrier":
			ok = strings.EqualFold(r.s.Carrier, t.text)
		case "status":
			status := r.s.KeyStatus.String()
			ok = strings.EqualFold(status, t.text) || strings.EqualFold(strings.ReplaceAll(status, "-", ""), t.text)
		case "mode":
			ok = strings.EqualFold(r.s.Mode, t.text)
		case "code":
			for _, c := range strings.Fields(r.codes) {
				if strings.HasPrefix(c, t.text) {
					ok = true
					break
				}
			}
		default:
			ok = strings.Contains(r.text(), t.text)
		}
		if !ok {
			return false
		}
	}
	return true
}

// filterSessionRows keeps the rows f matches, in place.
func filterSessionRows(rows []*sessionRow, f sessionFilter) []*sessionRow {
	if f.empty() {
		return rows
	}
	out := rows[:0]
	for _, r := range rows {
		if f.match(r) {
			out = append(out, r)
		}
	}
	return out
}
