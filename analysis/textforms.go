package analysis

import (
	"strconv"
	"strings"
)

// Text forms of the model that every view (the text report, the TUI)
// shows the same way. They are raw text from the wire: a view escapes
// them (internal/safetext).

// Title names the session in one line: the URL of an RTSP session, the
// "From -> To" of a SIP call (RFC 3261 §8.1.1.2-3), else its key (Call-ID
// or RTSP session id).
func (s *Session) Title() string {
	switch {
	case s.URL != "":
		return s.URL
	case s.From != "" || s.To != "":
		return s.From + " -> " + s.To
	}
	return s.Key
}

// Seen says where a signalling message was seen when it came by HEP or was
// seen more than once: "via hep agent 2002; also capture frame 12"; ""
// when it was captured once.
func (sg *Signal) Seen() string {
	var parts []string
	if sg.Via != "" {
		parts = append(parts, "via "+sg.Via)
	}
	for _, c := range sg.AlsoSeen {
		parts = append(parts, "also "+c.Via+" frame "+strconv.FormatUint(c.Frame, 10))
	}
	return strings.Join(parts, "; ")
}

// maxListedFrames bounds FrameList.
const maxListedFrames = 8

// FrameList lists frame numbers, "1, 5, 9", the first eight and then the
// count: "..., ... (12 in all)".
func FrameList(fs []uint64) string {
	var b strings.Builder
	for i, f := range fs {
		if i == maxListedFrames {
			b.WriteString(", ... (" + strconv.Itoa(len(fs)) + " in all)")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatUint(f, 10))
	}
	return b.String()
}
