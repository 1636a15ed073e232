package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// hexPane shows bytes as offset, hex and ASCII, 16 to a line, with one
// byte range (the selected field's Offset and Length) highlighted. It
// draws straight to the screen, so no wire byte is ever parsed as a tag.
type hexPane struct {
	*tview.Box
	raw        []byte
	hlOff      int
	hlLen      int
	top        int // first line shown
	plain      tcell.Style
	highlight  tcell.Style
	offsetText tcell.Style
}

const hexPerLine = 16

// hexLineWidth is "0000  " + 16*"xx " + " " + 16 ASCII.
const hexLineWidth = 6 + hexPerLine*3 + 1 + hexPerLine

// highlightStyle marks the selected field's bytes in the hex pane.
var highlightStyle = tcell.StyleDefault.Background(tcell.ColorYellow).Foreground(tcell.ColorBlack)

func newHexPane() *hexPane {
	h := &hexPane{Box: tview.NewBox(), plain: tcell.StyleDefault,
		highlight: highlightStyle, offsetText: tcell.StyleDefault.Foreground(colorDim)}
	h.SetBorder(true).SetTitle(" Hex ")
	return h
}

// setData shows raw with nothing highlighted.
func (h *hexPane) setData(raw []byte) {
	h.raw, h.hlOff, h.hlLen, h.top = raw, 0, 0, 0
}

// setHighlight marks raw[off:off+n] (clipped to the data) and scrolls so
// that its first line is visible.
func (h *hexPane) setHighlight(off, n int) {
	if off < 0 || n < 0 || off > len(h.raw) {
		off, n = 0, 0
	}
	n = min(n, len(h.raw)-off)
	h.hlOff, h.hlLen = off, n
	_, _, _, height := h.GetInnerRect()
	line := off / hexPerLine
	if height > 0 && (line < h.top || line >= h.top+height) {
		h.top = max(0, line-height/3)
	}
}

func (h *hexPane) lines() int { return (len(h.raw) + hexPerLine - 1) / hexPerLine }

func (h *hexPane) highlighted(i int) bool { return i >= h.hlOff && i < h.hlOff+h.hlLen }

// Draw draws the visible lines.
func (h *hexPane) Draw(screen tcell.Screen) {
	h.Box.DrawForSubclass(screen, h)
	x0, y0, width, height := h.GetInnerRect()
	for y := 0; y < height; y++ {
		line := h.top + y
		if line >= h.lines() {
			break
		}
		h.drawLine(screen, x0, y0+y, width, line)
	}
}

func (h *hexPane) drawLine(screen tcell.Screen, x0, y, width, line int) {
	put := func(x int, r rune, st tcell.Style) {
		if x-x0 < width {
			screen.SetContent(x, y, r, nil, st)
		}
	}
	base := line * hexPerLine
	for i, shift := 0, 12; shift >= 0; i, shift = i+1, shift-4 {
		put(x0+i, rune(hexDigits[(base>>shift)&0xf]), h.offsetText)
	}
	for i := 0; i < hexPerLine && base+i < len(h.raw); i++ {
		b := h.raw[base+i]
		st := h.plain
		if h.highlighted(base + i) {
			st = h.highlight
		}
		x := x0 + 6 + i*3
		put(x, rune(hexDigits[b>>4]), st)
		put(x+1, rune(hexDigits[b&0xf]), st)
		if h.highlighted(base+i) && h.highlighted(base+i+1) && i < hexPerLine-1 {
			put(x+2, ' ', st) // join the highlight across the gap
		}
		c := rune('.')
		if b >= 0x20 && b < 0x7f {
			c = rune(b)
		}
		put(x0+6+hexPerLine*3+1+i, c, st)
	}
}

// InputHandler scrolls the pane.
func (h *hexPane) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return h.WrapInputHandler(func(ev *tcell.EventKey, _ func(p tview.Primitive)) {
		_, _, _, height := h.GetInnerRect()
		switch ev.Key() {
		case tcell.KeyUp:
			h.top--
		case tcell.KeyDown:
			h.top++
		case tcell.KeyPgUp:
			h.top -= height
		case tcell.KeyPgDn:
			h.top += height
		case tcell.KeyHome:
			h.top = 0
		case tcell.KeyEnd:
			h.top = h.lines() - height
		}
		h.top = max(0, min(h.top, h.lines()-1))
	})
}

const hexDigits = "0123456789abcdef"
