package analysis

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// Options configures an analysis.
type Options struct {
	Keys       *keys.Store   // supplied keys; nil for none
	ShowKeys   bool          // put derived keys in the report (--show-keys)
	ClockSkew  time.Duration // allowed MIKEY timestamp skew (default 5 min)
	MaxStreams int           // media streams tracked (default 65536)
	// Trees keeps every MIKEY message's field tree in the model (the TUI and
	// JSON --tree need it).
	Trees bool
	// SignalText keeps the text of every SIP and RTSP message (Signal.Raw)
	// for detail views; the TUI sets it. Reports do not show it, and without
	// it a call costs about 3.6 KB less memory.
	SignalText bool
	// Hook, when set, receives every media packet and its plaintext.
	Hook MediaHook
	// TLSKeyLog decrypts RTSPS/SIPS connections (see LoadTLSKeyLog); nil
	// still recognises TLS and reports that no key is known.
	TLSKeyLog *tlsdec.KeyLog
	// TLSSecretsUsed, when set, is told the key log entries a TLS
	// connection is decrypted with, for each TCP segment of the
	// connection until they prove wrong (tls.wrong-key): the first time
	// right after its ClientHello is read
	// (before the next packet is read), so that a pcapng writer fed the
	// same packets (capture.TeeInput) can put them into the file before
	// the ServerHello (capture.PcapngWriter.UseSecrets). Only entries of
	// connections in the capture are told, never the whole key log.
	TLSSecretsUsed func(*tlsdec.Secrets)
	// NoTLS passes TCP data on as it is, without looking for TLS.
	NoTLS bool
	// MaxSessions bounds the sessions kept in the model; past it the least
	// recently active are dropped (see evictSessions), or with Retire
	// written out early (it then bounds the sessions in progress only). 0:
	// the dissector's limit when Run is given one, else DefaultMaxSessions.
	MaxSessions int
	// Retire, when set, receives every session once it has ended and
	// lingered (retire.go), settled as Finish would settle it and with its
	// streams and finding counts; its state then leaves the analyzer, and
	// Finish's report lists only the sessions not yet retired (its summary
	// counts all). Sessions are retired in capture-time order, not by ID.
	// It runs on the analyzer goroutine with the analyzer locked.
	Retire func(*Session)
	// RetiredFindings, when set with Retire, receives the findings of
	// each retired session (sorted as the report sorts them; none is an
	// empty list) just before Retire receives the session; they then
	// leave the analyzer: Finish's report lists only the findings still
	// held, its Summary counts all and Report.Retired tallies the
	// others per code. Without it they stay in the report's list.
	RetiredFindings func(*Session, []*Finding)
	// IdleTimeout is the capture time without any packet after which a
	// session has ended (default DefaultIdleTimeout); only with Retire.
	IdleTimeout time.Duration
	// Finding, when set, receives every finding as it is raised (also
	// those past the limit of findings kept), with the count it has then.
	// It runs on the analyzer goroutine with the analyzer locked.
	Finding func(*Finding)
	// HEP configures the decoding of HEP (capture/hep.go): extra ports, an
	// auth key, the counters (created when nil).
	HEP capture.HEPOptions
}

// DefaultClockSkew is the allowed difference between a MIKEY timestamp and
// the capture time before mikeyscope reports clock skew. RFC 3830 §5.4
// leaves the value to the implementation; common stacks use minutes.
const DefaultClockSkew = 5 * time.Minute

