package capture

import (
	"fmt"
	"net/netip"
	"time"
)

// maxOutOfOrderSegments bounds the segments waiting in one direction.
const maxOutOfOrderSegments = 1024

// connKey is a TCP connection, endpoints in canonical order (a < b).
type connKey struct{ a, b netip.AddrPort }

func addrPortLess(x, y netip.AddrPort) bool {
	if c := x.Addr().Compare(y.Addr()); c != 0 {
		return c < 0
	}
	return x.Port() < y.Port()
}

// oooSegment is data received beyond a hole, copied out of the frame.
type oooSegment struct {
	seq   uint32
	data  []byte
	frame uint64
}

// tcpHalf is one direction of a connection.
type tcpHalf struct {
	started   bool   // next is meaningful
	synSeen   bool   // the stream started with a SYN we saw
	isn       uint32 // sequence number of the SYN
	next      uint32 // next sequence number to deliver
	finSeen   bool
	finSeq    uint32 // sequence number of the FIN
	ooo       []oooSegment
	oooBytes  int
	holeSince time.Time // capture time the current hole was first seen
}

// tcpConn is one tracked connection.
type tcpConn struct {
	key         connKey
	half        [2]tcpHalf // [0]: a -> b, [1]: b -> a
	midReported bool
	pendIdx     int // index in reassembler.pending, -1 when nothing is buffered
	prev, next  *tcpConn
}

// reassembler delivers TCP payload in sequence order per direction (RFC
// 9293 §3.4, §3.10.7.4). Bytes already delivered are never delivered again
// (retransmissions and overlaps are trimmed: the first copy wins); among
// out-of-order data waiting beyond a hole the first copy wins too. A segment
// that arrives exactly in order is delivered whole and trims the waiting data
// it overlaps, as a receiving stack (Linux tcp_ofo_queue) and Wireshark do.
// Holes that are not filled within TCPGapBytes of later data or
// TCPGapTimeout of capture time, or by Flush, become visible gaps.
type reassembler struct {
	d          *Decoder
	conns      map[connKey]*tcpConn
	head, tail *tcpConn   // LRU: head is most recently active
	pending    []*tcpConn // connections holding out-of-order data
	buffered   int        // out-of-order bytes over all connections
	lastSweep  time.Time
	last       *tcpConn // connection of the previous segment: skips the map
}

func (r *reassembler) init(d *Decoder) {
	r.d = d
	r.conns = make(map[connKey]*tcpConn)
}

func (r *reassembler) touch(c *tcpConn) {
	if r.head == c {
		return
	}
	r.unlink(c)
	c.next = r.head
	if r.head != nil {
		r.head.prev = c
	}
	r.head = c
	if r.tail == nil {
		r.tail = c
	}
}

