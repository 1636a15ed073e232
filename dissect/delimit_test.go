package dissect

import (
	"bytes"
	"testing"
)

// headerEndTwoScans is the plain statement of headerEnd: the earlier of the
// first "\r\n\r\n" and the first "\n\n".
func headerEndTwoScans(b []byte) int {
	i := bytes.Index(b, []byte("\r\n\r\n"))
	j := bytes.Index(b, []byte("\n\n"))
	switch {
	case i < 0 && j < 0:
		return -1
	case i < 0:
		return j + 2
	case j < 0 || i < j:
		return i + 4
	}
	return j + 2
}

// TestHeaderEnd compares headerEnd's one pass with the two searches it
// replaces on every string of up to 7 bytes over {a, \r, \n} and on
// messages.
func TestHeaderEnd(t *testing.T) {
	alphabet := []byte("a\r\n")
	var all func(prefix []byte, n int)
	all = func(prefix []byte, n int) {
		if got, want := headerEnd(prefix), headerEndTwoScans(prefix); got != want {
			t.Fatalf("headerEnd(%q) = %d, want %d", prefix, got, want)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			all(append(prefix[:len(prefix):len(prefix)], c), n-1)
		}
	}
	all(nil, 7)
	for _, m := range []string{
		"INVITE sip:b@x SIP/2.0\r\nVia: x\r\n\r\nv=0\r\n",
		"OPTIONS * RTSP/1.0\nCSeq: 1\n\nbody\n\n",
		"SIP/2.0 200 OK\r\nA: b\n\r\n\r\n",
		"no end\r\n",
	} {
		if got, want := headerEnd([]byte(m)), headerEndTwoScans([]byte(m)); got != want {
			t.Errorf("headerEnd(%q) = %d, want %d", m, got, want)
		}
	}
}

// TestHeaderNamesASCIIOnly: header names match ignoring ASCII case only; a
// Unicode look-alike (long s, Kelvin sign) names another header, as it
// does for every SIP and RTSP stack.
func TestHeaderNamesASCIIOnly(t *testing.T) {
	m, _ := parseMessage([]byte("INVITE sip:b@x SIP/2.0\r\nCſeq: 2 BYE\r\ncseq: 1 INVITE\r\nCALL-ID: abc\r\nContent-Length: 0\r\n\r\n"))
	if m == nil {
		t.Fatal("not parsed")
	}
	if m.CSeq != 1 || m.CSeqMethod != "INVITE" || m.CallID != "abc" {
		t.Errorf("CSeq %d %q, Call-ID %q: want 1 INVITE, abc", m.CSeq, m.CSeqMethod, m.CallID)
	}
	if v, ok := m.Header("CSEQ"); !ok || v != "1 INVITE" {
		t.Errorf("Header(CSEQ) = %q, %v", v, ok)
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"Call-ID", "call-id", true}, {"CSeq", "Cſeq", false}, {"Kelvin", "\u212aelvin", false}, {"a", "ab", false}} {
		if got := tokenEqualFold(tc.a, tc.b); got != tc.want {
			t.Errorf("tokenEqualFold(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
