package ui

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/rivo/tview"
)

// pagedSession is session id of the paging tests: its columns vary
// independently of its ID and of the order sessions retire in.
func pagedSession(rng *rand.Rand, id int) (*analysis.Session, []string) {
	carriers := []string{"sip", "rtsp", "sip-tls"}
	modes := []string{"PSK", "DH", "NULL", "RSA", ""}
	statuses := []analysis.KeyStatus{"verified", "failed", "no-key", "in-clear", "none"}
	codes := [][]string{nil, {"srtp.auth-failed"}, {"mikey.no-key", "sip.x"}, {"mikey.keys-in-clear"}}
	s := &analysis.Session{ID: id, Carrier: carriers[rng.IntN(3)], Key: fmt.Sprintf("call%d@x", id),
		Start: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(500)) * time.Second),
		From:  fmt.Sprintf("sip:user%d@a", rng.IntN(40)), To: "sip:b@c",
		Mode: modes[rng.IntN(5)], KeyStatus: statuses[rng.IntN(5)],
		FindingCounts: analysis.FindingCounts{Errors: rng.IntN(3), Warnings: rng.IntN(3)}}
	if s.Carrier == "rtsp" {
		s.URL = fmt.Sprintf("rtsp://cam%d/s", rng.IntN(20))
	}
	for range rng.IntN(4) {
		st := analysis.StreamDecrypting
		if rng.IntN(3) == 0 {
			st = analysis.StreamFailing
		}
		s.Streams = append(s.Streams, &analysis.Stream{KeyStatus: st})
	}
	return s, codes[rng.IntN(len(codes))]
}

// pagedFixture retires sessions 1..n to a spool in an order that is
// neither their IDs' nor their start times', and returns it with the
// sessions (full models) and their codes.
func pagedFixture(t testing.TB, n int) (*analysis.SessionSpool, []*analysis.Session, [][]string) {
	sp, err := analysis.NewSessionSpool()
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { sp.Close() })
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	ss, codes := make([]*analysis.Session, n), make([][]string, n)
	for i := range ss {
		ss[i], codes[i] = pagedSession(rng, i+1)
	}
	rng.Shuffle(n, func(i, j int) { ss[i], ss[j] = ss[j], ss[i]; codes[i], codes[j] = codes[j], codes[i] })
	for i, s := range ss {
		sp.Add(s, codes[i])
	}
	if err := sp.Err(); err != nil {
		t.Fatal(err)
	}
	return sp, ss, codes
}

// liveReport is a snapshot's report of sessions in progress, their
// findings carrying their codes.
func liveReport(ss []*analysis.Session, codes [][]string) *analysis.Report {
	r := &analysis.Report{Schema: analysis.Schema}
	for i, s := range ss {
		c := *s
		r.Sessions = append(r.Sessions, &c)
		for _, code := range codes[i] {
			r.Findings = append(r.Findings, &analysis.Finding{Code: code, Session: s.ID})
		}
	}
	slices.SortFunc(r.Sessions, func(a, b *analysis.Session) int { return a.ID - b.ID })
	return r
}

// listedIDs are the session IDs of the sessions screen, top to bottom.
func listedIDs(v *sessionsView) []int {
	var ids []int
	for i := range v.content.n {
		ids = append(ids, v.content.row(i).s.ID)
	}
	return ids
}

// wantIDs is the list the screen showed before retired rows were paged:
// every row in memory (the spool's rows materialised by Rows), sorted and
// filtered by sortSessionRows and filterSessionRows.
func wantIDs(live *analysis.Report, sp *analysis.SessionSpool, n int, col sortColumn, desc bool, filter string) []int {
	all := *live
	all.Sessions = append(slices.Clip(live.Sessions), sp.Rows(n)...)
	rows := buildSessionRows(&all)
	sortSessionRows(rows, col, desc)
	return rowIDs(filterSessionRows(rows, parseSessionFilter(filter)))
}

