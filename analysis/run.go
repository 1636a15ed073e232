package analysis

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/srtp"
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
	dec := capture.NewDecoder(h, capture.DecoderOptions{})
	// Cancelling closes the source, which unblocks a live capture waiting
	// for its next packet.
	stop := context.AfterFunc(ctx, func() { src.Close() })
	defer stop()
	var p capture.Packet
	var frames uint64
	var runErr error
	var lastProgress time.Time
	for {
		select {
		case <-ctx.Done():
			runErr = ctx.Err()
		default:
		}
		if runErr != nil {
			break
		}
		// Progress every progressEvery frames, or every 100 ms of capture
		// time so that a quiet live capture still updates its views.
		if progress != nil && frames > 0 && (frames%progressEvery == 0 || p.Time.Sub(lastProgress) > 100*time.Millisecond) {
			lastProgress = p.Time
			q.flush()
			progress(frames)
		}
		err := src.Next(&p)
		if runErr = ctx.Err(); runErr != nil {
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
	a.Finish()
	if progress != nil {
		progress(frames)
	}
	return runErr
}

// eventKind tells the events of a batch apart.
type eventKind uint8

const (
	evFrame eventKind = iota + 1
	evSignal
	evMedia
	evProblem
	evReadError
	evFinding
	evTLSConn
)

// event is one queued event. Media data lives in the batch's arena.
type event struct {
	kind    eventKind
	media   dissect.MediaPacket
	signal  *dissect.SignalMessage
	problem dissect.Problem
	frame   uint64
	time    time.Time
	size    int
	err     error
	fkind   Kind
	summary string
	conn    [2]netip.AddrPort
	// aoff is the offset of media.Data in the batch's arena, -1 when the
	// packet was too large for the arena and copied on its own.
	aoff int
}

// batch is a run of events with the bytes of their media packets.
// specs[i] is the speculative decryption of events[i]; the plaintext of a
// packet at arena[o:o+n] goes to plain[o:o+n].
type batch struct {
	events []event
	arena  []byte
	specs  []srtp.Speculation
	plain  []byte
	// streams[i] is the stream of events[i] when it was looked up before
	// the batch was processed.
	streams []*streamState
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
		q.free <- &batch{events: make([]event, 0, batchEvents), arena: make([]byte, 0, batchArena),
			specs: make([]srtp.Speculation, batchEvents), plain: make([]byte, batchArena),
			streams: make([]*streamState, batchEvents)}
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
	e := &b.events[len(b.events)-1]
	*e = event{}
	return e
}

func (q *batchQueue) flush() {
	if len(q.cur.events) == 0 {
		return
	}
	q.full <- q.cur
	q.cur = <-q.free
	q.cur.events = q.cur.events[:0]
	q.cur.arena = q.cur.arena[:0]
}

func (q *batchQueue) frame(p *capture.Packet) {
	e := q.push(0)
	e.kind, e.frame, e.time, e.size = evFrame, p.Frame, p.Time, len(p.Data)
}

func (q *batchQueue) readError(frame uint64, err error) {
	e := q.push(0)
	e.kind, e.frame, e.err = evReadError, frame, err
}

// finding queues a finding made on the reading goroutine (TLS).
func (q *batchQueue) finding(k Kind, frame uint64, summary string) {
	e := q.push(0)
	e.kind, e.fkind, e.frame, e.summary = evFinding, k, frame, summary
}

// tlsConn queues the news that a TLS connection decrypts.
func (q *batchQueue) tlsConn(client, server netip.AddrPort) {
	e := q.push(0)
	e.kind, e.conn = evTLSConn, connKey(client, server)
}

// Signal implements dissect.Sink; signalling messages are owned by the
// receiver already.
func (q *batchQueue) Signal(m *dissect.SignalMessage) {
	e := q.push(0)
	e.kind, e.signal = evSignal, m
}

// Media implements dissect.Sink: the packet's bytes are copied into the
// batch's arena (a packet larger than the arena is copied on its own).
func (q *batchQueue) Media(p *dissect.MediaPacket) {
	n := len(p.Data)
	if n > batchArena {
		n = 0
	}
	e := q.push(n)
	e.kind, e.media, e.aoff = evMedia, *p, -1
	if n == 0 {
		e.media.Data = append([]byte(nil), p.Data...)
		return
	}
	b := q.cur
	start := len(b.arena)
	e.aoff = start
	b.arena = append(b.arena, p.Data...)
	e.media.Data = b.arena[start:len(b.arena):len(b.arena)]
}

// Problem implements dissect.Sink.
func (q *batchQueue) Problem(p *dissect.Problem) {
	e := q.push(0)
	e.kind, e.problem = evProblem, *p
}

// close sends the last batch and ends the consumer.
func (q *batchQueue) close() {
	q.flush()
	close(q.full)
}

// consume runs on the analyzer goroutine.
func (q *batchQueue) consume() {
	a := q.a
	w := newCryptoWorker()
	defer w.stop()
	var seq uint64
	group := make([]*batch, 0, batchDepth)
	for b := range q.full {
		// When the analyzer is behind, the batches already waiting are
		// taken together, so the crypto worker gets larger shares.
		group = append(group[:0], b)
		closed := false
	more:
		for len(group) < cap(group) {
			select {
			case nb, ok := <-q.full:
				if !ok {
					closed = true
					break more
				}
				group = append(group, nb)
			default:
				break more
			}
		}
		a.mu.Lock()
		seq++
		w.speculate(a.media, group, seq)
		// Until an event other than a frame or a media packet is handled,
		// no session or stream was added or removed, so the streams looked
		// up by speculate still hold.
		lookedUp := true
		for _, b := range group {
			lookedUp = q.process(b, lookedUp)
		}
		a.mu.Unlock()
		for _, b := range group {
			q.free <- b
		}
		if closed {
			return
		}
	}
}

// process handles the events of one batch in order. Caller holds a.mu.
func (q *batchQueue) process(b *batch, lookedUp bool) bool {
	a := q.a
	for i := range b.events {
		e := &b.events[i]
		switch e.kind {
		case evFrame:
			a.frameLocked(e.frame, e.time, e.size)
		case evSignal:
			a.signalLocked(e.signal)
		case evMedia:
			var sp *srtp.Speculation
			if b.specs[i].Opened() {
				sp = &b.specs[i]
			}
			var known *streamState
			if lookedUp {
				known = b.streams[i]
			}
			a.media.packetOf(&e.media, sp, known)
		case evProblem:
			a.problemLocked(&e.problem)
		case evReadError:
			a.readErrorLocked(e.frame, e.err)
		case evFinding:
			a.add(e.fkind.New(e.frame, 0, e.summary))
		case evTLSConn:
			if len(a.tlsConns) < 65536 {
				a.tlsConns[e.conn] = true
			}
		}
		if e.kind != evFrame && e.kind != evMedia {
			lookedUp = false
		}
		e.signal, e.media.Data = nil, nil
		b.specs[i].Reset()
		b.streams[i] = nil
	}
	return lookedUp
}

// cryptoJob is the opening of one speculation.
type cryptoJob struct {
	ctx   *srtp.Context // the binding's context, or the worker's clone of it
	clone *srtp.Context
	data  []byte
	plain []byte
	sp    *srtp.Speculation
}

// cryptoWorker is a second goroutine that authenticates and decrypts part
// of each batch's SRTP packets, so that even a single stream uses two
// cores: the analyzer guesses every packet's key and ROC in order, the
// worker and the analyzer open half of the guesses each at the same time,
// then the analyzer commits the packets in order (srtp.DecryptRTPGuessed),
// falling back to the full RFC 3711 §3.3 search for a wrong guess.
type cryptoWorker struct {
	jobs []cryptoJob
	// scratch receives the plaintext nobody reads (no media hook), one
	// buffer per goroutine, so that it stays in cache.
	scratch, workerScratch []byte
	work                   chan []cryptoJob
	done                   chan struct{}
}

// parallelMin is the number of guessed packets below which a batch is
// opened on the analyzer goroutine alone (the hand-off costs more).
const parallelMin = 8

func newCryptoWorker() *cryptoWorker {
	w := &cryptoWorker{jobs: make([]cryptoJob, 0, batchEvents*batchDepth), work: make(chan []cryptoJob), done: make(chan struct{}),
		scratch: make([]byte, 65536), workerScratch: make([]byte, 65536)}
	go func() {
		for js := range w.work {
			openJobs(js, true, w.workerScratch)
			w.done <- struct{}{}
		}
	}()
	return w
}

func (w *cryptoWorker) stop() { close(w.work) }

// openJobs opens the guesses, on the clones when clone is set. Jobs
// without a plaintext buffer decrypt into scratch, overwritten by the next.
func openJobs(js []cryptoJob, clone bool, scratch []byte) {
	for i := range js {
		j := &js[i]
		c := j.ctx
		if clone {
			c = j.clone
		}
		dst := j.plain
		if dst == nil {
			dst = scratch[:0]
		}
		c.OpenGuess(dst, j.data, j.sp)
	}
}

// speculate guesses and opens the SRTP packets of a group of batches
// (number seq).
// Caller holds a.mu.
func (w *cryptoWorker) speculate(m *mediaState, group []*batch, seq uint64) {
	js := w.jobs[:0]
	for _, b := range group {
		for i := range b.events {
			e := &b.events[i]
			if e.kind != evMedia || e.aoff < 0 {
				continue
			}
			ss, own, clone, ok := m.guess(&e.media, seq, &b.specs[i])
			b.streams[i] = ss
			if !ok {
				continue
			}
			var plain []byte // the hook reads the plaintext; otherwise scratch will do
			if m.hook != nil {
				plain = b.plain[e.aoff : e.aoff : e.aoff+len(e.media.Data)]
			}
			js = append(js, cryptoJob{ctx: own, clone: clone, data: e.media.Data, plain: plain, sp: &b.specs[i]})
		}
	}
	w.jobs = js
	if len(js) < parallelMin {
		openJobs(js, false, w.scratch)
		return
	}
	// The analyzer also commits every packet afterwards, so the worker
	// takes the larger share.
	mine := len(js) * 9 / 20
	w.work <- js[mine:]
	openJobs(js[:mine], false, w.scratch)
	<-w.done
}
