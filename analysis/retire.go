package analysis

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// Retirement: finished sessions leave memory.
//
// A session has ended when
//   - a BYE of the dialog has been answered with a final response,
//   - an INVITE that had not been answered with a 2xx gets a final response
//     of 300 or above (a rejected call, or 487 after a CANCEL; not 401 or
//     407, a challenge the INVITE comes again after),
//   - an RTSP TEARDOWN has been answered with a final response, or
//   - no packet of it (signalling or media) has come for Options.IdleTimeout
//     of capture time (SignallingOnlyIdle for an established SIP dialog
//     with no media in the capture). A gap in the whole capture longer than that (or a
//     jump between the clocks of two sources, such as HEP timestamps of a
//     replayed file and an interface's) does not count.
//
// After the end it lingers for Linger of capture time after its latest
// packet (a trailing SRTCP BYE, late or reordered media, a retransmitted 200
// are still its own), then it is settled as the end of the pass would settle
// it (unanswered exchanges, stream verdicts), handed to Options.Retire and
// its state is released. Packets that still come for it are tied to the
// finished session by a tombstone (its keys, kept for TombstoneFor of
// capture time) and counted in Summary.LatePackets, not reported as a new
// session or as media of no session.
//
// Retirement only runs when Options.Retire is set (the reports, export,
// and the TUI's Job with its SessionSpool); without it every session stays
// in the model and the oldest are dropped past MaxSessions.

// DefaultIdleTimeout is Options.IdleTimeout's default.
const DefaultIdleTimeout = 30 * time.Second

const (
	// Linger is how long an ended session stays after its latest packet.
	Linger = 5 * time.Second
	// TombstoneFor is how long packets of a retired session are still
	// recognised as its own (SIP retransmits a final response for up to
	// 64*T1 = 32 s, RFC 3261 §17.2.1).
	TombstoneFor = 60 * time.Second
	// retireSweepEvery is how often, in capture time, sessions are checked.
	retireSweepEvery = time.Second
)

// idleTimeout is the idle timeout in force.
func (a *Analyzer) idleTimeout() time.Duration {
	if a.opts.IdleTimeout > 0 {
		return a.opts.IdleTimeout
	}
	return DefaultIdleTimeout
}

// ForgetAfter is how long of capture time after its latest packet a
// session's correlation state (the dissector's Call-ID and media flows) is
// still needed: until its tombstone expires.
func (o Options) ForgetAfter() time.Duration {
	idle := o.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	return idle + Linger + TombstoneFor
}

// tomb is what a retired session leaves behind.
type tomb struct {
	id    int
	until time.Time
}

type tombEntry struct {
	key   sessionKey
	until time.Time
}

// tombstones maps the keys of retired sessions to them until their time is
// up; the queue holds the keys in the order they expire.
type tombstones struct {
	byKey map[sessionKey]tomb
	queue []tombEntry
	head  int
}

// add keeps k's tombstone until then; past limit tombstones the oldest
// are given up (a hostile capture of one-packet sessions within
// TombstoneFor would otherwise keep every Call-ID).
func (t *tombstones) add(k sessionKey, id int, until time.Time, limit int) {
	if t.byKey == nil {
		t.byKey = map[sessionKey]tomb{}
	}
	t.byKey[k] = tomb{id: id, until: until}
	t.queue = append(t.queue, tombEntry{key: k, until: until})
	for len(t.byKey) > limit && t.head < len(t.queue) {
		e := t.queue[t.head]
		if tb, ok := t.byKey[e.key]; ok && tb.until.Equal(e.until) {
			delete(t.byKey, e.key)
		}
		t.queue[t.head] = tombEntry{}
		t.head++
	}
	t.compact()
}

func (t *tombstones) lookup(k sessionKey) (int, bool) {
	if len(t.byKey) == 0 {
		return 0, false
	}
	tb, ok := t.byKey[k]
	return tb.id, ok
}

