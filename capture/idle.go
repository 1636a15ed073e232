package capture

import (
	"io"
	"sync"
	"time"
)

// WithIdle returns a Source that reads src on a goroutine of its own, so
// that Next can report a pause (ErrIdle, once ReportIdle was called) while
// src waits for bytes: for a capture read from a pipe or a FIFO, which may
// stop for a while (tcpdump -w - | mikeyscope ...). Each packet is copied
// once. Closing it closes src, which ends a read src may be waiting in.
func WithIdle(src Source) Source {
	s := &idleSource{src: src, full: make(chan idlePacket, idleDepth), free: make(chan []byte, idleDepth+1), done: make(chan struct{})}
	for range idleDepth + 1 {
		s.free <- make([]byte, 0, 2048)
	}
	go s.run()
	return s
}

const idleDepth = 64

type idlePacket struct {
	p   Packet
	err error
}

type idleSource struct {
	src   Source
	full  chan idlePacket
	free  chan []byte
	done  chan struct{}
	once  sync.Once
	cur   []byte // the buffer of the packet Next returned last
	every time.Duration
	timer *time.Timer
	ended bool // the reader goroutine delivered its error
	err   error
}

func (s *idleSource) run() {
	var p Packet
	for {
		var buf []byte
		select {
		case buf = <-s.free:
		case <-s.done:
			return
		}
		err := s.src.Next(&p)
		it := idlePacket{p: p, err: err}
		if err == nil {
			buf = append(buf[:0], p.Data...)
			it.p.Data = buf
		}
		select {
		case s.full <- it:
		case <-s.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// ReportIdle implements IdleReporter.
func (s *idleSource) ReportIdle(d time.Duration) { s.every = d }

// Next implements Source.
func (s *idleSource) Next(p *Packet) error {
	if s.cur != nil {
		s.free <- s.cur
		s.cur = nil
	}
	if s.ended {
		return s.err
	}
	var it idlePacket
	if s.every <= 0 {
		select {
		case it = <-s.full:
		case <-s.done:
			return io.EOF
		}
	} else {
		if s.timer == nil {
			s.timer = time.NewTimer(s.every)
		} else {
			s.timer.Reset(s.every)
		}
		select {
		case it = <-s.full:
			s.timer.Stop()
		case <-s.timer.C:
			return ErrIdle
		case <-s.done:
			s.timer.Stop()
			return io.EOF
		}
	}
	if it.err != nil {
		s.ended, s.err = true, it.err
		return it.err
	}
	*p = it.p
	s.cur = it.p.Data
	return nil
}

// RecordedDrops implements DropRecorder once src has ended (the counts are
// read on src's goroutine until then).
func (s *idleSource) RecordedDrops() uint64 {
	if dr, ok := s.src.(DropRecorder); ok && s.ended {
		return dr.RecordedDrops()
	}
	return 0
}

// Close implements Source.
func (s *idleSource) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.src.Close()
	})
	return err
}
