package ui

import (
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
)

// clock formats a capture time as the views show it (UTC, milliseconds).
func clock(t time.Time) string { return clockOf(t, false) }

// clockOf formats a capture time, with its date when withDate (a capture
// or session that spans days).
func clockOf(t time.Time, withDate bool) string {
	if t.IsZero() {
		return "-"
	}
	if withDate {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC().Format("15:04:05.000")
}

// Colours for states, shared by every view.
var (
	colorBad  = tcell.ColorRed
	colorGood = tcell.ColorGreen
	colorWarn = tcell.ColorYellow
	colorDim  = tcell.ColorGray

	colorStatusBg = tcell.ColorNavy
)

// tcellColor shortens signatures.
type tcellColor = tcell.Color

// keyStatusColor colours a session's or message's key status: red failed,
// green verified, yellow keys in clear, unprotected or no key.
func keyStatusColor(status analysis.KeyStatus) tcell.Color {
	switch status {
	case analysis.KeyVerified:
		return colorGood
	case analysis.KeyFailed:
		return colorBad
	case analysis.KeyInClear, analysis.KeyNotProtected, analysis.KeyNoKey, analysis.KeyNoKeyFits:
		return colorWarn
	}
	return tcell.ColorDefault
}

// streamStatusColor colours a stream's key status: green decrypting, red
// failing, yellow no key or no key exchange.
func streamStatusColor(status analysis.StreamStatus) tcell.Color {
	switch status {
	case analysis.StreamDecrypting:
		return colorGood
	case analysis.StreamFailing:
		return colorBad
	case analysis.StreamNoKey, analysis.StreamNoExchange:
		return colorWarn
	}
	return tcell.ColorDefault
}
