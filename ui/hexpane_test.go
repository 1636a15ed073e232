package ui

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

// highlightedBytes draws h on a fresh screen and counts the bytes shown
// highlighted in the hex column.
func highlightedBytes(t *testing.T, h *hexPane, height int) int {
	screen := tcell.NewSimulationScreen("UTF-8")
	if err := screen.Init(); err != nil {
		t.Fatal(err)
	}
	screen.SetSize(hexLineWidth+2, height+2)
	h.SetRect(0, 0, hexLineWidth+2, height+2)
	h.Draw(screen)
	screen.Show()
	cells, w, _ := screen.GetContents()
	n := 0
	for y := 1; y <= height; y++ {
		for i := 0; i < hexPerLine; i++ {
			x := 1 + 6 + i*3
			if cells[y*w+x].Style == highlightStyle {
				n++
			}
		}
	}
	return n
}

func TestHexPaneHighlightClipped(t *testing.T) {
	raw := make([]byte, 100)
	for _, tc := range []struct {
		off, n, want int
	}{
		{4, 4, 4},
		{0, 100, 100},
		{90, 50, 10}, // past the end: clipped
		{100, 1, 0},
		{101, 5, 0}, // outside: nothing
		{-3, 5, 0},
		{10, -1, 0},
		{15, 2, 2}, // across a line break
	} {
		h := newHexPane()
		h.setData(raw)
		h.setHighlight(tc.off, tc.n)
		if got := highlightedBytes(t, h, 10); got != tc.want {
			t.Errorf("highlight [%d +%d]: %d bytes shown, want %d", tc.off, tc.n, got, tc.want)
		}
	}
}

// TestHexPaneScrollsToField: a field below the visible lines scrolls into
// view.
func TestHexPaneScrollsToField(t *testing.T) {
	h := newHexPane()
	h.SetRect(0, 0, hexLineWidth+2, 6) // 4 lines visible
	h.setData(make([]byte, 1000))
	h.setHighlight(800, 3)
	if got := highlightedBytes(t, h, 4); got != 3 {
		t.Errorf("%d highlighted bytes visible after scrolling, want 3 (top line %d)", got, h.top)
	}
}

// FuzzHexPane: any data and field span (offsets come from the wire) draw
// without panic and highlight exactly the clipped span.
func FuzzHexPane(f *testing.F) {
	f.Add([]byte{1, 2, 3}, 1, 1)
	f.Add([]byte{}, 0, 0)
	f.Add(make([]byte, 300), 250, 1<<30)
	f.Add(make([]byte, 17), -1<<31, 1<<31-1)
	f.Fuzz(func(t *testing.T, raw []byte, off, n int) {
		if len(raw) > 1024 {
			raw = raw[:1024]
		}
		h := newHexPane()
		h.SetRect(0, 0, hexLineWidth+2, 66)
		h.setData(raw)
		h.setHighlight(off, n)
		want := 0
		if off >= 0 && n > 0 && off < len(raw) {
			want = min(n, len(raw)-off)
		}
		if got := highlightedBytes(t, h, 64); got != want && len(raw) <= 64*hexPerLine {
			t.Fatalf("highlight [%d +%d] of %d bytes: %d shown, want %d", off, n, len(raw), got, want)
		}
	})
}