// TestSessionsPagedOrder: with the retired sessions' rows on disk, the
// sessions screen lists, for every sort column and direction and for
// filters of each kind, the same sessions in the same order as the list
// held in memory, both when the spool is read whole and when its rows come
// in two snapshots (the second placing the new rows among the first's,
// while sessions in progress retire).
func TestSessionsPagedOrder(t *testing.T) {
	const n, live = 700, 40
	sp, ss, codes := pagedFixture(t, n)
	more := make([]*analysis.Session, live) // in progress throughout
	moreCodes := make([][]string, live)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range more {
		more[i], moreCodes[i] = pagedSession(rng, n+1+i)
	}
	half := n / 2
	// First snapshot: half the spool retired, the other half in progress.
	r1 := liveReport(append(slices.Clip(ss[half:]), more...), append(slices.Clip(codes[half:]), moreCodes...))
	r2 := liveReport(more, moreCodes)
	for _, filter := range []string{"", "carrier:rtsp", "code:srtp", "status:failed mode:dh", "user1", "cam1"} {
		for col := range sortColumns {
			for _, desc := range []bool{false, true} {
				name := fmt.Sprintf("sort %s desc=%v filter %q", col, desc, filter)
				v := newSessionsView()
				v.sortCol, v.desc, v.filter = col, desc, filter
				v.setSnapshot(r1, analysis.RetiredRowsOf(sp, half))
				if got, want := listedIDs(v), wantIDs(r1, sp, half, col, desc, filter); !slices.Equal(got, want) {
					t.Fatalf("%s, half retired: %d rows %v..., want %d %v...", name, len(got), head(got), len(want), head(want))
				}
				v.setSnapshot(r2, analysis.RetiredRowsOf(sp, n))
				want := wantIDs(r2, sp, n, col, desc, filter)
				if got := listedIDs(v); !slices.Equal(got, want) {
					t.Fatalf("%s, all retired: %d rows %v..., want %d %v...", name, len(got), head(got), len(want), head(want))
				}
				if v.content.n != len(want) || v.total != n+live {
					t.Errorf("%s: %d of %d listed, want %d of %d", name, v.content.n, v.total, len(want), n+live)
				}
				// Read whole at once: the same.
				w := newSessionsView()
				w.sortCol, w.desc, w.filter = col, desc, filter
				w.setSnapshot(r2, analysis.RetiredRowsOf(sp, n))
				if got := listedIDs(w); !slices.Equal(got, want) {
					t.Fatalf("%s, read at once: %v..., want %v...", name, head(got), head(want))
				}
			}
		}
	}
}

func head(ids []int) []int { return ids[:min(len(ids), 12)] }

// TestSessionsPagedSelection: the selected session stays selected across
// snapshots, sort and filter changes, whether it is in progress, retired,
// or retires between two snapshots; Enter's model is the selected one's,
// loaded from the spool by its row.
func TestSessionsPagedSelection(t *testing.T) {
	const n = 600
	sp, ss, codes := pagedFixture(t, n)
	half := n / 2
	r1 := liveReport(ss[half:], codes[half:])
	v := newSessionsView()
	v.table.SetRect(0, 0, 160, 40)
	v.setSnapshot(r1, analysis.RetiredRowsOf(sp, half))
	selectID := func(id int) {
		t.Helper()
		for i := range v.content.n {
			if v.content.row(i).s.ID == id {
				v.table.Select(i+1, 0)
				return
			}
		}
		t.Fatalf("session %d not listed", id)
	}
	for _, tc := range []struct {
		name string
		id   int
	}{
		{"retired", ss[3].ID},
		{"in progress, retiring", ss[half+5].ID},
	} {
		v.sortCol, v.desc = sortByTime, false
		v.setSnapshot(r1, analysis.RetiredRowsOf(sp, half))
		selectID(tc.id)
		v.setSnapshot(liveReport(nil, nil), analysis.RetiredRowsOf(sp, n))
		if s := v.selected(); s == nil || s.ID != tc.id {
			t.Fatalf("%s: after the snapshot %v selected, want %d", tc.name, s, tc.id)
		}
		v.cycleSort()
		v.reverseSort()
		if s := v.selected(); s == nil || s.ID != tc.id {
			t.Fatalf("%s: after sorting %v selected, want %d", tc.name, s, tc.id)
		}
		s := v.selected()
		v.setFilter(fmt.Sprintf("call%d@x", tc.id))
		if got := v.selected(); got == nil || got.ID != tc.id || v.content.n == 0 {
			t.Fatalf("%s: after filtering %v selected", tc.name, got)
		}
		v.setFilter("")
		full, listed, err := v.load(s)
		if !listed || err != nil || full.ID != tc.id || full.Key != fmt.Sprintf("call%d@x", tc.id) {
			t.Fatalf("%s: load %+v %v %v", tc.name, full, listed, err)
		}
	}
}

// pressDraw sends key k to the sessions table and draws it.
func pressDraw(v *sessionsView, screen tcell.Screen, k tcell.Key) {
	v.table.InputHandler()(tcell.NewEventKey(k, 0, tcell.ModNone), func(tview.Primitive) {})
	v.table.Draw(screen)
}

// TestSessionsPageReads: drawing the screen reads the rows on it from the
// spool, a page at a time: paging down reads at most one page of rows
// (pageRows), going back to a page still kept reads none, and a new
// snapshot reads the new rows once and what is on screen.
func TestSessionsPageReads(t *testing.T) {
	const n = 5000
	sp, _, _ := pagedFixture(t, n)
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		t.Fatal(err)
	}
	screen.SetSize(160, 60)
	v := newSessionsView()
	v.table.SetRect(0, 0, 160, 59)
	v.setSnapshot(liveReport(nil, nil), analysis.RetiredRowsOf(sp, n))
	v.table.Draw(screen)
	for i := range 30 {
		before := sp.RowsRead()
		pressDraw(v, screen, tcell.KeyPgDn)
		if got := sp.RowsRead() - before; got > pageRows {
			t.Fatalf("page down %d read %d rows, more than a page (%d)", i+1, got, pageRows)
		}
	}
	before := sp.RowsRead()
	pressDraw(v, screen, tcell.KeyPgUp)
	if got := sp.RowsRead() - before; got != 0 {
		t.Errorf("page up to a kept page read %d rows", got)
	}
	before = sp.RowsRead()
	pressDraw(v, screen, tcell.KeyEnd)
	if got := sp.RowsRead() - before; got > 2*pageRows {
		t.Errorf("End read %d rows", got)
	}
	if row, _ := v.table.GetSelection(); row != n {
		t.Errorf("End selects row %d of %d", row, n)
	}
	if len(v.content.pages) > maxPages {
		t.Errorf("%d pages kept", len(v.content.pages))
	}
}

