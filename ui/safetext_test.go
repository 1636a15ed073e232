package ui

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mikeyscope/mikeyscope/internal/safetext"
	"github.com/rivo/tview"
	"github.com/rivo/uniseg"
)

func TestSafeText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "INVITE sip:bob@example.com SIP/2.0", "INVITE sip:bob@example.com SIP/2.0"},
		{"colour tag", "[red]evil[-]", "[red[]evil[-[]"},
		{"region tag", `["a"]x[""]`, `["a"[]x[""[]`},
		{"style tag", "[::b]bold", "[::b[]bold"},
		{"ESC sequence", "\x1b[2J", `\x1b[2J`},
		{"ESC with no closing bracket", "\x1b[31m", `\x1b[31m`},
		{"ESC with tag look", "\x1b[31]", `\x1b[31[]`},
		{"CR LF tab", "a\r\n\tb", `a\x0d\x0a\x09b`},
		{"NUL and DEL", "\x00\x7f", `\x00\x7f`},
		{"C1 CSI", "\u009b2J", `\x9b2J`},
		{"invalid UTF-8", "a\xff\xfeb", "a\ufffd\ufffdb"},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"unicode kept", "Grüße ☎", "Grüße ☎"},
		{"bracket not a tag", "[1]", "[1[]"},
		{"lone bracket", "a[b", "a[b"},
		{"URL tag", "[:::]", "[\u034f:::[]"},
		{"URL tag with brackets", "[red::b:x[y]", "[\u034fred::b:x[y[]"},
		{"not a URL tag", "[a:b]", "[a:b[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeText(tc.in); got != tc.want {
				t.Errorf("SafeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSafeLines(t *testing.T) {
	got := SafeLines("INVITE x SIP/2.0\r\nX-Evil: [red]e\x1b[2J\r\n\r\nv=0")
	want := "INVITE x SIP/2.0\nX-Evil: [red[]e\\x1b[2J\n\nv=0"
	if got != want {
		t.Errorf("SafeLines = %q, want %q", got, want)
	}
}

// checkSafe asserts the property SafeText guarantees: no control
// character or bidi override survives, and tview shows the text exactly as
// the visible form (no tag is interpreted).
func checkSafe(t *testing.T, in string) {
	out := SafeText(in)
	if !utf8.ValidString(out) {
		t.Fatalf("SafeText(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || safetext.IsBidiControl(r) {
			t.Fatalf("SafeText(%q) = %q keeps %U", in, out, r)
		}
	}
	vis := safetext.Escape(in)
	if w, want := tview.TaggedStringWidth(out), uniseg.StringWidth(vis); w != want {
		t.Fatalf("SafeText(%q) = %q: tview shows %d cells, the text has %d (a tag was interpreted)", in, out, w, want)
	}
	noJoin := func(s string) string { return strings.ReplaceAll(s, "["+graphemeJoiner, "[") }
	if back := untagLike.ReplaceAllString(out, "$1]"); noJoin(back) != noJoin(vis) {
		t.Fatalf("SafeText(%q) = %q: unescapes to %q, not %q", in, out, back, vis)
	}
}

// untagLike undoes escapeTags.
var untagLike = regexp.MustCompile(`(\[[^\[\]]+\[*)\[\]`)

func FuzzSafeText(f *testing.F) {
	for _, s := range []string{"", "plain", "[red]evil[-]", "\x1b[2J", "[::b]", `["r"]`, "a\xffb", "\u202e", "[[red]]", "[red[]", "]]][[[", "\u009b[0m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The check measures the output with tview, whose tag parser is
		// quadratic on bracket-heavy text; SafeText itself is linear
		// (BenchmarkSafeText/brackets-64KiB). Long inputs add no shapes.
		if len(s) > 2048 {
			s = s[:2048]
		}
		checkSafe(t, s)
	})
}

func BenchmarkSafeText(b *testing.B) {
	plain := "INVITE sip:bob@biloxi.example SIP/2.0"
	hostile := "X-Evil: [red]evil[-]\x1b[2J"
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			SafeText(plain)
		}
	})
	brackets := strings.Repeat("[a[b]", 64<<10/5)
	b.Run("brackets-64KiB", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(brackets)))
		for b.Loop() {
			SafeText(brackets)
		}
	})
	b.Run("hostile", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(hostile)))
		for b.Loop() {
			SafeText(hostile)
		}
	})
}
