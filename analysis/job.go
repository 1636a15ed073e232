package analysis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// JobProgress is how far a background analysis has come.
type JobProgress struct {
	Frames     uint64 // frames read
	Bytes      uint64 // captured bytes read
	TotalBytes int64  // size of the input files; 0 for live capture
	Done       bool   // the input was read to its end (files) or stopped
	Live       bool
	Paused     bool // the view is frozen (live capture goes on)
	Err        string
	// Kernel holds a live capture's kernel counters (nil for files and
	// before the first reading).
	Kernel *LiveCounters
	// Write counts what a live capture wrote to its -w files (nil
	// without -w).
	Write *WriteCounters
	// Retired counts the finished sessions written to the session spool
	// (their rows read on demand through SnapshotRows, their models by
	// Job.Session or RetiredRows.Load).
	Retired int
}

// Job runs an analysis on its own goroutine for an interactive view: the
// view polls Snapshot when Updates signals, and may add keys, after which
// the analysis is redone (files) or the stored exchanges are reopened
// (live). It never blocks the packet pipeline on the view.
//
// Finished sessions are retired as in the reports (see retire.go): each
// is written whole to a SessionSpool (temporary files) with its compact
// row, on disk; SnapshotRows lists the sessions in progress and the
// rows retired so far (read on demand), Session loads a full model when
// the view opens it. Options.MaxSessions bounds the sessions in
// progress only. Without a writable temporary directory every session
// stays in memory and the oldest are dropped past MaxSessions.
type Job struct {
	open   func() (capture.Source, error)
	inputs []string
	opts   Options
	dopts  dissect.Options
	total  int64
	live   bool

	mu     sync.Mutex
	store  *keys.Store
	a      *Analyzer
	cancel context.CancelFunc
	done   bool
	err    string
	frozen *Report
	// frozenRows are the retired sessions frozen with frozen.
	frozenRows RetiredRows
	spool      *SessionSpool // the current pass's retired sessions; nil without retirement
	gen        int
	updates    chan struct{}
	paused     atomic.Bool
	wg         sync.WaitGroup
}

// StartJob starts analysing the source open returns. open is called again
// when keys are added to a file analysis, to read the input anew. total is
// the size of the input in bytes (0 if unknown or live).
func StartJob(open func() (capture.Source, error), inputs []string, total int64, live bool, opts Options, dopts dissect.Options) (*Job, error) {
	if opts.Keys == nil {
		opts.Keys = &keys.Store{}
	}
	j := &Job{open: open, inputs: inputs, opts: opts, dopts: dopts, total: total, live: live,
		store: opts.Keys, updates: make(chan struct{}, 1)}
	if err := j.start(); err != nil {
		return nil, err
	}
	return j, nil
}

// start begins a pass with the current keys. Caller must not hold j.mu.
func (j *Job) start() error {
	src, err := j.open()
	if err != nil {
		return err
	}
	j.mu.Lock()
	opts := j.opts
	opts.Keys = j.store
	j.mu.Unlock()
	var a *Analyzer
	var sp *SessionSpool
	if opts.Retire == nil {
		if sp, err = NewSessionSpool(); err == nil {
			// Called by the analyzer holding a.mu, before the session's
			// state is released.
			opts.Retire = func(s *Session) {
				var codes []string
				if st := a.byID[s.ID]; st != nil {
					codes = st.codes
				}
				sp.Add(s, codes)
			}
		} else {
			sp = nil // every session stays in memory
		}
	}
	a = New(opts)
	a.SetInputs(j.inputs)
	ctx, cancel := context.WithCancel(context.Background())
	j.mu.Lock()
	j.gen++
	gen := j.gen
	old := j.spool
	j.a, j.cancel, j.done, j.err, j.spool = a, cancel, false, "", sp
	if old != nil && old == j.frozenRows.sp && j.paused.Load() {
		old = nil // the frozen view lists its rows: closed when it thaws
	}
	j.mu.Unlock()
	if old != nil {
		old.Close()
	}
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		defer src.Close()
		last := time.Now()
		err := Run(ctx, src, a, j.dopts, func(uint64) {
			if time.Since(last) > 100*time.Millisecond {
				last = time.Now()
				j.notify()
			}
		})
		j.mu.Lock()
		if j.gen == gen {
			j.done = true
			if err != nil && err != context.Canceled {
				j.err = err.Error()
			}
		}
		j.mu.Unlock()
		j.notify()
	}()
	j.notify()
	return nil
}

