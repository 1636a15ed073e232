package export

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// rewriter turns signalling into what describes the decrypted capture:
// SDP media whose packets decrypted get the plain profile (RTP/SAVP ->
// RTP/AVP, RTP/SAVPF -> RTP/AVPF) and lose their key lines (a=crypto,
// a=key-mgmt), RTSP Transport headers the same profile, RTSP KeyMgmt
// headers are dropped, and Content-Length follows the body. Media that did
// not decrypt keep their description: they stay encrypted in the file.
type rewriter struct {
	endpoints map[netip.AddrPort]bool
	addrs     map[netip.Addr]bool
}

// decrypted says whether media at address c, port (the address an SDP
// m= line or a Transport port describes) decrypted; with no usable
// address it asks whether media of the signalling's hosts did.
func (w *rewriter) decrypted(c netip.Addr, port int, src, dst netip.AddrPort) bool {
	if port > 0 && port < 65535 && c.IsValid() && !c.IsUnspecified() {
		return w.endpoints[netip.AddrPortFrom(c, uint16(port))] || w.endpoints[netip.AddrPortFrom(c, uint16(port+1))]
	}
	return w.addrs[src.Addr()] || w.addrs[dst.Addr()]
}

// looksLikeMessage says whether b starts a SIP or RTSP message.
func looksLikeMessage(b []byte) bool {
	line := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line = b[:i]
	} else if len(b) > 256 {
		return false
	}
	line = bytes.TrimRight(line, "\r")
	return bytes.HasPrefix(line, []byte("SIP/2.0 ")) || bytes.HasPrefix(line, []byte("RTSP/1.0 ")) ||
		bytes.HasSuffix(line, []byte(" SIP/2.0")) || bytes.HasSuffix(line, []byte(" RTSP/1.0"))
}

// headerEnd returns the length of the header section of msg including the
// blank line, or -1.
func headerEnd(msg []byte) int {
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	return -1
}

