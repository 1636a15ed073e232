package tlsdec

import (
	"encoding/binary"
	"fmt"
)

// Feed takes the next in-order bytes of one direction. gapBefore is the
// number of bytes lost just before data (capture.Segment.GapBefore); frame is
// the frame that delivered them. Every record completed by data is passed to
// emit, decrypted when keys are known (emit may be nil). Feed returns the
// first record-layer problem met in data as a *RecordError, or nil; problems
// never stop the connection, and the overall outcome is in Status.
func (c *Conn) Feed(dir Direction, data []byte, gapBefore int, frame uint64, emit func(Plaintext)) error {
	if dir > ServerToClient {
		return fmt.Errorf("tlsdec: invalid direction %d", dir)
	}
	if c.st.State == StateNotTLS {
		return nil
	}
	h := &c.half[dir]
	c.frame, c.emit, c.err = frame, emit, nil
	if gapBefore > 0 {
		c.loseSync(h, int64(gapBefore)+int64(len(h.buf)))
		h.off += int64(gapBefore) + int64(len(h.buf))
		h.buf = h.buf[:0]
		h.ntail = 0
	}
	if h.buf == nil {
		h.buf = make([]byte, 0, recordHeaderLen+maxCiphertext)
	}
	for len(data) > 0 && c.st.State != StateNotTLS {
		if len(h.buf) == 0 {
			n := c.process(h, data)
			h.consumed(data[:n])
			rest := data[n:]
			if len(rest) > cap(h.buf) { // cannot happen: process leaves at most one record
				rest = rest[len(rest)-cap(h.buf):]
			}
			h.buf = append(h.buf, rest...)
			break
		}
		take := min(c.needed(h), len(data), cap(h.buf)-len(h.buf))
		h.buf = append(h.buf, data[:take]...)
		data = data[take:]
		if c.needed(h) > 0 {
			if len(h.buf) == cap(h.buf) {
				// Cannot happen: a plausible header announces at most
				// a buffer's worth of bytes.
				c.drop(h, 1)
				h.off++
				h.lost++
			}
			continue // take more of data, or stop when it is empty
		}
		n := c.process(h, h.buf)
		h.consumed(h.buf[:n])
		c.drop(h, n)
	}
	c.emit = nil
	return c.err
}

// consumed remembers the last 16 bytes consumed (the TLS 1.0 chained IV
// of a record found again after a gap).
func (h *half) consumed(p []byte) {
	if len(p) >= 16 {
		copy(h.tail[:], p[len(p)-16:])
		h.ntail = 16
		return
	}
	keep := min(h.ntail, 16-len(p))
	copy(h.tail[:], h.tail[h.ntail-keep:h.ntail])
	copy(h.tail[keep:], p)
	h.ntail = keep + len(p)
}

// before returns the (up to 16) stream bytes just before p[i].
func (h *half) before(p []byte, i int) []byte {
	if i >= 16 {
		return p[i-16 : i]
	}
	keep := min(h.ntail, 16-i)
	n := copy(h.scratch[:], h.tail[h.ntail-keep:h.ntail])
	n += copy(h.scratch[n:], p[:i])
	return h.scratch[:n]
}

// drop discards the first n bytes of the half's buffer (already consumed by
// process, which advanced the offsets).
func (c *Conn) drop(h *half, n int) {
	if n <= 0 {
		return
	}
	m := copy(h.buf, h.buf[n:])
	h.buf = h.buf[:m]
}

// needed returns how many more bytes the buffer needs before process can
// make progress: a full header, then the whole record it announces.
func (c *Conn) needed(h *half) int {
	if len(h.buf) < recordHeaderLen {
		return recordHeaderLen - len(h.buf)
	}
	if !c.plausibleHeader(h, h.buf) {
		return 0 // process will skip bytes
	}
	n := recordHeaderLen + int(binary.BigEndian.Uint16(h.buf[3:5])) - len(h.buf)
	return max(n, 0)
}

// plausibleHeader checks a record header (RFC 8446 §5.1): a known content
// type, a 3.x version and a length within the ciphertext limit. While
// resynchronising after lost bytes the check is stricter: the version must
// be the one seen before and the type one that can follow.
func (c *Conn) plausibleHeader(h *half, p []byte) bool {
	typ, major, minor := p[0], p[1], p[2]
	if typ < TypeChangeCipherSpec || typ > TypeHeartbeat || major != 3 || minor > 4 {
		return false
	}
	length := int(binary.BigEndian.Uint16(p[3:5]))
	if length > maxCiphertext {
		return false
	}
	if h.resync {
		if h.recVer != 0 && uint16(major)<<8|uint16(minor) != h.recVer {
			return false
		}
		if typ == TypeChangeCipherSpec || typ == TypeHeartbeat || length == 0 {
			return false
		}
		if h.encrypted && c.version() == VersionTLS13 && typ != TypeApplicationData {
			return false
		}
	}
	return true
}

// process frames and handles the records at the start of p and returns the
// number of bytes consumed; an incomplete record at the end is left.
func (c *Conn) process(h *half, p []byte) int {
	i := 0
	for len(p)-i >= recordHeaderLen && c.st.State != StateNotTLS {
		hdr := p[i : i+recordHeaderLen]
		if !c.plausibleHeader(h, hdr) {
			if !h.resync {
				if !c.known && !h.started && h.off == 0 && looksLikeText(p[i:]) {
					c.setState(StateNotTLS, "stream starts with text, not TLS records")
					return len(p)
				}
				c.fail(h, h.off, fmt.Sprintf("invalid record header %x", hdr))
				c.loseSync(h, 0)
			}
			i++
			h.off++
			h.lost++
			if !c.known && h.lost > maxScanWithoutRecord {
				c.setState(StateNotTLS, fmt.Sprintf("no TLS record header in the first %d bytes", h.lost))
				return len(p)
			}
			continue
		}
		length := int(binary.BigEndian.Uint16(hdr[3:5]))
		if len(p)-i < recordHeaderLen+length {
			break
		}
		hb := &h.hdr // kept in the half: a local would escape through the opener interface
		copy(hb[:], hdr)
		body := p[i+recordHeaderLen : i+recordHeaderLen+length]
		if h.resync && !c.tryResync(h, hb, body, h.before(p, i)) {
			i++
			h.off++
			h.lost++
			continue
		}
		c.record(h, hb, body)
		i += recordHeaderLen + length
		h.off += int64(recordHeaderLen + length)
	}
	return i
}

// maxScanWithoutRecord is how far a stream is scanned for a first record
// header before it is declared not TLS.
const maxScanWithoutRecord = 64 << 10

// looksLikeText reports whether p starts like a text protocol (RTSP, SIP,
// HTTP): printable ASCII letters.
func looksLikeText(p []byte) bool {
	n := min(len(p), 8)
	for _, b := range p[:n] {
		if b < 0x20 || b > 0x7e {
			return false
		}
	}
	return n >= 4
}

// loseSync marks a half as out of sync after lost or invalid bytes: the
// next record is found again by scanning (see tryResync).
func (c *Conn) loseSync(h *half, lost int64) {
	h.hs.reset()
	h.lost += lost
	if !h.resync || lost > 0 {
		h.budget = c.resyncBudget // each capture gap gets its own budget
	}
	h.resync = true
}