// BenchmarkSessionsPageDown pages down through 40,000 retired sessions
// listed from the spool, by start time, drawing each screen: the cost of
// one page down, and the spool rows it reads (rows/op).
func BenchmarkSessionsPageDown(b *testing.B) {
	const n = 40000
	sp, _, _ := pagedFixture(b, n)
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		b.Fatal(err)
	}
	screen.SetSize(200, 60)
	v := newSessionsView()
	v.table.SetRect(0, 0, 200, 59)
	v.setSnapshot(liveReport(nil, nil), analysis.RetiredRowsOf(sp, n))
	v.table.Draw(screen)
	before := sp.RowsRead()
	b.ReportAllocs()
	for b.Loop() {
		if row, _ := v.table.GetSelection(); row >= n-60 {
			pressDraw(v, screen, tcell.KeyHome)
		}
		pressDraw(v, screen, tcell.KeyPgDn)
	}
	b.ReportMetric(float64(sp.RowsRead()-before)/float64(b.N), "rows/op")
}

// BenchmarkSessionsFilterSpool applies a filter to 40,000 retired sessions
// listed from the spool (every row read and matched, the matches sorted):
// the cost of one keystroke in the filter field.
func BenchmarkSessionsFilterSpool(b *testing.B) {
	const n = 40000
	sp, _, _ := pagedFixture(b, n)
	v := newSessionsView()
	v.table.SetRect(0, 0, 200, 59)
	v.setSnapshot(liveReport(nil, nil), analysis.RetiredRowsOf(sp, n))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v.setFilter([]string{"user1", "carrier:rtsp", ""}[i%3])
	}
}

// BenchmarkSessionsSnapshotSpool applies a snapshot that adds 100 retired
// sessions and 50 in progress to a list of 40,000 from the spool (by start
// time): the cost of one update during a pass.
func BenchmarkSessionsSnapshotSpool(b *testing.B) {
	const n, step = 40000, 100
	sp, ss, codes := pagedFixture(b, n)
	v := newSessionsView()
	v.table.SetRect(0, 0, 200, 59)
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		b.Fatal(err)
	}
	screen.SetSize(200, 60)
	live := liveReport(ss[:50], codes[:50]) // stands for the sessions in progress
	b.ReportAllocs()
	k := n / 2
	for b.Loop() {
		if k+step > n {
			b.StopTimer()
			v = newSessionsView()
			v.table.SetRect(0, 0, 200, 59)
			k = n / 2
			v.setSnapshot(live, analysis.RetiredRowsOf(sp, k))
			b.StartTimer()
		}
		k += step
		v.setSnapshot(live, analysis.RetiredRowsOf(sp, k))
		v.table.Draw(screen)
	}
}

// TestEndToEndPagedKeysAndStatus: on a series of keyed calls retired to
// the job's spool, the status bar counts every session, the keys screen
// counts the retired ones it does not list, and lists a retired session's
// crypto sessions once it is opened (loaded from the spool by its row).
func TestEndToEndPagedKeysAndStatus(t *testing.T) {
	dir := t.TempDir()
	if _, err := scenario.WriteSeriesFiles(dir, "series", 30, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "series"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "series.pcap")
	st, _, err := keys.ParseFile(filepath.Join(dir, "series.keys"))
	if err != nil {
		t.Fatal(err)
	}
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	job, err := analysis.StartJob(open, []string{file}, 0, false, analysis.Options{Keys: st, Trees: true, SignalText: true}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(job.Close)
	h := startUI(t, job, Options{Title: "series.pcap"})
	h.waitText("done, ")
	h.waitText("Sessions (30 of 30)")
	h.waitText("sessions 30 ")
	r, rows := job.SnapshotRows()
	if rows.Len() == 0 || rows.Len()+len(r.Sessions) != 30 {
		t.Fatalf("%d retired, %d in progress", rows.Len(), len(r.Sessions))
	}
	h.press('k')
	h.waitText(fmt.Sprintf("and %d finished sessions written to the spool", rows.Len()))
	h.key(tcell.KeyEscape)
	h.press('/')
	h.typeText("caller0007")
	h.key(tcell.KeyEnter)
	h.waitText("Sessions (1 of 30)")
	h.key(tcell.KeyEnter)
	h.waitText("Flow of session 8")
	h.press('k')
	h.waitText(fmt.Sprintf("and %d finished sessions written to the spool", rows.Len()-1))
	s, err := job.Session(8)
	if err != nil || len(s.CryptoSessions) == 0 {
		t.Fatalf("session 8: %v", err)
	}
	h.waitText(s.CryptoSessions[0].SSRC)
}
