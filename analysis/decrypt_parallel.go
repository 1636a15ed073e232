package analysis

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// SRTP decryption on more than one core.
//
// The analyzer handles every event in capture order on one goroutine. With
// more than one core, the SRTP packets of a batch are opened ahead: before
// the batch is handed to the analyzer, each packet's master key and ROC
// are guessed in order (srtp.Context.GuessRTP, following each stream ahead
// of its own state), and the guesses are authenticated and decrypted by
// worker goroutines and by the analyzer itself, a few packets at a time
// taken from a shared counter, while the analyzer handles the batch
// before. Then the batch's events are handled in order as always, and
// srtp.Context.DecryptRTP takes each packet's verdict instead of doing its
// crypto again when its first try is exactly the guess. A wrong guess (a
// packet that fails, a re-key, a ROC search, a stream the batch before
// created or re-bound) is only a verdict nobody takes: the results are
// those of decrypting in order on one goroutine, whatever the timing.

// aheadWorkersMax bounds the worker goroutines; aheadChunk is the number
// of packets taken from a batch at a time; aheadMinBytes the smallest
// packet worth opening ahead (voice packets of a few hundred bytes cost
// about as much to hand over as to decrypt).
const (
	aheadWorkersMax = 3
	aheadChunk      = 4
	aheadMinBytes   = 512
)

// aheadMinBytesOverride, when positive, replaces aheadMinBytes (tests open
// the samples' voice packets ahead too).
var aheadMinBytesOverride = 0

// aheadTally, when set, is told after each batch how many of its SRTP
// packets were guessed, how many guesses DecryptRTP took and how many were
// abandoned (tests).
var aheadTally func(guessed, taken, abandoned int)

// aheadAnalyzerIdle, when set, keeps the analyzer from opening guesses
// itself: what the workers have not finished is abandoned (tests).
var aheadAnalyzerIdle = false

// aheadWorkerHook, when set, runs in a worker goroutine after it claims a
// chunk, before opening it (tests delay workers as a busy machine does).
var aheadWorkerHook func()

// batchEventsOverride, when positive, replaces batchEvents (tests make
// small captures span many batches).
var batchEventsOverride = 0

func batchEventsCap() int {
	if batchEventsOverride > 0 {
		return batchEventsOverride
	}
	return batchEvents
}

// aheadWorkersOverride, when not negative, replaces the number of worker
// goroutines (tests run both ways whatever the machine).
var aheadWorkersOverride = -1

// aheadWorkers returns the number of worker goroutines to open SRTP packets
// ahead with: one less than GOMAXPROCS, none on one core.
func aheadWorkers() int {
	if aheadWorkersOverride >= 0 {
		return aheadWorkersOverride
	}
	return min(runtime.GOMAXPROCS(0)-1, aheadWorkersMax)
}

// aheadJob is the guess of one SRTP packet of a batch.
type aheadJob struct {
	g     srtp.Guess
	st    *srtp.Stream
	plain []byte      // where the plaintext goes
	done  atomic.Bool // OpenGuess returned
	// abandoned: not done when the batch was handled, so DecryptRTP did
	// the work (see commit); its guess is not read again.
	abandoned bool
}

// aheadSet is the SRTP packets of one batch to open ahead. Its jobs are
// claimed a chunk at a time through state, which packs a generation (a
// set is reused), the number of jobs and the next job to claim into one
// word, so that a worker still holding an old generation's message claims
// nothing.
type aheadSet struct {
	b     *batch
	tag   uint64
	jobs  []aheadJob
	plain []byte
	state atomic.Uint64 // gen<<40 | count<<20 | next
	wg    sync.WaitGroup
	// held: handled, but a worker may still be opening an abandoned job
	// (reading the batch's bytes): the set and its batch wait until it
	// is done (release) before they are used again.
	held bool
}

const aheadIndexBits = 20 // jobs and chunk indices stay below 2^20

func packAhead(gen uint64, count, next int) uint64 {
	return gen<<(2*aheadIndexBits) | uint64(count)<<aheadIndexBits | uint64(next)
}