// Analyzer builds the model from dissector events. It implements
// dissect.Sink. Its methods run on the pipeline goroutine; Snapshot may be
// called from any goroutine.
type Analyzer struct {
	mu   sync.Mutex
	opts Options

	summary  Summary
	inputs   []string
	sessions []*sessionState
	byKey    map[sessionKey]*sessionState
	// byKeyGen counts changes to byKey; mediaSessions caches the session
	// of media packets by the dissector's SessionID, valid while the key
	// and the generation match (a hash of the Call-ID per packet was a
	// tenth of the CPU on calls with media).
	byKeyGen      uint64
	mediaSessions map[uint64]mediaSession
	findings      []*Finding
	// findingSeq numbers the findings in the order they are raised.
	findingSeq uint64
	// foldedFindings folds repeated findings (same code, session and subject)
	// into one with a count.
	folded map[foldKey]*Finding

	media *mediaState
	mikeyState
	mkeys    *mikey.Keys // opts.Keys converted for package mikey
	finished bool        // Finish has made the end-of-pass findings
	evicted  int         // sessions dropped to stay within MaxSessions
	// droppedFindings counts the findings of dropped sessions.
	droppedFindings int
	// findingsOverflow counts the findings past heldFindings().
	findingsOverflow *Finding
	// tlsConns are the TCP connections whose TLS decrypts: their
	// signalling is carried over TLS (RTSPS, SIPS).
	tlsConns map[[2]netip.AddrPort]bool
	keysFor  *keys.Store
	keyUse   map[string]*KeyUse
	// summaries shares the text of response summaries across sessions
	// (see responseSummary).
	summaries map[string]string

	// byID finds the sessions in the model by ID; lastID numbers them.
	byID   map[int]*sessionState
	lastID int
	// Retirement (retire.go) runs on clock, the frames' timestamps made
	// steady (capture.Clock): now is the latest clock time a sweep has
	// seen, nextRetire when the next is due; tombs the keys of retired
	// sessions; retired counts what was retired, earlyRetired the sessions
	// retired in progress at the MaxSessions limit.
	clock           capture.Clock
	now, nextRetire time.Time
	tombs           tombstones
	retired         retiredCounts
	earlyRetired    int
	hep             hepState // duplicates seen by HEP and on the wire (hep.go)
	// pending are the findings of problems the dissector found in a
	// message before reporting the message itself (it reports a message's
	// problems first): when that message creates its session, they
	// belong to it. Only the latest frame's are kept.
	pending []pendingFinding
	// mcKeys are the mission-critical keys distributed in the capture
	// (mcgroup.go).
	mcKeys mcKeyTable
}

// pendingFinding is a finding waiting for the session of its message.
type pendingFinding struct {
	f     *Finding
	key   string
	frame uint64
}

type mediaSession struct {
	key string
	gen uint64
	st  *sessionState
}

type sessionKey struct {
	carrier dissect.Carrier
	key     string
}

type foldKey struct {
	code    string
	session int
	subject string
}

// sessionState is the analyzer's working state of one session.
type sessionState struct {
	s        *Session
	carrier  dissect.Carrier
	sdpMedia []sdpMedia // latest SDP media, by index
	clocks   []ptClock  // RTP clock rates of the SDPs' a=rtpmap lines
	// sessionKeyMgmt: an SDP of the session had a session-level key-mgmt.
	sessionKeyMgmt bool
	exch           []*keyExchange
	// msgsDropped: the decoded forms of the session's MIKEY messages were
	// dropped by dropIdleMessages (and none has been added since).
	msgsDropped bool
	// streams are the session's media streams, found by a short scan
	// rather than a map keyed by address.
	streams []*streamState
	// counts counts the session's findings in the list; codes are their
	// codes, each once (kept for an interactive view's retired rows).
	counts FindingCounts
	codes  []string
	// ended: the signalling ended the session (noteSignalEnd);
	// established: an INVITE was answered with a 2xx; retiring: it is
	// being retired.
	ended, established, retiring bool
	// over is the time on the steady clock at which a retiring session
	// was over; touched the clock's time of its latest packet (or of the
	// end of the latest quiet spell of the capture while it was in
	// progress; see clockJump).
	over, touched time.Time
	// rtspClient is the address of the RTSP client (the sender of the
	// session's requests); dummySSRCs the SSRCs of NAT dummy datagrams.
	rtspClient netip.Addr
	dummySSRCs []uint32
	// recent are the last SIP messages, to recognise their copies relayed
	// by a proxy on the next leg (see relayOf); dropped when idle.
	recent []relayEntry
	// sdes is what the session's SDPs said in a=crypto (nil: nothing).
	sdes *sdesState
	// partyURIs are identities the signalling names besides From and To
	// (P-Asserted-Identity, MC XML bodies), for MIKEY-SAKKE UIDs.
	partyURIs []string
	// mcSignalled: a message of the session had a 3GPP MC XML body naming
	// parties (a mission-critical call).
	mcSignalled bool
}

