package dissect

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"strings"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// Message bodies: a single body typed by Content-Type, or a multipart body
// (RFC 2046 §5.1) whose parts carry application/sdp, application/mikey
// (RFC 3830 §10.1; binary or base64 per Content-Transfer-Encoding) or
// text/parameters (RTSP GET/SET_PARAMETER, RFC 2326 §10.8-10.9).

// maxBodyParts bounds the parts of a multipart body, nesting included.
const maxBodyParts = 32

// splitBodies splits the body of m starting at bodyStart, typed by the
// message's Content-Type ct and Content-Transfer-Encoding cte, into
// m.Bodies and reads the SDP, MIKEY and parameter bodies among them.
func splitBodies(m *SignalMessage, bodyStart int, ct, cte string) []issue {
	if bodyStart >= len(m.Raw) {
		return nil
	}
	var iss []issue
	m.Bodies = appendBody(m.Bodies, m.Raw, bodyStart, len(m.Raw), ct, cte, 0, &iss)
	for i := range m.Bodies {
		iss = append(iss, readBody(m, &m.Bodies[i])...)
	}
	return iss
}

// appendBody appends the body raw[start:end] typed ct, splitting multipart
// bodies (nested up to depth 2).
func appendBody(out []Body, raw []byte, start, end int, ct, cte string, depth int, iss *[]issue) []Body {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	data := raw[start:end]
	if mt == "" && bytes.HasPrefix(data, []byte("v=0")) {
		mt = "application/sdp"
	}
	if strings.HasPrefix(mt, "multipart/") && depth < 2 {
		b := params["boundary"]
		if b == "" {
			*iss = append(*iss, issue{ProblemMalformed, start, "multipart body without a boundary parameter"})
			return out
		}
		return splitMultipart(out, raw, start, end, b, depth, iss)
	}
	if len(out) >= maxBodyParts {
		*iss = append(*iss, issue{ProblemLimit, start, fmt.Sprintf("more than %d body parts; the rest ignored", maxBodyParts)})
		return out
	}
	enc := strings.ToLower(strings.TrimSpace(cte))
	if enc == "base64" {
		dec, err := decodeBase64Loose(data)
		if err != nil {
			*iss = append(*iss, issue{ProblemMalformed, start, fmt.Sprintf("%s part declared base64 does not decode: %v", mt, err)})
		} else {
			data = dec
		}
	}
	return append(out, Body{ContentType: mt, Encoding: enc, Offset: start, Data: data})
}

// splitMultipart splits raw[start:end] on "--boundary" delimiter lines
// (RFC 2046 §5.1.1).
func splitMultipart(out []Body, raw []byte, start, end int, boundary string, depth int, iss *[]issue) []Body {
	delim := []byte("--" + boundary)
	body := raw[start:end]
	// first delimiter at a line start
	pos := -1
	for i := 0; i+len(delim) <= len(body); {
		j := bytes.Index(body[i:], delim)
		if j < 0 {
			break
		}
		if i+j == 0 || body[i+j-1] == '\n' {
			pos = i + j
			break
		}
		i += j + 1
	}
	if pos < 0 {
		*iss = append(*iss, issue{ProblemMalformed, start, fmt.Sprintf("multipart delimiter %q not found", clip(boundary))})
		return out
	}
	for {
		after := pos + len(delim)
		if bytes.HasPrefix(body[after:], []byte("--")) {
			return out // close delimiter
		}
		nl := bytes.IndexByte(body[after:], '\n')
		if nl < 0 {
			*iss = append(*iss, issue{ProblemTruncated, start + after, "multipart body ends after a delimiter"})
			return out
		}
		partStart := after + nl + 1
		next := bytes.Index(body[partStart:], append([]byte("\n"), delim...))
		partEnd := len(body)
		if next < 0 {
			*iss = append(*iss, issue{ProblemTruncated, start + partStart, "multipart body has no close delimiter"})
		} else {
			partEnd = partStart + next
			if partEnd > partStart && body[partEnd-1] == '\r' {
				partEnd--
			}
		}
		pct, pcte, content := partHeaders(body[partStart:partEnd])
		out = appendBody(out, raw, start+partStart+content, start+partEnd, pct, pcte, depth+1, iss)
		if next < 0 || len(out) >= maxBodyParts {
			return out
		}
		pos = partStart + next + 1
	}
}

