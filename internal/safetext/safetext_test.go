package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", ""},
		{"plain", "plain text", "plain text"},
		{"unicode kept", "caf\u00e9 Grüße ☎", "caf\u00e9 Grüße ☎"},
		{"ESC sequence", "a\x1b[31mb", `a\x1b[31mb`},
		{"CR LF tab", "a\r\n\tb", `a\x0d\x0a\x09b`},
		{"NUL and DEL", "\x00\x7f", `\x00\x7f`},
		{"C1 NEL", "\u0085", `\x85`},
		{"C1 CSI", "\u009b2J", `\x9b2J`},
		{"RLO override", "\u202egnp.exe", `\u202egnp.exe`},
		{"LRE to RLO", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"isolates", "\u2066a\u2067b\u2068c\u2069", `\u2066a\u2067b\u2068c\u2069`},
		{"marks", "x\u200ey\u200fz\u061c", `x\u200ey\u200fz\u061c`},
		{"not bidi", "\u2065\u206a\u200d", "\u2065\u206a\u200d"},
		{"invalid UTF-8", "a\xff\xfeb", "a\ufffd\ufffdb"},
		{"truncated rune", "x\xe2\x80", "x\ufffd\ufffd"},
		{"U+FFFD kept", "\ufffd", "\ufffd"},
		{"after non-ASCII", "é\x1b", `é\x1b`},
		// The cases of report.TestPrintable, which tested the report's
		// escaper before this package.
		{"report plain", "plain text", "plain text"},
		{"report café", "caf\u00e9", "caf\u00e9"},
		{"report ESC", "a\x1b[31mb", `a\x1b[31mb`},
		{"report RLO", "\u202egnp.exe", `\u202egnp.exe`},
		{"report LRM ALM", "x\u200ey\u061c", `x\u200ey\u061c`},
		{"report invalid", "\xff", "\ufffd"},
		{"report C1", "\u0085", `\x85`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Escape(tc.in); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRuneAndByte(t *testing.T) {
	for _, tc := range []struct {
		r    rune
		want string
	}{
		{'a', "a"}, {0x1b, `\x1b`}, {0x9f, `\x9f`}, {0x202e, `\u202e`}, {0x061c, `\u061c`}, {0xe9, "é"},
	} {
		if got := Rune(tc.r); got != tc.want {
			t.Errorf("Rune(%U) = %q, want %q", tc.r, got, tc.want)
		}
	}
	if got := Byte(0xff); got != `\xff` {
		t.Errorf("Byte(0xff) = %q", got)
	}
}

// checkEscaped asserts what Escape guarantees: valid UTF-8 without control
// or bidirectional formatting characters, the input itself when it needs
// no escaping, and the same text escaped piecewise (the escaping is by
// rune, so the views may escape parts of a line separately).
func checkEscaped(t *testing.T, in string) {
	out := Escape(in)
	if !utf8.ValidString(out) {
		t.Fatalf("Escape(%q) = %q: invalid UTF-8", in, out)
	}
	for _, r := range out {
		if NeedsEscape(r) {
			t.Fatalf("Escape(%q) = %q keeps %U", in, out, r)
		}
	}
	if Escape(out) != out {
		t.Fatalf("Escape(%q) = %q, escaped again %q", in, out, Escape(out))
	}
	clean := utf8.ValidString(in) && !strings.ContainsFunc(in, NeedsEscape)
	if clean != (out == in) {
		t.Fatalf("Escape(%q) = %q: changed %v, needed %v", in, out, out != in, !clean)
	}
	var b strings.Builder
	for _, r := range in {
		b.WriteString(Rune(r))
	}
	if b.String() != out {
		t.Fatalf("Escape(%q) = %q, rune by rune %q", in, out, b.String())
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\u202eevil", "a\xffb", "\u009b[0m", "\xe2\x80", "é\u2066\x00"} {
		f.Add(s)
	}
	f.Fuzz(checkEscaped)
}

func BenchmarkEscape(b *testing.B) {
	for _, tc := range []struct{ name, in string }{
		{"plain", "INVITE sip:bob@biloxi.example SIP/2.0"},
		{"unicode", "Grüße an café ☎ sip:bob@biloxi.example"},
		{"hostile", "X-Evil: \x1b[2J\u202eevil\xff"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.in)))
			for b.Loop() {
				Escape(tc.in)
			}
		})
	}
}