// New returns an Analyzer.
func New(opts Options) *Analyzer {
	if opts.ClockSkew == 0 {
		opts.ClockSkew = DefaultClockSkew
	}
	if opts.MaxStreams == 0 {
		opts.MaxStreams = 65536
	}
	if opts.HEP.Stats == nil {
		opts.HEP.Stats = new(capture.HEPStats)
	}
	a := &Analyzer{
		opts:  opts,
		byKey: map[sessionKey]*sessionState{},

		mediaSessions: map[uint64]mediaSession{},
		folded:        map[foldKey]*Finding{},
		keyUse:        map[string]*KeyUse{},
		summaries:     map[string]string{},
		byID:          map[int]*sessionState{},

		tlsConns: map[[2]netip.AddrPort]bool{},
	}
	a.media = newMediaState(a)
	a.media.hook = opts.Hook
	a.clock = capture.Clock{Gap: a.idleTimeout() + retireSweepEvery, OnJump: a.clockJump}
	a.initMIKEY()
	a.addSuppliedSRTP()
	return a
}

// SetInputs records the names of the inputs for the report.
func (a *Analyzer) SetInputs(names []string) {
	a.mu.Lock()
	a.inputs = append([]string(nil), names...)
	a.mu.Unlock()
}

// Frame accounts one captured frame (called for every packet read).
func (a *Analyzer) Frame(p *capture.Packet) {
	a.mu.Lock()
	a.frameLocked(p.Frame, p.Time, len(p.Data))
	a.mu.Unlock()
}

func (a *Analyzer) frameLocked(frame uint64, t time.Time, size int) {
	a.summary.Frames++
	a.summary.Bytes += uint64(size)
	if a.summary.First.IsZero() || t.Before(a.summary.First) {
		a.summary.First = t
	}
	if t.After(a.summary.Last) {
		a.summary.Last = t
	}
}

// ReadError records that the capture could not be read to its end.
func (a *Analyzer) ReadError(frame uint64, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.readErrorLocked(frame, err)
}

func (a *Analyzer) readErrorLocked(frame uint64, err error) {
	a.summary.ReadError = err.Error()
	a.add(KindFileDamaged.New(frame, 0, fmt.Sprintf("capture read stopped at frame %d: %v", frame, err)))
}

// session returns the state of the session a message belongs to, creating it.
func (a *Analyzer) session(m *dissect.SignalMessage, at time.Time) *sessionState {
	k := sessionKey{m.Carrier, m.SessionKey}
	if m.SessionAlias != "" {
		// RTSP: the connection-keyed session learnt its Session id.
		old := sessionKey{m.Carrier, m.SessionAlias}
		if st, ok := a.byKey[old]; ok {
			if cur, ok := a.byKey[k]; !ok || cur == st {
				a.byKeyGen++
				delete(a.byKey, old)
				a.byKey[k] = st
				st.s.Key = m.SessionKey
				a.byKey[old] = st // media still keyed by the connection keeps working
			}
		}
	}
	if st, ok := a.byKey[k]; ok {
		return st
	}
	if a.lateKey(k) || (m.SessionAlias != "" && a.lateKey(sessionKey{m.Carrier, m.SessionAlias})) {
		return nil // of a session already retired
	}
	a.lastID++
	st := &sessionState{
		carrier: m.Carrier,
		s: &Session{
			ID:        a.lastID,
			Carrier:   strings.ToLower(m.Carrier.String()),
			Key:       m.SessionKey,
			Start:     m.Time,
			End:       m.Time,
			Transport: m.Transport,
			KeyStatus: KeyNone,
		},
	}
	st.touch(at)
	a.sessions = append(a.sessions, st)
	a.byID[st.s.ID] = st
	a.byKey[k] = st
	if other := (sessionKey{dissect.CarrierRTSP, k.key}); k.carrier == dissect.CarrierSIP {
		if _, shadows := a.byKey[other]; shadows {
			a.byKeyGen++ // lookupSession now answers the SIP session for this key
		}
	}
	if a.opts.Retire == nil {
		a.evictSessions()
	} else if len(a.sessions) > a.maxSessions() {
		a.retireSweep(at)
	}
	if why := midSession(m); why != "" {
		a.add(KindMidCall.New(m.Frame, st.s.ID, why))
	}
	return st
}

