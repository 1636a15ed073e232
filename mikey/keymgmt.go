package mikey

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeyMgmt is one key management data item as carried in SDP or RTSP
// (RFC 4567 §3): the protocol identifier, the RTSP uri parameter (empty in
// SDP) and the decoded key management data.
type KeyMgmt struct {
	Prot    string // protocol identifier, "mikey" for MIKEY (RFC 4567 §7.1)
	URI     string // RTSP uri parameter; empty for SDP
	DataB64 string // the base64 text as carried, whitespace removed
	Data    []byte // decoded key management data
}

// ErrNotMIKEY is returned when a key management item names another protocol.
var ErrNotMIKEY = errors.New("key management protocol is not mikey")

// ParseKeyMgmtAttribute parses the value of an SDP key-mgmt attribute, that is
// the text after "a=key-mgmt:" (RFC 4567 §3.1):
//
//	key-mgmt-attribute = "key-mgmt:" prtcl-id SP keymgmt-data
//
// A leading "a=key-mgmt:" or "key-mgmt:" is accepted too. Line breaks and
// spaces inside the base64 (seen in specifications and some stacks) are
// ignored.
func ParseKeyMgmtAttribute(value string) (KeyMgmt, error) {
	v := strings.TrimSpace(value)
	v = strings.TrimPrefix(v, "a=")
	if len(v) >= 9 && strings.EqualFold(v[:9], "key-mgmt:") {
		v = v[9:]
	}
	v = strings.TrimLeft(v, " \t")
	sp := strings.IndexAny(v, " \t")
	if sp < 0 {
		return KeyMgmt{}, fmt.Errorf("key-mgmt attribute (%d characters): no space between protocol identifier and data", len(v))
	}
	km := KeyMgmt{Prot: v[:sp]}
	data, b64, err := decodeKeyMgmtData(v[sp+1:])
	if err != nil {
		return km, fmt.Errorf("key-mgmt attribute: %w", err)
	}
	km.Data, km.DataB64 = data, b64
	if !strings.EqualFold(km.Prot, "mikey") {
		return km, ErrNotMIKEY
	}
	return km, nil
}

// ParseKeyMgmtHeader parses the value of an RTSP KeyMgmt header
// (RFC 4567 §3.2):
//
//	KeyMgmt = "KeyMgmt" ":" key-mgmt-spec 0*("," key-mgmt-spec)
//	key-mgmt-spec = "prot" "=" KMPID ";" ["uri" "=" %x22 URI %x22 ";"] "data" "=" %x22 BASE64 %x22
//
// Parameters may come in any order; quotes around prot and uri are optional in
// practice. Items for protocols other than mikey are returned with Prot set
// and no error, so the caller can report them.
func ParseKeyMgmtHeader(value string) ([]KeyMgmt, error) {
	var out []KeyMgmt
	for _, spec := range splitOutsideQuotes(value, ',') {
		if strings.TrimSpace(spec) == "" {
			continue
		}
		var km KeyMgmt
		var haveData bool
		for _, param := range splitOutsideQuotes(spec, ';') {
			param = strings.TrimSpace(param)
			if param == "" {
				continue
			}
			eq := strings.IndexByte(param, '=')
			if eq < 0 {
				return out, fmt.Errorf("KeyMgmt header: a parameter of %d characters has no value", len(param))
			}
			name := strings.ToLower(strings.TrimSpace(param[:eq]))
			val := unquote(strings.TrimSpace(param[eq+1:]))
			switch name {
			case "prot":
				km.Prot = val
			case "uri":
				km.URI = val
			case "data":
				data, b64, err := decodeKeyMgmtData(val)
				if err != nil {
					return out, fmt.Errorf("KeyMgmt header: %w", err)
				}
				km.Data, km.DataB64, haveData = data, b64, true
			}
		}
		if km.Prot == "" {
			return out, errors.New("KeyMgmt header: missing prot parameter")
		}
		if !haveData {
			return out, errors.New("KeyMgmt header: missing data parameter")
		}
		out = append(out, km)
	}
	if len(out) == 0 {
		return nil, errors.New("KeyMgmt header: empty")
	}
	return out, nil
}

// decodeKeyMgmtData removes whitespace and decodes standard base64, padded or
// not.
func decodeKeyMgmtData(s string) ([]byte, string, error) {
	b64 := s
	if strings.ContainsAny(s, " \t\r\n") { // rare: most carriers send one token
		b64 = strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n':
				return -1
			}
			return r
		}, s)
	}
	if b64 == "" {
		return nil, "", errors.New("empty key management data")
	}
	enc := base64.StdEncoding
	if !strings.HasSuffix(b64, "=") && len(b64)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	data, err := enc.DecodeString(b64)
	if err != nil {
		return nil, b64, fmt.Errorf("key management data is not base64: %w", err)
	}
	return data, b64, nil
}

func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	inQuote := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case sep:
			if !inQuote {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