// expire forgets the tombstones whose time is up at now.
func (t *tombstones) expire(now time.Time) {
	for t.head < len(t.queue) && !t.queue[t.head].until.After(now) {
		e := t.queue[t.head]
		if tb, ok := t.byKey[e.key]; ok && !tb.until.After(now) {
			delete(t.byKey, e.key)
		}
		t.queue[t.head] = tombEntry{}
		t.head++
	}
	t.compact()
}

// compact drops the queue's dead front once it is half of it.
func (t *tombstones) compact() {
	if t.head > 0 && t.head*2 >= len(t.queue) {
		n := copy(t.queue, t.queue[t.head:])
		clear(t.queue[n:])
		t.queue = t.queue[:n]
		t.head = 0
	}
}

func (t *tombstones) len() int { return len(t.byKey) }

// lateKey reports whether a message or packet keyed k belongs to a retired
// session, and counts it if so. Caller holds a.mu.
func (a *Analyzer) lateKey(k sessionKey) bool {
	if _, ok := a.tombs.lookup(k); ok {
		a.summary.LatePackets++
		return true
	}
	return false
}

// lateMedia reports whether a media packet whose session is not live
// belongs to a retired session (and counts it). Caller holds a.mu.
func (a *Analyzer) lateMedia(key string) bool {
	if key == "" || a.tombs.len() == 0 {
		return false
	}
	return a.lateKey(sessionKey{dissect.CarrierSIP, key}) || a.lateKey(sessionKey{dissect.CarrierRTSP, key})
}

// noteSignalEnd marks the session ended when m ends it (see above). An
// authentication challenge (401, 407) ends nothing: the request comes
// again with credentials; and a new INVITE after a rejection (a redirect
// followed in the same dialog) opens the session again.
func (st *sessionState) noteSignalEnd(m *dissect.SignalMessage) {
	if m.Request {
		if m.Carrier == dissect.CarrierSIP && m.Method == "INVITE" && !st.established {
			st.ended = false
		}
		return
	}
	if m.Status < 200 || m.Status == 401 || m.Status == 407 {
		return
	}
	method := m.Method
	if method == "" {
		method = m.CSeqMethod
	}
	switch m.Carrier {
	case dissect.CarrierSIP:
		switch {
		case method == "INVITE" && m.Status < 300:
			st.established = true
		case method == "INVITE" && !st.established:
			st.ended = true // rejected, or cancelled (487)
		case method == "BYE":
			st.ended = true
		}
	case dissect.CarrierRTSP:
		if method == "TEARDOWN" {
			st.ended = true
		}
	}
}

// SignallingOnlyIdle is the idle timeout of an established SIP dialog
// whose media is not in the capture (a signalling trace): its BYE may come
// long after its last message, and SIP session timers refresh a call every
// 15-30 minutes (RFC 4028's recommended Session-Expires is 1800 s).
const SignallingOnlyIdle = time.Hour

// idleLimit is the session's idle timeout: idle, or SignallingOnlyIdle
// for an established dialog with no stream seen.
func (st *sessionState) idleLimit(idle time.Duration) time.Duration {
	if st.established && !st.ended && len(st.streams) == 0 && idle < SignallingOnlyIdle {
		return SignallingOnlyIdle
	}
	return idle
}

// lastActivity is the time on the steady clock of the session's latest
// packet (or of the end of a quiet spell of the whole capture, see
// clockJump).
func (st *sessionState) lastActivity() time.Time { return st.touched }

// touch notes a packet of the session at time at of the steady clock.
func (st *sessionState) touch(at time.Time) {
	if at.After(st.touched) {
		st.touched = at
	}
}

// advance notes the time of an event on the steady clock and, every
// retireSweepEvery, retires the sessions that are over: one time
// comparison per event. Caller holds a.mu.
func (a *Analyzer) advance(t time.Time) {
	if a.opts.Retire == nil || !t.After(a.nextRetire) {
		return
	}
	a.nextRetire = t.Add(retireSweepEvery)
	a.retireSweep(t)
}

