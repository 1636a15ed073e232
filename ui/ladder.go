package ui

import (
	"strconv"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/internal/safetext"
)

// ladder lays out a session's signalling as sngrep does: one column per
// host address, one line per message with an arrow from sender to
// receiver labelled with the message summary.
type ladder struct {
	hosts []string // addresses in order of first appearance
	colW  int      // width of one host column
}

// ladderColumnWidth bounds a host column.
const (
	ladderMinCol = 24
	ladderMaxCol = 48
)

func newLadder(sigs []*analysis.Signal, width int) ladder {
	var l ladder
	seen := map[string]bool{}
	for _, s := range sigs {
		for _, h := range [2]string{s.Src, s.Dst} {
			if !seen[h] {
				seen[h] = true
				l.hosts = append(l.hosts, h)
			}
		}
	}
	l.colW = ladderMinCol
	if n := len(l.hosts); n > 0 && width/n > l.colW {
		l.colW = min(width/n, ladderMaxCol)
	}
	return l
}

func (l ladder) column(host string) int {
	for i, h := range l.hosts {
		if h == host {
			return i
		}
	}
	return -1
}

func (l ladder) center(i int) int { return i*l.colW + l.colW/2 }

// header is the line of host names, each centred over its column (raw
// wire text made visible; not tag-escaped).
func (l ladder) header() string {
	canvas := l.blank(' ')
	for i, h := range l.hosts {
		name := []rune(safetext.Escape(h))
		if len(name) > l.colW-1 {
			name = append(name[:l.colW-2], '…')
		}
		start := max(0, l.center(i)-len(name)/2)
		copy(canvas[start:], name)
	}
	return string(canvas)
}

func (l ladder) blank(fill rune) []rune {
	canvas := make([]rune, l.colW*len(l.hosts))
	for i := range canvas {
		canvas[i] = fill
	}
	return canvas
}

// line draws the arrow of one message: host lifelines as '│', the arrow
// from the sender's to the receiver's lifeline with its label inside.
func (l ladder) line(sig *analysis.Signal) string {
	canvas := l.blank(' ')
	for i := range l.hosts {
		canvas[l.center(i)] = '│'
	}
	from, to := l.center(l.column(sig.Src)), l.center(l.column(sig.Dst))
	label := safetext.Escape(sig.Summary)
	if sig.MIKEY > 0 { // the marker first, so truncation never hides it
		mark := "◆MIKEY "
		if sig.MIKEY > 1 {
			mark = "◆MIKEY×" + strconv.Itoa(sig.MIKEY) + " "
		}
		label = mark + label
	}
	lo, hi := min(from, to), max(from, to)
	if lo == hi { // a message to itself: label beside the lifeline
		hi = min(len(canvas)-1, lo+l.colW-1)
	}
	for x := lo + 1; x < hi; x++ {
		canvas[x] = '─'
	}
	if to >= from {
		canvas[hi-1] = '▶'
	} else {
		canvas[lo+1] = '◀'
	}
	room := hi - lo - 4
	text := []rune(" " + label + " ")
	if room > 0 {
		if len(text) > room {
			text = append(text[:room-1], '…')
		}
		start := lo + 2 + (room-len(text))/2
		copy(canvas[start:], text)
	}
	return string(canvas)
}
