package dissect

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// issue is a problem found while parsing one message, before it is tied to
// a frame.
type issue struct {
	kind   ProblemKind
	off    int
	detail string
}

// maxHeaders bounds the headers kept per message.
const maxHeaders = 256

// parseMessage parses a whole SIP or RTSP message (start line, headers,
// body: RFC 3261 §7, RFC 2326 §4). raw must be owned by the caller's result:
// it becomes m.Raw. Header values are folded (continuation lines joined
// with one space) and SIP compact names expanded.
func parseMessage(raw []byte) (*SignalMessage, []issue) {
	m := &SignalMessage{Raw: raw, MediaIndex: -1}
	var iss []issue
	nl := bytes.IndexByte(raw, '\n')
	if nl < 0 {
		return nil, []issue{{ProblemMalformed, 0, "no line end after the start line"}}
	}
	line := trimCR(raw[:nl])
	if err := parseStartLine(m, line); err != "" {
		return nil, []issue{{ProblemMalformed, 0, err}}
	}
	pos := nl + 1
	// One allocation for the headers: the header section's line count
	// bounds them (growing the slice header by header was a visible share
	// of the SIP parsing cost). One string holds the header section: the
	// header values are parts of it (a string per value was the most
	// frequent allocation of SIP parsing); fillCommon copies the values
	// that outlive the message.
	var section string
	if he := headerEnd(raw[pos:]); he > 0 {
		m.Headers = make([]Header, 0, min(maxHeaders, bytes.Count(raw[pos:pos+he], []byte{'\n'})))
		section = string(raw[pos : pos+he])
	}
	sectionAt := pos
	// value returns b, a part of raw, as a string: a part of section when
	// it lies within it.
	value := func(b []byte) string {
		if len(b) == 0 {
			return ""
		}
		if off := cap(raw) - cap(b) - sectionAt; off >= 0 && off+len(b) <= len(section) {
			return section[off : off+len(b)]
		}
		return string(b)
	}
	bodyStart := len(raw)
	terminated := false
	for pos < len(raw) {
		end := bytes.IndexByte(raw[pos:], '\n')
		next := len(raw)
		if end < 0 {
			line = raw[pos:]
		} else {
			line = raw[pos : pos+end]
			next = pos + end + 1
		}
		line = trimCR(line)
		if len(line) == 0 {
			bodyStart = next
			terminated = true
			break
		}
		if line[0] == ' ' || line[0] == '\t' { // folded continuation (RFC 3261 §7.3.1)
			if n := len(m.Headers); n > 0 {
				m.Headers[n-1].Value += " " + string(bytes.TrimSpace(line))
			} else {
				iss = append(iss, issue{ProblemMalformed, pos, "continuation line before any header"})
			}
			pos = next
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			iss = append(iss, issue{ProblemMalformed, pos, fmt.Sprintf("%d-byte header line without a name and colon (not shown: it may be wrapped key material)", len(line))})
			pos = next
			continue
		}
		if len(m.Headers) >= maxHeaders {
			iss = append(iss, issue{ProblemLimit, pos, fmt.Sprintf("more than %d headers; the rest ignored", maxHeaders)})
			if he := headerEnd(raw[pos:]); he >= 0 {
				bodyStart, terminated = pos+he, true
			}
			break
		}
		name := headerName(bytes.TrimSpace(line[:colon]))
		if m.Version == "SIP/2.0" {
			name = expandCompact(name)
		}
		m.Headers = append(m.Headers, Header{Name: name, Value: value(bytes.TrimSpace(line[colon+1:])), Offset: pos})
		pos = next
	}
	if !terminated {
		iss = append(iss, issue{ProblemTruncated, len(raw), "header section not terminated by an empty line"})
	}
	iss = append(iss, fillCommon(m, bodyStart)...)
	return m, iss
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// parseStartLine fills the start-line fields of m, or returns why it cannot.
func parseStartLine(m *SignalMessage, line []byte) string {
	c := startLineCarrier(line)
	if c == 0 {
		return fmt.Sprintf("not a SIP or RTSP start line: %q", clipBytes(line))
	}
	m.Carrier = c
	s := string(line)
	if strings.HasPrefix(s, "SIP/") || strings.HasPrefix(s, "RTSP/") {
		sp := strings.IndexByte(s, ' ')
		m.Version = s[:sp]
		code, _ := strconv.Atoi(s[sp+1 : sp+4])
		m.Status = code
		if len(s) > sp+5 {
			m.Reason = s[sp+5:]
		}
		return ""
	}
	m.Request = true
	sp := strings.IndexByte(s, ' ')
	last := strings.LastIndexByte(s, ' ')
	m.Method = s[:sp]
	m.URI = strings.TrimSpace(s[sp+1 : last])
	m.Version = s[last+1:]
	return ""
}

// Headers that fillCommon reads, indexing commonHeaders.
const (
	hCSeq = iota
	hFrom
	hTo
	hCallID
	hUserAgent
	hServer
	hSession
	hContentBase
	hContentLocation
	hContentType
	hContentTransferEncoding
	numCommonHeaders
)

// commonHeader returns the index of a header fillCommon reads, or -1. The
// length is compared first: most headers of a message are none of these.
func commonHeader(name string) int {
	is := func(s string) bool { return tokenEqualFold(name, s) }
	switch len(name) {
	case 2:
		if is("To") {
			return hTo
		}
	case 4:
		switch {
		case is("CSeq"):
			return hCSeq
		case is("From"):
			return hFrom
		}
	case 6:
		if is("Server") {
			return hServer
		}
	case 7:
		switch {
		case is("Call-ID"):
			return hCallID
		case is("Session"):
			return hSession
		}
	case 10:
		if is("User-Agent") {
			return hUserAgent
		}
	case 12:
		switch {
		case is("Content-Type"):
			return hContentType
		case is("Content-Base"):
			return hContentBase
		}
	case 16:
		if is("Content-Location") {
			return hContentLocation
		}
	case 25:
		if is("Content-Transfer-Encoding") {
			return hContentTransferEncoding
		}
	}
	return -1
}

// commonHeaders holds the first occurrence (as SignalMessage.Header finds
// it) of each header fillCommon reads, found in one pass over the headers.
type commonHeaders struct {
	index [numCommonHeaders]int16 // into SignalMessage.Headers, -1 when absent
	m     *SignalMessage
}

func findCommonHeaders(m *SignalMessage) commonHeaders {
	c := commonHeaders{m: m}
	for i := range c.index {
		c.index[i] = -1
	}
	for i := range m.Headers { // at most maxHeaders
		if k := commonHeader(m.Headers[i].Name); k >= 0 && c.index[k] < 0 {
			c.index[k] = int16(i)
		}
	}
	return c
}

func (c *commonHeaders) get(k int) (string, bool) {
	if i := c.index[k]; i >= 0 {
		return c.m.Headers[i].Value, true
	}
	return "", false
}

func (c *commonHeaders) offset(k int) int {
	if i := c.index[k]; i >= 0 {
		return c.m.Headers[i].Offset
	}
	return -1
}

// fillCommon sets the fields derived from headers and splits the body.
func fillCommon(m *SignalMessage, bodyStart int) []issue {
	var iss []issue
	h := findCommonHeaders(m)
	if v, ok := h.get(hCSeq); ok {
		num, meth, _ := strings.Cut(strings.TrimSpace(v), " ")
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			iss = append(iss, issue{ProblemMalformed, h.offset(hCSeq), fmt.Sprintf("CSeq %q is not a number", clip(v))})
		}
		m.CSeq = uint32(n)
		m.CSeqMethod = strings.TrimSpace(meth)
	}
	if v, ok := h.get(hFrom); ok {
		m.From, m.FromTag = v, headerParam(v, "tag")
	}
	if v, ok := h.get(hTo); ok {
		m.To, m.ToTag = v, headerParam(v, "tag")
	}
	// The values that outlive the message (session keys, the RTSP base
	// URL) are copied out of the header section: the Call-ID by
	// correlateSIP, once a dialog.
	if v, ok := h.get(hCallID); ok {
		m.CallID = v
	}
	if v, ok := h.get(hUserAgent); ok {
		m.UserAgent = v
	} else if v, ok := h.get(hServer); ok {
		m.UserAgent = v
	}
	if v, ok := h.get(hSession); ok {
		id, _, _ := strings.Cut(v, ";")
		m.Session = strings.Clone(strings.TrimSpace(id))
	}
	if v, ok := h.get(hContentBase); ok {
		m.ContentBase = strings.Clone(v)
	} else if v, ok := h.get(hContentLocation); ok {
		m.ContentBase = strings.Clone(v)
	}
	if m.Request && m.Carrier == CarrierSIP && m.CSeqMethod == "" {
		m.CSeqMethod = m.Method
	}
	ct, _ := h.get(hContentType)
	cte, _ := h.get(hContentTransferEncoding)
	iss = append(iss, splitBodies(m, bodyStart, ct, cte)...)
	return iss
}

