package ui

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// sessionsView is the sessions screen: one row per SIP call or RTSP
// session, sortable and filterable. Its table reads the rows through
// sessionTable, so only the visible rows are turned into cells.
//
// The sessions of a snapshot (those in progress, when the backend retires
// finished ones to its spool; otherwise every one) are rows in memory.
// The retired sessions' rows stay on disk (analysis.RetiredRows): the view
// keeps of them only their places in the list's order (order, 4 bytes a
// retired session the filter matches) and reads a page of rows when the
// table draws it (sessionTable's pages). A row's sort key is read back
// when a new row has to be placed among them.
type sessionsView struct {
	table   *tview.Table
	content *sessionTable
	all     []*sessionRow // the sessions of the snapshot
	sortCol sortColumn
	desc    bool
	filter  string
	query   sessionFilter
	total   int

	live []*sessionRow // all, filtered and sorted
	ins  []int         // ins[j]: the retired rows of order before live[j]

	spool   analysis.RetiredRows
	covered int     // spool rows [0, covered) were matched and placed
	order   []int32 // the spool rows the filter matches, in the list's order
	keys    map[int]sortKey
	readErr error // the last failure to read the spool
}

// keyCacheSize bounds the sort keys of spool rows kept between the
// binary searches of one update.
const keyCacheSize = 4096

var sessionHeaders = [...]string{"#", "Time", "Carrier", "From / To or URL", "Mode", "Key", "Final", "Streams", "Findings"}

// callIDHeader replaces the From / To header when the list shows Call-IDs
// (RTSP: the Session id).
const callIDHeader = "Call-ID or RTSP session"

func newSessionsView() *sessionsView {
	v := &sessionsView{}
	v.content = &sessionTable{v: v}
	v.table = tview.NewTable().SetContent(v.content).SetFixed(1, 0).SetSelectable(true, false)
	v.table.SetBorder(true)
	v.updateTitle()
	return v
}

// setReport rebuilds the rows from a snapshot that lists every session,
// keeping the selected session.
func (v *sessionsView) setReport(r *analysis.Report) { v.setSnapshot(r, analysis.RetiredRows{}) }

// setSnapshot shows a snapshot: r's sessions and the retired rows of a
// spool, keeping the selected session. Rows retired since the last
// snapshot of the same spool are read once and placed in the order; a new
// spool (a new pass) is read whole.
func (v *sessionsView) setSnapshot(r *analysis.Report, rows analysis.RetiredRows) {
	keep := v.selectedRow()
	v.all = buildSessionRows(r)
	v.total = len(v.all) + rows.Len()
	v.content.hint = emptyHint(r, v.total)
	v.content.withDate = analysis.SpansDays(r.Summary.First, r.Summary.Last)
	if !rows.Same(v.spool) || rows.Len() < v.covered {
		v.order, v.covered, v.keys = v.order[:0], 0, nil
	}
	v.spool = rows
	v.place(keep)
}

// emptyHint explains an empty sessions list when the capture has TLS
// connections that could not be decrypted: the signalling (and so every
// session) is inside them.
func emptyHint(r *analysis.Report, sessions int) []string {
	n := 0
	for _, f := range r.Findings {
		if f.Code == analysis.KindTLSNoKey.Code {
			n += max(f.Count, 1)
		}
	}
	if n == 0 || sessions > 0 {
		return nil
	}
	conns := fmt.Sprintf("%d TLS connection seen without its keys (tls.no-key):", n)
	if n > 1 {
		conns = fmt.Sprintf("%d TLS connections seen without their keys (tls.no-key):", n)
	}
	return []string{"No sessions yet.", conns, "the signalling inside them cannot be read. To decrypt,",
		"press a and type tls-keylog FILE (an SSLKEYLOGFILE key log),", "or start with --tls-keylog FILE."}
}

// apply sorts and filters the rows anew (the sort or filter changed) and
// restores the selection of the row keep (or the first row).
func (v *sessionsView) apply(keep *sessionRow) {
	v.order, v.covered, v.keys = v.order[:0], 0, nil
	v.place(keep)
}

