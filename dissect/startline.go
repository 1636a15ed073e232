package dissect

import "bytes"

// Start lines of SIP (RFC 3261 §7.1, §7.2) and RTSP (RFC 2326 §6.1, §7.1):
//
//	Request-Line = Method SP Request-URI SP Version CRLF
//	Status-Line  = Version SP Status-Code SP Reason-Phrase CRLF
//
// with Version "SIP/2.0" or "RTSP/1.0" (RTSP/2.0, RFC 7826, is accepted).

// maxStartLine bounds the search for the end of a start line.
const maxStartLine = 2048

var (
	verSIP    = []byte("SIP/2.0")
	verRTSP1  = []byte("RTSP/1.0")
	verRTSP2  = []byte("RTSP/2.0")
	crlfcrlf  = []byte("\r\n\r\n")
	lflf      = []byte("\n\n")
	sipSlash  = []byte("SIP/")
	rtspSlash = []byte("RTSP/")
)

// versionCarrier returns the carrier of a protocol version token.
func versionCarrier(v []byte) Carrier {
	switch {
	case bytes.Equal(v, verSIP):
		return CarrierSIP
	case bytes.Equal(v, verRTSP1), bytes.Equal(v, verRTSP2):
		return CarrierRTSP
	}
	return 0
}

// startKind is the verdict of sniffStart.
type startKind uint8

const (
	startNo   startKind = iota // not a start line
	startMore                  // could be one: the line is not complete yet
	startYes                   // a complete, valid start line
)

// sniffStart reports whether b begins with a SIP or RTSP start line, and
// which carrier it names.
func sniffStart(b []byte) (startKind, Carrier) {
	if len(b) == 0 {
		return startMore, 0
	}
	if c := b[0]; c < 'A' || c > 'Z' {
		return startNo, 0
	}
	end := bytes.IndexByte(b[:min(len(b), maxStartLine)], '\n')
	if end < 0 {
		if len(b) >= maxStartLine || !plausiblePrefix(b) {
			return startNo, 0
		}
		return startMore, 0
	}
	line := b[:end]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if c := startLineCarrier(line); c != 0 {
		return startYes, c
	}
	return startNo, 0
}

// plausiblePrefix reports whether an incomplete first line (no '\n' yet)
// can still grow into a start line that startLineCarrier accepts, so that
// framing does not depend on where a segment ends. A final '\r' may be the
// CR of the line end and is ignored.
func plausiblePrefix(b []byte) bool {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if bytes.HasPrefix(b, sipSlash) || bytes.HasPrefix(b, rtspSlash) {
		return responsePrefix(b)
	}
	if bytes.HasPrefix(sipSlash, b) || bytes.HasPrefix(rtspSlash, b) {
		return true
	}
	sp := bytes.IndexByte(b, ' ')
	method := b
	if sp >= 0 {
		method = b[:sp]
	}
	if len(method) > 32 || sp == 0 {
		return false
	}
	for _, c := range method {
		if !isMethodChar(c) {
			return false
		}
	}
	return true
}

// responsePrefix checks a status-line prefix: a version, SP, three digits,
// then SP or the end.
func responsePrefix(b []byte) bool {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return bytes.HasPrefix(verSIP, b) || bytes.HasPrefix(verRTSP1, b) || bytes.HasPrefix(verRTSP2, b)
	}
	if versionCarrier(b[:sp]) == 0 {
		return false
	}
	rest := b[sp+1:]
	for i := 0; i < len(rest) && i < 3; i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return len(rest) <= 3 || rest[3] == ' '
}

// startLineCarrier parses a start line without its line end and returns the
// carrier it names, or 0.
func startLineCarrier(line []byte) Carrier {
	if bytes.HasPrefix(line, sipSlash) || bytes.HasPrefix(line, rtspSlash) {
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 || len(line) < sp+4 {
			return 0
		}
		for _, c := range line[sp+1 : sp+4] {
			if c < '0' || c > '9' {
				return 0
			}
		}
		if len(line) > sp+4 && line[sp+4] != ' ' {
			return 0
		}
		return versionCarrier(line[:sp])
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 1 || sp > 32 {
		return 0
	}
	for _, c := range line[:sp] {
		if !isMethodChar(c) {
			return 0
		}
	}
	last := bytes.LastIndexByte(line, ' ')
	if last <= sp+1 {
		return 0
	}
	return versionCarrier(line[last+1:])
}

func isMethodChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c == '_' || c == '-' || c >= '0' && c <= '9'
}

// findStart returns the offset of the first line start in b (offset 0 when
// atLineStart, or just after a '\n') where a SIP or RTSP start line begins,
// with interleaved frames accepted at any offset when rtsp is set; -1 when
// none. A candidate cut short by the end of b counts, so the caller can wait
// for more bytes.
func findStart(b []byte, rtsp, atLineStart bool) int {
	i := 0
	if !atLineStart && !(rtsp && len(b) > 0 && b[0] == '$') {
		i = nextCandidate(b, 0, rtsp)
	}
	for i >= 0 && i < len(b) {
		if b[i] == '$' {
			if rtsp && looksInterleaved(b[i:]) {
				return i
			}
		} else if k, _ := sniffStart(b[i:]); k != startNo {
			return i
		}
		i = nextCandidate(b, i, rtsp)
	}
	return -1
}

// nextCandidate returns the next offset after i that starts a line, or holds
// a '$' when rtsp is set; -1 when none.
func nextCandidate(b []byte, i int, rtsp bool) int {
	next := -1
	if nl := bytes.IndexByte(b[i:], '\n'); nl >= 0 {
		next = i + nl + 1
	}
	if rtsp {
		if d := bytes.IndexByte(b[i+1:], '$'); d >= 0 && (next < 0 || i+1+d < next) {
			next = i + 1 + d
		}
	}
	return next
}

// looksInterleaved reports whether b starts with an RTSP interleaved frame
// header (RFC 2326 §10.12) whose data looks like RTP or RTCP version 2, or
// whose header is incomplete.
func looksInterleaved(b []byte) bool {
	if len(b) == 0 || b[0] != '$' {
		return false
	}
	if len(b) < 5 {
		return true
	}
	n := int(b[2])<<8 | int(b[3])
	return n >= 8 && b[4]>>6 == 2
}
