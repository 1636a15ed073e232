package analysis

import (
	"fmt"
	"sort"
)

// DefaultMaxSessions bounds the sessions the analyzer keeps when neither
// Options.MaxSessions nor the dissector's limit says otherwise.
const DefaultMaxSessions = 20000

// maxSessions is the session limit in force.
func (a *Analyzer) maxSessions() int {
	if a.opts.MaxSessions > 0 {
		return a.opts.MaxSessions
	}
	return DefaultMaxSessions
}

// evictSessions keeps the model bounded: when there are more sessions than
// the limit, the least recently active tenth are forgotten with their
// MIKEY exchanges, SRTP bindings and streams, and a capture.limit finding
// counts them. Evicting a tenth at a time keeps the cost per new session
// constant on average. Caller holds a.mu.
func (a *Analyzer) evictSessions() {
	limit := a.maxSessions()
	if len(a.sessions) <= limit {
		return
	}
	keep := limit - limit/10
	if keep < 1 {
		keep = 1
	}
	byActivity := append([]*sessionState(nil), a.sessions...)
	sort.SliceStable(byActivity, func(i, j int) bool { return byActivity[i].s.End.Before(byActivity[j].s.End) })
	gone := map[*sessionState]bool{}
	for _, st := range byActivity[:len(byActivity)-keep] {
		gone[st] = true
	}
	kept := a.sessions[:0]
	for _, st := range a.sessions {
		if !gone[st] {
			kept = append(kept, st)
		}
	}
	for i := len(kept); i < len(a.sessions); i++ {
		a.sessions[i] = nil
	}
	a.sessions = kept
	for k, st := range a.byKey {
		if gone[st] {
			delete(a.byKey, k)
		}
	}
	a.byKeyGen++
	clear(a.mediaSessions)
	for csb, list := range a.byCSB {
		out := list[:0]
		for _, ex := range list {
			if !gone[ex.session] {
				out = append(out, ex)
			}
		}
		if len(out) == 0 {
			delete(a.byCSB, csb)
		} else {
			a.byCSB[csb] = out
		}
	}
	m := a.media
	ids := map[int]bool{}
	for st := range gone {
		ids[st.s.ID] = true
		delete(m.bindings, st.s.ID)
		delete(a.byID, st.s.ID)
	}
	order := m.order[:0]
	for _, ss := range m.order {
		if ss.session != nil && gone[ss.session] {
			continue
		}
		order = append(order, ss)
	}
	for i := len(order); i < len(m.order); i++ {
		m.order[i] = nil
	}
	m.order = order
	for k := range m.streams {
		if ids[k.session] {
			delete(m.streams, k)
		}
	}
	m.gen++
	a.evicted += len(gone)
	// The findings of dropped sessions go too; the limit finding counts them.
	dropped := 0
	fs := a.findings[:0]
	for _, f := range a.findings {
		if f.Session != 0 && ids[f.Session] {
			if f.Code == KindCaptureLimit.Code {
				f.Session = 0 // limits are about the capture: keep them
			} else {
				dropped++
				continue
			}
		}
		fs = append(fs, f)
	}
	for i := len(fs); i < len(a.findings); i++ {
		a.findings[i] = nil
	}
	a.findings = fs
	for k := range a.folded {
		if ids[k.session] {
			delete(a.folded, k)
		}
	}
	f := KindCaptureLimit.New(0, 0, fmt.Sprintf("more than %d sessions: the least recently active are dropped from the report with their findings (raise --max-sessions)", limit))
	a.addFolded(f, "sessions")
	if lf := a.folded[foldKey{f.Code, 0, "sessions"}]; lf != nil {
		lf.Count += len(gone) - 1 + dropped
		lf.Summary = fmt.Sprintf("more than %d sessions: %d least recently active sessions and %d of their findings dropped from the report (raise --max-sessions)", limit, a.evicted, a.droppedFindings+dropped)
	}
	a.droppedFindings += dropped
}
