package ui

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

// BenchmarkSessionsRedraw draws the sessions screen holding 10,000
// sessions into the screen buffer (ms per redraw: ns/op / 1e6). The
// simulation screen's Show, which stands for the terminal output, is left
// out: it costs the same whatever is drawn.
func BenchmarkSessionsRedraw(b *testing.B) {
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		b.Fatal(err)
	}
	screen.SetSize(200, 60)
	v := newSessionsView()
	v.setReport(bigReport(benchSessions))
	v.table.SetRect(0, 0, 200, 59)
	b.ReportAllocs()
	for b.Loop() {
		v.table.Draw(screen)
	}
}

// BenchmarkSessionsSnapshot applies a new 10,000-session snapshot (rows,
// sort, filter) and draws it: the cost of one model update.
func BenchmarkSessionsSnapshot(b *testing.B) {
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		b.Fatal(err)
	}
	screen.SetSize(200, 60)
	r := bigReport(10000)
	v := newSessionsView()
	v.table.SetRect(0, 0, 200, 59)
	b.ReportAllocs()
	for b.Loop() {
		v.setReport(r)
		v.table.Draw(screen)
	}
}

// BenchmarkHexPaneDraw draws a 184-byte MIKEY message with a field
// highlighted.
func BenchmarkHexPaneDraw(b *testing.B) {
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		b.Fatal(err)
	}
	screen.SetSize(100, 30)
	h := newHexPane()
	h.SetRect(0, 0, hexLineWidth+2, 20)
	h.setData(make([]byte, 184))
	h.setHighlight(40, 20)
	b.ReportAllocs()
	b.SetBytes(184)
	for b.Loop() {
		h.Draw(screen)
	}
}

var benchSessions = 10000
