package dissect

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
)

// session is the correlation state of one SIP dialog (keyed by Call-ID,
// RFC 3261 §12) or RTSP session (keyed by Session id, RFC 2326 §12.37, or by
// the connection until the id is known).
type session struct {
	id      uint64 // MediaPacket.SessionID: unique per session object of an Engine
	key     string
	carrier Carrier
	sdp     *SDPInfo // RTSP: the DESCRIBE or ANNOUNCE description
	base    string   // RTSP: Content-Base, else the URL the SDP was fetched from
	last    uint64   // frame of the latest message or media packet
	flows   []netip.AddrPort
	gone    bool // evicted: references to it are stale
}

// maxFlowsPerSession bounds the flow list a session remembers for eviction.
const maxFlowsPerSession = 256

// flow is a learnt media destination: packets to (or from) the address
// belong to one media of one session.
type flow struct {
	sess  *session
	media int
	kind  Kind // the role the signalling gave the port; 0 for rtcp-mux
	// shared: another session learnt the address too (a server sending one
	// stream to several RTSP clients from the same ports, a port reused by
	// a later call); a packet to it belongs to the session of its other
	// address when that one is not shared.
	shared bool
}

// chanRole maps an RTSP interleaved channel to a media (RFC 2326 §12.39).
type chanRole struct {
	sess  *session
	media int
	kind  Kind
}

// sessionFor returns the session with the key, creating it. At the session
// limit the least recently active session is forgotten, with its flows (one
// ProblemLimit says so).
func (e *Engine) sessionFor(key string, car Carrier, m *SignalMessage) *session {
	if s := e.sessions[key]; s != nil {
		s.last = m.Frame
		return s
	}
	if len(e.sessions) >= e.opts.MaxSessions {
		if !e.limitSessions {
			e.limitSessions = true
			e.problemAt(m, ProblemLimit, -1, fmt.Sprintf("session limit %d reached: the least recently active sessions are forgotten", e.opts.MaxSessions))
		}
		e.evictSession()
	}
	e.lastSessionID++
	s := &session{id: e.lastSessionID, key: strings.Clone(key), carrier: car, last: m.Frame}
	e.sessions[key] = s
	return s
}

// evictSession forgets the least recently active session and its flows.
func (e *Engine) evictSession() {
	// Evict the least recently active tenth at once: one scan and sort per
	// tenth of the limit keeps the cost per new session constant on average
	// (a scan per eviction made a Call-ID flood quadratic).
	all := make([]*session, 0, len(e.sessions))
	for _, s := range e.sessions {
		all = append(all, s)
	}
	if len(all) == 0 {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i].last < all[j].last })
	n := max(1, len(all)/10)
	for _, victim := range all[:n] {
		e.forgetSession(victim)
	}
}

// idleCheck runs expireIdle when it is due; the packet handlers call it
// once idleSkip has counted down idleCheckEvery packets (a time comparison
// per packet was 2 % of the instructions). The time it looks at is the
// packet's on the steady clock (capture.Clock): a frame from the far future
// forgets nothing, a step back stops nothing.
func (e *Engine) idleCheck(agent *capture.HEPOrigin, frame uint64, t time.Time) {
	if e.opts.SessionIdle <= 0 {
		e.idleSkip = math.MaxInt
		return
	}
	e.idleSkip = idleCheckEvery - 1
	t = e.clock.Observe(agent, frame, t)
	if t.After(e.idleNext) {
		e.expireIdle(frame, t)
	}
}

const idleCheckEvery = 64

