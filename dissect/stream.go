package dissect

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"github.com/mikeyscope/mikeyscope/capture"
)

// Segment handles in-order TCP bytes of one direction. SIP and RTSP
// messages are framed by their headers and Content-Length (RFC 3261 §18.3,
// RFC 2326 §4.3); several may share a segment and one may span segments.
// RTSP interleaved frames ('$', channel, 16-bit length; RFC 2326 §10.12) are
// delivered as media. After a gap the stream resynchronises at the next
// start line (or interleaved frame).
func (e *Engine) Segment(s *capture.Segment) {
	if e.idleSkip--; e.idleSkip < 0 {
		e.idleCheck(nil, s.Frame, s.Time)
	}
	k, d := canonical(s.Src, s.Dst)
	c := e.conns[k]
	if c == nil {
		if len(s.Payload) == 0 {
			return
		}
		c = e.openConn(s, k)
		if c == nil {
			return
		}
	}
	st := &c.dir[d]
	st.last, st.lastT = s.Frame, s.Time
	if s.GapBefore > 0 {
		st.buf = st.buf[:0]
		st.synced = false
		st.midLine = false // unknown: accept a start line right after the gap
	}
	if len(s.Payload) == 0 {
		return
	}
	if len(st.buf) == 0 {
		n := e.consume(c, st, s, s.Payload)
		if rest := s.Payload[n:]; len(rest) > 0 {
			st.buf = append(st.buf[:0], rest...)
		}
		return
	}
	st.buf = append(st.buf, s.Payload...)
	n := e.consume(c, st, s, st.buf)
	st.buf = st.buf[:copy(st.buf, st.buf[n:])]
}

// openConn starts tracking a connection whose first seen bytes are s, when
// they start a SIP or RTSP message or an interleaved frame on an RTSP port,
// or when either port is a SIP or RTSP port.
func (e *Engine) openConn(s *capture.Segment, k connKey) *conn {
	kind, car := sniffStart(s.Payload)
	client := s.Src
	switch {
	case kind == startYes:
		if bytes.HasPrefix(s.Payload, sipSlash) || bytes.HasPrefix(s.Payload, rtspSlash) {
			client = s.Dst // a response: the receiver is the client
		}
	case e.portClass(s.Dst.Port()) != 0:
		car = carrierOfPort(e.portClass(s.Dst.Port()))
	case e.portClass(s.Src.Port()) != 0:
		car, client = carrierOfPort(e.portClass(s.Src.Port())), s.Dst
	default:
		return nil
	}
	if len(e.conns) >= e.opts.MaxConns {
		if !e.limitConns {
			e.limitConns = true
			e.problem(msgCtx{frame: s.Frame, time: s.Time, src: s.Src, dst: s.Dst}, car, ProblemLimit, -1,
				fmt.Sprintf("TCP connection limit %d reached: the least recently active connections are forgotten", e.opts.MaxConns))
		}
		e.evictConn()
	}
	c := newConn(k, client, car)
	e.conns[k] = c
	return c
}

// evictConn forgets the connection whose latest bytes are the oldest.
func (e *Engine) evictConn() {
	// As evictSession: the least recently active tenth at once.
	all := make([]*conn, 0, len(e.conns))
	for _, c := range e.conns {
		all = append(all, c)
	}
	last := func(c *conn) uint64 { return max(c.dir[0].last, c.dir[1].last) }
	sort.Slice(all, func(i, j int) bool { return last(all[i]) < last(all[j]) })
	for _, victim := range all[:min(len(all), max(1, len(all)/10))] {
		delete(e.conns, victim.key)
	}
}

func carrierOfPort(class uint8) Carrier {
	if class == portSIP {
		return CarrierSIP
	}
	return CarrierRTSP
}

// bufferLimit is the most a stream may hold while waiting for the rest of a
// message or frame.
func (e *Engine) bufferLimit() int { return max(e.opts.MaxMessageSize, maxInterleavedFrame) }

