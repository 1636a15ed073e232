package ui

import (
	"strings"
	"unicode/utf8"

	"github.com/rivo/tview"
)

// SafeText makes a wire-derived string safe to hand to a tview primitive:
// control characters (C0, DEL, C1, so ESC and every terminal escape
// sequence) become visible \xNN forms, bidirectional overrides become
// visible \uNNNN forms, invalid UTF-8 becomes U+FFFD, and tview style and
// region tags such as "[red]" are escaped so they show as text.
//
// Every string that came from the capture (SIP/RTSP/SDP text, URLs,
// addresses, MIKEY field values, finding summaries) goes through it.
func SafeText(s string) string {
	if isPlainText(s) {
		return s
	}
	return tview.Escape(visible(s))
}

// visible replaces control characters, bidirectional overrides and invalid
// UTF-8 as SafeText does, without tag escaping: for text drawn straight to
// the screen (the ladder canvas, the hex pane) rather than parsed by tview.
// Every rune of the result is printable and occupies its own cells.
func visible(s string) string {
	if isPlainText(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i += max(size, 1)
			continue
		}
		i += size
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString(`\x`)
			b.WriteByte(hexDigits[r>>4])
			b.WriteByte(hexDigits[r&0xf])
		case isBidiControl(r):
			b.WriteString(`\u`)
			for shift := 12; shift >= 0; shift -= 4 {
				b.WriteByte(hexDigits[(r>>shift)&0xf])
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SafeLines is SafeText for multi-line wire text (a SIP message): it keeps
// the line structure (CRLF or LF) and escapes every line.
func SafeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = SafeText(strings.TrimSuffix(l, "\r"))
	}
	return strings.Join(lines, "\n")
}

const hexDigits = "0123456789abcdef"

// isPlainText reports whether s is printable ASCII without '[' (so
// neither escaping nor tag quoting is needed): the common case, which then
// costs no allocation.
func isPlainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '[' {
			return false
		}
	}
	return true
}

// isBidiControl reports the Unicode bidirectional formatting characters,
// which can make displayed text read differently from its bytes.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
