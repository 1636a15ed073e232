package analysis

import (
	"sort"
)

// Finish ends the pass: it settles what can only be judged at the end
// (exchanges left unanswered, stream verdicts) and returns the report.
// Finish may be called more than once; the end-of-pass findings are made
// only the first time.
//
// The report shares the analyzer's sessions, messages, streams and
// findings instead of copying them (a copy was a third of the live memory
// at the end of a large capture): the analyzer must not be fed after
// Finish. Snapshot copies.
func (a *Analyzer) Finish() *Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle()
	return a.buildReport(false)
}

// settle makes the end-of-pass findings, once. Caller holds a.mu.
func (a *Analyzer) settle() {
	if !a.finished {
		a.finished = true
		a.finishMIKEY()
		a.media.finish()
		a.finishHEP()
	}
	a.setKeying()
}

// Snapshot returns a consistent copy of the model so far; it is safe to call
// from another goroutine while the pass runs (the TUI does).
func (a *Analyzer) Snapshot() *Report {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.media.refresh()
	return a.buildReport(true)
}

// buildReport makes a Report of the working state: of copies of the
// sessions, messages, streams and findings when copies is true, else of
// the analyzer's own. Caller holds a.mu.
func (a *Analyzer) buildReport(copies bool) *Report {
	r := &Report{
		Schema:   Schema,
		Inputs:   append([]string{}, a.inputs...),
		Summary:  a.summary,
		Sessions: []*Session{},
	}
	counts := map[int]*FindingCounts{}
	findings := make([]*Finding, len(a.findings))
	for i, f := range a.findings {
		findings[i] = f
		if copies {
			cp := *f
			findings[i] = &cp
		}
		c := counts[f.Session]
		if c == nil {
			c = &FindingCounts{}
			counts[f.Session] = c
		}
		switch f.Severity {
		case SeverityError:
			c.Errors++
			r.Summary.Errors++
		case SeverityWarning:
			c.Warnings++
			r.Summary.Warnings++
		default:
			c.Notes++
			r.Summary.Notes++
		}
	}
	SortFindings(findings)
	r.Findings = findings
	r.Summary.Errors += a.retired.errors
	r.Summary.Warnings += a.retired.warnings
	r.Summary.Notes += a.retired.notes
	if len(a.retired.byCode) > 0 {
		r.Retired = make(map[string]CodeTally, len(a.retired.byCode))
		for k, v := range a.retired.byCode {
			r.Retired[k] = v
		}
	}
	streams := a.media.streamsBySession(copies)
	for _, st := range a.sessions {
		s := st.s
		if copies {
			s = copySession(st.s)
		} else {
			s.nonNilLists() // the copies are never nil
		}
		s.Streams = streams[s.ID]
		if s.Streams == nil {
			s.Streams = []*Stream{}
		}
		s.FindingCounts = FindingCounts{}
		if c := counts[s.ID]; c != nil {
			s.FindingCounts = *c
		}
		r.Sessions = append(r.Sessions, s)
		r.Summary.MIKEYMessages += len(s.MIKEY)
		r.Summary.Streams += len(s.Streams)
	}
	r.Streams = streams[0]
	r.Summary.Streams += len(r.Streams) + a.retired.streams
	r.Summary.Sessions = len(r.Sessions) + a.retired.sessions
	r.Summary.MIKEYMessages += a.retired.mikey
	r.Summary.HEP = a.hepSummary()
	for _, k := range a.keyUse {
		kc := *k
		kc.Verified = append([]uint64(nil), k.Verified...)
		r.Keys = append(r.Keys, kc)
	}
	r.Keys = append(r.Keys, a.unusedKeys()...)
	sort.Slice(r.Keys, func(i, j int) bool { return r.Keys[i].Fingerprint < r.Keys[j].Fingerprint })
	r.MCKeys = a.mcKeyEntries()
	return r
}

// nonNilLists makes the session's nil lists empty: the document lists
// none as [], not null.
func (s *Session) nonNilLists() {
	if s.Signals == nil {
		s.Signals = []*Signal{}
	}
	if s.MIKEY == nil {
		s.MIKEY = []*MIKEYMessage{}
	}
	if s.CryptoSessions == nil {
		s.CryptoSessions = []*CryptoSession{}
	}
}

// copySession copies a session with its signals, MIKEY messages and crypto
// sessions (the objects the analyzer goes on changing).
func copySession(src *Session) *Session {
	s := *src
	s.Signals = append([]*Signal{}, src.Signals...)
	s.MIKEY = make([]*MIKEYMessage, len(src.MIKEY))
	for i, m := range src.MIKEY {
		mc := *m
		s.MIKEY[i] = &mc
	}
	s.CryptoSessions = make([]*CryptoSession, len(src.CryptoSessions))
	for i, cs := range src.CryptoSessions {
		cc := *cs
		s.CryptoSessions[i] = &cc
	}
	return &s
}

// unusedKeys lists the supplied keys whose use is tracked (PSKs, SRTP keys,
// SAKKE RSKs) that verified nothing, once each by fingerprint. Caller
// holds a.mu.
func (a *Analyzer) unusedKeys() []KeyUse {
	st := a.opts.Keys
	if st == nil {
		return nil
	}
	var out []KeyUse
	seen := map[string]bool{}
	add := func(fp, kind, source string) {
		if a.keyUse[fp] != nil || seen[fp] {
			return
		}
		seen[fp] = true
		out = append(out, KeyUse{Fingerprint: fp, Kind: kind, Source: source, VerifiedNothing: true})
	}
	for _, k := range st.PSKs {
		add(k.Fingerprint(), "psk", k.Source)
	}
	for _, k := range st.SRTP {
		add(k.Fingerprint(), "srtp", k.Source)
	}
	for _, k := range st.SAKKERSKs {
		add(k.Fingerprint(), "sakke", k.Source)
	}
	return out
}
