package capture

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// NamedSource is a live source and the name its statistics go by
// ("live:eth0", "hep:udp:0.0.0.0:9060").
type NamedSource struct {
	Name string
	Src  Source
}

// MergeLive returns one Source over live sources (an interface and HEP
// listeners): packets come in the order they arrive, numbered anew, with
// Packet.Input the index of their source. It counts frames, bytes and drops
// per source (SourceStats). With one source there is no extra goroutine or
// copy. Next returns io.EOF when every source has ended, or the first
// error of one.
func MergeLive(srcs ...NamedSource) Source {
	m := &mergeLive{srcs: srcs, counts: make([]sourceCount, len(srcs))}
	if len(srcs) == 1 {
		return m
	}
	m.items = make(chan mergeItem, 256)
	m.done = make(chan struct{})
	m.free = make(chan []byte, 512)
	m.running.Store(int32(len(srcs)))
	for i := range srcs {
		m.wg.Add(1)
		go m.pump(i)
	}
	return m
}

type sourceCount struct {
	frames, bytes, dropped atomic.Uint64
	lastPoll               time.Time
}

type mergeItem struct {
	p   Packet
	err error
	src int
}

type mergeLive struct {
	srcs    []NamedSource
	counts  []sourceCount
	items   chan mergeItem
	done    chan struct{}
	free    chan []byte // recycled packet buffers
	last    []byte      // buffer of the packet Next returned last
	once    sync.Once
	wg      sync.WaitGroup
	running atomic.Int32
	frame   uint64
	ended   int
	idle    time.Duration // ReportIdle (several sources)
	timer   *time.Timer
}

// ReportIdle implements IdleReporter: one source is told itself; several
// are merged, and Next reports when none delivered within d.
func (m *mergeLive) ReportIdle(d time.Duration) {
	if m.items == nil {
		if ir, ok := m.srcs[0].Src.(IdleReporter); ok {
			ir.ReportIdle(d)
		}
		return
	}
	m.idle = d
}

// count records one packet of source i and, now and then, its kernel
// drops. It runs on the goroutine that reads source i.
func (m *mergeLive) count(i int, p *Packet) {
	c := &m.counts[i]
	c.frames.Add(1)
	c.bytes.Add(uint64(len(p.Data)))
	if sr, ok := m.srcs[i].Src.(StatsReporter); ok && (c.frames.Load()%1024 == 0 || p.Time.Sub(c.lastPoll) > time.Second) {
		c.lastPoll = p.Time
		c.dropped.Store(sr.Stats().Dropped)
	}
}

func (m *mergeLive) pump(i int) {
	defer m.wg.Done()
	s := m.srcs[i].Src
	for {
		var p Packet
		err := s.Next(&p)
		if err == ErrIdle {
			continue // not asked for, but harmless
		}
		if err == nil {
			m.count(i, &p)
			var buf []byte
			select {
			case buf = <-m.free:
			default:
			}
			p.Data = append(buf[:0], p.Data...)
		}
		select {
		case m.items <- mergeItem{p: p, err: err, src: i}:
		case <-m.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Next implements Source.
func (m *mergeLive) Next(p *Packet) error {
	if m.items == nil {
		err := m.srcs[0].Src.Next(p)
		if err == nil {
			m.count(0, p)
		}
		return err
	}
	var idle <-chan time.Time
	if m.idle > 0 {
		if m.timer == nil {
			m.timer = time.NewTimer(m.idle)
		} else {
			m.timer.Reset(m.idle)
		}
		defer m.timer.Stop()
		idle = m.timer.C
	}
	if m.last != nil {
		select {
		case m.free <- m.last:
		default:
		}
		m.last = nil
	}
	for {
		var it mergeItem
		select {
		case it = <-m.items:
		case <-idle:
			return ErrIdle
		case <-m.done:
			return io.EOF
		}
		if it.err == io.EOF {
			m.ended++
			if m.ended == len(m.srcs) {
				return io.EOF
			}
			continue
		}
		if it.err != nil {
			return it.err
		}
		m.frame++
		*p = it.p
		p.Frame, p.Input = m.frame, it.src
		m.last = p.Data
		return nil
	}
}

// Close implements Source: it closes every source.
func (m *mergeLive) Close() error {
	var first error
	m.once.Do(func() {
		if m.done != nil {
			close(m.done)
		}
		for _, s := range m.srcs {
			if err := s.Src.Close(); err != nil && first == nil {
				first = err
			}
		}
	})
	return first
}

// Stats implements StatsReporter: the kernel counters of the sources that
// are kernel captures, summed (their Stats may be called while they are
// read). A HEP listener has none: its drops are in SourceStats.
func (m *mergeLive) Stats() LiveStats {
	var st LiveStats
	for _, s := range m.srcs {
		if sr, ok := s.Src.(StatsReporter); ok {
			k := sr.Stats()
			st.Received += k.Received
			st.Dropped += k.Dropped
			st.Freezes += k.Freezes
			st.Filtered += k.Filtered
		}
	}
	return st
}

// HasKernelStats implements KernelStatsOptional: whether one of the
// sources is a kernel capture.
func (m *mergeLive) HasKernelStats() bool {
	for _, s := range m.srcs {
		if _, ok := s.Src.(StatsReporter); ok {
			return true
		}
	}
	return false
}

// SourceStats implements SourceStatter.
func (m *mergeLive) SourceStats() []SourceStat {
	var out []SourceStat
	for i, s := range m.srcs {
		st := SourceStat{Name: s.Name, Frames: m.counts[i].frames.Load(), Bytes: m.counts[i].bytes.Load(), Dropped: m.counts[i].dropped.Load()}
		if h, ok := s.Src.(*HEPListener); ok {
			hs := h.SourceStats()[0]
			st.Dropped = hs.Dropped
		}
		out = append(out, st)
	}
	return out
}
