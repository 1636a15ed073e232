package ui

import (
	"strconv"
	"sync"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// Screen names.
const (
	pageSessions = "sessions"
	pageFlow     = "flow"
	pageDetail   = "detail"
	pageKeys     = "keys"
	pageStreams  = "streams"
	pageHelp     = "help"
	pageAddKey   = "addkey"
)

// UI is the terminal user interface over a Backend.
type UI struct {
	b    Backend
	opts Options
	app  *tview.Application

	pages    *tview.Pages
	layout   *tview.Flex
	filterIn *tview.InputField
	status   *statusBar
	help     *tview.TextView
	addKey   *addKeyDialog

	sessions *sessionsView
	flow     *flowView
	detail   *detailView
	keys     *keysView
	streams  *streamsView

	tables map[string][]binding // per-screen key tables
	global []binding            // keys valid on every screen

	report    *analysis.Report
	progress  analysis.JobProgress
	stack     []string          // screens opened, the current one last
	sessionID int               // the session the flow, detail and streams screens show
	frame     uint64            // the frame the detail screen shows
	loaded    *analysis.Session // the full model of the focused retired session
	loadErr   int               // the session whose loading failed last (said once)
	modal     string            // the open overlay (help, addkey, filter), "" for none
	drawnW    int               // the screen width the ladder was laid out for

	stopOnce sync.Once
	done     chan struct{}
}

// Run shows the UI on the terminal until the user quits.
func Run(b Backend, opts Options) error {
	// tview opens the terminal itself when Run starts, and reports a
	// failure to do so.
	return New(b, nil, opts).Run()
}

// New builds the UI on screen (tcell.NewSimulationScreen in tests; nil for
// the terminal) and shows the backend's current snapshot. Call Run to start
// it.
func New(b Backend, screen tcell.Screen, opts Options) *UI {
	u := &UI{b: b, opts: opts, app: tview.NewApplication(), done: make(chan struct{})}
	if screen != nil {
		u.app.SetScreen(screen)
	}
	u.sessions = newSessionsView()
	u.flow = newFlowView()
	u.detail = newDetailView()
	u.keys = newKeysView()
	u.streams = newStreamsView()
	u.status = newStatusBar(opts.Title)
	u.help = tview.NewTextView().SetDynamicColors(true)
	u.help.SetBorder(true).SetTitle(" Help (Esc to close) ")
	u.addKey = newAddKeyDialog(u.submitKey, u.closeModal)
	u.filterIn = tview.NewInputField().SetLabel("filter: ").
		SetPlaceholder("text, carrier:sip, status:failed, mode:psk, code:srtp.auth-failed")
	u.filterIn.SetChangedFunc(u.sessions.setFilter)
	u.filterIn.SetDoneFunc(func(k tcell.Key) {
		if k == tcell.KeyEscape {
			u.filterIn.SetText("")
		}
		u.closeModal()
	})

	u.pages = tview.NewPages().
		AddPage(pageSessions, u.sessions.table, true, true).
		AddPage(pageFlow, u.flow.root, true, false).
		AddPage(pageDetail, u.detail.root, true, false).
		AddPage(pageKeys, u.keys.root, true, false).
		AddPage(pageStreams, u.streams.root, true, false).
		AddPage(pageHelp, centered(u.help, 72, 30), true, false).
		AddPage(pageAddKey, centered(u.addKey.root, 76, 10), true, false)
	u.layout = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.pages, 0, 1, true).
		AddItem(u.filterIn, 0, 0, false).
		AddItem(u.status.view, 1, 0, false)
	u.stack = []string{pageSessions}
	u.bindKeys()
	u.app.SetRoot(u.layout, true).SetInputCapture(u.capture).EnableMouse(true)
	u.app.SetFocus(u.sessions.table)
	u.app.SetBeforeDrawFunc(u.relayout)
	r, rows := u.snapshot()
	u.apply(r, rows, b.Progress())
	return u
}

// RowsBackend is implemented by a Backend that retires finished sessions
// to a spool on disk (*analysis.Job does): SnapshotRows lists only the
// sessions in progress, and the retired ones' rows, which the sessions
// screen reads a page at a time. The UI takes it instead of Snapshot.
type RowsBackend interface {
	SnapshotRows() (*analysis.Report, analysis.RetiredRows)
}

var _ RowsBackend = (*analysis.Job)(nil)

// snapshot takes the backend's snapshot (off the UI goroutine in follow).
func (u *UI) snapshot() (*analysis.Report, analysis.RetiredRows) {
	if rb, ok := u.b.(RowsBackend); ok {
		return rb.SnapshotRows()
	}
	return u.b.Snapshot(), analysis.RetiredRows{}
}

