package ui

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/rivo/tview"
)

// keysView is the keys screen: what each crypto session was keyed with
// (by fingerprint; key bytes only when revealed, and only if the report
// carries them, i.e. mikeyscope runs with --show-keys), and which supplied
// key verified which message (Report.Keys).
type keysView struct {
	root     *tview.Flex
	derived  *tview.Table
	supplied *tview.Table
	reveal   bool
}

func newKeysView() *keysView {
	v := &keysView{}
	v.derived = tview.NewTable().SetFixed(1, 0).SetSelectable(true, false)
	v.derived.SetBorder(true).SetTitle(" Crypto sessions ")
	v.supplied = tview.NewTable().SetFixed(1, 0).SetSelectable(true, false)
	v.supplied.SetBorder(true).SetTitle(" Supplied keys ")
	v.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(v.derived, 0, 2, true).
		AddItem(v.supplied, 0, 1, false)
	return v
}

var derivedHeaders = []string{"Session", "CS", "SSRC", "ROC", "Policy", "MKI", "Master key", "Master salt", "Keyed by", "Source"}
var suppliedHeaders = []string{"Fingerprint", "Kind", "Source", "Verified frames"}

func headerRow(t *tview.Table, names []string) {
	for i, h := range names {
		t.SetCell(0, i, tview.NewTableCell(h).SetSelectable(false).SetTextColor(tcell.ColorYellow).SetAttributes(tcell.AttrBold))
	}
}

// setReport shows the keys of every session of r in memory; of the
// finished sessions written to the spool (compact rows in r, or spooled
// more on disk), only focus's when it is one of them, loaded: the others
// are counted on the last line.
func (v *keysView) setReport(r *analysis.Report, focus *analysis.Session, spooled int) {
	row, _ := v.derived.GetSelection()
	v.derived.Clear()
	v.supplied.Clear()
	headerRow(v.derived, derivedHeaders)
	headerRow(v.supplied, suppliedHeaders)
	if r == nil {
		return
	}
	n := 1
	retired := 0
	sessions := r.Sessions
	if spooled > 0 {
		retired = spooled
		if focus != nil && focus.Retired == nil && !slices.ContainsFunc(r.Sessions, func(s *analysis.Session) bool { return s.ID == focus.ID }) {
			retired--                                         // loaded from the spool: listed here
			sessions = append(slices.Clip(r.Sessions), focus) // in ID order: the retired session came first
			slices.SortFunc(sessions, func(a, b *analysis.Session) int { return a.ID - b.ID })
		}
	}
	for _, s := range sessions {
		if s.Retired != nil {
			if focus == nil || focus.ID != s.ID || focus.Retired != nil {
				retired++
				continue
			}
			s = focus
		}
		for _, cs := range s.CryptoSessions {
			key, salt := keyText(cs.KeyFP, cs.KeyHex, v.reveal), keyText(cs.SaltFP, cs.SaltHex, v.reveal)
			cells := []string{strconv.Itoa(s.ID), strconv.Itoa(int(cs.CSID)), SafeText(cs.SSRC),
				strconv.FormatUint(uint64(cs.ROC), 10), SafeText(cs.Policy), SafeText(orDash(cs.MKI)),
				key, salt, "frame " + strconv.FormatUint(cs.FromFrame, 10), SafeText(cs.Source)}
			for c, t := range cells {
				cell := tview.NewTableCell(t)
				if c >= 6 && c <= 7 && v.reveal && cs.KeyHex != "" {
					cell.SetTextColor(colorWarn)
				}
				v.derived.SetCell(n, c, cell)
			}
			n++
		}
	}
	if n == 1 && retired == 0 {
		v.derived.SetCell(1, 0, tview.NewTableCell("no crypto session keyed").SetTextColor(colorDim))
	}
	if retired > 0 {
		v.derived.SetCell(n, 0, tview.NewTableCell(fmt.Sprintf("and %d finished sessions written to the spool: open one (Enter on the sessions list) to list its keys here", retired)).SetTextColor(colorDim).SetSelectable(false))
	}
	if row > 0 && row < n {
		v.derived.Select(row, 0)
	}
	for i, k := range r.Keys {
		verified := "nothing"
		if len(k.Verified) > 0 {
			verified = analysis.FrameList(k.Verified)
		}
		for c, t := range []string{SafeText(k.Fingerprint), SafeText(k.Kind), SafeText(k.Source), verified} {
			v.supplied.SetCell(i+1, c, tview.NewTableCell(t))
		}
	}
	if len(r.Keys) == 0 {
		v.supplied.SetCell(1, 0, tview.NewTableCell("no key supplied (press a to add one)").SetTextColor(colorDim))
	}
	title := " Crypto sessions (keys by fingerprint) "
	if v.reveal {
		title = " Crypto sessions (KEYS REVEALED: press r to hide) "
	}
	v.derived.SetTitle(title)
}

// keyText is a key's fingerprint, or its bytes when revealed and present.
func keyText(fp, hexKey string, reveal bool) string {
	if reveal && hexKey != "" {
		return SafeText(hexKey)
	}
	if fp == "" {
		return "-"
	}
	return SafeText(fp)
}
