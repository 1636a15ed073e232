package analysis

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// Progress is called now and then with the frames read so far.
type Progress func(frames uint64)

const progressEvery = 4096

// Run reads src to its end (or until ctx is done), passing every packet
// through the network decoder and the dissector into a, then finishes the
// analysis. Reading, decoding and dissecting run on one goroutine; the
// analyzer (MIKEY, SRTP decryption, findings) on another, fed in capture
// order through batches of copied events, so the two halves use two cores.
// A damaged capture is not an error: it becomes a finding and the report
// covers everything read before the damage. Run returns an error only when
// the context was cancelled.
func Run(ctx context.Context, src capture.Source, a *Analyzer, dopts dissect.Options, progress Progress) error {
	if a.opts.MaxSessions == 0 && dopts.MaxSessions > 0 {
		// Keep as many sessions as the dissector tracks.
		a.opts.MaxSessions = dopts.MaxSessions
	}
	q := newBatchQueue(a)
	done := make(chan struct{})
	go func() {
		q.consume()
		close(done)
	}()
	eng := dissect.NewEngine(q, dopts)
	var h capture.Handler = eng
	if !a.opts.NoTLS {
		r := newTLSRouter(eng, a.opts.TLSKeyLog, q.finding)
		r.seen = q.tlsConn
		h = r
	}
	h = capture.NewHEPHandler(h, a.opts.HEP)
	dec := capture.NewDecoder(h, capture.DecoderOptions{})
	// Cancelling closes the source, which unblocks a live capture waiting
	// for its next packet.
	stop := context.AfterFunc(ctx, func() { src.Close() })
	defer stop()
	var p capture.Packet
	var frames uint64
	var runErr error
	var lastProgress time.Time
	// Cancellation is polled on the channel once per frame: ctx.Err takes
	// the context's lock, which twice per frame was 3 % of the reading
	// goroutine on a large capture.
	cancelled := ctx.Done()
	for {
		// Progress every progressEvery frames, or every 100 ms of capture
		// time so that a quiet live capture still updates its views.
		if progress != nil && frames > 0 && (frames%progressEvery == 0 || p.Time.Sub(lastProgress) > 100*time.Millisecond) {
			lastProgress = p.Time
			q.flush()
			progress(frames)
		}
		err := src.Next(&p)
		select {
		case <-cancelled: // the packet, or the error of the closed source, is dropped
			runErr = ctx.Err()
		default:
		}
		if runErr != nil {
			break
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *capture.ReadError
			frame := frames + 1
			if errors.As(err, &re) && re.Frame != 0 {
				frame = re.Frame
			}
			q.readError(frame, err)
			break
		}
		frames++
		q.frame(&p)
		dec.Packet(&p)
	}
	dec.Flush()
	eng.Flush()
	q.close()
	<-done
	a.mu.Lock()
	a.settle() // Finish or Snapshot builds the report
	a.mu.Unlock()
	if progress != nil {
		progress(frames)
	}
	return runErr
}

// eventKind tells the events of a batch apart.
type eventKind uint8

const (
	evSignal eventKind = iota + 1
	evMedia
	evProblem
	evReadError
	evFinding
	evTLSConn
)

// event is one queued event. Media data lives in the batch's arena. The
// events of a media packet (most of them) carry only what they need: the
// rare kinds keep their fields in other, so that queuing a packet writes
// ~200 bytes rather than the ~430 of an event with every field inline.
type event struct {
	kind   eventKind
	media  dissect.MediaPacket
	signal *dissect.SignalMessage
	other  *otherEvent
}

// otherEvent holds the fields of the rare events.
type otherEvent struct {
	problem dissect.Problem
	frame   uint64
	err     error
	fkind   Kind
	summary string
	conn    [2]netip.AddrPort
}

// batch is a run of events with the bytes of their media packets, and the
// totals of the frames read while it filled (the summary needs no more
// than totals, so frames are not queued one by one).
type batch struct {
	events []event
	arena  []byte
	frames frameTotals
}

// frameTotals sums the frames of a batch for Summary.
type frameTotals struct {
	n, bytes    uint64
	first, last time.Time
}

const (
	batchEvents = 256
	batchArena  = 256 << 10
	batchDepth  = 4
)

// batchQueue implements dissect.Sink on the reading goroutine and hands
// batches to the analyzer goroutine. Batches are recycled, so the steady
// state allocates nothing per packet.
type batchQueue struct {
	a    *Analyzer
	cur  *batch
	full chan *batch
	free chan *batch
}

func newBatchQueue(a *Analyzer) *batchQueue {
	q := &batchQueue{a: a, full: make(chan *batch, batchDepth), free: make(chan *batch, batchDepth+1)}
	for i := 0; i < batchDepth+1; i++ {
		q.free <- &batch{events: make([]event, 0, batchEventsCap()), arena: make([]byte, 0, batchArena)}
	}
	q.cur = <-q.free
	return q
}

// push returns a slot for one more event, sending the current batch on when
// it is full or its arena cannot take need more bytes.
func (q *batchQueue) push(need int) *event {
	b := q.cur
	if len(b.events) == cap(b.events) || len(b.arena)+need > cap(b.arena) {
		q.flush()
		b = q.cur
	}
	b.events = b.events[:len(b.events)+1]
	return &b.events[len(b.events)-1]
}