// place filters and sorts the sessions in memory, places the spool's rows
// not yet placed, and selects keep's row (or the first).
func (v *sessionsView) place(keep *sessionRow) {
	v.query = parseSessionFilter(v.filter)
	if len(v.keys) > keyCacheSize {
		v.keys = nil
	}
	found := -1 // keep's place in the spool, when it was retired since
	keepID := 0
	if keep != nil {
		keepID = keep.s.ID
	}
	v.addRetired(keepID, &found)

	rows := make([]*sessionRow, len(v.all))
	copy(rows, v.all)
	sortSessionRows(rows, v.sortCol, v.desc)
	v.live = filterSessionRows(rows, v.query)
	v.ins = v.ins[:0]
	lo := 0
	for _, r := range v.live {
		lo = v.searchOrder(keyOf(r, v.sortCol), lo)
		v.ins = append(v.ins, lo)
	}
	v.content.reset(len(v.order) + len(v.live))

	sel := 1
	if keep != nil {
		if p := v.position(keep, found); p >= 0 {
			sel = p + 1
		}
	}
	if v.content.n > 0 {
		v.table.Select(sel, 0)
	}
	v.updateTitle()
}

// addRetired reads the spool's rows not yet placed (in chunks), keeps the
// places of those the filter matches in order, and sets *found to the
// place of session keepID when it is among them.
func (v *sessionsView) addRetired(keepID int, found *int) {
	n := v.spool.Len()
	if v.covered >= n {
		return
	}
	var add []sortKey
	var row sessionRow
	err := v.spool.Scan(v.covered, n, func(s *analysis.Session) { // s is reused: keep nothing of it but strings
		row = sessionRow{}
		row.fill(s, nil)
		if s.ID == keepID {
			*found = s.Retired.Index
		}
		if v.query.match(&row) {
			add = append(add, keyOf(&row, v.sortCol))
		}
	})
	if err != nil {
		v.readErr = err
	}
	v.covered = n
	slices.SortFunc(add, func(a, b sortKey) int { return orderKeys(a, b, v.desc) })
	// Where each new row goes among the rows placed before (one binary
	// search each, reading keys from the spool), then one pass moving
	// the old rows up from the end.
	pos := make([]int, len(add))
	lo := 0
	for i, k := range add {
		lo = v.searchOrder(k, lo)
		pos[i] = lo
	}
	old := len(v.order)
	v.order = slices.Grow(v.order, len(add))[:old+len(add)]
	end := old
	for i := len(add) - 1; i >= 0; i-- {
		copy(v.order[pos[i]+i+1:end+i+1], v.order[pos[i]:end])
		v.order[pos[i]+i] = int32(add[i].idx)
		end = pos[i]
	}
}

// searchOrder returns the number of rows of order (from lo on) that come
// before key k.
func (v *sessionsView) searchOrder(k sortKey, lo int) int {
	return lo + sort.Search(len(v.order)-lo, func(i int) bool {
		return orderKeys(v.orderKey(lo+i), k, v.desc) > 0
	})
}

// orderKey is the sort key of the i-th row of order, read from the spool
// (and kept in a bounded cache for the next searches).
func (v *sessionsView) orderKey(i int) sortKey {
	idx := int(v.order[i])
	if k, ok := v.keys[idx]; ok {
		return k
	}
	var k sortKey
	ss, err := v.spool.RowsAt([]int{idx})
	if err != nil || len(ss) != 1 {
		v.readErr = err
		return sortKey{idx: idx}
	}
	var row sessionRow
	row.fill(ss[0], nil)
	k = keyOf(&row, v.sortCol)
	if v.keys == nil {
		v.keys = map[int]sortKey{}
	}
	v.keys[idx] = k
	return k
}

// at returns the live row at place p of the list, or the spool index of
// the retired row there.
func (v *sessionsView) at(p int) (live *sessionRow, spoolIdx int) {
	j := sort.Search(len(v.live), func(j int) bool { return v.ins[j]+j >= p })
	if j < len(v.live) && v.ins[j]+j == p {
		return v.live[j], -1
	}
	return nil, int(v.order[p-j])
}

