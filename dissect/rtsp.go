package dissect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// maxTransports bounds the transport specifications kept per header.
const maxTransports = 16

// parseTransport parses an RTSP Transport header (RFC 2326 §12.39):
//
//	Transport = "Transport" ":" 1#transport-spec
//	transport-spec = transport-protocol/profile[/lower-transport] *parameter
func parseTransport(v string) ([]RTSPTransport, string) {
	var out []RTSPTransport
	for _, spec := range strings.Split(v, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		if len(out) >= maxTransports {
			return out, fmt.Sprintf("more than %d transport specifications; the rest ignored", maxTransports)
		}
		t := RTSPTransport{Spec: spec, Lower: "UDP", Interleaved: [2]int{-1, -1}}
		params := strings.Split(spec, ";")
		prof := strings.Split(strings.TrimSpace(params[0]), "/")
		t.Profile = strings.Join(prof[:min(len(prof), 2)], "/")
		if len(prof) > 2 {
			t.Lower = strings.ToUpper(prof[2])
		}
		var complaint string
		for _, p := range params[1:] {
			k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			val = strings.Trim(val, "\"")
			var err error
			switch strings.ToLower(k) {
			case "unicast":
				t.Unicast = true
			case "multicast":
				t.Multicast = true
			case "destination":
				t.Destination = val
			case "source":
				t.Source = val
			case "mode":
				t.Mode = val
			case "client_port":
				t.ClientPorts, err = portPair(val)
			case "server_port":
				t.ServerPorts, err = portPair(val)
			case "port":
				t.Ports, err = portPair(val)
			case "interleaved":
				var pp [2]uint16
				pp, err = portPair(val)
				if err == nil {
					if pp[0] > 255 || pp[1] > 255 {
						err = fmt.Errorf("channel above 255")
					} else {
						t.Interleaved = [2]int{int(pp[0]), int(pp[1])}
					}
				}
			case "ssrc":
				var n uint64
				n, err = strconv.ParseUint(strings.TrimSpace(val), 16, 32)
				t.SSRC, t.HasSSRC = uint32(n), err == nil
			}
			if err != nil && complaint == "" {
				complaint = fmt.Sprintf("Transport parameter %q: %v", clip(strings.TrimSpace(p)), err)
			}
		}
		out = append(out, t)
		if complaint != "" {
			return out, complaint
		}
	}
	return out, ""
}

// portPair parses "a" or "a-b". With a single value b is a+1 for ports and
// channels alike (RFC 2326 §12.39 gives RTP/RTCP pairs).
func portPair(v string) ([2]uint16, error) {
	a, b, two := strings.Cut(strings.TrimSpace(v), "-")
	x, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return [2]uint16{}, fmt.Errorf("%q is not a number 0-65535", clip(a))
	}
	if !two {
		if x == 0xffff {
			return [2]uint16{uint16(x), 0}, nil
		}
		return [2]uint16{uint16(x), uint16(x + 1)}, nil
	}
	y, err := strconv.ParseUint(b, 10, 16)
	if err != nil {
		return [2]uint16{}, fmt.Errorf("%q is not a number 0-65535", clip(b))
	}
	return [2]uint16{uint16(x), uint16(y)}, nil
}

// readRTSPHeaders decodes the RTSP-specific headers of m: Transport and
// KeyMgmt (RFC 4567 §3.2).
func readRTSPHeaders(m *SignalMessage) []issue {
	var iss []issue
	if v, ok := m.Header("Transport"); ok {
		ts, complaint := parseTransport(v)
		m.Transports = ts
		if complaint != "" {
			iss = append(iss, issue{ProblemMalformed, headerOffset(m, "Transport"), complaint})
		}
	}
	for i := range m.Headers {
		if !tokenEqualFold(m.Headers[i].Name, "KeyMgmt") {
			continue
		}
		off := m.Headers[i].Offset
		kms, err := mikey.ParseKeyMgmtHeader(m.Headers[i].Value)
		from := off
		for _, km := range kms {
			it := KeyMgmtItem{Where: WhereRTSPHeader, MediaIndex: -1, Prot: km.Prot, URI: km.URI, B64: km.DataB64, Data: km.Data, Offset: off}
			// the base64 as carried, possibly folded over lines: after the
			// next data= parameter, its quote and blanks
			it.Offset = -1
			if j := indexFoldFrom(m.Raw, from, "data="); j >= 0 {
				k := j + len("data=")
				if k < len(m.Raw) && m.Raw[k] == '"' {
					k++
				}
				if d := dataStart(string(m.Raw[k:min(len(m.Raw), k+64)]), 0, km.DataB64); d >= 0 {
					it.Offset = k + d
				}
				from = k
			}
			if !isMIKEY(km.Prot) {
				it.Err = mikey.ErrNotMIKEY
			}
			m.KeyMgmt = append(m.KeyMgmt, it)
		}
		if err != nil {
			m.KeyMgmt = append(m.KeyMgmt, KeyMgmtItem{Where: WhereRTSPHeader, MediaIndex: -1, Offset: off, Err: err})
			iss = append(iss, issue{ProblemKeyMgmt, off, err.Error()})
		}
	}
	return iss
}

// indexFoldFrom returns the offset of the lower-case ASCII needle in raw at
// or after from, ignoring case, or -1.
func indexFoldFrom(raw []byte, from int, needle string) int {
	if from < 0 {
		return -1
	}
	for i := from; i+len(needle) <= len(raw); i++ {
		if asciiEqualFold(raw[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// matchControl returns the index of the media whose a=control designates
// url (RFC 2326 §C.1.1: absolute, or relative to the Content-Base, else the
// request URL), or -1. A description with a single media matches any URL.
func matchControl(info *SDPInfo, base, url string) int {
	if info == nil || url == "" {
		return -1
	}
	u := strings.TrimRight(url, "/")
	for i := range info.Media {
		c := info.Media[i].Control
		if c == "" || c == "*" {
			continue
		}
		if strings.Contains(c, "://") {
			if strings.TrimRight(c, "/") == u {
				return i
			}
			continue
		}
		if base != "" && strings.TrimRight(joinURL(base, c), "/") == u {
			return i
		}
		if strings.HasSuffix(u, "/"+strings.TrimRight(c, "/")) || u == c {
			return i
		}
	}
	if len(info.Media) == 1 {
		return 0
	}
	return -1
}

// joinURL resolves a relative control against a base URL.
func joinURL(base, rel string) string {
	if strings.HasSuffix(base, "/") {
		return base + rel
	}
	return base + "/" + rel
}