// clockJump is told of each jump of the frames' timestamps (capture.Clock).
// A quiet spell of the whole capture longer than the idle timeout (or a
// clock that steps forward) does not count: the sessions in progress are
// as fresh after it as before. Every other jump is a finding
// (capture.time-jump), folded by kind. Caller holds a.mu.
func (a *Analyzer) clockJump(j capture.Jump) {
	if j.Kind == capture.JumpGap {
		now := a.clock.Now()
		for _, st := range a.sessions {
			st.touch(now)
		}
		// No late packet of a retired session is expected after it.
		a.tombs.expire(now.Add(j.By))
		return
	}
	f := KindTimeJump.New(j.Frame, 0, timeJumpSummary(j))
	a.addFolded(f, "time-jump "+strconv.Itoa(int(j.Kind)))
}

// timeJumpSummary says what a jump was, where, and what it does.
func timeJumpSummary(j capture.Jump) string {
	withDate := SpansDays(j.Time, j.Prev) || SpansDays(j.Time, j.Next) || j.By >= 24*time.Hour || j.By <= -24*time.Hour
	at := func(frame uint64, t time.Time) string {
		if frame == 0 {
			return "the wall clock at " + FormatTime(t, withDate)
		}
		return fmt.Sprintf("frame %d at %s", frame, FormatTime(t, withDate))
	}
	whose := "the timestamp of frame " + strconv.FormatUint(j.Frame, 10)
	if j.Frame == 0 {
		whose = "the wall clock"
	}
	if j.Agent != nil {
		whose += " (" + j.Agent.Name() + "'s clock)"
	}
	by := j.By
	dir := "ahead of"
	if by < 0 {
		by, dir = -by, "behind"
	}
	const timing = "durations, jitter and timeouts across it are off by that much; session retirement does not count it as time passing"
	switch j.Kind {
	case capture.JumpAhead, capture.JumpBehind:
		return fmt.Sprintf("%s (%s) is %s %s its neighbours (%s, %s): it alone is out of line (a corrupted record, a clock corrected at once): what it carries is shown that far off; session retirement does not count it as time passing",
			whose, FormatTime(j.Time, withDate), FormatDuration(by), dir, at(j.PrevFrame, j.Prev), at(j.NextFrame, j.Next))
	case capture.JumpBack:
		clock := "the capture's time"
		if j.Agent != nil {
			clock = "the clock of " + j.Agent.Name()
		}
		return fmt.Sprintf("%s steps back %s at frame %d (%s, then %s, %s): captures concatenated, a clock stepped back, or a HEP agent's clock reset; %s",
			clock, FormatDuration(by), j.Frame, at(j.PrevFrame, j.Prev), at(j.Frame, j.Time), at(j.NextFrame, j.Next), timing)
	case capture.JumpSkew:
		if j.Agent != nil {
			return fmt.Sprintf("%s is %s %s the capture's time (%s; the frame that carried it was captured at %s): the agent's clock is off; the times of the signalling it mirrors are its clock's, durations between them and the capture's own frames are off by that much; session retirement counts its packets when they were captured",
				whose, FormatDuration(by), dir, at(j.Frame, j.Time), FormatTime(j.Prev, withDate))
		}
		return fmt.Sprintf("%s is %s %s the wall clock at the start of the live capture (%s; the wall clock at %s): %s",
			whose, FormatDuration(by), dir, at(j.Frame, j.Time), FormatTime(j.Prev, withDate), timing)
	}
	return fmt.Sprintf("%s jumps %s", whose, FormatDuration(j.By))
}

