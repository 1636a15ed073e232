package capture

import (
	"fmt"
	"time"
)

// buffer stores the parts of [seq, seq+len) not already waiting (first
// copy wins) in sequence order.
func (r *reassembler) buffer(c *tcpConn, dir int, seq uint32, payload []byte) {
	h := &c.half[dir]
	if len(h.ooo) == 0 {
		h.holeSince = r.d.now
	}
	for len(payload) > 0 {
		// Find the first waiting segment that ends after seq.
		i := 0
		for i < len(h.ooo) && int32(h.ooo[i].seq+uint32(len(h.ooo[i].data))-seq) <= 0 {
			i++
		}
		n := len(payload)
		if i < len(h.ooo) {
			gap := int32(h.ooo[i].seq - seq)
			if gap <= 0 {
				// seq lies inside h.ooo[i]: skip the covered bytes.
				covered := int(h.ooo[i].seq + uint32(len(h.ooo[i].data)) - seq)
				if covered >= len(payload) {
					return
				}
				payload = payload[covered:]
				seq += uint32(covered)
				continue
			}
			n = min(n, int(gap))
		}
		seg := oooSegment{seq: seq, data: append([]byte(nil), payload[:n]...), frame: r.d.frame}
		h.ooo = append(h.ooo, oooSegment{})
		copy(h.ooo[i+1:], h.ooo[i:])
		h.ooo[i] = seg
		h.oooBytes += n
		r.buffered += n
		payload = payload[n:]
		seq += uint32(n)
	}
	r.pend(c)
}

// drain delivers waiting segments that have become contiguous.
func (r *reassembler) drain(c *tcpConn, dir int) {
	h := &c.half[dir]
	for len(h.ooo) > 0 {
		s := h.ooo[0]
		diff := int32(s.seq - h.next)
		if diff > 0 {
			break
		}
		r.popFront(h)
		if over := int(-int64(diff)); over < len(s.data) {
			r.deliver(c, dir, s.data[over:], 0)
			h.next += uint32(len(s.data) - over)
		}
	}
	r.settle(c, h)
}

// settle updates the bookkeeping after h's buffer shrank.
func (r *reassembler) settle(c *tcpConn, h *tcpHalf) {
	if len(h.ooo) > 0 {
		return
	}
	if len(c.half[0].ooo) == 0 && len(c.half[1].ooo) == 0 {
		r.unpend(c)
	}
}

func (r *reassembler) popFront(h *tcpHalf) {
	n := len(h.ooo[0].data)
	h.oooBytes -= n
	r.buffered -= n
	copy(h.ooo, h.ooo[1:])
	h.ooo[len(h.ooo)-1] = oooSegment{}
	h.ooo = h.ooo[:len(h.ooo)-1]
}

// skipHole declares the hole before the first waiting segment lost: its
// bytes are delivered with GapBefore and a ProblemTCPGap is reported.
func (r *reassembler) skipHole(c *tcpConn, dir int, why string) {
	h := &c.half[dir]
	if len(h.ooo) == 0 {
		return
	}
	s := h.ooo[0]
	gap := int(s.seq - h.next)
	src, dst := c.endpoints(dir)
	r.d.problem(ProblemTCPGap, src, dst, 0, fmt.Sprintf("%d bytes missing from the TCP stream before relative sequence %d (%s; data waiting since frame %d)",
		gap, s.seq-h.isnOrStart(), why, s.frame))
	r.popFront(h)
	r.deliver(c, dir, s.data, gap)
	h.next = s.seq + uint32(len(s.data))
	h.holeSince = r.d.now
	r.drain(c, dir)
}

// isnOrStart is the origin of relative sequence numbers in reports.
func (h *tcpHalf) isnOrStart() uint32 {
	if h.synSeen {
		return h.isn
	}
	return 0
}

// drainAll delivers everything waiting in one direction, skipping holes,
// and reports bytes missing before a FIN.
func (r *reassembler) drainAll(c *tcpConn, dir int, why string) {
	h := &c.half[dir]
	for len(h.ooo) > 0 {
		r.skipHole(c, dir, why)
	}
	if h.finSeen && int32(h.finSeq-h.next) > 0 {
		src, dst := c.endpoints(dir)
		r.d.problem(ProblemTCPGap, src, dst, 0, fmt.Sprintf("%d bytes missing from the TCP stream before its FIN (%s)", int32(h.finSeq-h.next), why))
		h.next = h.finSeq
	}
}

// sweep skips holes that have waited longer than TCPGapTimeout; it runs at
// most once per second of capture time.
func (r *reassembler) sweep(now time.Time) {
	if len(r.pending) == 0 || now.Sub(r.lastSweep) < time.Second {
		return
	}
	r.lastSweep = now
	for i := 0; i < len(r.pending); {
		c := r.pending[i]
		for dir := range c.half {
			h := &c.half[dir]
			for len(h.ooo) > 0 && now.Sub(h.holeSince) > r.d.opts.TCPGapTimeout {
				r.skipHole(c, dir, "hole not filled in time")
			}
		}
		if i < len(r.pending) && r.pending[i] == c {
			i++
		}
	}
}

// flush delivers every waiting byte with its gaps, oldest connection first.
func (r *reassembler) flush() {
	for c := r.tail; c != nil; c = c.prev {
		for dir := range c.half {
			r.drainAll(c, dir, "end of capture")
		}
	}
	for c := r.tail; c != nil; {
		prev := c.prev
		r.release(c)
		c = prev
	}
}