// midSession says why the first message seen of a session shows that the
// capture started after the session began ("" when it looks like a start).
func midSession(m *dissect.SignalMessage) string {
	switch m.Carrier {
	case dissect.CarrierSIP:
		if !m.Request {
			return fmt.Sprintf("the first message seen of this dialog is a response (%d %s)", m.Status, m.Reason)
		}
		if m.ToTag != "" {
			return fmt.Sprintf("the first message seen of this dialog is an in-dialog %s (To tag set)", m.Method)
		}
		switch m.Method {
		case "BYE", "ACK", "PRACK", "UPDATE", "INFO", "CANCEL":
			return fmt.Sprintf("the first message seen of this dialog is %s", m.Method)
		}
	case dissect.CarrierRTSP:
		switch m.Method {
		case "PLAY", "PAUSE", "TEARDOWN", "RECORD":
			if m.Request {
				return fmt.Sprintf("the first message seen of this RTSP session is %s", m.Method)
			}
		}
	}
	return ""
}

// mediaSession finds the session of a media packet through the cache by
// SessionID; the same answer as lookupSession(p.SessionKey).
func (a *Analyzer) mediaSession(p *dissect.MediaPacket) *sessionState {
	if p.SessionID == 0 {
		return a.lookupSession(p.SessionKey)
	}
	if c, ok := a.mediaSessions[p.SessionID]; ok && c.gen == a.byKeyGen && c.key == p.SessionKey {
		return c.st
	}
	st := a.lookupSession(p.SessionKey)
	if st != nil {
		a.mediaSessions[p.SessionID] = mediaSession{key: p.SessionKey, gen: a.byKeyGen, st: st}
	}
	return st
}

// lookupSession finds the session of a media packet, if known.
func (a *Analyzer) lookupSession(key string) *sessionState {
	if key == "" {
		return nil
	}
	if st, ok := a.byKey[sessionKey{dissect.CarrierSIP, key}]; ok {
		return st
	}
	if st, ok := a.byKey[sessionKey{dissect.CarrierRTSP, key}]; ok {
		return st
	}
	return nil
}

// Signal implements dissect.Sink.
func (a *Analyzer) Signal(m *dissect.SignalMessage) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.signalLocked(m)
}

