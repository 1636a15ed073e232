package ui

import (
	"time"

	"github.com/gdamore/tcell/v2"
)

// clock formats a capture time as the views show it (UTC, milliseconds).
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
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
// green verified, yellow keys in clear or no key.
func keyStatusColor(status string) tcell.Color {
	switch status {
	case "verified", "decrypting":
		return colorGood
	case "failed", "failing":
		return colorBad
	case "in-clear", "no-key", "no-key-fits", "no-exchange":
		return colorWarn
	}
	return tcell.ColorDefault
}