// pushOther queues a rare event.
func (q *batchQueue) pushOther(k eventKind, o *otherEvent) {
	e := q.push(0)
	e.kind, e.signal, e.other = k, nil, o
	e.media.Data = nil
}

func (q *batchQueue) flush() {
	if len(q.cur.events) == 0 && q.cur.frames.n == 0 {
		return
	}
	q.full <- q.cur
	q.cur = <-q.free
	q.cur.events = q.cur.events[:0]
	q.cur.arena = q.cur.arena[:0]
	q.cur.frames = frameTotals{}
}

// frame counts a frame read into the current batch's totals.
func (q *batchQueue) frame(p *capture.Packet) {
	f := &q.cur.frames
	f.n++
	f.bytes += uint64(len(p.Data))
	switch {
	case f.n == 1:
		f.first, f.last = p.Time, p.Time
	case p.Time.After(f.last): // the usual case: time moves on
		f.last = p.Time
	case p.Time.Before(f.first):
		f.first = p.Time
	}
}

func (q *batchQueue) readError(frame uint64, err error) {
	q.pushOther(evReadError, &otherEvent{frame: frame, err: err})
}

// finding queues a finding made on the reading goroutine (TLS).
func (q *batchQueue) finding(k Kind, frame uint64, summary string) {
	q.pushOther(evFinding, &otherEvent{fkind: k, frame: frame, summary: summary})
}

// tlsConn queues the news that a TLS connection decrypts.
func (q *batchQueue) tlsConn(client, server netip.AddrPort) {
	q.pushOther(evTLSConn, &otherEvent{conn: connKey(client, server)})
}

// Signal implements dissect.Sink; signalling messages are owned by the
// receiver already.
func (q *batchQueue) Signal(m *dissect.SignalMessage) {
	e := q.push(0)
	e.kind, e.signal, e.other = evSignal, m, nil
	e.media.Data = nil
}

// MediaSlot implements dissect.MediaSlotter: the next packet is built in
// the current batch's next event, with room in the arena for n bytes of
// data (a packet larger than the arena is copied on its own).
func (q *batchQueue) MediaSlot(n int) *dissect.MediaPacket {
	if n > batchArena {
		n = 0
	}
	b := q.cur
	if len(b.events) == cap(b.events) || len(b.arena)+n > cap(b.arena) {
		q.flush()
		b = q.cur
	}
	return &b.events[:len(b.events)+1][len(b.events)].media
}

// Media implements dissect.Sink: the packet's bytes are copied into the
// batch's arena (a packet larger than the arena is copied on its own). A
// packet built in the slot MediaSlot gave is queued where it stands.
func (q *batchQueue) Media(p *dissect.MediaPacket) {
	b := q.cur
	var e *event
	if len(b.events) < cap(b.events) && p == &b.events[:len(b.events)+1][len(b.events)].media {
		b.events = b.events[:len(b.events)+1]
		e = &b.events[len(b.events)-1]
		e.kind, e.signal, e.other = evMedia, nil, nil
	} else {
		n := len(p.Data)
		if n > batchArena {
			n = 0
		}
		e = q.push(n)
		e.kind, e.media, e.signal, e.other = evMedia, *p, nil, nil
		b = q.cur
	}
	if len(p.Data) > batchArena || len(b.arena)+len(p.Data) > cap(b.arena) {
		e.media.Data = append([]byte(nil), p.Data...)
		return
	}
	start := len(b.arena)
	b.arena = append(b.arena, p.Data...)
	e.media.Data = b.arena[start:len(b.arena):len(b.arena)]
}

// Problem implements dissect.Sink.
func (q *batchQueue) Problem(p *dissect.Problem) {
	q.pushOther(evProblem, &otherEvent{problem: *p})
}

// close sends the last batch and ends the consumer.
func (q *batchQueue) close() {
	q.flush()
	close(q.full)
}

// addFrames adds a batch's frame totals to the summary. Caller holds a.mu.
func (a *Analyzer) addFrames(f *frameTotals) {
	if f.n == 0 {
		return
	}
	a.summary.Frames += f.n
	a.summary.Bytes += f.bytes
	if a.summary.First.IsZero() || f.first.Before(a.summary.First) {
		a.summary.First = f.first
	}
	if f.last.After(a.summary.Last) {
		a.summary.Last = f.last
	}
}

// consume runs on the analyzer goroutine. With more than one core, SRTP
// packets are opened ahead on other goroutines (decrypt_parallel.go).
func (q *batchQueue) consume() {
	if n := aheadWorkers(); n > 0 {
		q.consumeAhead(n)
		return
	}
	for b := range q.full {
		q.process(b)
		q.free <- b
	}
}

// process hands the events of a batch to the analyzer, in order.
func (q *batchQueue) process(b *batch) {
	a := q.a
	a.mu.Lock()
	a.addFrames(&b.frames)
	for i := range b.events {
		e := &b.events[i]
		switch e.kind {
		case evSignal:
			a.signalLocked(e.signal)
		case evMedia:
			a.media.packet(&e.media)
		case evProblem:
			a.problemLocked(&e.other.problem)
		case evReadError:
			a.readErrorLocked(e.other.frame, e.other.err)
		case evFinding:
			a.add(e.other.fkind.New(e.other.frame, 0, e.other.summary))
		case evTLSConn:
			if len(a.tlsConns) < 65536 {
				a.tlsConns[e.other.conn] = true
			}
		}
		e.signal, e.other, e.media.Data = nil, nil, nil
	}
	a.mu.Unlock()
}