// open opens the set's guesses, a chunk at a time, as worker w (0: the
// analyzer, with the guesses' own contexts), until none is left to claim
// for generation gen.
func (s *aheadSet) open(w int, gen uint64) {
	const mask = 1<<aheadIndexBits - 1
	for {
		v := s.state.Load()
		count, next := int(v>>aheadIndexBits&mask), int(v&mask)
		if v>>(2*aheadIndexBits) != gen || next >= count {
			return
		}
		end := min(next+aheadChunk, count)
		if !s.state.CompareAndSwap(v, packAhead(gen, count, end)) {
			continue
		}
		if w > 0 && aheadWorkerHook != nil {
			aheadWorkerHook()
		}
		for i := next; i < end; i++ {
			j := &s.jobs[i]
			j.g.Context().Worker(w).OpenGuess(j.plain, &j.g)
			j.done.Store(true)
		}
		s.wg.Add(next - end)
	}
}

// aheadMsg asks a worker to help with a set.
type aheadMsg struct {
	s   *aheadSet
	gen uint64
}

// decryptAhead is the workers and three sets, used in turn: the batch
// being opened, the one being handled, and one that may still wait for an
// abandoned job.
type decryptAhead struct {
	workers int
	work    chan aheadMsg
	free    []*aheadSet
	gen     uint64
}

func newDecryptAhead(workers int) *decryptAhead {
	d := &decryptAhead{workers: workers, work: make(chan aheadMsg, 4*workers)}
	for i := 0; i < 3; i++ {
		d.free = append(d.free, &aheadSet{jobs: make([]aheadJob, 0, batchEventsCap()), plain: make([]byte, 0, batchArena)})
	}
	for w := 1; w <= workers; w++ {
		go func() {
			for m := range d.work {
				m.s.open(w, m.gen)
			}
		}()
	}
	return d
}

func (d *decryptAhead) stop() { close(d.work) }

// guess makes the guesses of batch b's SRTP packets and starts opening
// them. Caller holds a.mu; nothing of the analysis changes.
func (d *decryptAhead) guess(m *mediaState, b *batch, tag uint64) *aheadSet {
	s := d.free[0]
	d.free = append(d.free[:0], d.free[1:]...)
	s.b, s.tag, s.jobs, s.plain = b, tag, s.jobs[:0], s.plain[:0]
	if len(m.bindings) == 0 && len(m.supplied) == 0 && m.wildcard == nil {
		return s // no keys
	}
	minBytes := aheadMinBytes
	if aheadMinBytesOverride > 0 {
		minBytes = aheadMinBytesOverride
	}
	for i := range b.events {
		e := &b.events[i]
		p := &e.media
		if e.kind != evMedia || p.Kind != dissect.KindRTP || len(p.Data) < minBytes || len(s.plain)+len(p.Data) > cap(s.plain) {
			continue
		}
		ss := m.peekStream(p)
		// Only bound streams whose binding packet would keep (resolve
		// keeps an exact, placeholder or trial binding).
		if ss == nil || ss.bind == nil || ss.bind.ctx == nil || ss.srtp == nil ||
			(ss.gen != m.gen && ss.bind.ssrc != ss.model.ssrc && !ss.bind.taken && !ss.trialBound) {
			continue
		}
		ctx := ss.bind.ctx
		ctx.Worker(d.workers) // made here, used by the workers
		s.jobs = s.jobs[:len(s.jobs)+1]
		j := &s.jobs[len(s.jobs)-1]
		if !ctx.GuessRTP(p.Data, ss.srtp, &j.g, tag) {
			s.jobs = s.jobs[:len(s.jobs)-1]
			continue
		}
		j.st, j.abandoned = ss.srtp, false
		j.done.Store(false)
		j.plain = s.plain[len(s.plain) : len(s.plain) : len(s.plain)+len(p.Data)]
		s.plain = s.plain[:len(s.plain)+len(p.Data)]
	}
	if len(s.jobs) == 0 {
		return s
	}
	d.gen = (d.gen + 1) & (1<<(64-2*aheadIndexBits) - 1)
	s.wg.Add(len(s.jobs))
	s.state.Store(packAhead(d.gen, len(s.jobs), 0))
	for w := 0; w < d.workers; w++ {
		select {
		case d.work <- aheadMsg{s, d.gen}:
		default: // the workers are behind: the analyzer opens what is left
		}
	}
	return s
}