// contentLength reads the Content-Length (or SIP's compact l) header of a
// header section; -1 when absent or unreadable.
func contentLength(hdr []byte, sip bool) int {
	for _, line := range bytes.Split(hdr, []byte("\r\n"))[1:] {
		name, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		name = bytes.TrimSpace(name)
		if asciiEqualFold(name, "content-length") || (sip && asciiEqualFold(name, "l")) {
			n, err := strconv.Atoi(string(bytes.TrimSpace(val)))
			if err != nil || n < 0 {
				return -1
			}
			return n
		}
	}
	return -1
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// message rewrites one whole SIP or RTSP message (headers and body) sent
// from src to dst. It returns msg itself when nothing changes.
func (w *rewriter) message(msg []byte, src, dst netip.AddrPort) ([]byte, bool) {
	he := headerEnd(msg)
	if he < 0 {
		return msg, false
	}
	hdr, body := msg[:he-4], msg[he:]
	lines := bytes.Split(hdr, []byte("\r\n"))
	sip := bytes.Contains(lines[0], []byte("SIP/2.0"))
	newBody, bodyChanged := w.sdp(body, src, dst)
	touched := w.addrs[src.Addr()] || w.addrs[dst.Addr()]
	changed := bodyChanged
	var out bytes.Buffer
	out.Grow(len(msg))
	out.Write(lines[0])
	out.WriteString("\r\n")
	for _, line := range lines[1:] {
		name, val, ok := bytes.Cut(line, []byte(":"))
		if ok && len(line) > 0 && line[0] != ' ' && line[0] != '\t' {
			n := bytes.TrimSpace(name)
			switch {
			case !sip && asciiEqualFold(n, "transport"):
				if nv, ch := w.transport(string(val), src, dst); ch {
					out.Write(name)
					out.WriteString(":")
					out.WriteString(nv)
					out.WriteString("\r\n")
					changed = true
					continue
				}
			case !sip && asciiEqualFold(n, "keymgmt") && touched:
				changed = true
				continue
			case bodyChanged && (asciiEqualFold(n, "content-length") || (sip && asciiEqualFold(n, "l"))):
				out.Write(name)
				out.WriteString(": ")
				out.WriteString(strconv.Itoa(len(newBody)))
				out.WriteString("\r\n")
				continue
			}
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	if !changed {
		return msg, false
	}
	out.WriteString("\r\n")
	out.Write(newBody)
	return out.Bytes(), true
}

// plainProfile maps an SRTP profile to its RTP one.
func plainProfile(p string) (string, bool) {
	switch {
	case strings.HasPrefix(p, "RTP/SAVPF"):
		return "RTP/AVPF" + p[len("RTP/SAVPF"):], true
	case strings.HasPrefix(p, "RTP/SAVP"):
		return "RTP/AVP" + p[len("RTP/SAVP"):], true
	case strings.HasPrefix(p, "UDP/TLS/RTP/SAVPF"):
		return "RTP/AVPF" + p[len("UDP/TLS/RTP/SAVPF"):], true
	case strings.HasPrefix(p, "UDP/TLS/RTP/SAVP"):
		return "RTP/AVP" + p[len("UDP/TLS/RTP/SAVP"):], true
	}
	return p, false
}

// transport rewrites an RTSP Transport header value (RFC 2326 §12.39):
// each transport spec whose media decrypted gets the plain profile.
func (w *rewriter) transport(val string, src, dst netip.AddrPort) (string, bool) {
	specs := strings.Split(val, ",")
	changed := false
	for i, spec := range specs {
		lead := len(spec) - len(strings.TrimLeft(spec, " \t"))
		params := strings.Split(spec[lead:], ";")
		prof, ok := plainProfile(params[0])
		if !ok {
			continue
		}
		dec := false
		sawPort := false
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(p, "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "interleaved":
				sawPort = true
				dec = dec || w.endpoints[src] || w.endpoints[dst]
			case "client_port", "server_port", "port":
				sawPort = true
				lo, _, _ := strings.Cut(strings.TrimSpace(v), "-")
				n, err := strconv.Atoi(lo)
				if err == nil {
					dec = dec || w.decrypted(src.Addr(), n, src, dst) || w.decrypted(dst.Addr(), n, src, dst)
				}
			}
		}
		if !sawPort {
			dec = w.addrs[src.Addr()] || w.addrs[dst.Addr()]
		}
		if dec {
			params[0] = prof
			specs[i] = spec[:lead] + strings.Join(params, ";")
			changed = true
		}
	}
	return strings.Join(specs, ","), changed
}

// sdpSection is a run of lines of an SDP: its session part or one media.
type sdpSection struct {
	start, end int // line indices
	media      bool
	port       int
	c          netip.Addr
	hasC       bool
	session    int // index of its session section (media only)
	rewrite    bool
}

// sdp rewrites the SDP in a body (a plain SDP or the SDP parts of a
// multipart body: lines outside the v=...m=... structure are kept). The
// line ends of the input are kept.
func (w *rewriter) sdp(body []byte, src, dst netip.AddrPort) ([]byte, bool) {
	if !bytes.Contains(body, []byte("m=")) {
		return body, false
	}
	var lines [][]byte
	for rest := body; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			lines = append(lines, rest)
			break
		}
		lines = append(lines, rest[:i+1])
		rest = rest[i+1:]
	}
	var secs []sdpSection
	cur := -1
	sess := -1
	for i, l := range lines {
		t := bytes.TrimRight(l, "\r\n")
		sdpLine := len(t) >= 2 && t[1] == '=' && t[0] >= 'a' && t[0] <= 'z'
		switch {
		case !sdpLine:
			if cur >= 0 {
				secs[cur].end = i
			}
			cur, sess = -1, -1
			continue
		case t[0] == 'v':
			if cur >= 0 {
				secs[cur].end = i
			}
			secs = append(secs, sdpSection{start: i})
			cur = len(secs) - 1
			sess = cur
		case t[0] == 'm':
			if cur >= 0 {
				secs[cur].end = i
			}
			s := sdpSection{start: i, media: true, session: sess}
			if f := strings.Fields(string(t[2:])); len(f) >= 3 {
				p, _, _ := strings.Cut(f[1], "/")
				s.port, _ = strconv.Atoi(p)
			}
			secs = append(secs, s)
			cur = len(secs) - 1
		case t[0] == 'c' && cur >= 0:
			if f := strings.Fields(string(t[2:])); len(f) >= 3 {
				a, _, _ := strings.Cut(f[2], "/")
				secs[cur].c, _ = netip.ParseAddr(a)
				secs[cur].hasC = true
			}
		}
		if cur >= 0 {
			secs[cur].end = i + 1
		}
	}
	changed := false
	for i := range secs {
		s := &secs[i]
		if !s.media {
			continue
		}
		c := s.c
		if !s.hasC && s.session >= 0 {
			c = secs[s.session].c
		}
		if !w.decrypted(c, s.port, src, dst) {
			continue
		}
		s.rewrite = true
		if s.session >= 0 {
			secs[s.session].rewrite = true
		}
	}
	drop := make([]bool, len(lines))
	for _, s := range secs {
		if !s.rewrite {
			continue
		}
		for j := s.start; j < s.end; j++ {
			t := bytes.TrimRight(lines[j], "\r\n")
			switch {
			case bytes.HasPrefix(t, []byte("a=crypto:")) || bytes.HasPrefix(t, []byte("a=key-mgmt:")):
				drop[j] = true
				changed = true
			case s.media && j == s.start:
				f := bytes.Fields(t[2:])
				if len(f) >= 3 {
					if np, ok := plainProfile(string(f[2])); ok {
						end := lines[j][len(t):]
						f[2] = []byte(np)
						nl := append([]byte("m="), bytes.Join(f, []byte(" "))...)
						lines[j] = append(nl, end...)
						changed = true
					}
				}
			}
		}
	}
	if !changed {
		return body, false
	}
	var out bytes.Buffer
	out.Grow(len(body))
	for j, l := range lines {
		if !drop[j] {
			out.Write(l)
		}
	}
	return out.Bytes(), true
}
