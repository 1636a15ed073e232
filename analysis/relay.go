package analysis

import (
	"hash/maphash"
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
// copy is among the last few messages of the dialog (with two proxies in
// a row, the INVITE of the second leg is two messages back).
const relayRecent = 4

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
	all, tail, n := viaHashes(m)
	if n == 0 {
		return 0
	}
	e := relayEntry{key: messageKey(m), viaAll: all, viaTail: tail, body: hashBody(m),
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
	if st.recent == nil {
		st.recent = make([]relayEntry, 0, relayRecent)
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

// fnv64 is FNV-1a, written out so that hashing allocates nothing.
type fnv64 uint64

const (
	fnvOffset fnv64 = 14695981039346656037
	fnvPrime  fnv64 = 1099511628211
)

func (h *fnv64) byte(c byte) { *h = (*h ^ fnv64(c)) * fnvPrime }

func (h *fnv64) str(s string) {
	for i := 0; i < len(s); i++ {
		h.byte(s[i])
	}
	h.byte(0)
}

func (h *fnv64) u64(v uint64) {
	for i := 0; i < 8; i++ {
		h.byte(byte(v >> (8 * i)))
	}
}

// messageKey identifies a SIP message within its dialog, whichever leg it
// is on: CSeq number and method, and the request method or response status.
func messageKey(m *dissect.SignalMessage) uint64 {
	h := fnvOffset
	h.u64(uint64(m.CSeq))
	h.str(m.CSeqMethod)
	if m.Request {
		h.byte('Q')
		h.str(m.Method)
	} else {
		h.byte('S')
		h.u64(uint64(m.Status))
	}
	return uint64(h)
}

// signalSeed seeds the hashes of signalling messages of one process: the
// body hashes of the relay check (hashBody) and the fingerprints of HEP
// duplicates (fingerprint). The hashes are compared within the process
// only, never stored or printed. (maphash uses the CPU's AES instructions:
// a byte-at-a-time hash of every SIP body was 2% of the instructions of a
// pass without keys.)
var signalSeed = maphash.MakeSeed()

func hashBody(m *dissect.SignalMessage) uint64 {
	h := fnvOffset
	for i := range m.Bodies {
		h.u64(maphash.Bytes(signalSeed, m.Bodies[i].Data))
	}
	return uint64(h)
}

// maxVias bounds the Vias of a message the relay check looks at.
const maxVias = 16

// viaHashes hashes the Via list of the message, top first (all), and the
// same list without its top Via (tail); n is the number of Vias (at most
// maxVias). Each Via counts by its sent-by and branch (viaHash).
func viaHashes(m *dissect.SignalMessage) (all, tail uint64, n int) {
	var each [maxVias]uint64
	for i := range m.Headers {
		if name := m.Headers[i].Name; len(name) != 3 || !strings.EqualFold(name, "Via") {
			continue
		}
		v := m.Headers[i].Value
		for n < maxVias {
			part, rest, more := cutVia(v)
			each[n] = viaHash(part)
			n++
			if !more {
				break
			}
			v = rest
		}
	}
	a, t := fnvOffset, fnvOffset
	a.u64(uint64(n))
	t.u64(uint64(max(n-1, 0)))
	for i := 0; i < n; i++ {
		a.u64(each[i])
		if i > 0 {
			t.u64(each[i])
		}
	}
	return uint64(a), uint64(t), n
}

// cutVia splits a Via header value at the first comma between via-parms
// (outside quoted strings).
func cutVia(v string) (first, rest string, more bool) {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				return v[:i], v[i+1:], true
			}
		}
	}
	return v, "", false
}

// viaHash hashes one via-parm ("SIP/2.0/UDP host:port;branch=x;rport") by
// its sent-by (lower case) and branch: the parts a proxy does not change
// when it adds received or rport to the Via it received (RFC 3261 §18.2.1,
// RFC 3581).
func viaHash(v string) uint64 {
	params := ""
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v, params = v[:i], v[i:]
	}
	v = strings.TrimSpace(v)
	if i := strings.LastIndexAny(v, " \t"); i >= 0 {
		v = v[i+1:]
	}
	h := fnvOffset
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h.byte(c)
	}
	h.byte(0)
	for len(params) > 0 {
		params = params[1:] // the ';'
		p := params
		if i := strings.IndexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i:]
		} else {
			params = ""
		}
		name, val, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(name), "branch") {
			h.str(strings.TrimSpace(val))
		}
	}
	return uint64(h)
}
