package capture

import (
	"errors"
	"io"
)

// readBuffer is the read buffer of one capture file: a minimal
// bufio.Reader whose view hands out the next n bytes in place and consumes
// them in one step. Reading a pcap record is two views (header, data); with
// bufio's Peek and Discard, four calls that do not inline, they were a
// seventh of the instructions spent per record.
//
// A view stays valid until the buffer is read again: a fill slides the
// unread bytes to the front. Errors are returned once, as bufio does, so a
// read after an error tries the underlying reader again.
type readBuffer struct {
	rd   io.Reader
	buf  []byte
	r, w int // buf[r:w] is buffered and unread
	err  error
}

func newReadBuffer(rd io.Reader, size int) *readBuffer {
	return &readBuffer{rd: rd, buf: make([]byte, size)}
}

// size returns the largest view the buffer can give.
func (b *readBuffer) size() int { return len(b.buf) }

// maxEmptyReads bounds the reads returning no data and no error in a row
// before the reader is declared stuck (bufio allows 100).
const maxEmptyReads = 100

// fill reads until n bytes are buffered or the reader fails. n <= size().
func (b *readBuffer) fill(n int) {
	if b.r > 0 {
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
	for empty := 0; b.w < n && b.err == nil; {
		m, err := b.rd.Read(b.buf[b.w:])
		if m < 0 || m > len(b.buf)-b.w {
			b.err = errors.New("capture: reader returned an invalid count")
			return
		}
		b.w += m
		b.err = err
		if m > 0 {
			empty = 0
		} else if empty++; empty >= maxEmptyReads && err == nil {
			b.err = io.ErrNoProgress
		}
	}
}

// readErr returns the pending error and forgets it.
func (b *readBuffer) readErr() error {
	err := b.err
	b.err = nil
	return err
}

// peek returns the next n (<= size()) bytes without consuming them; fewer,
// with the error, when the reader ends or fails first.
func (b *readBuffer) peek(n int) ([]byte, error) {
	if b.w-b.r < n {
		b.fill(n)
		if b.w-b.r < n {
			return b.buf[b.r:b.w], b.readErr()
		}
	}
	return b.buf[b.r : b.r+n], nil
}

// view returns the next n (<= size()) bytes and consumes them; fewer, all
// that was left, with the error, when the reader ends or fails first.
func (b *readBuffer) view(n int) ([]byte, error) {
	if b.w-b.r < n {
		b.fill(n)
		if b.w-b.r < n {
			v := b.buf[b.r:b.w]
			b.r = b.w
			return v, b.readErr()
		}
	}
	v := b.buf[b.r : b.r+n : b.r+n]
	b.r += n
	return v, nil
}

// discard skips n bytes and returns how many it skipped; fewer, with the
// error, when the reader ends or fails first.
func (b *readBuffer) discard(n int) (int, error) {
	done := 0
	for {
		k := min(n-done, b.w-b.r)
		b.r += k
		done += k
		if done == n {
			return done, nil
		}
		b.fill(1)
		if b.w == b.r {
			return done, b.readErr()
		}
	}
}

// Read implements io.Reader: buffered bytes first, then the reader.
func (b *readBuffer) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.r == b.w {
		if len(p) >= len(b.buf) { // large read: no point copying through the buffer
			if err := b.readErr(); err != nil {
				return 0, err
			}
			return b.rd.Read(p)
		}
		b.fill(1)
		if b.r == b.w {
			return 0, b.readErr()
		}
	}
	n := copy(p, b.buf[b.r:b.w])
	b.r += n
	return n, nil
}

// ReadByte implements io.ByteReader, so that a decompressor reads the
// compressed stream through this buffer without adding its own.
func (b *readBuffer) ReadByte() (byte, error) {
	if b.r == b.w {
		b.fill(1)
		if b.r == b.w {
			return 0, b.readErr()
		}
	}
	c := b.buf[b.r]
	b.r++
	return c, nil
}