func (r *reassembler) unlink(c *tcpConn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else if r.head == c {
		r.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else if r.tail == c {
		r.tail = c.prev
	}
	c.prev, c.next = nil, nil
}

// endpoints returns source and destination of direction dir.
func (c *tcpConn) endpoints(dir int) (netip.AddrPort, netip.AddrPort) {
	if dir == 0 {
		return c.key.a, c.key.b
	}
	return c.key.b, c.key.a
}

// segment processes one TCP segment (header fields and payload).
func (r *reassembler) segment(src, dst netip.AddrPort, seq uint32, flags uint8, payload []byte) {
	key, dir := connKey{src, dst}, 0
	if addrPortLess(dst, src) {
		key, dir = connKey{dst, src}, 1
	}
	c := r.last
	if c == nil || c.key != key {
		c = r.conns[key]
	}
	if c == nil {
		if flags&tcpSYN == 0 && len(payload) == 0 {
			return // pure ACK, FIN or RST of an unknown connection: nothing to anchor
		}
		c = r.newConn(key)
	}
	r.touch(c)
	r.last = c
	h := &c.half[dir]
	if flags&tcpRST != 0 {
		r.closeConn(c, "connection reset")
		return
	}
	if flags&tcpSYN != 0 {
		if h.synSeen && h.isn != seq {
			// A new connection on the same four-tuple (RFC 9293 §3.10.7.4
			// TIME-WAIT reuse): finish the old one and start again.
			r.closeConn(c, "connection reopened")
			c = r.newConn(key)
			r.touch(c)
			h = &c.half[dir]
		}
		if !h.synSeen {
			h.synSeen, h.started, h.isn, h.next = true, true, seq, seq+1
		}
		seq++ // SYN occupies one sequence number; any data follows it
	}
	if !h.started {
		h.started, h.next = true, seq
		if !c.midReported {
			c.midReported = true
			s, d := c.endpoints(dir)
			r.d.problem(ProblemMidStream, s, d, 0, "TCP connection seen without its SYN; stream starts at the first captured byte")
		}
	}
	if len(payload) > 0 {
		r.data(c, dir, seq, payload)
	}
	if flags&tcpFIN != 0 && !h.finSeen {
		h.finSeen, h.finSeq = true, seq+uint32(len(payload))
	}
	if c.half[0].closed() && c.half[1].closed() {
		r.release(c)
	}
}

// closed reports whether a direction has delivered everything up to its FIN.
func (h *tcpHalf) closed() bool {
	return h.finSeen && h.next == h.finSeq && len(h.ooo) == 0
}

func (r *reassembler) newConn(key connKey) *tcpConn {
	for len(r.conns) >= r.d.opts.MaxTCPConnections && r.tail != nil {
		victim := r.tail
		s, d := victim.endpoints(0)
		r.d.problem(ProblemLimit, s, d, 0, fmt.Sprintf("more than %d TCP connections: least recently active one no longer followed", r.d.opts.MaxTCPConnections))
		r.closeConn(victim, "connection evicted")
	}
	c := &tcpConn{key: key, pendIdx: -1}
	r.conns[key] = c
	return c
}

// closeConn delivers what both directions hold (with gaps) and forgets c.
func (r *reassembler) closeConn(c *tcpConn, why string) {
	for dir := range c.half {
		r.drainAll(c, dir, why)
	}
	r.release(c)
}

func (r *reassembler) release(c *tcpConn) {
	if r.last == c {
		r.last = nil
	}
	r.unpend(c)
	r.unlink(c)
	if r.conns[c.key] == c {
		delete(r.conns, c.key)
	}
}

func (r *reassembler) pend(c *tcpConn) {
	if c.pendIdx < 0 {
		c.pendIdx = len(r.pending)
		r.pending = append(r.pending, c)
	}
}

func (r *reassembler) unpend(c *tcpConn) {
	i := c.pendIdx
	if i < 0 {
		return
	}
	last := len(r.pending) - 1
	r.pending[i] = r.pending[last]
	r.pending[i].pendIdx = i
	r.pending[last] = nil
	r.pending = r.pending[:last]
	c.pendIdx = -1
}

// deliver hands in-order bytes to the Handler.
func (r *reassembler) deliver(c *tcpConn, dir int, payload []byte, gap int) {
	d := r.d
	s, t := c.endpoints(dir)
	d.seg = Segment{Frame: d.frame, Time: d.now, Src: s, Dst: t, Payload: payload, GapBefore: gap}
	d.h.Segment(&d.seg)
}

// data handles payload starting at sequence number seq.
func (r *reassembler) data(c *tcpConn, dir int, seq uint32, payload []byte) {
	h := &c.half[dir]
	diff := int32(seq - h.next)
	if diff <= 0 {
		over := int(-int64(diff))
		if over >= len(payload) {
			return // retransmission of delivered bytes
		}
		payload = payload[over:]
		r.deliver(c, dir, payload, 0)
		h.next += uint32(len(payload))
		r.drain(c, dir)
		return
	}
	r.buffer(c, dir, seq, payload)
	if h.oooBytes > r.d.opts.TCPGapBytes || len(h.ooo) > maxOutOfOrderSegments ||
		r.d.now.Sub(h.holeSince) > r.d.opts.TCPGapTimeout {
		r.skipHole(c, dir, "hole not filled")
	}
	for r.buffered > r.d.opts.MaxTCPBufferedBytes && len(h.ooo) > 0 {
		s, t := c.endpoints(dir)
		r.d.problem(ProblemLimit, s, t, 0, fmt.Sprintf("out-of-order TCP data over %d bytes in total", r.d.opts.MaxTCPBufferedBytes))
		r.skipHole(c, dir, "buffer limit")
	}
}