// Run runs the event loop until Stop or quit; it refreshes the screens
// from the backend's snapshot each time Updates signals.
func (u *UI) Run() error {
	go u.follow()
	err := u.app.Run()
	u.stopOnce.Do(func() { close(u.done) })
	return err
}

// Stop ends Run.
func (u *UI) Stop() {
	u.app.Stop()
	u.stopOnce.Do(func() { close(u.done) })
}

// follow takes a snapshot whenever the backend signals a change and hands
// it to the UI goroutine, waiting for it to be shown before the next one
// (so a slow redraw coalesces updates rather than queueing them). The
// snapshot is taken here, off the UI goroutine.
func (u *UI) follow() {
	for {
		select {
		case <-u.done:
			return
		case <-u.b.Updates():
		}
		r, rows := u.snapshot()
		p := u.b.Progress()
		shown := make(chan struct{})
		u.app.QueueUpdateDraw(func() {
			u.apply(r, rows, p)
			close(shown)
		})
		select {
		case <-shown:
		case <-u.done:
			return
		}
	}
}

// apply shows a new snapshot on every screen: r's sessions and the rows
// of the sessions retired to the backend's spool. UI goroutine only.
func (u *UI) apply(r *analysis.Report, rows analysis.RetiredRows, p analysis.JobProgress) {
	if r != nil {
		u.report = r
		u.sessions.setSnapshot(r, rows)
		if u.current() == pageKeys { // a table of every crypto session: only when shown
			u.keys.setReport(r, u.focusSession(), u.sessions.spool.Len())
		}
		s := u.focusSession()
		u.flow.setSession(s, u.screenWidth())
		u.streams.setSession(r, s)
		if u.current() == pageDetail {
			u.detail.setFrame(s, u.frame)
		}
	}
	u.progress = p
	u.status.show(u.report, u.sessions.total, p)
	if err := u.sessions.readErr; err != nil {
		u.sessions.readErr = nil
		u.status.flashError("sessions list: " + err.Error())
	}
}

// relayout lays the ladder out again when the terminal width changed.
func (u *UI) relayout(screen tcell.Screen) bool {
	if w, _ := screen.Size(); w != u.drawnW {
		u.drawnW = w
		u.flow.setSession(u.focusSession(), w)
	}
	return false
}

// screenWidth is the width the screens have.
func (u *UI) screenWidth() int {
	if u.drawnW > 0 {
		return u.drawnW
	}
	_, _, w, _ := u.pages.GetRect()
	return w
}

// captureLevel is the sessionID that stands for what is tied to no
// session: unassociated media streams and capture-wide findings.
const captureLevel = -1

// focusSession is the session the flow, detail and streams screens show.
func (u *UI) focusSession() *analysis.Session {
	if u.report == nil {
		return nil
	}
	if u.sessionID == captureLevel {
		return &analysis.Session{ID: 0, Carrier: "capture", Key: "not tied to a session", Streams: u.report.Streams}
	}
	for _, s := range u.report.Sessions {
		if s.ID == u.sessionID {
			if s.Retired != nil {
				return u.loadRetired(s)
			}
			return s
		}
	}
	if u.loaded != nil && u.loaded.ID == u.sessionID {
		return u.loaded // retired to the spool: loaded when it was opened
	}
	if l, ok := u.b.(SessionLoader); ok && u.sessions.spool.Len() > 0 && u.sessionID > 0 {
		// A new pass: found anew by its ID once the pass retired it.
		if s, err := l.Session(u.sessionID); err == nil && s != nil {
			u.loaded, u.loadErr = s, 0
			return s
		}
	}
	return nil
}

// SessionLoader is implemented by a Backend whose snapshots list finished
// sessions as compact rows (analysis.Session.Retired set): Session reads
// one's full model back; *analysis.Job does.
type SessionLoader interface {
	Session(id int) (*analysis.Session, error)
}

var _ SessionLoader = (*analysis.Job)(nil)

// loadRetired returns the full model of the retired session whose row is
// row, loaded from the backend once and kept while it is the focus (a
// retired session no longer changes; adding a key drops it). Without a
// loader, or when loading fails, it returns the row itself (no signals or
// streams) and says why on the status line. UI goroutine only.
func (u *UI) loadRetired(row *analysis.Session) *analysis.Session {
	if u.loaded != nil && u.loaded.ID == row.ID {
		return u.loaded
	}
	s, listed, err := u.sessions.load(row) // by its place in the spool
	if !listed {
		l, ok := u.b.(SessionLoader)
		if !ok {
			return row
		}
		s, err = l.Session(row.ID)
	}
	if err != nil || s == nil {
		if err != nil && u.loadErr != row.ID {
			u.loadErr = row.ID
			u.status.flashError("session " + strconv.Itoa(row.ID) + ": " + err.Error())
		}
		return row
	}
	u.loaded, u.loadErr = s, 0
	return s
}

