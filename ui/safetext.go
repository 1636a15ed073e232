package ui

import (
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/internal/safetext"
)

// SafeText makes a wire-derived string safe to hand to a tview primitive:
// control characters (C0, DEL, C1, so ESC and every terminal escape
// sequence) become visible \xNN forms, bidirectional overrides become
// visible \uNNNN forms, invalid UTF-8 becomes U+FFFD, and tview style and
// region tags such as "[red]" are escaped so they show as text.
//
// Every string that came from the capture (SIP/RTSP/SDP text, URLs,
// addresses, MIKEY field values, finding summaries) goes through it. Text
// drawn straight to the screen (the ladder canvas, the hex pane) rather
// than parsed by tview takes safetext.Escape alone, without tag escaping:
// every rune of its result is printable and occupies its own cells.
func SafeText(s string) string {
	if isPlainText(s) {
		return s
	}
	return escapeTags(safetext.Escape(s))
}

// escapeTags makes tview show s literally. tview's parser takes
// "[" + characters other than brackets + any number of "[" + "]" for a
// style or region tag, or for an escaped tag (one '[' of which it drops);
// inserting a '[' before every such ']' makes it print exactly s: "[red]"
// becomes "[red[]", which tview displays as "[red]". tview.Escape only
// covers the characters of valid tags ("[x![]" would still lose a
// bracket); this covers them all. One pass, no regexp: each ']' looks back
// only as far as the previous bracket run, so the cost is linear.
func escapeTags(s string) string {
	if !strings.Contains(s, "]") || !strings.Contains(s, "[") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	last := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ']' && closesTagLike(s, i):
			b.WriteString(s[last:i])
			b.WriteByte('[')
			last = i
		case s[i] == '[' && opensURLTag(s[i+1:]):
			b.WriteString(s[last : i+1])
			b.WriteString(graphemeJoiner)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// graphemeJoiner (U+034F, combining, zero width) joins the '[' it follows
// into one grapheme, which tview then never reads as the start of a tag.
const graphemeJoiner = "\u034f"

// opensURLTag reports whether s (what follows a '[') reads as the
// foreground, background and attributes of a tview style tag followed by
// the ':' of its URL part: tview takes everything up to the next ']' as
// the URL, brackets included, so inserting '[' cannot escape it.
func opensURLTag(s string) bool {
	colons := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colons++
			if colons == 3 {
				return true
			}
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '#', c == '-':
		default:
			return false
		}
	}
	return false
}

// closesTagLike reports whether the ']' at s[i] ends "[" + non-brackets +
// "["* + "]".
func closesTagLike(s string, i int) bool {
	j := i - 1
	for j >= 0 && s[j] == '[' {
		j--
	}
	n := 0
	for j >= 0 && s[j] != '[' && s[j] != ']' {
		j--
		n++
	}
	return n > 0 && j >= 0 && s[j] == '['
}

// SafeLines is SafeText for multi-line wire text (a SIP message): it keeps
// the line structure (CRLF or LF) and escapes every line. Lines longer than
// maxLineBytes are cut (with a note of how much was left out), so a hostile
// message cannot make every redraw slow.
func SafeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		cut := ""
		if len(l) > maxLineBytes {
			cut = " … (" + strconv.Itoa(len(l)-maxLineBytes) + " more bytes)"
			l = l[:maxLineBytes]
		}
		lines[i] = SafeText(l) + cut
	}
	return strings.Join(lines, "\n")
}

// maxLineBytes bounds one displayed line of wire text.
const maxLineBytes = 4096

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
