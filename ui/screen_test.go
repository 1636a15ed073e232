package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// harness runs a UI on a simulation screen.
type harness struct {
	t      *testing.T
	u      *UI
	screen tcell.SimulationScreen
	done   chan error
}

func startUI(t *testing.T, b Backend, opts Options) *harness {
	t.Helper()
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, screen: screen, done: make(chan error, 1)}
	h.u = New(b, screen, opts)
	go func() { h.done <- h.u.Run() }()
	// tview initialises the screen when Run starts (80x25): resize after.
	h.onUI(func() {})
	screen.SetSize(160, 45)
	h.u.app.QueueUpdateDraw(func() {})
	t.Cleanup(func() {
		h.u.Stop()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("UI did not stop")
		}
	})
	h.waitText("Sessions (")
	return h
}

// contents copies the simulation screen's cells. It reads them on the UI
// goroutine, which is the one that draws (GetContents hands out the
// screen's own slice).
func (h *harness) contents() (cells []tcell.SimCell, w, ht int) {
	h.onUI(func() {
		var front []tcell.SimCell
		front, w, ht = h.screen.GetContents()
		cells = make([]tcell.SimCell, len(front))
		for i, c := range front {
			cells[i] = tcell.SimCell{Style: c.Style, Runes: append([]rune(nil), c.Runes...)}
		}
	})
	return cells, w, ht
}

// lines returns the screen as text, one string per row.
func (h *harness) lines() []string {
	cells, w, ht := h.contents()
	out := make([]string, ht)
	for y := 0; y < ht; y++ {
		var b strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				b.WriteByte(' ')
			} else {
				b.WriteString(string(c.Runes))
			}
		}
		out[y] = b.String()
	}
	return out
}

func (h *harness) text() string { return strings.Join(h.lines(), "\n") }

// waitFor polls the screen until cond holds; the deadline only guards
// against a hang.
func (h *harness) waitFor(what string, cond func(screen string) bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := h.text()
		if cond(s) {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("screen never showed %s; screen:\n%s", what, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) waitText(sub string) {
	h.t.Helper()
	h.waitFor(`"`+sub+`"`, func(s string) bool { return strings.Contains(s, sub) })
}

func (h *harness) waitGone(sub string) {
	h.t.Helper()
	h.waitFor(`no "`+sub+`"`, func(s string) bool { return !strings.Contains(s, sub) })
}

// find returns the position of sub on the screen.
func (h *harness) find(sub string) (x, y int, ok bool) {
	for y, l := range h.lines() {
		if i := strings.Index(l, sub); i >= 0 {
			return len([]rune(l[:i])), y, true
		}
	}
	return 0, 0, false
}

// style returns the style of the cell at x, y.
func (h *harness) style(x, y int) tcell.Style {
	cells, w, _ := h.contents()
	return cells[y*w+x].Style
}

func (h *harness) key(k tcell.Key) { h.screen.InjectKey(k, 0, tcell.ModNone) }

func (h *harness) press(r rune) { h.screen.InjectKey(tcell.KeyRune, r, tcell.ModNone) }

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.press(r)
	}
}

// onUI runs f on the UI goroutine and waits for it.
func (h *harness) onUI(f func()) {
	done := make(chan struct{})
	h.u.app.QueueUpdate(func() { f(); close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		h.t.Fatal("UI goroutine did not run the update")
	}
}

// wantColor checks the colour sub is shown in: its foreground, or its
// background when the row is selected (tview inverts the selected row).
func (h *harness) wantColor(sub string, c tcell.Color) {
	h.t.Helper()
	x, y, ok := h.find(sub)
	if !ok {
		h.t.Errorf("%q not on screen", sub)
		return
	}
	fg, bg, _ := h.style(x, y).Decompose()
	if fg != c && bg != c {
		h.t.Errorf("%q shown in %v on %v, want %v", sub, fg, bg, c)
	}
}
