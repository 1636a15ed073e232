package dissect

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// SDP (RFC 4566) is read twice: by a tolerant line scanner that builds the
// structure and finds every a=key-mgmt line with its offset (RFC 4567 §3.1),
// and strictly by github.com/pion/sdp/v3, which judges it: when pion rejects
// the description, or counts other media sections, a ProblemSDP is raised,
// and the scanner's reading is still used, so key management data is never
// lost to a syntax slip. (The structure was once converted from pion's when
// it accepted; the two readings agree on valid descriptions, which
// TestSDPScannerAgreesWithPion checks, and the conversion cost a tenth of
// the SIP parsing.)

// maxSDPMedia bounds the m= sections kept.
const maxSDPMedia = 64

// parseSDP reads an SDP body found at offset off of the message. It returns
// the description, the key management items in document order (MediaIndex
// set, Offset relative to the message), and issues.
func parseSDP(body []byte, off int) (*SDPInfo, []KeyMgmtItem, []issue) {
	info, items, iss := scanSDP(body, off)
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(body); err != nil {
		why := sdpOrderProblem(body)
		if why == "" {
			why = err.Error() // pion's own words: a byte position
		}
		iss = append(iss, issue{ProblemSDP, off, fmt.Sprintf("SDP rejected by the strict parser: %s; read tolerantly", why)})
	} else if n := min(len(sd.MediaDescriptions), maxSDPMedia); n == len(info.Media) {
		info.Strict = true
	} else {
		iss = append(iss, issue{ProblemSDP, off, fmt.Sprintf("strict parser found %d media sections, line scanner %d; using the scanner", n, len(info.Media))})
	}
	finishSDP(info, items)
	return info, items, iss
}

// scanSDP is the tolerant line scanner: any line order, LF or CRLF, unknown
// lines ignored.
func scanSDP(body []byte, off int) (*SDPInfo, []KeyMgmtItem, []issue) {
	info := &SDPInfo{}
	var items []KeyMgmtItem
	var iss []issue
	var cur *SDPMedia
	for pos := 0; pos < len(body); {
		nl := bytes.IndexByte(body[pos:], '\n')
		line, next := body[pos:], len(body)
		if nl >= 0 {
			line, next = body[pos:pos+nl], pos+nl+1
		}
		line = trimCR(line)
		lineOff := off + pos
		pos = next
		if len(line) < 2 || line[1] != '=' {
			if len(bytes.TrimSpace(line)) > 0 {
				iss = append(iss, issue{ProblemSDP, lineOff, fmt.Sprintf("%d-byte SDP line is not type=value (not shown: it may be wrapped key material)", len(line))})
			}
			continue
		}
		val := string(line[2:])
		switch line[0] {
		case 'o':
			if cur == nil {
				info.Origin = val
			}
		case 's':
			if cur == nil {
				info.SessionName = val
			}
		case 'c':
			// A host name is legal (RFC 4566 §5.7) but names no flow.
			if a, ok := connAddr(val); ok {
				if cur == nil {
					info.Addr = a
				} else {
					cur.Addr = a
				}
			}
		case 'm':
			if len(info.Media) >= maxSDPMedia {
				iss = append(iss, issue{ProblemLimit, lineOff, fmt.Sprintf("more than %d m= sections; the rest ignored", maxSDPMedia)})
				cur = &SDPMedia{Index: -1} // swallows the section's attributes
				continue
			}
			info.Media = append(info.Media, mediaFromLine(val, len(info.Media)))
			cur = &info.Media[len(info.Media)-1]
			if cur.Proto == "" {
				iss = append(iss, issue{ProblemSDP, lineOff, fmt.Sprintf("m= line not understood: %q", clip(val))})
			}
		case 'a':
			name, value, colon := strings.Cut(val, ":")
			if strings.EqualFold(name, "key-mgmt") {
				valueOff := lineOff + 2 + len(name)
				if colon {
					valueOff++
				}
				items = append(items, keyMgmtFromAttr(value, valueOff, cur))
			}
			if msg := applyAttr(info, cur, name, value); msg != "" {
				iss = append(iss, issue{ProblemSDP, lineOff, msg})
			}
		}
	}
	return info, items, iss
}

// keyMgmtFromAttr decodes one a=key-mgmt value (RFC 4567 §3.1) at offset
// off of the message.
func keyMgmtFromAttr(value string, off int, cur *SDPMedia) KeyMgmtItem {
	it := KeyMgmtItem{Where: WhereSDPSession, MediaIndex: -1, Offset: off}
	if cur != nil {
		it.Where, it.MediaIndex = WhereSDPMedia, cur.Index
	}
	km, err := mikey.ParseKeyMgmtAttribute(value)
	it.Prot, it.B64, it.Data, it.Err = km.Prot, km.DataB64, km.Data, err
	// the data follows the protocol identifier and blanks
	i := 0
	for i < len(value) && isBlank(value[i]) {
		i++
	}
	for i < len(value) && value[i] != ' ' && value[i] != '\t' {
		i++
	}
	it.Offset = dataStart(value, i, it.B64)
	if it.Offset >= 0 {
		it.Offset += off
	}
	return it
}

// mediaFromLine parses an m= value: media port[/n] proto fmt...
// (RFC 4566 §5.14). Proto is empty when the line is not understood.
func mediaFromLine(val string, index int) SDPMedia {
	m := SDPMedia{Index: index, KeyMgmtItem: -1}
	var buf [8]string
	f := appendFields(buf[:0], val)
	if len(f) < 3 {
		if len(f) > 0 {
			m.Type = f[0]
		}
		return m
	}
	m.Type = f[0]
	p, _, _ := strings.Cut(f[1], "/")
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return m
	}
	m.Port = uint16(n)
	m.Proto = f[2]
	m.Formats = append([]string(nil), f[3:]...)
	return m
}

