package dissect

import "bytes"

// Delimiting SIP and RTSP messages in a byte stream (a TCP or TLS
// connection; not a capture frame): the header section ends at the first
// empty line, and the body is Content-Length bytes long (RFC 3261 §18.3,
// §20.14; RFC 2326 §4.3, §12.14). A missing Content-Length means no body.

// delimitStatus is the verdict of delimitMessage.
type delimitStatus uint8

const (
	delimitOK       delimitStatus = iota // n is the message length
	delimitMore                          // wait for more bytes
	delimitTooBig                        // the message exceeds the size limit
	delimitBadLen                        // Content-Length is not a number
	delimitNoHeader                      // the header section is not closed within the limit
)

// headerEnd returns the offset just past the empty line that ends the header
// section of b, or -1. Both CRLF and bare LF line ends are accepted.
//
// The empty line is the first "\r\n\r\n" or "\n\n", whichever starts
// first. Each begins at or just before a line feed, so one pass from line
// feed to line feed finds it and stops at the end of the header section
// (searching for both patterns over the whole buffer read every body twice).
func headerEnd(b []byte) int {
	for p := 0; ; p++ {
		nl := bytes.IndexByte(b[p:], '\n')
		if nl < 0 {
			return -1
		}
		p += nl
		switch {
		case p+1 < len(b) && b[p+1] == '\n': // "\n\n" at p
			return p + 2
		case p > 0 && b[p-1] == '\r' && p+2 < len(b) && b[p+1] == '\r' && b[p+2] == '\n': // "\r\n\r\n" at p-1
			return p + 3
		}
	}
}

// delimitMessage finds the extent of the message at the start of b. It returns
// the message length with delimitOK, or why it cannot yet, and for a bad
// Content-Length the offset of its value.
func delimitMessage(b []byte, max int) (int, delimitStatus, int) {
	he := headerEnd(b[:min(len(b), max+1)])
	if he < 0 {
		if len(b) > max {
			return 0, delimitNoHeader, 0
		}
		return 0, delimitMore, 0
	}
	cl, off, ok := contentLength(b[:he])
	if !ok {
		return 0, delimitBadLen, off
	}
	if cl > max-he {
		return 0, delimitTooBig, off
	}
	n := he + cl
	if n > len(b) {
		return 0, delimitMore, 0
	}
	return n, delimitOK, 0
}

// contentLength scans a header section for Content-Length (or the SIP
// compact form "l") and returns its value, the offset of the value, and
// whether it is a valid number. Absent: 0, true.
func contentLength(h []byte) (int, int, bool) {
	for i := 0; i < len(h); {
		nl := bytes.IndexByte(h[i:], '\n')
		var line []byte
		next := len(h)
		if nl < 0 {
			line = h[i:]
		} else {
			line = h[i : i+nl]
			next = i + nl + 1
		}
		colon := bytes.IndexByte(line, ':')
		if colon > 0 {
			name := bytes.TrimRight(line[:colon], " \t")
			if asciiEqualFold(name, "content-length") || asciiEqualFold(name, "l") {
				v := line[colon+1:]
				start := i + colon + 1
				for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
					v = v[1:]
					start++
				}
				v = bytes.TrimRight(v, " \t\r")
				n, ok := parseDecimal(v, 1<<30)
				return n, start, ok
			}
		}
		i = next
	}
	return 0, 0, true
}

// parseDecimal parses an unsigned decimal number not above max.
func parseDecimal(v []byte, max int) (int, bool) {
	if len(v) == 0 || len(v) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// tokenEqualFold compares two header names (ASCII tokens, RFC 3261 §25.1,
// RFC 2326 §15.1) ignoring ASCII case only: strings.EqualFold's Unicode
// folding would read "Cſeq" (long s) as CSeq, which no SIP or RTSP stack
// does, and the framing (Content-Length) already compares in ASCII.
func tokenEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// asciiEqualFold compares b with the lower-case ASCII string s, ignoring case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
