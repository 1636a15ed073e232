package ui

import (
	"fmt"
	"strconv"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// streamsView is the streams screen of one session: each stream's SRTP
// health, and the session's findings with their cause and fix; Enter on a
// finding opens the detail of its frame when that frame carries signalling
// or MIKEY.
type streamsView struct {
	root     *tview.Flex
	streams  *tview.Table
	findings *tview.Table
	explain  *tview.TextView
	session  *analysis.Session
	list     []*analysis.Finding
}

var streamHeaders = []string{"Kind", "SSRC", "Source -> destination", "Packets", "Auth OK", "Auth failed", "Decrypted", "Malformed", "Bad MKI", "Lost", "Dup", "Reorder", "Jitter ms", "ROC", "Status"}
var findingHeaders = []string{"Severity", "Code", "Frame", "Count", "Summary"}

func newStreamsView() *streamsView {
	v := &streamsView{}
	v.streams = tview.NewTable().SetFixed(1, 0).SetSelectable(true, false)
	v.streams.SetBorder(true).SetTitle(" Streams ")
	v.findings = tview.NewTable().SetFixed(1, 0).SetSelectable(true, false)
	v.findings.SetBorder(true).SetTitle(" Findings (Enter: open the frame) ")
	v.explain = tview.NewTextView().SetDynamicColors(true).SetWrap(true).SetWordWrap(true)
	v.explain.SetBorder(true)
	v.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(v.streams, 0, 2, false).
		AddItem(v.findings, 0, 2, true).
		AddItem(v.explain, 6, 0, false)
	v.findings.SetSelectionChangedFunc(func(row, _ int) { v.explainRow(row) })
	return v
}

// setSession shows session s of report r (nil clears).
func (v *streamsView) setSession(r *analysis.Report, s *analysis.Session) {
	frow, _ := v.findings.GetSelection()
	same := v.session != nil && s != nil && v.session.ID == s.ID
	v.session = s
	v.list = v.list[:0]
	v.streams.Clear()
	v.findings.Clear()
	headerRow(v.streams, streamHeaders)
	headerRow(v.findings, findingHeaders)
	if s == nil {
		v.explain.Clear()
		return
	}
	if s.ID == 0 {
		v.streams.SetTitle(" Streams tied to no session " + jitterLegend)
	} else {
		v.streams.SetTitle(fmt.Sprintf(" Streams of session %d ", s.ID) + jitterLegend)
	}
	for i, st := range s.Streams {
		h := st.Health
		cells := []string{SafeText(st.Kind), SafeText(st.SSRC), SafeText(st.Src + " -> " + st.Dst),
			u64(st.Packets), u64(st.Authenticated), u64(st.AuthFailed), u64(st.Decrypted),
			u64(h.Malformed), u64(h.UnknownMKI), u64(h.Lost), u64(h.Duplicates), u64(h.OutOfOrder), jitterCell(st), strconv.FormatUint(uint64(h.ROC), 10), SafeText(st.KeyStatus.String())}
		for c, t := range cells {
			cell := tview.NewTableCell(t)
			if c >= 3 && c <= 13 {
				cell.SetAlign(tview.AlignRight)
			}
			if c == len(cells)-1 || (c == 5 && st.AuthFailed > 0) {
				cell.SetTextColor(streamStatusColor(st.KeyStatus))
			}
			v.streams.SetCell(i+1, c, cell)
		}
	}
	if len(s.Streams) == 0 {
		v.streams.SetCell(1, 0, tview.NewTableCell("no media streams").SetTextColor(colorDim))
	}
	if r != nil {
		for _, f := range r.Findings {
			if f.Session == s.ID {
				v.list = append(v.list, f)
			}
		}
	}
	for i, f := range v.list {
		frame := "-"
		if f.Frame != 0 {
			frame = u64(f.Frame)
		}
		count := f.Count
		if count < 1 {
			count = 1
		}
		cells := []string{f.Severity.String(), SafeText(f.Code), frame, strconv.Itoa(count), SafeText(f.Summary)}
		for c, t := range cells {
			cell := tview.NewTableCell(t)
			if c == 0 {
				cell.SetTextColor(severityColor(f.Severity))
			}
			if c == 4 {
				cell.SetExpansion(1)
			}
			v.findings.SetCell(i+1, c, cell)
		}
	}
	if len(v.list) == 0 {
		v.findings.SetCell(1, 0, tview.NewTableCell("no findings").SetTextColor(colorDim))
	}
	row := 1
	if same && frow > 0 && frow <= len(v.list) {
		row = frow
	}
	v.findings.Select(row, 0)
	v.explainRow(row)
}

// selectedFinding is the finding of the selected row, or nil.
func (v *streamsView) selectedFinding() *analysis.Finding {
	row, _ := v.findings.GetSelection()
	if row < 1 || row > len(v.list) {
		return nil
	}
	return v.list[row-1]
}

func (v *streamsView) explainRow(row int) {
	if row < 1 || row > len(v.list) {
		v.explain.Clear()
		return
	}
	f := v.list[row-1]
	v.explain.SetText(fmt.Sprintf("[::b]%s[::-]\n[yellow]cause:[-] %s\n[green]fix:[-]   %s",
		SafeText(f.Summary), SafeText(f.Cause), SafeText(f.Fix)))
}

func severityColor(s analysis.Severity) tcellColor {
	switch s {
	case analysis.SeverityError:
		return colorBad
	case analysis.SeverityWarning:
		return colorWarn
	}
	return colorDim
}

func u64(n uint64) string { return strconv.FormatUint(n, 10) }

// jitterLegend says what the Jitter column holds.
const jitterLegend = "(Jitter: RFC 3550 interarrival jitter in ms, last/max) "

// jitterCell shows a stream's jitter and its largest value in
// milliseconds, or "-" when its clock rate is unknown (RTCP, dynamic
// payload types without a=rtpmap).
func jitterCell(st *analysis.Stream) string {
	if st.ClockRate == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f/%.2f", st.JitterMS, st.MaxJitterMS)
}