// consume dissects what it can of b and returns how many bytes it used; the
// rest is an incomplete message the caller keeps.
func (e *Engine) consume(c *conn, st *byteStream, s *capture.Segment, b []byte) int {
	ctx := msgCtx{frame: s.Frame, time: s.Time, src: s.Src, dst: s.Dst, transport: "tcp", conn: c}
	rtsp := c.carrier != CarrierSIP
	pos := 0
	for pos < len(b) {
		if !st.synced {
			i := findStart(b[pos:], rtsp, !st.midLine)
			if i < 0 { // nothing here: drop it, remembering whether a line was cut
				e.skip(ctx, st, len(b)-pos)
				st.midLine = b[len(b)-1] != '\n'
				return len(b)
			}
			e.skip(ctx, st, i)
			pos += i
			st.midLine = false
			if b[pos] == '$' {
				if len(b)-pos < 5 {
					return pos
				}
			} else if k, _ := sniffStart(b[pos:]); k == startMore {
				return pos
			}
			st.synced = true
			e.reportSkip(ctx, st)
		}
		if b[pos] == '\r' || b[pos] == '\n' { // keep-alive (RFC 5626 §3.5.1) or stray line end
			pos++
			continue
		}
		if b[pos] == '$' && rtsp {
			if len(b)-pos < 4 {
				return pos
			}
			n := 4 + (int(b[pos+2])<<8 | int(b[pos+3]))
			if len(b)-pos < n {
				return pos
			}
			e.interleaved(c, s, b[pos+1], b[pos+4:pos+n])
			pos += n
			continue
		}
		kind, _ := sniffStart(b[pos:])
		if kind == startMore {
			return pos
		}
		if kind == startNo {
			st.synced = false
			continue
		}
		n, status, off := delimitMessage(b[pos:], e.opts.MaxMessageSize)
		switch status {
		case delimitMore:
			return pos
		case delimitOK:
			e.signal(ctx, b[pos:pos+n])
			pos += n
			continue
		case delimitBadLen:
			e.problem(ctx, 0, ProblemMalformed, off, "Content-Length is not a number; message skipped")
		case delimitTooBig:
			e.problem(ctx, 0, ProblemLimit, off, fmt.Sprintf("message larger than the %d-byte limit; skipped", e.opts.MaxMessageSize))
		case delimitNoHeader:
			e.problem(ctx, 0, ProblemLimit, 0, fmt.Sprintf("header section longer than the %d-byte limit; skipped", e.opts.MaxMessageSize))
		}
		st.synced = false
		// resynchronise from the line after this start line
		if nl := bytes.IndexByte(b[pos:], '\n'); nl >= 0 {
			pos += nl + 1
		} else {
			pos = len(b)
		}
	}
	return pos
}

// skip counts n bytes skipped while out of sync.
func (e *Engine) skip(ctx msgCtx, st *byteStream, n int) {
	if n <= 0 {
		return
	}
	if st.skipped == 0 {
		st.skipAt = ctx.frame
	}
	st.skipped += n
}

// reportSkip reports the bytes skipped before a resynchronisation.
func (e *Engine) reportSkip(ctx msgCtx, st *byteStream) {
	if st.skipped == 0 {
		return
	}
	e.problem(ctx, 0, ProblemResync, -1, fmt.Sprintf("skipped %d bytes (from frame %d) to reach the next message start", st.skipped, st.skipAt))
	st.skipped = 0
}

// interleaved delivers one interleaved frame's data as media when it looks
// like RTP or RTCP; the channel maps it to the SETUP's media.
func (e *Engine) interleaved(c *conn, s *capture.Segment, ch byte, data []byte) {
	p := e.mediaPacket(len(data))
	if !fillMedia(p, data) {
		return
	}
	if r := &c.chans[ch]; r.sess != nil && !r.sess.gone {
		p.SessionKey, p.SessionID, p.MediaIndex, p.Learnt = r.sess.key, r.sess.id, r.media, true
		r.sess.last = s.Frame
	} else {
		p.SessionKey, p.SessionID, p.MediaIndex, p.Learnt = "", 0, -1, false
		if c.sess != nil && !c.sess.gone {
			p.SessionKey, p.SessionID = c.sess.key, c.sess.id
		}
	}
	p.Frame, p.Time, p.Src, p.Dst, p.Interleaved, p.Data = s.Frame, s.Time, s.Src, s.Dst, int(ch), data
	e.sink.Media(p)
	e.pkt.Data = nil // a slot is the sink's; the Engine's own packet must not keep the read buffer
}

// Flush ends the pass: bytes still buffered in a stream are an incomplete
// message, and bytes skipped without resynchronising are reported.
func (e *Engine) Flush() {
	conns := make([]*conn, 0, len(e.conns))
	for _, c := range e.conns {
		conns = append(conns, c)
	}
	// deterministic order of the problems
	slices.SortFunc(conns, func(x, y *conn) int {
		if c := x.key.a.Compare(y.key.a); c != 0 {
			return c
		}
		return x.key.b.Compare(y.key.b)
	})
	for _, c := range conns {
		for d := range c.dir {
			st := &c.dir[d]
			src, dst := c.key.a, c.key.b
			if d == 1 {
				src, dst = dst, src
			}
			ctx := msgCtx{frame: st.last, time: st.lastT, src: src, dst: dst, transport: "tcp", conn: c}
			if st.skipped > 0 {
				e.problem(ctx, 0, ProblemResync, -1, fmt.Sprintf("skipped %d bytes (from frame %d) and found no further message start", st.skipped, st.skipAt))
				st.skipped = 0
			}
			if len(st.buf) > 0 && st.synced {
				e.problem(ctx, 0, ProblemTruncated, -1, fmt.Sprintf("stream ended inside a message: %d bytes never completed", len(st.buf)))
			}
			st.buf = nil
			st.synced, st.midLine = false, false
		}
	}
}
