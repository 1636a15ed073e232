package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/mikeyscope/mikeyscope/analysis"
)

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