func (j *Job) notify() {
	select {
	case j.updates <- struct{}{}:
	default:
	}
}

// Updates is signalled (coalesced) when the model changed.
func (j *Job) Updates() <-chan struct{} { return j.updates }

// Snapshot returns a consistent copy of the model (the frozen one while
// paused): the sessions in progress whole, the retired ones as compact
// rows (Session.Retired set), all in ID order. It reads every retired row
// from the spool: the TUI takes SnapshotRows and pages them instead.
func (j *Job) Snapshot() *Report {
	r, rows := j.SnapshotRows()
	if rows.Len() == 0 {
		return r
	}
	c := *r
	c.Sessions = mergeByID(r.Sessions, rows.sp.Rows(rows.Len()))
	return &c
}

// SnapshotRows returns a consistent copy of the model (the frozen one
// while paused) listing only the sessions in progress, and the sessions
// retired to the spool when it was taken (none of which is in the
// report), whose rows stay on disk until read.
func (j *Job) SnapshotRows() (*Report, RetiredRows) {
	j.mu.Lock()
	a, frozen, frozenRows, sp := j.a, j.frozen, j.frozenRows, j.spool
	j.mu.Unlock()
	if j.paused.Load() && frozen != nil {
		return frozen, frozenRows
	}
	if sp == nil {
		return a.Snapshot(), RetiredRows{}
	}
	a.mu.Lock()
	a.media.refresh()
	r := a.buildReport(true)
	n := sp.Len() // the sessions retired so far: none is in r
	a.mu.Unlock()
	return r, RetiredRows{sp: sp, n: n}
}

// Session returns the full model of session id of the current pass: a
// retired one is read back from the spool, one in progress copied. It is
// an error when the current pass has not (yet) seen the session (after a
// key was added to a file analysis, the new pass may not have come to it).
func (j *Job) Session(id int) (*Session, error) {
	j.mu.Lock()
	a, sp := j.a, j.spool
	j.mu.Unlock()
	if sp != nil {
		if s, err := sp.Load(id); s != nil || err != nil {
			return s, err
		}
	}
	for _, s := range a.Snapshot().Sessions {
		if s.ID == id {
			return s, nil
		}
	}
	return nil, fmt.Errorf("session %d is not in the current pass (yet)", id)
}

// Progress reports how far the pass has come.
func (j *Job) Progress() JobProgress {
	j.mu.Lock()
	a, sp := j.a, j.spool
	p := JobProgress{TotalBytes: j.total, Done: j.done, Live: j.live, Paused: j.paused.Load(), Err: j.err}
	j.mu.Unlock()
	if sp != nil && p.Err == "" {
		if err := sp.Err(); err != nil {
			p.Err = err.Error() + " (finished sessions after it are not listed)"
		}
	}
	a.mu.Lock()
	p.Frames, p.Bytes = a.summary.Frames, a.summary.Bytes
	p.Retired = a.retired.sessions
	if l := a.summary.Live; l != nil {
		c := *l
		p.Kernel = &c
	}
	if w := a.summary.Write; w != nil {
		c := *w
		p.Write = &c
	}
	a.mu.Unlock()
	return p
}

