package ui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// sessionsView is the sessions screen: one row per SIP call or RTSP
// session, sortable and filterable. Its table reads the rows through
// sessionTable, so only the visible rows are turned into cells.
type sessionsView struct {
	table   *tview.Table
	content *sessionTable
	all     []*sessionRow // every session of the snapshot
	sortCol sortColumn
	desc    bool
	filter  string
	total   int
}

var sessionHeaders = [...]string{"#", "Time", "Carrier", "From / To or URL", "Mode", "Key", "Final", "Streams", "Findings"}

// callIDHeader replaces the From / To header when the list shows Call-IDs
// (RTSP: the Session id).
const callIDHeader = "Call-ID or RTSP session"

func newSessionsView() *sessionsView {
	v := &sessionsView{content: &sessionTable{}}
	v.table = tview.NewTable().SetContent(v.content).SetFixed(1, 0).SetSelectable(true, false)
	v.table.SetBorder(true)
	v.updateTitle()
	return v
}

// setReport rebuilds the rows from a snapshot, keeping the selected session.
func (v *sessionsView) setReport(r *analysis.Report) {
	keep := v.selectedID()
	v.all = buildSessionRows(r)
	v.total = len(v.all)
	v.content.hint = emptyHint(r)
	v.content.withDate = analysis.SpansDays(r.Summary.First, r.Summary.Last)
	v.apply(keep)
}

// emptyHint explains an empty sessions list when the capture has TLS
// connections that could not be decrypted: the signalling (and so every
// session) is inside them.
func emptyHint(r *analysis.Report) []string {
	n := 0
	for _, f := range r.Findings {
		if f.Code == analysis.KindTLSNoKey.Code {
			n += max(f.Count, 1)
		}
	}
	if n == 0 || len(r.Sessions) > 0 {
		return nil
	}
	conns := fmt.Sprintf("%d TLS connection seen without its keys (tls.no-key):", n)
	if n > 1 {
		conns = fmt.Sprintf("%d TLS connections seen without their keys (tls.no-key):", n)
	}
	return []string{"No sessions yet.", conns, "the signalling inside them cannot be read. To decrypt,",
		"press a and type tls-keylog FILE (an SSLKEYLOGFILE key log),", "or start with --tls-keylog FILE."}
}

// apply sorts and filters the rows and restores the selection of session
// keep (or the first row).
func (v *sessionsView) apply(keep int) {
	rows := make([]*sessionRow, len(v.all))
	copy(rows, v.all)
	sortSessionRows(rows, v.sortCol, v.desc)
	rows = filterSessionRows(rows, parseSessionFilter(v.filter))
	v.content.setRows(rows)
	sel := 1
	for i := range rows {
		if rows[i].s.ID == keep {
			sel = i + 1
			break
		}
	}
	if len(rows) > 0 {
		v.table.Select(sel, 0)
	}
	v.updateTitle()
}

func (v *sessionsView) updateTitle() {
	dir := "asc"
	if v.desc {
		dir = "desc"
	}
	t := fmt.Sprintf(" Sessions (%d of %d)  sort: %s %s ", len(v.content.rows), v.total, v.sortCol, dir)
	if v.filter != "" {
		t += " filter: " + SafeText(v.filter) + " "
	}
	v.table.SetTitle(t)
}

// selected returns the session of the selected row, or nil.
func (v *sessionsView) selected() *analysis.Session {
	row, _ := v.table.GetSelection()
	if row < 1 || row > len(v.content.rows) {
		return nil
	}
	return v.content.rows[row-1].s
}

func (v *sessionsView) selectedID() int {
	if s := v.selected(); s != nil {
		return s.ID
	}
	return 0
}

// cycleSort moves to the next sort column.
func (v *sessionsView) cycleSort() {
	v.sortCol = (v.sortCol + 1) % sortColumns
	v.apply(v.selectedID())
}

// reverseSort flips the order.
func (v *sessionsView) reverseSort() {
	v.desc = !v.desc
	v.apply(v.selectedID())
}

// toggleCallID shows the Call-ID (RTSP: Session id) instead of the peers
// in the From / To column, or back.
func (v *sessionsView) toggleCallID() {
	v.content.showID = !v.content.showID
	v.apply(v.selectedID())
}

// setFilter narrows the list to the sessions the query matches.
func (v *sessionsView) setFilter(q string) {
	v.filter = q
	v.apply(v.selectedID())
}

// sessionTable is the tview.TableContent of the sessions list: the header
// and the rows, with cells made on demand and kept until the next snapshot.
type sessionTable struct {
	tview.TableContentReadOnly
	rows  []*sessionRow
	cells [][len(sessionHeaders)]*tview.TableCell
	// hint is shown, one line a row, when there are no sessions.
	hint []string
	// withDate shows dates with the times (a capture spanning days);
	// showID shows Call-IDs instead of the peers.
	withDate, showID bool
}

func (t *sessionTable) setRows(rows []*sessionRow) {
	t.rows = rows
	t.cells = make([][len(sessionHeaders)]*tview.TableCell, len(rows))
}

func (t *sessionTable) GetRowCount() int {
	if len(t.rows) == 0 {
		return len(t.hint) + 1
	}
	return len(t.rows) + 1
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
	if len(t.rows) == 0 && row <= len(t.hint) {
		if col != 3 {
			return tview.NewTableCell("").SetSelectable(false)
		}
		return tview.NewTableCell(t.hint[row-1]).SetSelectable(false).SetTextColor(colorWarn)
	}
	if row > len(t.rows) {
		return nil
	}
	if c := t.cells[row-1][col]; c != nil {
		return c
	}
	r := t.rows[row-1]
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
	t.cells[row-1][col] = c
	return c
}