// headerParam returns the value of a ;name=value parameter of a header
// value, outside any <...> URI (RFC 3261 §20.20 tags).
func headerParam(v, name string) string {
	if gt := strings.LastIndexByte(v, '>'); gt >= 0 {
		v = v[gt+1:]
	}
	// The parameters after the first ';', one by one (strings.Split
	// allocated a list for every From and To).
	_, rest, more := strings.Cut(v, ";")
	for more {
		var p string
		p, rest, more = strings.Cut(rest, ";")
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.Trim(strings.TrimSpace(val), "\"")
		}
	}
	return ""
}

// headerOffset returns the offset in m.Raw of the first line of the named
// header, or -1.
func headerOffset(m *SignalMessage, name string) int {
	for i := range m.Headers {
		if tokenEqualFold(m.Headers[i].Name, name) {
			return m.Headers[i].Offset
		}
	}
	return -1
}

func clipBytes(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// knownHeaderNames holds the header names seen in most SIP and RTSP
// messages, spelt as the RFCs spell them, so that parsing a message does
// not allocate a string per header name.
var knownHeaderNames = func() map[string]string {
	m := make(map[string]string)
	for _, n := range []string{
		// SIP (RFC 3261 §20 and common extensions)
		"Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Allow-Events",
		"Authorization", "Call-ID", "Call-Info", "Contact", "Content-Disposition",
		"Content-Encoding", "Content-Language", "Content-Length", "Content-Type", "CSeq",
		"Date", "Event", "Expires", "From", "Max-Forwards", "Min-SE", "MIME-Version",
		"Organization", "P-Asserted-Identity", "P-Preferred-Identity", "Privacy",
		"Proxy-Authenticate", "Proxy-Authorization", "RAck", "Reason", "Record-Route",
		"Refer-To", "Referred-By", "Require", "Route", "RSeq", "Server", "Session-Expires",
		"Subject", "Subscription-State", "Supported", "To", "Unsupported", "User-Agent",
		"Via", "Warning", "WWW-Authenticate",
		// RTSP (RFC 2326 §12, RFC 4567 §3.2)
		"Bandwidth", "Blocksize", "Cache-Control", "Connection", "Content-Base",
		"Content-Location", "KeyMgmt", "Last-Modified", "Proxy-Require", "Public", "Range",
		"RTP-Info", "Scale", "Session", "Speed", "Timestamp", "Transport",
		"Content-Transfer-Encoding",
	} {
		m[n] = n
	}
	return m
}()

// headerName returns the header name b as a string, shared when it is a
// known name.
func headerName(b []byte) string {
	if n, ok := knownHeaderNames[string(b)]; ok { // no allocation for the lookup
		return n
	}
	return string(b)
}

// compactForms maps SIP compact header names to full names (RFC 3261
// §7.3.3 and the IANA SIP header registry).
var compactForms = map[string]string{
	"a": "Accept-Contact",
	"b": "Referred-By",
	"c": "Content-Type",
	"d": "Request-Disposition",
	"e": "Content-Encoding",
	"f": "From",
	"i": "Call-ID",
	"j": "Reject-Contact",
	"k": "Supported",
	"l": "Content-Length",
	"m": "Contact",
	"n": "Identity-Info",
	"o": "Event",
	"r": "Refer-To",
	"s": "Subject",
	"t": "To",
	"u": "Allow-Events",
	"v": "Via",
	"x": "Session-Expires",
	"y": "Identity",
}

// expandCompact returns the full name for a SIP compact header name.
func expandCompact(name string) string {
	if len(name) == 1 {
		c := name[0]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if full, ok := compactForms[string(c)]; ok {
			return full
		}
	}
	return name
}
