package analysis

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// A capture taken at a SIP proxy or SBC sees every message of a call twice:
// received on one leg and forwarded on the next (RFC 3261 §16). The copy
// has the same Call-ID, CSeq and body; a request gains the proxy's Via on
// top (§16.6 step 8), a response loses it (§16.7 step 3); it is sent by
// the address the first copy went to, within a transaction's lifetime.
// Such a copy is a relay, not a replay: its MIKEY message is the same one,
// checked once. A message that comes again with the same Via list (a
// retransmission, or a replay) is not a relay.

// relayRecent is the number of recent SIP messages of a session kept to
// recognise their relayed copies: a proxy forwards at once, so the first
// copy is among the last few messages of the dialog.
const relayRecent = 6

// relayWindow bounds the time between a message and its relayed copy: 64·T1,
// the longest a SIP transaction lives (RFC 3261 §17.1.1.2).
const relayWindow = 32 * time.Second

// relayEntry is what a recent SIP message leaves for the relay check.
type relayEntry struct {
	key      uint64 // CSeq number and method, request method or response status
	viaAll   uint64 // the Via list (sent-by and branch of each), hashed
	viaTail  uint64 // the same without the top Via
	body     uint64 // the body, hashed
	src, dst [16]byte
	frame    uint64
	at       int64 // capture time, Unix nanoseconds
}

// relayOf records a SIP message of st and returns the frame of the earlier
// copy it relays (0 when it relays none). Caller holds a.mu.
func (st *sessionState) relayOf(m *dissect.SignalMessage) uint64 {
	if m.Carrier != dissect.CarrierSIP {
		return 0
	}
	vias := viaKeys(m)
	if len(vias) == 0 {
		return 0
	}
	e := relayEntry{key: messageKey(m), viaAll: hashVias(vias), viaTail: hashVias(vias[1:]), body: hashBody(m),
		src: m.Src.Addr().Unmap().As16(), dst: m.Dst.Addr().Unmap().As16(), frame: m.Frame, at: m.Time.UnixNano()}
	var found uint64
	for i := len(st.recent) - 1; i >= 0; i-- {
		o := &st.recent[i]
		if o.key != e.key || o.dst != e.src || e.at-o.at > int64(relayWindow) || e.at < o.at {
			continue
		}
		if m.Request && e.viaTail == o.viaAll || !m.Request && o.viaTail == e.viaAll {
			found = o.frame
			break
		}
	}
	if len(st.recent) == relayRecent {
		copy(st.recent, st.recent[1:])
		st.recent = st.recent[:relayRecent-1]
	}
	st.recent = append(st.recent, e)
	return found
}

// sameBody reports whether the message relayed from frame has the same body
// as that frame's message. Caller holds a.mu.
func (st *sessionState) sameBody(m *dissect.SignalMessage, frame uint64) bool {
	for i := range st.recent {
		if st.recent[i].frame == frame {
			return st.recent[i].body == hashBody(m)
		}
	}
	return false
}

// extendPath adds the next hop of a relayed INVITE to the session's path:
// from the first copy's addresses, each relay that leaves from the path's
// last address adds its destination.
func (st *sessionState) extendPath(m *dissect.SignalMessage, sig *Signal, relayOf uint64) {
	if !m.Request || m.Method != "INVITE" || len(st.s.Path) >= 8 {
		return
	}
	var orig *Signal
	for i := len(st.s.Signals) - 1; i >= 0; i-- {
		if st.s.Signals[i].Frame == relayOf {
			orig = st.s.Signals[i]
			break
		}
	}
	if orig == nil {
		return
	}
	if len(st.s.Path) == 0 {
		st.s.Path = []string{orig.Src, orig.Dst}
	}
	if st.s.Path[len(st.s.Path)-1] == orig.Dst && sig.Dst != orig.Dst {
		st.s.Path = append(st.s.Path, sig.Dst)
	}
}

// messageKey identifies a SIP message within its dialog, whichever leg it
// is on: CSeq number and method, and the request method or response status.
func messageKey(m *dissect.SignalMessage) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatUint(uint64(m.CSeq), 10)))
	h.Write([]byte{0})
	h.Write([]byte(m.CSeqMethod))
	h.Write([]byte{0})
	if m.Request {
		h.Write([]byte("Q" + m.Method))
	} else {
		h.Write([]byte("S" + strconv.Itoa(m.Status)))
	}
	return h.Sum64()
}

func hashBody(m *dissect.SignalMessage) uint64 {
	h := fnv.New64a()
	for i := range m.Bodies {
		h.Write(m.Bodies[i].Data)
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func hashVias(vias []string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strconv.Itoa(len(vias))))
	for _, v := range vias {
		h.Write([]byte{0})
		h.Write([]byte(v))
	}
	return h.Sum64()
}

// viaKeys returns each Via of the message, top first, as "sent-by;branch":
// the parts a proxy does not change when it adds received or rport to the
// Via it received (RFC 3261 §18.2.1, RFC 3581). At most 16.
func viaKeys(m *dissect.SignalMessage) []string {
	var out []string
	for i := range m.Headers {
		if !strings.EqualFold(m.Headers[i].Name, "Via") {
			continue
		}
		for _, v := range splitVia(m.Headers[i].Value) {
			if len(out) == 16 {
				return out
			}
			out = append(out, viaKey(v))
		}
	}
	return out
}

// splitVia splits a Via header value at the commas between via-parms
// (outside quoted strings).
func splitVia(v string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// viaKey reduces one via-parm ("SIP/2.0/UDP host:port;branch=x;rport") to
// its sent-by (lower case) and branch.
func viaKey(v string) string {
	v = strings.TrimSpace(v)
	params := ""
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v, params = v[:i], v[i:]
	}
	v = strings.TrimSpace(v)
	sentBy := v
	if i := strings.LastIndexAny(v, " \t"); i >= 0 {
		sentBy = v[i+1:]
	}
	branch := ""
	for _, p := range strings.Split(params, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(name), "branch") {
			branch = strings.TrimSpace(val)
		}
	}
	return strings.ToLower(sentBy) + ";" + branch
}