// position returns the place in the list of the session of row r (found:
// its spool index when it was retired since r was shown), or -1.
func (v *sessionsView) position(r *sessionRow, found int) int {
	if r.s.Retired == nil || found >= 0 {
		for j, l := range v.live {
			if l.s.ID == r.s.ID {
				return v.ins[j] + j
			}
		}
		if found < 0 {
			return -1
		}
		// Retired since: its row from the spool.
		ss, err := v.spool.RowsAt([]int{found})
		if err != nil || len(ss) != 1 {
			return -1
		}
		r = &sessionRow{}
		r.fill(ss[0], nil)
	}
	if r.s.Retired == nil || !v.query.match(r) {
		return -1
	}
	k := keyOf(r, v.sortCol)
	i := v.searchOrder(k, 0) - 1 // the last row not after r: r's, if it is placed
	if i < 0 || int(v.order[i]) != k.idx {
		return -1
	}
	return i + sort.Search(len(v.live), func(j int) bool { return v.ins[j] > i })
}

func (v *sessionsView) updateTitle() {
	dir := "asc"
	if v.desc {
		dir = "desc"
	}
	t := fmt.Sprintf(" Sessions (%d of %d)  sort: %s %s ", v.content.n, v.total, v.sortCol, dir)
	if v.filter != "" {
		t += " filter: " + SafeText(v.filter) + " "
	}
	v.table.SetTitle(t)
}

// selectedRow returns the selected row, or nil.
func (v *sessionsView) selectedRow() *sessionRow {
	row, _ := v.table.GetSelection()
	if row < 1 || row > v.content.n {
		return nil
	}
	return v.content.row(row - 1)
}

// selected returns the session of the selected row (a retired one's
// compact row), or nil.
func (v *sessionsView) selected() *analysis.Session {
	if r := v.selectedRow(); r != nil {
		return r.s
	}
	return nil
}

// cycleSort moves to the next sort column.
func (v *sessionsView) cycleSort() {
	v.sortCol = (v.sortCol + 1) % sortColumns
	v.apply(v.selectedRow())
}

// reverseSort flips the order.
func (v *sessionsView) reverseSort() {
	v.desc = !v.desc
	v.apply(v.selectedRow())
}

// toggleCallID shows the Call-ID (RTSP: Session id) instead of the peers
// in the From / To column, or back.
func (v *sessionsView) toggleCallID() {
	v.content.showID = !v.content.showID
	v.content.reset(v.content.n)
}

// setFilter narrows the list to the sessions the query matches.
func (v *sessionsView) setFilter(q string) {
	v.filter = q
	v.apply(v.selectedRow())
}

// load reads the full model of a retired row's session from the spool it
// was listed from (false when it was not listed from one).
func (v *sessionsView) load(row *analysis.Session) (*analysis.Session, bool, error) {
	if row.Retired == nil || row.Retired.Index < 0 || v.spool.Len() == 0 {
		return nil, false, nil
	}
	s, err := v.spool.Load(row.Retired.Index)
	if err == nil && s.ID != row.ID {
		return nil, false, nil
	}
	return s, true, err
}

// sessionTable is the tview.TableContent of the sessions list: the header
// and the rows, read a page at a time (pageRows rows: from the spool for
// retired sessions) when the table first draws one, with their cells made
// on demand; at most maxPages pages are kept, until the next snapshot.
type sessionTable struct {
	tview.TableContentReadOnly
	v     *sessionsView
	n     int // rows
	pages map[int]*rowPage
	// hint is shown, one line a row, when there are no sessions.
	hint []string
	// withDate shows dates with the times (a capture spanning days);
	// showID shows Call-IDs instead of the peers.
	withDate, showID bool
}

// A page of rows of the list.
type rowPage struct {
	rows  []*sessionRow
	cells [][len(sessionHeaders)]*tview.TableCell
}

const (
	pageRows = 128
	maxPages = 4
)

func (t *sessionTable) reset(n int) {
	t.n = n
	clear(t.pages)
}