func (a *Analyzer) signalLocked(m *dissect.SignalMessage) {
	if m.Transport == "tcp" && a.tlsConns[connKey(m.Src, m.Dst)] {
		m.Transport = "tls"
	}
	at := a.clock.Observe(m.HEP, m.Frame, m.Time)
	a.advance(at)
	dup, dk, place := a.hepDuplicate(m)
	if dup {
		return
	}
	st := a.session(m, at)
	if st == nil {
		return // a late message of a retired session, counted
	}
	st.touch(at)
	st.noteSignalEnd(m)
	s := st.s
	a.claimPending(m, s.ID)
	if m.Time.After(s.End) {
		s.End = m.Time
	}
	if s.Transport == "" || m.Transport == "tls" {
		s.Transport = m.Transport
	}
	switch m.Carrier {
	case dissect.CarrierSIP:
		if s.From == "" && m.From != "" {
			// Copies: the URIs alone, not the header values around them.
			s.From = strings.Clone(nameAddr(m.From))
			s.To = strings.Clone(nameAddr(m.To))
		}
		st.notePartyURIs(m)
	case dissect.CarrierRTSP:
		if m.Request && s.URL == "" && m.URI != "" && m.URI != "*" {
			s.URL = m.URI
		}
		if m.Request && !st.rtspClient.IsValid() {
			st.rtspClient = m.Src.Addr().Unmap()
		}
	}
	sig := &Signal{
		Frame:   m.Frame,
		Time:    m.Time,
		Src:     st.signalAddr(m.Src),
		Dst:     st.signalAddr(m.Dst),
		Summary: a.signalSummary(m),
		MIKEY:   len(m.KeyMgmt),
		Via:     hepVia(m),
	}
	a.hepRemember(dk, place, s, sig)
	if m.Carrier == dissect.CarrierSIP && !m.Request && m.Status >= 200 && m.CSeqMethod == "INVITE" {
		s.FinalStatus = sig.Summary // the shared "status reason" text
	}
	if a.opts.SignalText {
		sig.Raw = m.Raw
	}
	sig.RelayOf = st.relayOf(m)
	if sig.RelayOf != 0 {
		st.extendPath(m, sig, sig.RelayOf)
	}
	s.Signals = append(s.Signals, sig)

	// A relayed copy with the same body was checked as the first copy.
	if m.SDP != nil && (sig.RelayOf == 0 || !st.sameBody(m, sig.RelayOf)) {
		a.checkSDP(st, m)
		a.sdesSDP(st, m)
	}
	for i := range m.KeyMgmt {
		a.keyMgmtItem(st, m, &m.KeyMgmt[i], sig.RelayOf)
	}
}

// Problem implements dissect.Sink.
func (a *Analyzer) Problem(p *dissect.Problem) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.problemLocked(p)
}

func (a *Analyzer) problemLocked(p *dissect.Problem) {
	session := 0
	if st := a.lookupSession(p.SessionKey); st != nil {
		session = st.s.ID
	}
	var k Kind
	switch p.Kind {
	case dissect.ProblemNetwork:
		switch p.Network {
		case capture.ProblemTCPGap:
			k = KindTCPGap
		case capture.ProblemFragmentLost:
			k = KindFragmentLost
		case capture.ProblemLimit:
			k = KindCaptureLimit
		case capture.ProblemReadError:
			k = KindFileDamaged
		case capture.ProblemMidStream:
			k = KindMidCall
		case capture.ProblemHEPAuth:
			k = KindHEPAuthFailed
		default:
			k = KindMalformedFrame
		}
	case dissect.ProblemLimit:
		k = KindCaptureLimit
	case dissect.ProblemKeyMgmt:
		k = KindBadKeyMgmt
	default:
		k = KindSignalError
	}
	summary := p.Detail
	if p.Offset >= 0 && p.Kind != dissect.ProblemNetwork {
		summary = fmt.Sprintf("%s (offset %d)", p.Detail, p.Offset)
	}
	if p.Src.IsValid() {
		summary = fmt.Sprintf("%s -> %s: %s", p.Src, p.Dst, summary)
	}
	// Network problems repeat per packet on a bad flow: fold them per flow.
	subject := p.Src.String() + ">" + p.Dst.String()
	switch k {
	case KindSignalError, KindBadKeyMgmt:
		subject = fmt.Sprint(p.Frame, p.Offset)
	case KindCaptureLimit:
		// One finding per kind of limit, however many flows or datagrams
		// hit it: the detail up to its first colon, without numbers.
		d, _, _ := strings.Cut(p.Detail, ":")
		subject = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return -1
			}
			return r
		}, d)
	}
	f := k.New(p.Frame, session, summary)
	a.addFolded(f, subject)
	if session == 0 && p.SessionKey != "" && a.folded[foldKey{f.Code, 0, subject}] == f {
		if len(a.pending) > 0 && a.pending[0].frame != p.Frame {
			a.pending = a.pending[:0]
		}
		if len(a.pending) < 64 {
			a.pending = append(a.pending, pendingFinding{f: f, key: p.SessionKey, frame: p.Frame})
		}
	}
}

