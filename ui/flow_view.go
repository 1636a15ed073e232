package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// flowView is the session flow screen: the ladder of the session's SIP or
// RTSP messages between its hosts, MIKEY carriers marked, and the media
// streams with their packet and failure counts below.
type flowView struct {
	root    *tview.Flex
	table   *tview.Table
	streams *tview.TextView
	session *analysis.Session
	width   int
}

func newFlowView() *flowView {
	v := &flowView{width: 120}
	v.table = tview.NewTable().SetFixed(1, 0).SetSelectable(true, false)
	v.table.SetBorder(true).SetTitle(" Flow ")
	v.streams = tview.NewTextView().SetDynamicColors(true)
	v.streams.SetBorder(true).SetTitle(" Media ")
	v.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(v.table, 0, 3, true).
		AddItem(v.streams, 0, 1, false)
	return v
}

// setSession shows s (nil clears), keeping the selected row when the
// session is the same.
func (v *flowView) setSession(s *analysis.Session, width int) {
	row, _ := v.table.GetSelection()
	same := v.session != nil && s != nil && v.session.ID == s.ID
	v.session = s
	v.table.Clear()
	v.streams.Clear()
	if s == nil {
		v.table.SetTitle(" Flow ")
		return
	}
	v.table.SetTitle(fmt.Sprintf(" Flow of session %d: %s %s%s ", s.ID, SafeText(s.Carrier), SafeText(s.Title()), SafeText(flowVia(s))))
	if width > 40 {
		v.width = width
	}
	withDate := analysis.SpansDays(s.Start, s.End)
	fixed := flowFixedColumns
	if withDate {
		fixed += len("2006-01-02 ")
	}
	l := newLadder(s.Signals, v.width-fixed)
	hdr := func(c int, t string) {
		v.table.SetCell(0, c, tview.NewTableCell(t).SetSelectable(false).SetTextColor(tcell.ColorYellow).SetAttributes(tcell.AttrBold))
	}
	hdr(0, "Time")
	hdr(1, "Frame")
	hdr(2, escapeTags(l.header()))
	for i, sig := range s.Signals {
		color := tcell.ColorDefault
		if sig.MIKEY > 0 {
			color = tcell.ColorAqua
		}
		v.table.SetCell(i+1, 0, tview.NewTableCell(analysis.FormatTime(sig.Time, withDate)).SetTextColor(colorDim))
		v.table.SetCell(i+1, 1, tview.NewTableCell(fmt.Sprint(sig.Frame)).SetAlign(tview.AlignRight))
		v.table.SetCell(i+1, 2, tview.NewTableCell(escapeTags(l.line(sig))).SetTextColor(color))
	}
	if same && row > 0 && row <= len(s.Signals) {
		v.table.Select(row, 0)
	} else if len(s.Signals) > 0 {
		v.table.Select(1, 0).ScrollToBeginning()
	}
	v.streams.SetText(streamsSummary(s.Streams))
}

// flowFixedColumns is the width of the borders and the time and frame
// columns beside the ladder.
const flowFixedColumns = 2 + 13 + 7

// selectedFrame is the frame of the selected message, 0 if none.
func (v *flowView) selectedFrame() uint64 {
	row, _ := v.table.GetSelection()
	if v.session == nil || row < 1 || row > len(v.session.Signals) {
		return 0
	}
	return v.session.Signals[row-1].Frame
}

// streamsSummary lists streams with their packet and failure counts.
func streamsSummary(sts []*analysis.Stream) string {
	if len(sts) == 0 {
		return "[gray]no media streams[-]"
	}
	var b strings.Builder
	for _, st := range sts {
		color := "white"
		switch streamStatusColor(st.KeyStatus) {
		case colorGood:
			color = "green"
		case colorBad:
			color = "red"
		case colorWarn:
			color = "yellow"
		}
		fmt.Fprintf(&b, "%-4s %s  %s -> %s  packets %d  auth failed %d  decrypted %d  lost %d  [%s]%s[-]\n",
			SafeText(st.Kind), SafeText(st.SSRC), SafeText(st.Src), SafeText(st.Dst),
			st.Packets, st.AuthFailed, st.Decrypted, st.Health.Lost, color, SafeText(st.KeyStatus.String()))
	}
	return b.String()
}