// applyAttr applies one attribute at session (cur nil) or media level and
// returns a complaint when its value is not understood.
func applyAttr(info *SDPInfo, cur *SDPMedia, name, value string) string {
	switch strings.ToLower(name) {
	case "key-mgmt":
		if cur == nil {
			info.SessionKeyMgmt = true
		} else {
			cur.KeyMgmt = true
		}
	case "control":
		if cur == nil {
			info.Control = value
		} else {
			cur.Control = value
		}
	}
	if cur == nil {
		if strings.EqualFold(name, "crypto") && len(info.Crypto) < 64 {
			// RFC 4568 defines a=crypto at media level; some senders put
			// it at session level, where it applies to every media.
			info.Crypto = append(info.Crypto, value)
		}
		return ""
	}
	switch strings.ToLower(name) {
	case "crypto": // RFC 4568 §9.1
		cur.Crypto = append(cur.Crypto, value)
	case "rtcp-mux": // RFC 5761 §5.1.1
		cur.RTCPMux = true
	case "rtcp": // RFC 3605 §2.1: port [nettype addrtype addr]
		f := strings.Fields(value)
		if len(f) == 0 {
			return "a=rtcp without a port"
		}
		n, err := strconv.ParseUint(f[0], 10, 16)
		if err != nil {
			return fmt.Sprintf("a=rtcp port %q is not a number", clip(f[0]))
		}
		cur.RTCPPort = uint16(n)
		if len(f) >= 4 {
			if a, ok := parseAddr(f[3]); ok {
				cur.RTCPAddr = a
			}
		}
	case "ssrc": // RFC 5576 §4.1: ssrc-id attribute
		id, _, _ := strings.Cut(value, " ")
		n, err := strconv.ParseUint(id, 10, 32)
		if err != nil {
			return fmt.Sprintf("a=ssrc id %q is not a number", clip(id))
		}
		for _, s := range cur.SSRCs {
			if s == uint32(n) {
				return ""
			}
		}
		if len(cur.SSRCs) < 64 {
			cur.SSRCs = append(cur.SSRCs, uint32(n))
		}
	case "rtpmap": // RFC 4566 §6: <payload type> <encoding name>/<clock rate>[/<params>]
		pt, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
		n, err := strconv.ParseUint(pt, 10, 7)
		if err != nil {
			return fmt.Sprintf("a=rtpmap payload type %q is not 0-127", clip(pt))
		}
		parts := strings.SplitN(strings.TrimSpace(rest), "/", 3)
		rm := RTPMap{PT: uint8(n), Encoding: parts[0]}
		if len(parts) > 1 {
			c, _ := strconv.ParseUint(parts[1], 10, 32)
			rm.ClockRate = uint32(c)
		}
		if len(parts) > 2 {
			rm.Params = parts[2]
		}
		if len(cur.RTPMap) < 128 {
			cur.RTPMap = append(cur.RTPMap, rm)
		}
	case "sendrecv", "sendonly", "recvonly", "inactive":
		cur.Direction = strings.ToLower(name)
	}
	return ""
}

// finishSDP applies defaults (media address from the session, RTCP port,
// RFC 3605 §2.1 and RFC 5761) and ties each media to its key management item
// (media level wins over session level, RFC 4567 §3.1).
func finishSDP(info *SDPInfo, items []KeyMgmtItem) {
	session := -1
	for i := range items {
		if items[i].Where == WhereSDPSession && session < 0 && isMIKEY(items[i].Prot) {
			session = i
		}
	}
	for i := range info.Media {
		m := &info.Media[i]
		if !m.Addr.IsValid() {
			m.Addr = info.Addr
		}
		if !m.RTCPAddr.IsValid() {
			m.RTCPAddr = m.Addr
		}
		switch {
		case m.RTCPMux:
			m.RTCPPort = m.Port
		case m.RTCPPort == 0 && m.Port != 0 && m.Port < 0xffff:
			m.RTCPPort = m.Port + 1
		}
		m.KeyMgmtItem = session
		for j := range items {
			if items[j].Where == WhereSDPMedia && items[j].MediaIndex == i && isMIKEY(items[j].Prot) {
				m.KeyMgmtItem = j
				break
			}
		}
	}
}

func isMIKEY(prot string) bool { return strings.EqualFold(prot, "mikey") }

// connAddr parses a c= value: nettype addrtype address[/ttl][/n]
// (RFC 4566 §5.7).
func connAddr(val string) (netip.Addr, bool) {
	var buf [4]string
	f := appendFields(buf[:0], val)
	if len(f) < 3 {
		return netip.Addr{}, false
	}
	return parseAddr(f[2])
}

// parseAddr parses an address, ignoring any /ttl or /count suffix.
func parseAddr(s string) (netip.Addr, bool) {
	a, _, _ := strings.Cut(s, "/")
	ip, err := netip.ParseAddr(a)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// appendFields appends the blank-separated fields of s to dst, as
// strings.Fields does for ASCII text, without allocating while dst has
// room (SDP lines are parsed per message on the capture's reading path).
func appendFields(dst []string, s string) []string {
	for i := 0; i < len(s); {
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !isBlank(s[i]) {
			i++
		}
		if i > start {
			dst = append(dst, s[start:i])
		}
	}
	return dst
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// dataStart returns the offset in s, at or after i and past blanks, where
// the carried base64 b64 begins; -1 when it is not there (the carrier was
// too odd to point into, or nothing decoded).
func dataStart(s string, i int, b64 string) int {
	for i < len(s) && isBlank(s[i]) {
		i++
	}
	if b64 == "" || i >= len(s) || s[i] != b64[0] {
		return -1
	}
	return i
}