// partHeaders reads the headers of one body part and returns its
// Content-Type (default text/plain, RFC 2046 §5.1), its
// Content-Transfer-Encoding, and the offset of its content.
func partHeaders(p []byte) (ct, cte string, content int) {
	ct = "text/plain"
	pos := 0
	for pos < len(p) {
		nl := bytes.IndexByte(p[pos:], '\n')
		line, next := p[pos:], len(p)
		if nl >= 0 {
			line, next = p[pos:pos+nl], pos+nl+1
		}
		line = trimCR(line)
		if len(line) == 0 {
			return ct, cte, next
		}
		if name, val, ok := bytes.Cut(line, []byte(":")); ok {
			n := string(bytes.TrimSpace(name))
			switch {
			case tokenEqualFold(n, "Content-Type"), n == "c":
				ct = string(bytes.TrimSpace(val))
			case tokenEqualFold(n, "Content-Transfer-Encoding"):
				cte = string(bytes.TrimSpace(val))
			}
		}
		pos = next
	}
	return ct, cte, len(p)
}

// readBody decodes the carriers inside one body.
func readBody(m *SignalMessage, b *Body) []issue {
	switch b.ContentType {
	case "application/sdp":
		info, items, iss := parseSDP(b.Data, b.Offset)
		base := len(m.KeyMgmt)
		for i := range info.Media {
			if info.Media[i].KeyMgmtItem >= 0 {
				info.Media[i].KeyMgmtItem += base
			}
		}
		m.KeyMgmt = append(m.KeyMgmt, items...)
		if m.SDP == nil {
			m.SDP = info
		} else {
			iss = append(iss, issue{ProblemMalformed, b.Offset, "second SDP body in one message; only its key management is used"})
		}
		return iss
	case "application/mikey":
		it := KeyMgmtItem{Where: WhereMIKEYBody, MediaIndex: -1, Prot: "mikey", Offset: b.Offset, Data: b.Data}
		if b.Encoding == "" && len(b.Data) > 0 && b.Data[0] != 1 {
			// RFC 3830 data starts with version 1; a text body is base64.
			if dec, err := decodeBase64Loose(b.Data); err == nil && len(dec) > 0 && dec[0] == 1 {
				it.B64, it.Data = string(bytes.TrimSpace(b.Data)), dec
			}
		}
		if len(it.Data) == 0 {
			it.Err = fmt.Errorf("empty application/mikey body")
		}
		m.KeyMgmt = append(m.KeyMgmt, it)
	case "text/parameters":
		return readParameters(m, b)
	}
	if isMCXML(b.ContentType) {
		return readMCXML(m, b)
	}
	return nil
}

// readParameters finds "mikey: <base64>" lines of a text/parameters body
// (ONVIF Streaming, re-keying and GET_PARAMETER mikey).
func readParameters(m *SignalMessage, b *Body) []issue {
	var iss []issue
	for pos := 0; pos < len(b.Data); {
		nl := bytes.IndexByte(b.Data[pos:], '\n')
		line, next := b.Data[pos:], len(b.Data)
		if nl >= 0 {
			line, next = b.Data[pos:pos+nl], pos+nl+1
		}
		lineOff := b.Offset + pos
		pos = next
		name, val, ok := bytes.Cut(trimCR(line), []byte(":"))
		if !ok || !asciiEqualFold(bytes.TrimSpace(name), "mikey") {
			continue
		}
		v := bytes.TrimLeft(val, " \t")
		it := KeyMgmtItem{Where: WhereRTSPParameter, MediaIndex: -1, Prot: "mikey"}
		if len(bytes.TrimSpace(v)) == 0 {
			continue // a GET_PARAMETER request naming the parameter
		}
		km, err := mikey.ParseKeyMgmtAttribute("mikey " + string(v))
		it.B64, it.Data, it.Err = km.DataB64, km.Data, err
		it.Offset = dataStart(string(val), 0, it.B64)
		if it.Offset >= 0 {
			it.Offset += lineOff + len(name) + 1
		}
		if err != nil {
			iss = append(iss, issue{ProblemKeyMgmt, it.Offset, fmt.Sprintf("mikey parameter: %v", err)})
		}
		m.KeyMgmt = append(m.KeyMgmt, it)
	}
	return iss
}

// decodeBase64Loose decodes standard base64 with any whitespace, padded or
// not.
func decodeBase64Loose(b []byte) ([]byte, error) {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
		default:
			clean = append(clean, c)
		}
	}
	enc := base64.StdEncoding
	if len(clean)%4 != 0 && !bytes.HasSuffix(clean, []byte("=")) {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(clean)))
	n, err := enc.Decode(out, clean)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}
