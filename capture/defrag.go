package capture

import (
	"bytes"
	"fmt"
	"net/netip"
	"time"
)

// Reassembly limits that are not user options.
const (
	maxFragmentsPerDatagram = 256
	maxReassembledLen       = 65535 // largest IPv4 payload / IPv6 non-jumbo payload
	fragFreeListLen         = 32
)

// fragKey identifies the fragments of one datagram: RFC 791 §3.2 (source,
// destination, protocol, identification) and RFC 8200 §4.5 (source,
// destination, identification).
type fragKey struct {
	src, dst netip.Addr
	id       uint32
	proto    uint8 // IPv4 only
	v6       bool
}

// span is a received byte range [start, end) of a datagram.
type span struct{ start, end int }

// fragEntry is one incomplete datagram.
type fragEntry struct {
	key        fragKey
	buf        []byte // reassembled payload so far (holes are zero)
	have       []span // sorted, merged received ranges
	total      int    // payload length, -1 until the last fragment arrives
	proto      uint8  // upper-layer protocol (next header of offset 0)
	firstFrame uint64
	firstTime  time.Time
	fragments  int
	conflict   bool // overlapping fragments carried different bytes
	prev, next *fragEntry
}

// defragmenter reassembles IPv4 (RFC 791 §3.2, RFC 815) and IPv6 (RFC 8200
// §4.5) datagrams. Overlaps keep the first copy (and are reported when the
// bytes differ); incomplete datagrams expire by capture time.
type defragmenter struct {
	d          *Decoder
	pending    map[fragKey]*fragEntry
	head, tail *fragEntry // by creation: head is the oldest
	bytes      int        // buffer bytes held by pending entries
	free       []*fragEntry

	// Recently completed datagrams: a late duplicate fragment of one opens
	// a new entry that never completes; it is dropped silently rather than
	// reported as a lost datagram.
	done     map[fragKey]time.Time
	doneRing []doneKey // FIFO ring by completion time, maxDoneKeys long
	doneHead int       // index of the oldest entry in doneRing
	doneLen  int       // entries in doneRing
}

// doneKey is one entry of the recently-completed FIFO.
type doneKey struct {
	key fragKey
	at  time.Time
}

const maxDoneKeys = 1024

func (f *defragmenter) init(d *Decoder) {
	f.d = d
	f.pending = make(map[fragKey]*fragEntry)
	f.done = make(map[fragKey]time.Time)
}

// remember records that key completed now.
func (f *defragmenter) remember(key fragKey) {
	f.forget(f.d.now)
	if f.doneRing == nil {
		f.doneRing = make([]doneKey, maxDoneKeys)
	}
	if f.doneLen == len(f.doneRing) {
		f.dropDone()
	}
	f.done[key] = f.d.now
	f.doneRing[(f.doneHead+f.doneLen)%len(f.doneRing)] = doneKey{key, f.d.now}
	f.doneLen++
}

// forget drops completed keys older than the fragment timeout.
func (f *defragmenter) forget(now time.Time) {
	for f.doneLen > 0 && now.Sub(f.doneRing[f.doneHead].at) > f.d.opts.FragmentTimeout {
		f.dropDone()
	}
}

// dropDone removes the oldest completed key.
func (f *defragmenter) dropDone() {
	k := f.doneRing[f.doneHead]
	if at, ok := f.done[k.key]; ok && at.Equal(k.at) {
		delete(f.done, k.key)
	}
	f.doneRing[f.doneHead] = doneKey{}
	f.doneHead = (f.doneHead + 1) % len(f.doneRing)
	f.doneLen--
}

// leftover reports whether e holds only late duplicates of a datagram that
// completed recently.
func (f *defragmenter) leftover(e *fragEntry) bool {
	at, ok := f.done[e.key]
	return ok && !e.firstTime.Before(at) && e.firstTime.Sub(at) <= f.d.opts.FragmentTimeout
}

func (f *defragmenter) link(e *fragEntry) {
	e.prev, e.next = f.tail, nil
	if f.tail != nil {
		f.tail.next = e
	} else {
		f.head = e
	}
	f.tail = e
}