// commit opens what the workers did not take of s and hands the batch to
// the analyzer. A job a worker took but has not finished (its goroutine was
// descheduled: the machine is busy) is not waited for: its guess is
// abandoned and DecryptRTP decrypts the packet itself. Then the guesses
// nobody took are dropped.
func (d *decryptAhead) commit(q *batchQueue, s *aheadSet) {
	abandoned := 0
	if len(s.jobs) > 0 {
		if !aheadAnalyzerIdle {
			s.open(0, s.gen())
		}
		q.a.mu.Lock()
		for i := range s.jobs {
			if j := &s.jobs[i]; !j.done.Load() {
				j.abandoned = true
				j.st.AbandonGuess(&j.g)
				abandoned++
			}
		}
		q.a.mu.Unlock()
	}
	q.process(s.b)
	if len(s.jobs) > 0 {
		taken := 0
		q.a.mu.Lock()
		for i := range s.jobs {
			j := &s.jobs[i]
			j.st.DropGuesses(s.tag)
			if !j.abandoned && j.g.Taken() {
				taken++
			}
		}
		q.a.mu.Unlock()
		if aheadTally != nil {
			aheadTally(len(s.jobs), taken, abandoned)
		}
	}
	s.held = true
	if abandoned == 0 {
		s.release(q) // every job is done: at most a moment's wait
	}
	d.free = append(d.free, s)
}

// release waits until no worker touches the set (an abandoned job
// finished) and returns its batch to the reading goroutine.
func (s *aheadSet) release(q *batchQueue) {
	s.wg.Wait()
	clear(s.jobs)
	q.free <- s.b
	s.b, s.held = nil, false
}

// gen returns the generation the set's jobs were published under.
func (s *aheadSet) gen() uint64 { return s.state.Load() >> (2 * aheadIndexBits) }

// consumeAhead is consume with SRTP packets opened ahead by workers
// goroutines: a batch's guesses are made and handed out when it arrives,
// and it is handled once the next batch has been handed out too (or at
// once when no batch waits, so that a live capture's views never lag).
func (q *batchQueue) consumeAhead(workers int) {
	d := newDecryptAhead(workers)
	defer func() {
		for _, s := range d.free {
			if s.held {
				s.wg.Wait() // no worker left reading a batch
			}
		}
		d.stop()
	}()
	var prev *aheadSet
	var tag uint64
	for {
		var b *batch
		ok := true
		if prev != nil {
			select {
			case b, ok = <-q.full:
			default:
				d.commit(q, prev)
				prev = nil
				continue
			}
		} else {
			b, ok = <-q.full
		}
		if !ok {
			if prev != nil {
				d.commit(q, prev)
			}
			return
		}
		tag++
		if s := d.free[0]; s.held {
			s.release(q) // the oldest set: its abandoned jobs had a batch's time
		}
		q.a.mu.Lock()
		s := d.guess(q.a.media, b, tag)
		q.a.mu.Unlock()
		if prev != nil {
			d.commit(q, prev)
			prev = nil
		}
		if len(s.jobs) == 0 {
			d.commit(q, s)
			continue
		}
		prev = s
	}
}

// peekStream finds the stream a media packet belongs to as packet does,
// without creating or changing anything (a miss, or a stream packet
// resolves differently, costs only an unused guess). Caller holds a.mu.
func (m *mediaState) peekStream(p *dissect.MediaPacket) *streamState {
	a := m.a
	var st *sessionState
	if c, ok := a.mediaSessions[p.SessionID]; ok && p.SessionID != 0 && c.gen == a.byKeyGen && c.key == p.SessionKey {
		st = c.st
	} else {
		st = a.lookupSession(p.SessionKey)
	}
	if st != nil && len(st.streams) <= streamScanMax {
		for _, s := range st.streams {
			if s.model.ssrc == p.SSRC && s.kind == p.Kind && s.src == p.Src {
				return s
			}
		}
		return nil
	}
	return m.streams[streamKey{session: sessionID(st), ssrc: p.SSRC, kind: p.Kind, src: p.Src}]
}
