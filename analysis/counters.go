package analysis

import "time"

// Counters are the totals /metrics exports (package metrics), read from
// the model at scrape time so the analysis keeps no extra state for them.
type Counters struct {
	Frames, Bytes uint64
	// SessionsSeen counts every session, the ones dropped to stay within
	// MaxSessions included.
	SessionsSeen int
	// Sessions counts the sessions in the model by key status.
	Sessions map[KeyStatus]int
	// MIKEY counts MIKEY messages by session mode and verdict (Auth).
	MIKEY map[[2]string]int
	// Packets counts media packets by kind ("srtp", "srtcp") and result
	// ("authenticated", "auth_failed", "decrypted").
	Packets map[[2]string]uint64
	// Findings counts findings (folded ones with their count) by code and
	// severity.
	Findings map[[2]string]int
	// SessionsActive and StreamsActive are the sessions with signalling,
	// and the streams with packets, in the last ActiveWindow of capture
	// time.
	SessionsActive, StreamsActive int
}

// ActiveWindow is how recent the last activity of a session or stream in
// progress is (the analyzer's idle time).
const ActiveWindow = 30 * time.Second

// Counters returns the totals of the model so far. It may be called from
// any goroutine while the pass runs.
func (a *Analyzer) Counters() Counters {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.media.refresh()
	c := Counters{Frames: a.summary.Frames, Bytes: a.summary.Bytes,
		SessionsSeen: len(a.sessions) + a.evicted + a.retired.sessions,
		Sessions:     map[KeyStatus]int{}, MIKEY: map[[2]string]int{},
		Packets: map[[2]string]uint64{}, Findings: map[[2]string]int{}}
	// The sessions retired so far (retire.go) count as they were.
	for k, v := range a.retired.totals.Sessions {
		c.Sessions[k] += v
	}
	for k, v := range a.retired.totals.MIKEY {
		c.MIKEY[k] += v
	}
	for k, v := range a.retired.totals.Packets {
		c.Packets[k] += v
	}
	for k, v := range a.retired.totals.Findings {
		c.Findings[k] += v
	}
	// Measured back from the latest frame in line (capture.Clock), not
	// the latest timestamp: one frame from the far future would make
	// every session look inactive.
	latest := a.clock.Latest()
	if latest.IsZero() {
		latest = a.summary.Last
	}
	since := latest.Add(-ActiveWindow)
	for _, st := range a.sessions {
		if countSession(&c, st.s) && !st.s.End.Before(since) {
			c.SessionsActive++
		}
	}
	for _, ss := range a.media.order {
		if countStream(&c, ss.model) && !ss.model.Health.LastTime.Before(since) {
			c.StreamsActive++
		}
	}
	for _, f := range a.findings {
		n := f.Count
		if n == 0 {
			n = 1
		}
		c.Findings[[2]string{f.Code, f.Severity.String()}] += n
	}
	return c
}

// countSession adds a session's key status and MIKEY verdicts to c (and
// reports true).
func countSession(c *Counters, s *Session) bool {
	c.Sessions[s.KeyStatus]++
	mode := s.Mode
	if mode == "" {
		mode = "unknown"
	}
	for _, m := range s.MIKEY {
		c.MIKEY[[2]string{mode, m.Auth.String()}]++
	}
	return true
}

// countStream adds a stream's packets to c (and reports true).
func countStream(c *Counters, st *Stream) bool {
	kind := "srtp"
	if st.Kind == "rtcp" {
		kind = "srtcp"
	}
	c.Packets[[2]string{kind, "authenticated"}] += st.Authenticated
	c.Packets[[2]string{kind, "auth_failed"}] += st.AuthFailed
	c.Packets[[2]string{kind, "decrypted"}] += st.Decrypted
	return true
}

// Counters returns the totals of the job's current pass.
func (j *Job) Counters() Counters {
	j.mu.Lock()
	a := j.a
	j.mu.Unlock()
	return a.Counters()
}
