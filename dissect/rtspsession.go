package dissect

import (
	"fmt"
	"net/netip"
	"strings"
)

// correlateRTSP ties an RTSP message to its session (RFC 2326 §12.37), to
// its request (CSeq), to the SDP media its SETUP URL designates (a=control,
// RFC 2326 §C.1.1), and learns media flows and interleaved channels from
// Transport headers (RFC 2326 §12.39) and multicast SDP.
func (e *Engine) correlateRTSP(m *SignalMessage, c *conn) {
	if c == nil { // RTSP over UDP: no connection state
		m.SessionKey = m.Session
		if m.SessionKey == "" {
			m.SessionKey = m.Conn
		}
		return
	}
	e.bindRTSPSession(m, c)
	s := c.sess
	var req pendingReq
	haveReq := false
	if m.Request {
		req = pendingReq{method: m.Method, uri: m.URI, media: -1, transports: m.Transports}
		if c.pending == nil {
			c.pending = make(map[uint32]pendingReq)
		}
		if len(c.pending) >= maxPending {
			clear(c.pending)
		}
	} else if r, ok := c.pending[m.CSeq]; ok {
		req, haveReq = r, true
		delete(c.pending, m.CSeq)
		m.Method, m.CSeqMethod = r.method, r.method
	}
	if m.Request {
		m.CSeqMethod = m.Method
	}

	// The description of the session: DESCRIBE reply or ANNOUNCE body.
	if m.SDP != nil && s != nil {
		s.sdp = m.SDP
		switch {
		case m.ContentBase != "":
			s.base = m.ContentBase
		case m.Request:
			s.base = m.URI
		case haveReq:
			s.base = req.uri
		}
		e.learnSDP(m, s) // multicast descriptions carry real ports
	}

	method := m.Method
	if strings.EqualFold(method, "SETUP") {
		var sdp *SDPInfo
		var base string
		if s != nil {
			sdp, base = s.sdp, s.base
		}
		if m.Request {
			m.MediaIndex = matchControl(sdp, base, m.URI)
			req.media = m.MediaIndex
			if m.MediaIndex < 0 && sdp != nil {
				e.problemAt(m, ProblemUnmatched, 0, fmt.Sprintf("SETUP URL %q matches no a=control of the session description", clip(m.URI)))
			}
		} else {
			m.MediaIndex = req.media
			if m.MediaIndex < 0 && haveReq { // pipelined: SETUP sent before the DESCRIBE reply arrived
				m.MediaIndex = matchControl(sdp, base, req.uri)
			}
		}
		ts := m.Transports
		if !m.Request && len(ts) == 0 {
			ts = req.transports
		}
		if !m.Request || len(ts) > 0 && ts[0].Interleaved[0] >= 0 {
			e.learnTransport(m, c, s, ts, req.transports)
		}
	}
	for i := range m.KeyMgmt {
		it := &m.KeyMgmt[i]
		if it.Where != WhereRTSPHeader && it.Where != WhereRTSPParameter && it.Where != WhereMIKEYBody {
			continue
		}
		if it.URI != "" && s != nil {
			if idx := matchControl(s.sdp, s.base, it.URI); idx >= 0 {
				it.MediaIndex = idx
				continue
			}
		}
		if m.MediaIndex >= 0 {
			it.MediaIndex = m.MediaIndex
		} else if s != nil && m.Request {
			it.MediaIndex = matchControl(s.sdp, s.base, m.URI)
		}
	}
	if m.Request {
		c.pending[m.CSeq] = req
	}
}

// bindRTSPSession sets m.SessionKey: the Session id once known, the
// connection before. The first message that reveals the id renames the
// connection's session and carries the old key in SessionAlias.
func (e *Engine) bindRTSPSession(m *SignalMessage, c *conn) {
	if c.sess != nil && c.sess.gone {
		c.sess = nil
	}
	if m.Session != "" && (c.sess == nil || c.sess.key != m.Session) {
		switch old := c.sess; {
		case e.sessions[m.Session] != nil:
			s := e.sessions[m.Session]
			if old != nil && old.key == c.name {
				if s.sdp == nil {
					s.sdp, s.base = old.sdp, old.base
				}
				delete(e.sessions, old.key)
				old.key = s.key // flows learnt under the old session follow
				m.SessionAlias = c.name
			}
			c.sess = s
		case old != nil && old.key == c.name:
			delete(e.sessions, old.key)
			old.key = m.Session
			e.sessions[m.Session] = old
			m.SessionAlias = c.name
		default:
			c.sess = e.sessionFor(m.Session, CarrierRTSP, m)
		}
	}
	if c.sess == nil {
		c.sess = e.sessionFor(c.name, CarrierRTSP, m)
	}
	if c.sess != nil {
		m.SessionKey = c.sess.key
		c.sess.last = m.Frame
	} else if m.Session != "" {
		m.SessionKey = m.Session
	} else {
		m.SessionKey = c.name
	}
}

// learnTransport records the interleaved channels and UDP ports that a
// SETUP exchange agreed on: the response's Transport when present, the
// request's otherwise. Client ports are on the client's address (or
// destination=), server ports on the server's (or source=).
func (e *Engine) learnTransport(m *SignalMessage, c *conn, s *session, ts, reqTs []RTSPTransport) {
	if s == nil || len(ts) == 0 {
		return
	}
	t := ts[0]
	idx := m.MediaIndex
	if t.Interleaved[0] >= 0 {
		c.chans[t.Interleaved[0]] = chanRole{sess: s, media: idx, kind: KindRTP}
		if t.Interleaved[1] >= 0 && t.Interleaved[1] != t.Interleaved[0] {
			c.chans[t.Interleaved[1]] = chanRole{sess: s, media: idx, kind: KindRTCP}
		}
		return
	}
	if m.Request {
		return
	}
	clientAddr, serverAddr := c.client.Addr(), c.server().Addr()
	if a, err := netip.ParseAddr(t.Destination); err == nil {
		clientAddr = a
	}
	if a, err := netip.ParseAddr(t.Source); err == nil {
		serverAddr = a
	}
	cp := t.ClientPorts
	if cp[0] == 0 && len(reqTs) > 0 {
		cp = reqTs[0].ClientPorts
	}
	if t.Multicast && t.Ports[0] != 0 {
		cp = t.Ports
	}
	e.learnFlow(m, s, clientAddr, cp[0], idx, KindRTP)
	e.learnFlow(m, s, clientAddr, cp[1], idx, KindRTCP)
	e.learnFlow(m, s, serverAddr, t.ServerPorts[0], idx, KindRTP)
	e.learnFlow(m, s, serverAddr, t.ServerPorts[1], idx, KindRTCP)
}
