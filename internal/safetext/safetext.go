// Package safetext makes wire-derived text safe to show: the one escaper
// of the views (the text report, the TUI, the metrics labels). Text from
// a capture (SIP/RTSP/SDP lines, URLs, HEP node names, MIKEY field values)
// may carry terminal escape sequences, other control characters,
// bidirectional formatting characters that make a line read differently
// from its bytes (the "Trojan Source" attack, CVE-2021-42574; Unicode
// UAX #9 §2), and invalid UTF-8; after Escape none of them is left, each
// in a visible form.
package safetext

import (
	"strings"
	"unicode/utf8"
)

// Escape returns s with every control character (C0, DEL and C1, so ESC and
// every terminal escape sequence) in the visible form \xNN, every
// bidirectional formatting character in the visible form \uNNNN, and every
// byte that is not UTF-8 replaced by U+FFFD. Other text, printable non-ASCII
// included, is kept; s itself is returned when nothing needs escaping.
func Escape(s string) string {
	i := firstUnsafe(s)
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			b.WriteRune(utf8.RuneError)
			i += max(size, 1)
			continue
		}
		i += size
		writeRune(&b, r)
	}
	return b.String()
}

// firstUnsafe is the offset of the first byte of s that Escape changes,
// len(s) when there is none. Printable ASCII, the common case, costs one
// comparison a byte.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || NeedsEscape(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// Rune returns the visible form of r: \xNN for a control character,
// \uNNNN for a bidirectional formatting character, else r itself.
func Rune(r rune) string {
	if !NeedsEscape(r) {
		return string(r)
	}
	var b strings.Builder
	writeRune(&b, r)
	return b.String()
}

// Byte returns the visible form \xNN of a byte, for a caller that shows a
// byte that is not UTF-8 by its value rather than as U+FFFD.
func Byte(c byte) string {
	return string([]byte{'\\', 'x', hexDigits[c>>4], hexDigits[c&0xf]})
}

// writeRune writes the visible form of r (see Rune).
func writeRune(b *strings.Builder, r rune) {
	switch {
	case IsControl(r):
		b.WriteString(`\x`)
		b.WriteByte(hexDigits[r>>4])
		b.WriteByte(hexDigits[r&0xf])
	case IsBidiControl(r):
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	default:
		b.WriteRune(r)
	}
}

const hexDigits = "0123456789abcdef"

// NeedsEscape reports whether Escape shows r in a visible form: a control
// character or a bidirectional formatting character.
func NeedsEscape(r rune) bool {
	return IsControl(r) || IsBidiControl(r)
}

// IsControl reports the control characters: C0 (U+0000-U+001F), DEL
// (U+007F) and C1 (U+0080-U+009F), among them ESC and CSI, which start
// terminal escape sequences (ECMA-48 §5).
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

// IsBidiControl reports the Unicode bidirectional formatting characters
// (UAX #9 §2: the embeddings and overrides U+202A-U+202E, the isolates
// U+2066-U+2069, the marks LRM U+200E, RLM U+200F and ALM U+061C), which
// can make displayed text read differently from its bytes.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
