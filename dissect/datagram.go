package dissect

import "github.com/mikeyscope/mikeyscope/capture"

// Datagram handles one UDP payload: RTP/RTCP (first byte version 2) on a
// learnt flow, or heuristically; else a SIP or RTSP message when it starts
// with a start line; anything else is ignored.
func (e *Engine) Datagram(d *capture.Datagram) {
	if e.idleSkip--; e.idleSkip < 0 {
		e.idleCheck(d.HEP, d.Frame, d.Time)
	}
	b := d.Payload
	if len(b) == 0 {
		return
	}
	// A HEP agent's SIP (d.HEP set) always starts with a letter here
	// (capture.HEPHandler drops others), so it never reaches the media path.
	switch {
	case b[0]>>6 == 2:
		e.udpMedia(d)
	case b[0] >= 'A' && b[0] <= 'Z':
		e.udpSignal(d)
	}
}

// udpMedia delivers an RTP or RTCP datagram. It is the hot path: one map
// lookup per direction, no allocation.
func (e *Engine) udpMedia(d *capture.Datagram) {
	p := e.mediaPacket(len(d.Payload))
	if !fillMedia(p, d.Payload) {
		return
	}
	f, ok := e.flows.get(d.Dst)
	if !ok || f.shared {
		// A destination several sessions learnt (one server port for many
		// RTSP clients) does not tell the session; the source does.
		if g, found := e.flows.get(d.Src); found && (!ok || !g.shared) {
			f, ok = g, true
		}
	}
	if ok {
		p.SessionKey, p.SessionID, p.MediaIndex, p.Learnt = f.sess.key, f.sess.id, f.media, true
		f.sess.last = d.Frame
	} else {
		if e.opts.NoHeuristicMedia || !plausibleHeuristic(p) ||
			d.Src.Port() < 1024 || d.Dst.Port() < 1024 ||
			e.portClass(d.Src.Port()) != 0 || e.portClass(d.Dst.Port()) != 0 {
			return
		}
		p.SessionKey, p.SessionID, p.MediaIndex, p.Learnt = "", 0, -1, false
	}
	p.Frame, p.Time, p.Src, p.Dst, p.Interleaved, p.Data = d.Frame, d.Time, d.Src, d.Dst, -1, d.Payload
	e.sink.Media(p)
	e.pkt.Data = nil // a slot is the sink's; the Engine's own packet must not keep the read buffer
}
