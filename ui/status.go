package ui

import (
	"fmt"
	"strings"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// statusBar is the bottom line: what is analysed, progress, live/paused,
// error and warning counts, and the last message.
type statusBar struct {
	view    *tview.TextView
	title   string
	message string
	line    string
}

func newStatusBar(title string) *statusBar {
	s := &statusBar{title: title}
	s.view = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	s.view.SetBackgroundColor(colorStatusBg)
	return s
}

// show redraws the bar for a snapshot listing sessions sessions (those
// in r and those retired to the spool) and progress.
func (s *statusBar) show(r *analysis.Report, sessions int, p analysis.JobProgress) {
	s.line = sessionsStatusLine(s.title, r, sessions, p)
	s.render()
}

func (s *statusBar) render() {
	text := s.line
	if s.message != "" {
		text += "  " + s.message
	}
	s.view.SetText(text)
}

// flash shows a message until the next one.
func (s *statusBar) flash(msg string) {
	s.message = "[white::b]" + SafeText(msg) + "[-::-]"
	s.render()
}

func (s *statusBar) flashError(msg string) {
	s.message = "[red::b]" + SafeText(msg) + "[-::-]"
	s.render()
}

// statusLine formats the progress part of the bar (tview tags) for a
// snapshot listing every session.
func statusLine(title string, r *analysis.Report, p analysis.JobProgress) string {
	n := 0
	if r != nil {
		n = len(r.Sessions)
	}
	return sessionsStatusLine(title, r, n, p)
}

// sessionsStatusLine formats the progress part of the bar for a snapshot
// listing sessions sessions.
func sessionsStatusLine(title string, r *analysis.Report, sessions int, p analysis.JobProgress) string {
	var b strings.Builder
	b.WriteString("[::b]" + SafeText(title) + "[::-]  ")
	switch {
	case p.Live:
		fmt.Fprintf(&b, "[green]LIVE[-] %d frames", p.Frames)
		if k := p.Kernel; k != nil {
			fmt.Fprintf(&b, " (kernel %d received, ", k.Received)
			if k.Dropped > 0 {
				fmt.Fprintf(&b, "[red::b]%d dropped[-::-])", k.Dropped)
			} else {
				b.WriteString("0 dropped)")
			}
		}
	case p.Done:
		fmt.Fprintf(&b, "done, %d frames", p.Frames)
	case p.TotalBytes > 0:
		pct := min(100, p.Bytes*100/uint64(p.TotalBytes))
		fmt.Fprintf(&b, "reading %d%% (%d frames)", pct, p.Frames)
	default:
		fmt.Fprintf(&b, "reading (%d frames)", p.Frames)
	}
	if w := p.Write; w != nil && w.Failure != "" {
		// A -w failure shows as long as the capture runs: the files
		// are missing frames from here on.
		fmt.Fprintf(&b, " [red::b]%s: %d frames not written[-::-]", SafeText(w.Failure), w.FramesNotWritten)
	}
	if p.Paused {
		b.WriteString(" [yellow::b]PAUSED[-::-]")
	}
	if r != nil {
		fmt.Fprintf(&b, "  sessions %d  ", sessions)
		if r.Summary.Errors > 0 {
			fmt.Fprintf(&b, "[red]%d errors[-] ", r.Summary.Errors)
		} else {
			b.WriteString("0 errors ")
		}
		if r.Summary.Warnings > 0 {
			fmt.Fprintf(&b, "[yellow]%d warnings[-]", r.Summary.Warnings)
		} else {
			b.WriteString("0 warnings")
		}
		if r.Summary.ReadError != "" {
			b.WriteString("  [red]read error: " + SafeText(r.Summary.ReadError) + "[-]")
		}
	}
	if p.Err != "" {
		b.WriteString("  [red]" + SafeText(p.Err) + "[-]")
	}
	b.WriteString("  [gray]? help[-]")
	return b.String()
}