// retireSweep retires the sessions that have ended and lingered, those
// idle for the idle timeout, and, past Options.MaxSessions sessions in
// progress, the least recently active. Caller holds a.mu.
func (a *Analyzer) retireSweep(now time.Time) {
	if now.Before(a.now) {
		now = a.now // the latest time a sweep has seen
	}
	a.now = now
	a.tombs.expire(now)
	idle := a.idleTimeout()
	var gone []*sessionState
	for _, st := range a.sessions {
		last := st.lastActivity()
		quiet := now.Sub(last)
		switch {
		case st.ended && quiet >= Linger:
			st.over = last.Add(Linger)
		case quiet >= st.idleLimit(idle):
			st.over = last.Add(st.idleLimit(idle))
		default:
			continue
		}
		st.retiring = true
		gone = append(gone, st)
	}
	if over := len(a.sessions) - len(gone) - a.maxSessions(); over > 0 {
		// The least recently active sessions in progress go early, so
		// that the calls in progress stay within the limit; nothing is lost.
		var live []*sessionState
		for _, st := range a.sessions {
			if !st.retiring {
				live = append(live, st)
			}
		}
		sort.SliceStable(live, func(i, j int) bool { return live[i].lastActivity().Before(live[j].lastActivity()) })
		over = max(over, a.maxSessions()/10) // a tenth at once: constant cost per session on average
		over = min(over, len(live))
		for _, st := range live[:over] {
			st.retiring = true
			st.over = now
		}
		a.earlyRetired += over
		f := KindCaptureLimit.New(0, 0, "")
		a.addFolded(f, "sessions in progress")
		if lf := a.folded[foldKey{f.Code, 0, "sessions in progress"}]; lf != nil {
			lf.Count = a.earlyRetired
			lf.Summary = fmt.Sprintf("more than %d sessions in progress: %d least recently active sessions were written out before they ended (raise --max-sessions); their later packets are counted as late", a.maxSessions(), a.earlyRetired)
		}
		gone = gone[:0]
		for _, st := range a.sessions {
			if st.retiring {
				gone = append(gone, st)
			}
		}
	}
	if len(gone) > 0 {
		a.retire(gone, now)
	}
}

// retire settles the sessions (in ID order), hands them to Options.Retire
// and releases their state. Caller holds a.mu.
func (a *Analyzer) retire(gone []*sessionState, now time.Time) {
	ids := make(map[int]bool, len(gone))
	for _, st := range gone {
		ids[st.s.ID] = true
	}
	var found map[int][]*Finding
	var done map[int]bool
	// take moves the findings of the sessions being retired, and not yet
	// handed out, from a.findings[from:] to found, keeping the order of
	// the rest (the order raised).
	take := func(from int) {
		kept := a.findings[:from]
		for _, f := range a.findings[from:] {
			if f.Session != 0 && ids[f.Session] && !done[f.Session] {
				found[f.Session] = append(found[f.Session], f)
			} else {
				kept = append(kept, f)
			}
		}
		clear(a.findings[len(kept):])
		a.findings = kept
	}
	if a.opts.RetiredFindings != nil {
		// The sessions' findings leave with them: one pass over the
		// findings held, then over those each settling adds.
		found, done = map[int][]*Finding{}, map[int]bool{}
		take(0)
	}
	for _, st := range gone {
		mark := len(a.findings)
		s := a.settleSession(st)
		a.retired.add(s)
		if a.opts.RetiredFindings != nil {
			take(mark)
			fs := found[s.ID]
			delete(found, s.ID)
			done[s.ID] = true
			if fs == nil {
				fs = []*Finding{}
			}
			SortFindings(fs)
			a.retired.addFindings(fs)
			a.opts.RetiredFindings(s, fs)
		}
		a.opts.Retire(s)
	}
	if a.opts.RetiredFindings != nil {
		// A capture-wide finding folded before its message's session
		// claimed it (claimPending) is the session's now: later repeats
		// make a new finding.
		for k, f := range a.folded {
			if f.Session != 0 && ids[f.Session] {
				delete(a.folded, k)
			}
		}
	}
	// Release: one pass over each index per sweep.
	kept := a.sessions[:0]
	for _, st := range a.sessions {
		if !st.retiring {
			kept = append(kept, st)
		}
	}
	clear(a.sessions[len(kept):])
	a.sessions = kept
	for k, st := range a.byKey {
		if st.retiring {
			delete(a.byKey, k)
			// The tombstone lasts TombstoneFor from when the session was
			// over (a sweep after a gap in the capture may come later).
			if until := st.over.Add(TombstoneFor); until.After(now) {
				a.tombs.add(k, st.s.ID, until, a.maxSessions())
			}
		}
	}
	a.byKeyGen++
	for csb, list := range a.byCSB {
		out := list[:0]
		for _, ex := range list {
			if !ex.session.retiring {
				out = append(out, ex)
			}
		}
		clear(list[len(out):])
		if len(out) == 0 {
			delete(a.byCSB, csb)
		} else {
			a.byCSB[csb] = out
		}
	}
	m := a.media
	for _, st := range gone {
		delete(a.byID, st.s.ID)
		delete(m.bindings, st.s.ID)
	}
	order := m.order[:0]
	for _, ss := range m.order {
		if ss.session == nil || !ss.session.retiring {
			order = append(order, ss)
		}
	}
	clear(m.order[len(order):])
	m.order = order
	for k := range m.streams {
		if ids[k.session] {
			delete(m.streams, k)
		}
	}
	m.gen++
	for k := range a.folded {
		if ids[k.session] {
			delete(a.folded, k)
		}
	}
	for _, st := range gone {
		// Nothing of the session is needed any more.
		st.streams, st.exch, st.sdpMedia, st.clocks = nil, nil, nil, nil
	}
}