// claimPending gives the pending findings of message m to its session.
// Caller holds a.mu.
func (a *Analyzer) claimPending(m *dissect.SignalMessage, sid int) {
	if len(a.pending) == 0 {
		return
	}
	for _, p := range a.pending {
		if p.frame == m.Frame && p.key == m.SessionKey {
			p.f.Session = sid
			if st := a.byID[sid]; st != nil {
				st.addCode(p.f.Code)
			}
		}
	}
	a.pending = a.pending[:0]
}

// add records a finding. Past heldFindings() findings held, further
// findings are only counted, in one capture.limit finding, so hostile
// traffic cannot grow the list without bound (with Options.RetiredFindings
// the findings of retired sessions are not held). Caller holds a.mu.
func (a *Analyzer) add(f *Finding) {
	if a.opts.Finding != nil {
		a.opts.Finding(f)
	}
	if limit := a.heldFindings(); len(a.findings) >= limit {
		if a.findingsOverflow == nil {
			a.findingsOverflow = KindCaptureLimit.New(f.Frame, 0, fmt.Sprintf("more than %d findings; further findings are only counted here", limit))
			a.findingSeq++
			a.findingsOverflow.seq = a.findingSeq
			a.findings = append(a.findings, a.findingsOverflow)
		}
		a.findingsOverflow.Count++
		return
	}
	a.findingSeq++
	f.seq = a.findingSeq
	a.findings = append(a.findings, f)
	if st := a.byID[f.Session]; st != nil && f.Session != 0 {
		st.counts.add(f.Severity)
		st.addCode(f.Code)
	}
}

// addCode notes a finding code of the session, once.
func (st *sessionState) addCode(code string) {
	for _, c := range st.codes {
		if c == code {
			return
		}
	}
	st.codes = append(st.codes, code)
}

// add counts a finding of severity sev.
func (c *FindingCounts) add(sev Severity) {
	switch sev {
	case SeverityError:
		c.Errors++
	case SeverityWarning:
		c.Warnings++
	default:
		c.Notes++
	}
}

// maxFindings bounds the findings kept (folded ones count once) when
// every finding stays (the TUI, export).
const maxFindings = 20000

// heldFindingsPerSession is how many findings each session in progress
// may hold on average, with Options.RetiredFindings, before the bound:
// the findings of finished sessions leave memory, so the bound follows the
// sessions in progress (MaxSessions) and not the capture.
const heldFindingsPerSession = 5

// heldFindings is the bound on the findings held: maxFindings, or with
// Options.RetiredFindings five per session in progress at MaxSessions
// (100,000 at the default), at least 100,000.
func (a *Analyzer) heldFindings() int {
	if a.opts.RetiredFindings == nil || a.opts.Retire == nil {
		return maxFindings
	}
	return max(100000, heldFindingsPerSession*a.maxSessions())
}

// addFolded records a finding once per (code, session, subject); later ones
// only increase its count. Caller holds a.mu.
func (a *Analyzer) addFolded(f *Finding, subject string) {
	k := foldKey{f.Code, f.Session, subject}
	if old, ok := a.folded[k]; ok {
		old.Count++
		return
	}
	if len(a.folded) >= maxFoldedFindings {
		if old, ok := a.folded[foldKey{code: "overflow"}]; ok {
			old.Count++
			return
		}
		f = KindCaptureLimit.New(f.Frame, 0, fmt.Sprintf("more than %d distinct findings; further ones are counted here", maxFoldedFindings))
		k = foldKey{code: "overflow"}
	}
	a.folded[k] = f
	a.add(f)
}

const maxFoldedFindings = 10000

// signalSummary is the ladder's line for a message: "INVITE sip:bob@...",
// "200 OK".
func (a *Analyzer) signalSummary(m *dissect.SignalMessage) string {
	if m.Request {
		return m.Method + " " + m.URI
	}
	return a.responseSummary(m.Status, m.Reason)
}

// nameAddr shortens a From/To header value to its URI.
func nameAddr(v string) string {
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	if i := strings.IndexByte(v, ';'); i >= 0 {
		return strings.TrimSpace(v[:i])
	}
	return strings.TrimSpace(v)
}
