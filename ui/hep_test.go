package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/mikeyscope/mikeyscope/analysis"
)

func TestSignalPlaces(t *testing.T) {
	for _, tc := range []struct {
		sg   analysis.Signal
		want string
	}{
		{analysis.Signal{}, ""},
		{analysis.Signal{Via: "hep agent 2002"}, " (via hep agent 2002)"},
		{analysis.Signal{AlsoSeen: []analysis.SignalCopy{{Frame: 7, Via: "hep agent 3 (sbc)"}}}, " (also hep agent 3 (sbc) frame 7)"},
		{analysis.Signal{Via: "hep agent 2002", AlsoSeen: []analysis.SignalCopy{{Frame: 1, Via: "capture"}}}, " (via hep agent 2002; also capture frame 1)"},
	} {
		if got := signalPlaces(&tc.sg); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.sg, got, tc.want)
		}
	}
	s := &analysis.Session{Signals: []*analysis.Signal{{Via: "hep agent 1"}, {}, {Via: "hep agent 2"}, {Via: "hep agent 1"}}}
	if got := flowVia(s); got != " via hep agent 1, hep agent 2" {
		t.Errorf("flowVia %q", got)
	}
}

// TestHEPNodeNameOnScreen: a hostile HEP node name (a terminal escape, a
// bidi override, a tview colour tag, a byte that is not UTF-8) reaches the
// drawn flow title and signalling title in visible forms only.
func TestHEPNodeNameOnScreen(t *testing.T) {
	via := "hep agent 7 (x\x1b]0;pwn\x07[red]\u202eevil\xff)"
	sg := &analysis.Signal{Frame: 1, Summary: "INVITE sip:b@x", Via: via, AlsoSeen: []analysis.SignalCopy{{Frame: 2, Via: via}}}
	s := &analysis.Session{ID: 1, Carrier: "sip", Signals: []*analysis.Signal{sg}}
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		t.Fatal(err)
	}
	defer screen.Fini()
	screen.SetSize(400, 20)
	fv := newFlowView()
	fv.setSession(s, 400)
	fv.table.SetRect(0, 0, 400, 10)
	fv.table.Draw(screen)
	dv := newDetailView()
	dv.setFrame(s, 1)
	dv.text.SetRect(0, 10, 400, 10)
	dv.text.Draw(screen)
	screen.Show()
	cells, w, _ := screen.GetContents()
	var rows []string
	for y := 0; y*w < len(cells); y++ {
		var b strings.Builder
		for _, c := range cells[y*w : (y+1)*w] {
			for _, r := range c.Runes {
				if r < 0x20 || r == 0x7f || r == 0x202e {
					t.Fatalf("rune %U drawn on row %d", r, y)
				}
				b.WriteRune(r)
			}
		}
		rows = append(rows, b.String())
	}
	want := `x\x1b]0;pwn\x07[red]\u202eevil` + "\ufffd"
	if !strings.Contains(rows[0], want) {
		t.Errorf("flow title drawn as %q, want the node name as %q", strings.TrimSpace(rows[0]), want)
	}
	if n := strings.Count(rows[10], want); n != 2 {
		t.Errorf("signalling title drawn as %q, want the node name twice as %q", strings.TrimSpace(rows[10]), want)
	}
}
