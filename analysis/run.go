package analysis

import (
	"context"
	"errors"
	"fmt"
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
	if a.opts.Retire != nil && dopts.SessionIdle == 0 {
		// The dissector keeps a session's Call-ID and flows as long as its
		// tombstone ties late packets to it.
		dopts.SessionIdle = a.opts.ForgetAfter()
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
		r.used = a.opts.TLSSecretsUsed
		h = r
	}
	h = capture.NewHEPHandler(h, a.opts.HEP)
	dec := capture.NewDecoder(h, capture.DecoderOptions{})
	// Cancelling closes the source, which unblocks a live capture waiting
	// for its next packet.
	closed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		src.Close()
		close(closed)
	})
	defer stop()
	// A source that writes its packets (-w) tells a write failure at once,
	// on this goroutine: it becomes a finding at the frame first lost.
	wr, _ := src.(capture.WriteReporter)
	if wr != nil {
		wr.OnWriteFailure(func(f capture.WriteFailure) {
			q.finding(KindWriteFailed, f.Frame, writeFailedSummary(f))
		})
	}
	var p capture.Packet
	var frames uint64
	var runErr error
	var lastProgress time.Time
	// A live capture (or a pipe) that falls quiet reports it (ErrIdle)
	// every ~100 ms: what the batch holds is then handed to the analyzer,
	// so the last packets before a pause are shown without waiting for
	// more traffic.
	if ir, ok := src.(capture.IdleReporter); ok {
		ir.ReportIdle(idleFlush)
	}
	live, _ := src.(capture.StatsReporter)
	// A live source's packets carry the wall clock: while it is quiet, the
	// wall clock moves the analysis on, so that calls which ended are
	// written out (report --jsonl) without waiting for more traffic.
	wallClock := live != nil
	if wallClock {
		// The wall clock is the first time the steady clock (retire.go)
		// sees: a HEP agent whose clock is off is measured against it.
		q.pushOther(evAdvance, &otherEvent{at: time.Now()})
	}
	if ks, ok := src.(capture.KernelStatsOptional); ok && !ks.HasKernelStats() {
		live = nil // HEP listeners only: no kernel counters
	}
	var lastStats time.Time
	idleSince := uint64(0) // frames at the last idle report; idles after it
	idles := 0
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
			if live != nil && time.Since(lastStats) > 100*time.Millisecond {
				lastStats = time.Now()
				a.setLiveCounters(live.Stats())
				if wr != nil {
					a.setWriteCounters(wr.WriteStats())
				}
			}
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
		if err == capture.ErrIdle {
			if frames != idleSince {
				idleSince, idles = frames, 0
			}
			idles++
			if wallClock && a.opts.Retire != nil {
				q.pushOther(evAdvance, &otherEvent{at: time.Now()})
			}
			q.flush()
			if live != nil {
				lastStats = time.Now()
				a.setLiveCounters(live.Stats())
			}
			if wr != nil {
				a.setWriteCounters(wr.WriteStats())
			}
			// Twice after the traffic stopped (a view may skip updates
			// closer than 100 ms together), then not again until it
			// resumes.
			if progress != nil && idles <= 2 {
				progress(frames)
			}
			continue
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
	if wr != nil {
		if !stop() {
			<-closed // cancelled: the writer's last file is closed
		}
		wr.FlushWrites()
	}
	q.close()
	<-done
	if live != nil {
		// After the source is closed (cancelled) or ended: the final
		// counts. A source still open is read once more.
		a.setLiveCounters(live.Stats())
	}
	if wr != nil {
		a.setWriteCounters(wr.WriteStats())
	}
	a.mu.Lock()
	a.captureLosses(live != nil, src)
	a.settle() // Finish or Snapshot builds the report
	a.mu.Unlock()
	if progress != nil {
		progress(frames)
	}
	return runErr
}

// idleFlush is how long a quiet source waits before the batch it feeds is
// handed on: well within the half second a live view may lag.
const idleFlush = 100 * time.Millisecond

// setLiveCounters records a live capture's kernel counters in the summary.
func (a *Analyzer) setLiveCounters(st capture.LiveStats) {
	a.mu.Lock()
	a.summary.Live = &LiveCounters{Received: st.Received, Dropped: st.Dropped, RingFreezes: st.Freezes, FilterRemoved: st.Filtered}
	a.mu.Unlock()
}

// setWriteCounters records what the -w files hold in the summary.
func (a *Analyzer) setWriteCounters(st capture.WriteStats) {
	w := &WriteCounters{FramesWritten: st.Written, FramesNotWritten: st.NotWritten}
	if f := st.Failure; f != nil {
		w.Failure = f.Error()
		w.FirstFrameNotWritten = f.Frame
	}
	a.mu.Lock()
	a.summary.Write = w
	a.mu.Unlock()
}

// writeFailedSummary is the capture.write-failed finding's summary.
func writeFailedSummary(f capture.WriteFailure) string {
	if f.Frame == 0 {
		return f.Error() + ": the closing statistics block of the last file was not written; every frame is in the files"
	}
	return fmt.Sprintf("%s: frame %d and every later frame are not in the -w files (the capture and its analysis go on; "+
		"summary.capture_write counts them); the files hold the frames before it and are valid pcapng", f.Error(), f.Frame)
}

// captureLosses adds the findings for packets lost before the analysis:
// those the kernel dropped from a live capture, and those the tool that
// wrote a file recorded as dropped. Caller holds a.mu.
func (a *Analyzer) captureLosses(live bool, src capture.Source) {
	if l := a.summary.Live; live && l != nil && l.Dropped > 0 {
		a.add(KindKernelDrops.New(0, 0, fmt.Sprintf(
			"the kernel dropped %d of the %d packets the capture filter passed (%.2f %%; the ring was full %d times): "+
				"the analysis never saw them; capture with a bigger ring (-B MiB) or a narrower filter (-f)",
			l.Dropped, l.Received, 100*float64(l.Dropped)/float64(max(l.Received, 1)), l.RingFreezes)))
	}
	if dr, ok := src.(capture.DropRecorder); ok {
		if n := dr.RecordedDrops(); n > 0 {
			a.summary.RecordedDrops = n
			a.add(KindRecordedDrops.New(0, 0, fmt.Sprintf(
				"the tool that wrote the capture recorded %d packets it dropped (pcapng interface statistics): they are not in the file", n)))
		}
	}
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
	evAdvance // a quiet live source: the wall clock's time
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
	at      time.Time
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
		case evAdvance:
			a.advance(a.clock.Wall(e.other.at))
		case evTLSConn:
			if len(a.tlsConns) < 65536 {
				a.tlsConns[e.other.conn] = true
			}
		}
		e.signal, e.other, e.media.Data = nil, nil, nil
	}
	a.mu.Unlock()
}
