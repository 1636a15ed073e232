package hep

import (
	"bytes"
	"encoding/binary"
)

// MaxPacket is the largest HEP3 packet: its total length is 16 bits.
const MaxPacket = 0xffff

// Framer cuts a byte stream (HEP over TCP) into HEP3 packets by their
// total-length field. Bytes that do not start a packet are skipped up to
// the next "HEP3"; what was skipped is counted. It holds at most one
// incomplete packet (MaxPacket bytes).
type Framer struct {
	buf     []byte
	Skipped uint64 // bytes skipped to find the next "HEP3"
}

// Reset forgets any partial packet (after a gap in the stream).
func (f *Framer) Reset() { f.buf = f.buf[:0] }

// Buffered is the number of bytes waiting for the rest of their packet.
func (f *Framer) Buffered() int { return len(f.buf) }

// Cap is the capacity of the framer's buffer (what it keeps allocated).
func (f *Framer) Cap() int { return cap(f.buf) }

// Write consumes data and calls emit for every complete packet, in order.
// The slice given to emit is valid only during the call. Only the bytes of
// an incomplete packet at the end are copied: at most MaxPacket-1 bytes
// wait between calls.
func (f *Framer) Write(data []byte, emit func(pkt []byte)) {
	if len(f.buf) == 0 {
		n := f.frames(data, emit)
		f.buf = append(f.buf[:0], data[n:]...)
		return
	}
	f.buf = append(f.buf, data...)
	n := f.frames(f.buf, emit)
	f.buf = f.buf[:copy(f.buf, f.buf[n:])]
}

// need is the length of the packet b starts with: 0 when more bytes are
// needed to know, -1 when b does not start a packet.
func (f *Framer) need(b []byte) int {
	for i := 0; i < 4 && i < len(b); i++ {
		if b[i] != "HEP3"[i] {
			return -1
		}
	}
	if len(b) < MinLen {
		return MinLen // at least the header
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if n < MinLen {
		return -1
	}
	return n
}

// frames emits the complete packets at the start of b, skipping bytes that
// do not start one, and returns how many bytes were consumed; the rest is
// the start of an incomplete packet.
func (f *Framer) frames(b []byte, emit func([]byte)) int {
	off := 0
	for off < len(b) {
		n := f.need(b[off:])
		if n < 0 {
			// Skip to the next possible "HEP3" (a partial magic at the end
			// is kept).
			i := bytes.Index(b[off+1:], []byte("HEP3"))
			if i < 0 {
				keep := partialMagic(b[off+1:])
				f.Skipped += uint64(len(b) - off - keep)
				return len(b) - keep
			}
			f.Skipped += uint64(i + 1)
			off += i + 1
			continue
		}
		if len(b)-off < n || len(b)-off < MinLen {
			return off
		}
		emit(b[off : off+n])
		off += n
	}
	return off
}

// partialMagic is the length of the longest suffix of b that is a prefix
// of "HEP3".
func partialMagic(b []byte) int {
	for k := min(3, len(b)); k > 0; k-- {
		if string(b[len(b)-k:]) == "HEP3"[:k] {
			return k
		}
	}
	return 0
}