// settleSession makes the end-of-pass findings of one session (an
// exchange left unanswered, the verdicts of its streams) as settle makes
// them for all, and returns the session as the report lists it. Caller
// holds a.mu.
func (a *Analyzer) settleSession(st *sessionState) *Session {
	a.finishExchanges(st)
	m := a.media
	for _, ss := range st.streams {
		m.refreshStream(ss)
	}
	for _, ss := range st.streams {
		m.finishStream(ss)
	}
	a.setSessionKeying(st)
	s := st.s
	s.nonNilLists()
	s.Streams = make([]*Stream, len(st.streams))
	for i, ss := range st.streams {
		s.Streams[i] = ss.model
	}
	sortStreams(s.Streams)
	s.FindingCounts = st.counts
	for _, mm := range s.MIKEY {
		mm.msg = nil
	}
	return s
}

// retiredCounts counts the sessions retired so far and what they held,
// and keeps their part of the metrics' counters (Counters).
type retiredCounts struct {
	sessions, mikey, streams int
	totals                   Counters
	// The findings handed to Options.RetiredFindings: by severity, and
	// per code (Report.Retired).
	errors, warnings, notes int
	byCode                  map[string]CodeTally
}

// addFindings counts the findings of one retired session.
func (r *retiredCounts) addFindings(fs []*Finding) {
	if r.byCode == nil {
		r.byCode = map[string]CodeTally{}
	}
	if r.totals.Findings == nil {
		r.totals.Findings = map[[2]string]int{}
	}
	var seen map[string]bool // the codes met, for a session with many findings
	if len(fs) > 16 {
		seen = map[string]bool{}
	}
	for i, f := range fs {
		switch f.Severity {
		case SeverityError:
			r.errors++
		case SeverityWarning:
			r.warnings++
		default:
			r.notes++
		}
		t := r.byCode[f.Code]
		t.Findings++
		t.Severity = max(t.Severity, f.Severity)
		first := true // the session's first finding of this code
		if seen != nil {
			first = !seen[f.Code]
			seen[f.Code] = true
		} else {
			for _, g := range fs[:i] {
				if g.Code == f.Code {
					first = false
					break
				}
			}
		}
		if first {
			t.Sessions++
		}
		r.byCode[f.Code] = t
		n := f.Count
		if n == 0 {
			n = 1
		}
		r.totals.Findings[[2]string{f.Code, f.Severity.String()}] += n
	}
}

// add counts a retired session.
func (r *retiredCounts) add(s *Session) {
	r.sessions++
	r.mikey += len(s.MIKEY)
	r.streams += len(s.Streams)
	if r.totals.Sessions == nil {
		r.totals.Sessions, r.totals.MIKEY, r.totals.Packets = map[KeyStatus]int{}, map[[2]string]int{}, map[[2]string]uint64{}
	}
	countSession(&r.totals, s)
	for _, st := range s.Streams {
		countStream(&r.totals, st)
	}
}