func (u *UI) current() string { return u.stack[len(u.stack)-1] }

// open shows a screen on top of the current one.
func (u *UI) open(name string) {
	if u.current() != name {
		u.stack = append(u.stack, name)
	}
	u.show()
}

// back returns to the previous screen; it reports false on the sessions
// screen.
func (u *UI) back() bool {
	if len(u.stack) == 1 {
		return false
	}
	u.stack = u.stack[:len(u.stack)-1]
	u.show()
	return true
}

// show switches to the current screen and focuses its main primitive.
func (u *UI) show() {
	name := u.current()
	u.pages.SwitchToPage(name)
	switch name {
	case pageSessions:
		u.app.SetFocus(u.sessions.table)
	case pageFlow:
		u.app.SetFocus(u.flow.table)
	case pageDetail:
		u.app.SetFocus(u.detail.tree)
	case pageKeys:
		u.keys.setReport(u.report, u.focusSession(), u.sessions.spool.Len())
		u.app.SetFocus(u.keys.derived)
	case pageStreams:
		u.app.SetFocus(u.streams.findings)
	}
}

// openSession shows the flow (or streams) screen of the selected session.
func (u *UI) openSession(page string) {
	s := u.sessions.selected()
	if u.current() != pageSessions {
		s = u.focusSession()
	}
	if s == nil {
		u.status.flash("no session selected")
		return
	}
	u.sessionID = s.ID
	if s.Retired != nil {
		s = u.loadRetired(s) // a finished session's row: its full model
	}
	u.flow.setSession(s, u.screenWidth())
	u.streams.setSession(u.report, s)
	u.open(page)
}

// openCaptureLevel shows the streams and findings tied to no session.
func (u *UI) openCaptureLevel() {
	u.sessionID = captureLevel
	s := u.focusSession()
	if s == nil {
		return
	}
	u.flow.setSession(s, u.screenWidth())
	u.streams.setSession(u.report, s)
	u.open(pageStreams)
}

// openFrame shows the detail screen of a frame of the focused session.
func (u *UI) openFrame(frame uint64) {
	s := u.focusSession()
	if !hasFrame(s, frame) {
		u.status.flash("frame " + u64(frame) + " carries no signalling or MIKEY message of this session")
		return
	}
	u.frame = frame
	u.detail.setFrame(s, frame)
	u.open(pageDetail)
}

// showModal opens an overlay: the help, the add-key dialog or the filter.
func (u *UI) showModal(name string) {
	u.modal = name
	switch name {
	case pageHelp:
		u.help.SetText(u.helpText()).ScrollToBeginning()
		u.pages.ShowPage(pageHelp)
		u.app.SetFocus(u.help)
	case pageAddKey:
		u.addKey.reset()
		u.pages.ShowPage(pageAddKey)
		u.app.SetFocus(u.addKey.input)
	case "filter":
		u.layout.ResizeItem(u.filterIn, 1, 0)
		u.app.SetFocus(u.filterIn)
	}
}

func (u *UI) closeModal() {
	switch u.modal {
	case pageHelp, pageAddKey:
		u.pages.HidePage(u.modal)
	case "filter":
		u.layout.ResizeItem(u.filterIn, 0, 0)
	}
	u.modal = ""
	u.show()
}

// capture dispatches keys through the current screen's key table and the
// global one; overlays get their keys first.
func (u *UI) capture(ev *tcell.EventKey) *tcell.EventKey {
	switch u.modal {
	case pageHelp:
		if ev.Key() == tcell.KeyEscape || (ev.Key() == tcell.KeyRune && (ev.Rune() == 'q' || ev.Rune() == '?')) {
			u.closeModal()
			return nil
		}
		return ev
	case pageAddKey, "filter":
		return ev // the input field handles Enter and Esc
	}
	if dispatch(ev, u.tables[u.current()], u.global) {
		return nil
	}
	return ev
}

// centered places p of the given size in the middle of the screen.
func centered(p tview.Primitive, width, height int) tview.Primitive {
	return tview.NewFlex().
		AddItem(nil, 0, 1, false).
		AddItem(tview.NewFlex().SetDirection(tview.FlexRow).
			AddItem(nil, 0, 1, false).
			AddItem(p, height, 0, true).
			AddItem(nil, 0, 1, false), width, 0, true).
		AddItem(nil, 0, 1, false)
}