// page returns page pg of the list, reading it when it is not kept (and
// dropping the kept page farthest from it when maxPages are).
func (t *sessionTable) page(pg int) *rowPage {
	if p := t.pages[pg]; p != nil {
		return p
	}
	if t.pages == nil {
		t.pages = map[int]*rowPage{}
	}
	if len(t.pages) >= maxPages {
		far, d := 0, -1
		for k := range t.pages {
			if x := max(k-pg, pg-k); x > d {
				far, d = k, x
			}
		}
		delete(t.pages, far)
	}
	from, to := pg*pageRows, min((pg+1)*pageRows, t.n)
	p := &rowPage{rows: make([]*sessionRow, to-from), cells: make([][len(sessionHeaders)]*tview.TableCell, to-from)}
	var idx, at []int
	for i := from; i < to; i++ {
		live, k := t.v.at(i)
		if live != nil {
			p.rows[i-from] = live
			continue
		}
		idx, at = append(idx, k), append(at, i-from)
	}
	ss, err := t.v.spool.RowsAt(idx)
	backing := make([]sessionRow, len(at))
	for i, j := range at {
		s := &analysis.Session{ID: 0, Carrier: "-", Key: "(not readable)", Retired: &analysis.RetiredRow{Index: idx[i]}}
		if err == nil {
			s = ss[i]
		}
		backing[i].fill(s, nil)
		p.rows[j] = &backing[i]
	}
	if err != nil {
		t.v.readErr = err
	}
	t.pages[pg] = p
	return p
}

// row returns row i (0-based) of the list.
func (t *sessionTable) row(i int) *sessionRow {
	return t.page(i / pageRows).rows[i%pageRows]
}

func (t *sessionTable) GetRowCount() int {
	if t.n == 0 {
		return len(t.hint) + 1
	}
	return t.n + 1
}
func (t *sessionTable) GetColumnCount() int { return len(sessionHeaders) }

// GetCell returns the cell of the header (row 0) or of a session.
func (t *sessionTable) GetCell(row, col int) *tview.TableCell {
	if col < 0 || col >= len(sessionHeaders) || row < 0 {
		return nil
	}
	if row == 0 {
		h := sessionHeaders[col]
		if col == 3 && t.showID {
			h = callIDHeader
		}
		return tview.NewTableCell(h).SetSelectable(false).
			SetAttributes(tcell.AttrBold).SetTextColor(tcell.ColorYellow)
	}
	if t.n == 0 && row <= len(t.hint) {
		if col != 3 {
			return tview.NewTableCell("").SetSelectable(false)
		}
		return tview.NewTableCell(t.hint[row-1]).SetSelectable(false).SetTextColor(colorWarn)
	}
	if row > t.n {
		return nil
	}
	p := t.page((row - 1) / pageRows)
	if c := p.cells[(row-1)%pageRows][col]; c != nil {
		return c
	}
	r := p.rows[(row-1)%pageRows]
	var c *tview.TableCell
	switch col {
	case 0:
		c = tview.NewTableCell(strconv.Itoa(r.s.ID)).SetAlign(tview.AlignRight)
	case 1:
		c = tview.NewTableCell(analysis.FormatTime(r.s.Start, t.withDate))
	case 2:
		c = tview.NewTableCell(SafeText(r.s.Carrier))
	case 3:
		text := r.s.Title()
		if t.showID {
			text = r.s.Key
		}
		c = tview.NewTableCell(SafeText(text)).SetMaxWidth(48).SetExpansion(1)
	case 4:
		mode := r.s.Mode
		if mode == "" && strings.HasPrefix(r.s.Keying, "SDES") {
			mode = r.s.Keying // SDES <suite> tag <n>
		}
		c = tview.NewTableCell(SafeText(orDash(mode)))
	case 5:
		c = tview.NewTableCell(SafeText(orDash(r.s.KeyStatus.String()))).SetTextColor(keyStatusColor(r.s.KeyStatus))
	case 6:
		c = tview.NewTableCell(SafeText(orDash(r.s.FinalStatus))).SetMaxWidth(24)
		if code := r.s.FinalStatus; len(code) > 0 && code[0] >= '3' {
			c.SetTextColor(colorWarn)
		}
	case 7:
		c = tview.NewTableCell(r.streamsLabel())
		switch {
		case r.failing > 0:
			c.SetTextColor(colorBad)
		case r.decrypt > 0 && r.decrypt == r.nstreams:
			c.SetTextColor(colorGood)
		}
	case 8:
		c = tview.NewTableCell(findingLabel(r.s.FindingCounts))
		switch fc := r.s.FindingCounts; {
		case fc.Errors > 0:
			c.SetTextColor(colorBad)
		case fc.Warnings > 0:
			c.SetTextColor(colorWarn)
		}
	}
	p.cells[(row-1)%pageRows][col] = c
	return c
}