func (f *defragmenter) unlink(e *fragEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		f.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		f.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// release forgets e and keeps its buffers for reuse.
func (f *defragmenter) release(e *fragEntry) {
	delete(f.pending, e.key)
	f.unlink(e)
	f.bytes -= cap(e.buf)
	if len(f.free) < fragFreeListLen {
		*e = fragEntry{buf: e.buf[:0], have: e.have[:0]}
		f.free = append(f.free, e)
	}
}

func (f *defragmenter) newEntry(key fragKey) *fragEntry {
	var e *fragEntry
	if n := len(f.free); n > 0 {
		e = f.free[n-1]
		f.free = f.free[:n-1]
		f.bytes += cap(e.buf)
	} else {
		e = &fragEntry{}
	}
	e.key = key
	e.total = -1
	e.firstFrame = f.d.frame
	e.firstTime = f.d.now
	f.pending[key] = e
	f.link(e)
	return e
}

func (e *fragEntry) addrs() (netip.AddrPort, netip.AddrPort) {
	return netip.AddrPortFrom(e.key.src, 0), netip.AddrPortFrom(e.key.dst, 0)
}

func (e *fragEntry) received() int {
	n := 0
	for _, s := range e.have {
		n += s.end - s.start
	}
	return n
}

func (e *fragEntry) describe() string {
	family := "IPv4"
	if e.key.v6 {
		family = "IPv6"
	}
	want := "unknown length (last fragment missing)"
	if e.total >= 0 {
		want = fmt.Sprintf("%d bytes", e.total)
	}
	return fmt.Sprintf("%s datagram id %#x: %d fragments, %d bytes of %s received (first fragment frame %d)",
		family, e.key.id, e.fragments, e.received(), want, e.firstFrame)
}

// lost reports e as never completed and forgets it.
func (f *defragmenter) lost(e *fragEntry, kind ProblemKind, why string) {
	if kind == ProblemFragmentLost && f.leftover(e) {
		f.release(e)
		return
	}
	src, dst := e.addrs()
	f.d.problemAt(e.firstFrame, e.firstTime, kind, src, dst, 0, why+e.describe())
	f.release(e)
}

// expire drops datagrams older than the timeout in capture time.
func (f *defragmenter) expire(now time.Time) {
	for f.head != nil && now.Sub(f.head.firstTime) > f.d.opts.FragmentTimeout {
		f.lost(f.head, ProblemFragmentLost, "reassembly timeout: ")
	}
}

// flush reports every incomplete datagram.
func (f *defragmenter) flush() {
	for f.head != nil {
		f.lost(f.head, ProblemFragmentLost, "incomplete at end of capture: ")
	}
}

// drop discards e because a fragment was inconsistent.
func (f *defragmenter) drop(e *fragEntry, off int, why string) {
	src, dst := e.addrs()
	f.d.problem(ProblemMalformed, src, dst, off, why+"; datagram discarded: "+e.describe())
	f.release(e)
}

// add files one fragment: data at byte offset fragOff of the datagram's
// payload, more = the More Fragments flag, proto = the upper-layer protocol
// it names, frameOff = offset of data in the frame.
func (f *defragmenter) add(key fragKey, fragOff int, more bool, proto uint8, data []byte, frameOff int) {
	d := f.d
	end := fragOff + len(data)
	if more && len(data)%8 != 0 {
		src, dst := netip.AddrPortFrom(key.src, 0), netip.AddrPortFrom(key.dst, 0)
		d.problem(ProblemMalformed, src, dst, frameOff, "non-final IP fragment length not a multiple of 8; fragment ignored")
		return
	}
	e := f.pending[key]
	if e == nil {
		if end > maxReassembledLen {
			src, dst := netip.AddrPortFrom(key.src, 0), netip.AddrPortFrom(key.dst, 0)
			d.problem(ProblemMalformed, src, dst, frameOff, "IP fragment ends beyond 65535 bytes; fragment ignored")
			return
		}
		for len(f.pending) >= d.opts.MaxFragmentDatagrams && f.head != nil {
			f.lost(f.head, ProblemLimit, "too many incomplete datagrams, oldest dropped: ")
		}
		e = f.newEntry(key)
	}
	e.fragments++
	switch {
	case end > maxReassembledLen:
		f.drop(e, frameOff, "IP fragment ends beyond 65535 bytes")
		return
	case e.fragments > maxFragmentsPerDatagram:
		f.drop(e, frameOff, fmt.Sprintf("more than %d fragments", maxFragmentsPerDatagram))
		return
	case !more && e.total >= 0 && e.total != end:
		f.drop(e, frameOff, "two last fragments with different lengths")
		return
	case !more && len(e.have) > 0 && e.have[len(e.have)-1].end > end:
		f.drop(e, frameOff, "data beyond the last fragment")
		return
	case more && e.total >= 0 && end > e.total:
		f.drop(e, frameOff, "fragment beyond the last fragment")
		return
	}
	if !more {
		e.total = end
	}
	if fragOff == 0 || !key.v6 {
		e.proto = proto
	}
	if end > len(e.buf) {
		if end > cap(e.buf) {
			grow := max(end, 2*cap(e.buf), 1500)
			grow = min(grow, maxReassembledLen)
			if f.bytes+grow-cap(e.buf) > d.opts.MaxFragmentBytes {
				for f.head != nil && f.head != e && f.bytes+grow-cap(e.buf) > d.opts.MaxFragmentBytes {
					f.lost(f.head, ProblemLimit, "fragment buffer limit reached, oldest dropped: ")
				}
				if f.bytes+grow-cap(e.buf) > d.opts.MaxFragmentBytes {
					f.lost(e, ProblemLimit, "fragment buffer limit reached: ")
					return
				}
			}
			nb := make([]byte, end, grow)
			copy(nb, e.buf)
			f.bytes += grow - cap(e.buf)
			e.buf = nb
		} else {
			old := len(e.buf)
			e.buf = e.buf[:end]
			clear(e.buf[old:])
		}
	}
	f.store(e, fragOff, data)
	if e.total >= 0 && len(e.have) == 1 && e.have[0].start == 0 && e.have[0].end == e.total {
		f.complete(e)
	}
}

// store copies the parts of data not yet received (first copy wins) and
// records the span.
func (f *defragmenter) store(e *fragEntry, off int, data []byte) {
	end := off + len(data)
	pos := off
	for _, s := range e.have {
		if s.end <= pos {
			continue
		}
		if s.start >= end {
			break
		}
		if s.start > pos {
			copy(e.buf[pos:s.start], data[pos-off:s.start-off])
		}
		lo, hi := max(s.start, pos), min(s.end, end)
		if !bytes.Equal(e.buf[lo:hi], data[lo-off:hi-off]) {
			e.conflict = true
		}
		pos = hi
	}
	if pos < end {
		copy(e.buf[pos:end], data[pos-off:])
	}
	// Insert [off, end) and merge touching spans.
	i := 0
	for i < len(e.have) && e.have[i].end < off {
		i++
	}
	j := i
	start, stop := off, end
	for j < len(e.have) && e.have[j].start <= end {
		start = min(start, e.have[j].start)
		stop = max(stop, e.have[j].end)
		j++
	}
	if i == j {
		e.have = append(e.have, span{})
		copy(e.have[i+1:], e.have[i:])
		e.have[i] = span{start, stop}
		return
	}
	e.have[i] = span{start, stop}
	e.have = append(e.have[:i+1], e.have[j:]...)
}

// complete hands a reassembled datagram to the transport decoder.
func (f *defragmenter) complete(e *fragEntry) {
	d := f.d
	if e.conflict {
		src, dst := e.addrs()
		d.problem(ProblemMalformed, src, dst, 0, "overlapping IP fragments with different content (first copy kept): "+e.describe())
	}
	payload := e.buf[:e.total]
	f.remember(e.key)
	if e.key.v6 {
		d.decodeIPv6Chain(e.proto, e.key.src, e.key.dst, payload, 0, true)
	} else {
		d.decodeTransport(e.proto, e.key.src, e.key.dst, payload, 0, true)
	}
	f.release(e)
}