// SetPaused freezes (or unfreezes) what the view sees; the capture goes on.
func (j *Job) SetPaused(p bool) {
	if p {
		snap, rows := j.SnapshotRows()
		j.mu.Lock()
		if sp := j.frozenRows.sp; sp != nil && sp != j.spool && sp != rows.sp {
			sp.Close() // frozen again: the earlier frozen pass's spool
		}
		j.frozen, j.frozenRows = snap, rows
		j.mu.Unlock()
	} else {
		j.mu.Lock()
		if sp := j.frozenRows.sp; sp != nil && sp != j.spool {
			sp.Close() // a pass that ended while the view was frozen
		}
		j.frozen, j.frozenRows = nil, RetiredRows{}
		j.mu.Unlock()
	}
	j.paused.Store(p)
	j.notify()
}

// AddKey adds a key given as a keys-file line ("psk 00112233...",
// "srtp 0x1234=KEY:SALT", "tls-keylog FILE") and redoes the analysis with
// it: a file is read again from the start; a live capture reopens the
// exchanges seen so far and decrypts from now on. The line is read as a
// keys file's is (keys.SplitLine, strict values); an error adds nothing. A
// TLS key log is read at once (a missing, unreadable or empty file is an
// error) and decrypts the TLS connections of the new pass; a live capture
// takes one only at its start (--tls-keylog).
func (j *Job) AddKey(spec string) error {
	kind, value, ok := keys.SplitLine(spec)
	if !ok || value == "" {
		return fmt.Errorf("want a keys-file line such as \"psk 0011...\" or \"tls-keylog FILE\", got %q", strings.TrimSpace(spec))
	}
	add := &keys.Store{}
	if _, err := add.AddWithWarnings(kind, value, "added in the UI"); err != nil {
		return err
	}
	var kl *tlsdec.KeyLog
	if kind == keys.KindTLSKeyLog {
		if j.live {
			return errors.New("a live capture reads its TLS key log when it starts: run it again with --tls-keylog FILE")
		}
		loaded, err := readKeyLog(add.TLSKeyLogs[0].Path)
		if err != nil {
			return err
		}
		if loaded == nil || loaded.Len() == 0 {
			return fmt.Errorf("TLS key log %s holds no secrets (want SSLKEYLOGFILE lines such as CLIENT_RANDOM <random> <secret>)", add.TLSKeyLogs[0].Path)
		}
		kl = tlsdec.NewKeyLog()
		j.mu.Lock()
		if j.opts.TLSKeyLog != nil {
			kl.Merge(j.opts.TLSKeyLog)
		}
		j.mu.Unlock()
		kl.Merge(loaded)
	}
	j.mu.Lock()
	next := &keys.Store{}
	next.Merge(j.store)
	next.Merge(add)
	j.store = next
	if kl != nil {
		j.opts.TLSKeyLog = kl
	}
	a, cancel := j.a, j.cancel
	j.mu.Unlock()
	if j.live {
		a.Rekey(next)
		j.notify()
		return nil
	}
	cancel()
	j.wg.Wait()
	return j.start()
}

// Stop ends the pass and waits for it. The spool stays readable until
// Close.
func (j *Job) Stop() {
	j.mu.Lock()
	cancel := j.cancel
	j.mu.Unlock()
	cancel()
	j.wg.Wait()
}

// Close stops the pass and removes the session spool's file.
func (j *Job) Close() {
	j.Stop()
	j.mu.Lock()
	sp, frozen := j.spool, j.frozenRows.sp
	j.spool, j.frozen, j.frozenRows = nil, nil, RetiredRows{}
	j.mu.Unlock()
	if sp != nil {
		sp.Close()
	}
	if frozen != nil && frozen != sp {
		frozen.Close()
	}
}

// Rekey replaces the supplied keys and reopens every exchange seen so far,
// so that streams decrypt from the next packet on (live capture). Retired
// sessions are not reopened: their packets are gone, and they stay as
// they were written out.
func (a *Analyzer) Rekey(st *keys.Store) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.opts.Keys = st
	a.addSuppliedSRTP()
	for _, s := range a.sessions {
		for _, ex := range s.exch {
			if ex.init != nil && ex.init.decoded {
				a.open(ex)
			}
		}
	}
	a.media.gen++
}
