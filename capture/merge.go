package capture

import (
	"errors"
	"io"
	"sync/atomic"
)

// merger delivers the packets of several files in timestamp order (ties by
// input order) and numbers them from 1. Each file keeps one packet read
// ahead in its own buffer; the file whose packet was delivered last is
// advanced lazily on the following Next, so Data stays valid until then.
type merger struct {
	heap  []*fileReader // min-heap by (cur.Time, input)
	last  *fileReader   // reader whose packet was delivered last
	all   []*fileReader
	frame uint64
	err   error
	init  bool
	// closed is set by Close, which Run calls from another goroutine
	// when a pass is cancelled, while Next may be running.
	closed atomic.Bool
}

// errClosed is what Next returns once the source is closed.
var errClosed = errors.New("capture: source closed")

func newMerger(readers []*fileReader) *merger {
	return &merger{all: readers}
}

// RecordedDrops implements DropRecorder: the drops the pcapng files'
// Interface Statistics Blocks read so far count, summed over the files.
func (m *merger) RecordedDrops() uint64 {
	var n uint64
	for _, r := range m.all {
		if f, ok := r.format.(*pcapngReader); ok {
			n = satAdd(n, f.recordedDrops())
		}
	}
	return n
}

func (m *merger) less(a, b *fileReader) bool {
	if !a.cur.Time.Equal(b.cur.Time) {
		return a.cur.Time.Before(b.cur.Time)
	}
	return a.input < b.input
}

func (m *merger) siftDown(i int) {
	h := m.heap
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && m.less(h[r], h[l]) {
			c = r
		}
		if !m.less(h[c], h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

func (m *merger) siftUp(i int) {
	h := m.heap
	for i > 0 {
		p := (i - 1) / 2
		if !m.less(h[i], h[p]) {
			return
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// fail records a sticky error for reader r at the next frame number.
func (m *merger) fail(r *fileReader, err error) error {
	var re *ReadError
	if !errors.As(err, &re) {
		re = r.errAt(m.frame+1, r.recOff, err)
	}
	m.err = re
	return re
}

// Next implements Source.
func (m *merger) Next(p *Packet) error {
	if m.err != nil {
		return m.err
	}
	if m.closed.Load() {
		m.err = errClosed
		return m.err
	}
	if !m.init {
		m.init = true
		for _, r := range m.all {
			if err := r.advance(); err != nil {
				if err == io.EOF {
					continue
				}
				return m.fail(r, err)
			}
			m.heap = append(m.heap, r)
			m.siftUp(len(m.heap) - 1)
		}
	} else if r := m.last; r != nil {
		m.last = nil
		if err := r.advance(); err != nil {
			if err != io.EOF {
				return m.fail(r, err)
			}
			n := len(m.heap) - 1
			m.heap[0] = m.heap[n]
			m.heap[n] = nil
			m.heap = m.heap[:n]
		}
		if len(m.heap) > 0 {
			m.siftDown(0)
		}
	}
	if len(m.heap) == 0 {
		m.err = io.EOF
		return io.EOF
	}
	r := m.heap[0]
	m.last = r
	m.frame++
	*p = r.cur
	p.Frame = m.frame
	return nil
}

// Close implements Source; it closes every input file.
func (m *merger) Close() error {
	var first error
	for _, r := range m.all {
		if err := r.closer.Close(); err != nil && first == nil {
			first = err
		}
	}
	m.closed.Store(true)
	return first
}