// expireIdle forgets the sessions, with their flows, and the TCP
// connections that have seen no packet for Options.SessionIdle of the
// steady clock (idleCheck); it runs every eighth of that (at least every second) from the
// packet at frame and time t. The frame read at each run is remembered with
// its time, so that the frame numbers the state keeps tell its age.
func (e *Engine) expireIdle(frame uint64, t time.Time) {
	idle := e.opts.SessionIdle
	e.idleNext = t.Add(max(idle/8, time.Second))
	e.marks = append(e.marks, frameMark{frame: frame, time: t})
	limit := t.Add(-idle)
	cut, n := uint64(0), -1
	for i, mk := range e.marks {
		if mk.time.After(limit) {
			break
		}
		cut, n = mk.frame, i
	}
	if n < 0 {
		return
	}
	e.marks = e.marks[:copy(e.marks, e.marks[n:])]
	for _, s := range e.sessions {
		if s.last < cut {
			e.forgetSession(s)
		}
	}
	for k, c := range e.conns {
		if max(c.dir[0].last, c.dir[1].last) < cut {
			delete(e.conns, k)
		}
	}
}

// forgetSession forgets a session and its flows.
func (e *Engine) forgetSession(victim *session) {
	delete(e.sessions, victim.key)
	victim.gone = true
	for _, ap := range victim.flows {
		if f, ok := e.flows.get(ap); ok && f.sess == victim {
			e.flows.delete(ap)
		}
	}
	victim.flows = nil
}

// learnFlow records that media packets to addr belong to media idx of s. At
// the flow limit a flow of another session is forgotten (one ProblemLimit).
func (e *Engine) learnFlow(m *SignalMessage, s *session, addr netip.Addr, port uint16, idx int, kind Kind) {
	if s == nil || !addr.IsValid() || addr.IsUnspecified() || port == 0 {
		return
	}
	ap := netip.AddrPortFrom(addr.Unmap(), port)
	old, had := e.flows.get(ap)
	if !had && e.flows.len() >= e.opts.MaxFlows {
		if !e.limitFlows {
			e.limitFlows = true
			e.problemAt(m, ProblemLimit, -1, fmt.Sprintf("media flow limit %d reached: older flows are forgotten", e.opts.MaxFlows))
		}
		if !e.evictFlow(s) {
			return
		}
	}
	shared := had && (old.shared || old.sess != s && !old.sess.gone && old.sess.key != s.key)
	e.flows.set(ap, flow{sess: s, media: idx, kind: kind, shared: shared})
	if len(s.flows) < maxFlowsPerSession {
		s.flows = append(s.flows, ap)
	}
}

// evictFlow forgets one flow that does not belong to keep.
func (e *Engine) evictFlow(keep *session) bool {
	return e.flows.evictOther(keep)
}

// learnSDP learns the receive addresses of every media of an SDP offer or
// answer (RFC 3264 §5: each side lists where it wants to receive).
func (e *Engine) learnSDP(m *SignalMessage, s *session) {
	if m.SDP == nil {
		return
	}
	for i := range m.SDP.Media {
		md := &m.SDP.Media[i]
		if md.RTCPMux {
			e.learnFlow(m, s, md.Addr, md.Port, md.Index, 0)
			continue
		}
		e.learnFlow(m, s, md.Addr, md.Port, md.Index, KindRTP)
		e.learnFlow(m, s, md.RTCPAddr, md.RTCPPort, md.Index, KindRTCP)
	}
}

// correlateSIP ties a SIP message to its dialog and learns media flows
// from its SDP (INVITE, 18x, 200, ACK, re-INVITE, UPDATE, PRACK alike).
func (e *Engine) correlateSIP(m *SignalMessage) {
	if m.CallID == "" {
		e.problemAt(m, ProblemMalformed, headerOffsetOr(m, "Call-ID"), "SIP message without Call-ID: not correlated")
		m.SessionKey = m.Conn
		return
	}
	m.SessionKey = m.CallID
	s := e.sessionFor(m.CallID, CarrierSIP, m)
	// The dialog's own copy of the Call-ID: the message's is a part of
	// its header section, which the key would keep alive.
	m.CallID, m.SessionKey = s.key, s.key
	e.learnSDP(m, s)
}

func headerOffsetOr(m *SignalMessage, name string) int {
	if off := headerOffset(m, name); off >= 0 {
		return off
	}
	return 0
}
