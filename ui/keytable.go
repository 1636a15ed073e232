package ui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/mikeyscope/mikeyscope/keys"
)

// bindKeys builds the key tables of every screen. The help screen is
// generated from the same tables.
func (u *UI) bindKeys() {
	r := func(ch rune, desc string, run func()) binding {
		return binding{key: tcell.KeyRune, ch: ch, desc: desc, run: run}
	}
	k := func(key tcell.Key, desc string, run func()) binding {
		return binding{key: key, desc: desc, run: run}
	}
	u.global = []binding{
		r('?', "help: the keys of this screen", func() { u.showModal(pageHelp) }),
		r('a', "add a key (a keys-file line: psk HEX, srtp SSRC=KEY:SALT, ...)", func() { u.showModal(pageAddKey) }),
		r('p', "pause or resume the view (a live capture goes on)", u.togglePause),
		k(tcell.KeyEscape, "back to the previous screen", func() { u.back() }),
		r('q', "back; quit on the sessions screen", func() {
			if !u.back() {
				u.Stop()
			}
		}),
	}
	u.tables = map[string][]binding{
		pageSessions: {
			k(tcell.KeyEnter, "open the session's flow (ladder)", func() { u.openSession(pageFlow) }),
			r('t', "streams and findings of the session", func() { u.openSession(pageStreams) }),
			r('u', "media and findings tied to no session", u.openCaptureLevel),
			r('k', "keys: crypto sessions and supplied keys", func() { u.open(pageKeys) }),
			r('s', "sort by the next column", u.sessions.cycleSort),
			r('S', "reverse the sort order", u.sessions.reverseSort),
			r('c', "show Call-IDs (RTSP session ids) instead of From / To, or back", u.sessions.toggleCallID),
			r('/', "filter: text, carrier:, status:, mode:, code:", func() { u.showModal("filter") }),
			k(tcell.KeyEscape, "clear the filter", func() { u.filterIn.SetText("") }),
		},
		pageFlow: {
			k(tcell.KeyEnter, "message detail: MIKEY tree, text, hex", func() { u.openFrame(u.flow.selectedFrame()) }),
			r('t', "streams and findings of the session", func() { u.openSession(pageStreams) }),
			r('k', "keys: crypto sessions and supplied keys", func() { u.open(pageKeys) }),
		},
		pageDetail: {
			k(tcell.KeyTab, "next pane (tree, text, hex)", func() { u.detail.focusNext(u.app) }),
		},
		pageKeys: {
			r('r', "reveal or hide key bytes (only with --show-keys)", u.toggleReveal),
		},
		pageStreams: {
			k(tcell.KeyEnter, "open the frame of the selected finding", u.openFinding),
			k(tcell.KeyTab, "switch between streams and findings", u.streamsFocus),
			r('k', "keys: crypto sessions and supplied keys", func() { u.open(pageKeys) }),
		},
	}
}

var screenTitles = map[string]string{
	pageSessions: "Sessions", pageFlow: "Session flow", pageDetail: "Message detail",
	pageKeys: "Keys", pageStreams: "Streams and findings",
}

// helpText lists the keys of the current screen, then the global ones.
func (u *UI) helpText() string {
	cur := u.current()
	return helpText(
		helpSection{screenTitles[cur], u.tables[cur]},
		helpSection{"Everywhere", u.global},
	)
}

func (u *UI) togglePause() {
	paused := !u.progress.Paused
	u.progress.Paused = paused
	u.status.show(u.report, u.sessions.total, u.progress)
	go u.b.SetPaused(paused) // takes a snapshot: keep it off the UI goroutine
}

func (u *UI) toggleReveal() {
	if !u.opts.ShowKeys {
		u.status.flash("key bytes are not in the report: start mikeyscope with --show-keys to reveal them")
		return
	}
	u.keys.reveal = !u.keys.reveal
	u.keys.setReport(u.report, u.focusSession(), u.sessions.spool.Len())
}

func (u *UI) openFinding() {
	f := u.streams.selectedFinding()
	if f == nil {
		return
	}
	if f.Frame == 0 {
		u.status.flash("this finding is not tied to a frame")
		return
	}
	u.openFrame(f.Frame)
}

func (u *UI) streamsFocus() {
	if u.app.GetFocus() == u.streams.findings {
		u.app.SetFocus(u.streams.streams)
	} else {
		u.app.SetFocus(u.streams.findings)
	}
}

// submitKey checks the line as a keys file's line is checked and hands it
// to the backend off the UI goroutine (a file analysis restarts, which
// takes a moment). An error stays in the dialog and nothing is added; on
// success the dialog closes.
func (u *UI) submitKey(spec string) {
	warn, err := checkKeyLine(spec)
	if err != nil {
		u.addKey.showError(err.Error())
		return
	}
	u.addKey.showBusy()
	go func() {
		err := u.b.AddKey(spec)
		u.app.QueueUpdateDraw(func() {
			if err != nil {
				if u.modal != pageAddKey {
					u.status.flashError("key not added: " + err.Error()) // the dialog was closed meanwhile
					return
				}
				u.addKey.showError("key not added: " + err.Error())
				return
			}
			u.addKey.reset()
			u.closeModal()
			u.loaded, u.loadErr = nil, 0 // a new pass: load the focused session again
			msg := "key added; analysing again"
			if warn != "" {
				msg += "; warning: " + warn
			}
			u.status.flash(msg)
		})
	}()
}

// checkKeyLine parses a keys-file line with the keys package, into a
// scratch store: the same strict reading as --psk and keys files. It
// returns the first warning (an unusually short key).
func checkKeyLine(spec string) (warning string, err error) {
	kind, value, ok := keys.SplitLine(spec)
	if !ok || value == "" {
		return "", fmt.Errorf("want a keys-file line such as \"psk 0011...\" or \"tls-keylog FILE\"")
	}
	w, err := (&keys.Store{}).AddWithWarnings(kind, value, "line")
	if err != nil {
		return "", errors.New(strings.TrimPrefix(err.Error(), "line: "))
	}
	if len(w) > 0 {
		return w[0].Text, nil
	}
	return "", nil
}
