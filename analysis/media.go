package analysis

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// MediaHook receives every media packet after decryption: plain is the
// decrypted packet (RTP or RTCP) when it authenticated or needs no tag, nil
// otherwise. It runs on the pipeline goroutine; plain is valid only during
// the call. Export uses it.
type MediaHook func(s *Stream, p *dissect.MediaPacket, plain []byte)

// binding is an SRTP crypto context bound to an SSRC of a session.
type binding struct {
	// ctx is nil after an idle sweep released it; context() builds it
	// again from keys and policy (a context holds no stream state).
	ctx   *srtp.Context
	cs    *CryptoSession
	ssrc  uint32 // 0: placeholder, bound to the first unmatched stream
	roc   uint32
	taken bool // a placeholder already bound to a stream
	// keys are the master keys of ctx, newest first; policy its policy.
	keys   []srtp.MasterKey
	policy srtp.Policy
	// lastUse is the capture time of the last packet decrypted with ctx
	// (or when it was made).
	lastUse time.Time
	// supplied is set for a key given directly (--srtp); used once a
	// packet authenticated with it (recorded as the key's use).
	supplied, used bool
	// sdes is set for a binding made from SDES a=crypto attributes: which
	// streams it keys (by media and direction, not SSRC); see sdes.go.
	sdes *sdesSel
}

// context returns the binding's SRTP context, building it again when an
// idle sweep released it. The keys and policy made a context before, so
// they make one again; should that ever fail, the error says so on the
// stream rather than a nil context being used.
func (b *binding) context() (*srtp.Context, error) {
	if b.ctx == nil {
		ctx, err := srtp.NewContext(b.policy, b.keys...)
		if err != nil {
			return nil, fmt.Errorf("rebuilding the SRTP context of an idle stream: %w", err)
		}
		b.ctx = ctx
	}
	return b.ctx, nil
}

// Idle SRTP contexts are released so that memory follows the calls in
// progress rather than all the calls of the capture: a context (AES key
// schedules and HMAC states for SRTP and SRTCP) is ~1.6 KB, its streams'
// replay and ROC state stay. A stream that resumes gets its context built
// again from the same keys, with identical results.
const (
	idleContextAfter = 30 * time.Second // capture time without a packet
	idleSweepEvery   = 10 * time.Second
)

// sweepIdle releases the contexts of session bindings idle since before
// now-idleContextAfter, and suspends the SRTP streams as idle. Caller holds
// a.mu.
func (m *mediaState) sweepIdle(now time.Time) {
	m.lastSweep = now
	limit := now.Add(-idleContextAfter)
	m.a.dropIdleMessages(limit)
	// The cache of media packets' sessions starts again: it would otherwise
	// keep an entry (~100 bytes, in a map that never shrinks) for every
	// call of the capture; calls with media fill it again on their next
	// packet, with the same answers.
	m.a.mediaSessions = map[uint64]mediaSession{}
	for _, list := range m.bindings {
		for _, b := range list {
			if b.ctx != nil && b.lastUse.Before(limit) {
				b.ctx = nil
				m.released++
			}
		}
	}
	m.suspendIdle(limit)
}

// suspendIdle suspends the SRTP streams whose last packet came before
// limit: their statistics go into the stream model (as refresh puts them
// there) and the SRTP stream keeps only its ROC and replay state (~60
// bytes instead of ~310, for every stream of every finished call). A
// stream that resumes is rebuilt from both (resume), exactly as it was.
// Caller holds a.mu.
func (m *mediaState) suspendIdle(limit time.Time) {
	for _, ss := range m.order {
		if ss.srtp != nil && ss.srtp.Stats.LastTime.Before(limit) {
			m.setHealth(ss, ss.srtp.Stats)
			ss.idle = ss.srtp.Suspend()
			ss.srtp = nil
			m.suspended++
		}
	}
}

// resume rebuilds the SRTP stream of a suspended stream from its state
// and the statistics its model holds. Caller holds a.mu.
func (m *mediaState) resume(ss *streamState) {
	if ss.idle == nil {
		return
	}
	h := ss.model.Health
	h.Packets -= ss.packets // setHealth added them
	ss.srtp = ss.idle.Resume(h)
	ss.idle = nil
}

type streamKey struct {
	session int
	ssrc    uint32
	kind    dissect.Kind
	src     netip.AddrPort
}

// streamState is the working state of one RTP or RTCP stream (an SSRC
// from a source: streamKey).
type streamState struct {
	model   *Stream
	kind    dissect.Kind
	src     netip.AddrPort
	dst     netip.AddrPort
	session *sessionState
	bind    *binding
	gen     uint64 // bindings generation when bind was last resolved
	srtp    *srtp.Stream
	// idle is srtp without its statistics while the stream is silent (see
	// suspendIdle); srtp is then nil and the model holds the statistics.
	idle *srtp.Suspended
	// Unbound streams count here (srtp.Stream counts bound ones), and an
	// unbound RTP stream's health is followed from its clear headers.
	packets   uint64
	clear     srtp.ClearIndex
	jit       jitter // RTP streams, keys or not
	rocWarned bool
	searched  bool // a wide ROC search was tried
	// trials counts the packets of an unknown SSRC tried against the keys
	// of the session's other crypto sessions; trialBound: one worked.
	trials     int
	trialBound bool
	otherTried bool // the other keying's keys were tried (tryOtherKeying)
	// mcTrials counts the packets tried against the distributed MC group
	// keys (tryGroupKeys).
	mcTrials int
	lastErr  error
}

// mediaState tracks streams and their SRTP contexts.
type mediaState struct {
	a *Analyzer
	// streams holds the streams a packet does not find in its session's
	// list (see index); order holds every stream, first seen first.
	streams  map[streamKey]*streamState
	order    []*streamState
	bindings map[int][]*binding // by session ID
	supplied map[uint32]*binding
	wildcard *binding
	gen      uint64
	buf      []byte
	hook     MediaHook
	limitHit bool
	// rocSearches counts the wide ROC searches done.
	rocSearches int
	// now is the capture time of the latest frame in line (the clock's
	// Latest); lastSweep the last idle sweep;
	// released counts the contexts released idle, suspended the streams
	// suspended.
	now, lastSweep      time.Time
	released, suspended int
}

func newMediaState(a *Analyzer) *mediaState {
	return &mediaState{
		a:        a,
		streams:  map[streamKey]*streamState{},
		bindings: map[int][]*binding{},
		supplied: map[uint32]*binding{},
		buf:      make([]byte, 0, 65536),
	}
}

// bind registers the keys of a crypto session. A re-key of an SSRC that
// already has keys (a re-INVITE, an ONVIF SET_PARAMETER) adds the new master
// key to the same context, so the streams keep their ROC and statistics and
// packets still using the old key (or the old MKI) keep decrypting until the
// sender switches (RFC 3711 §8.1). Caller holds a.mu.
func (m *mediaState) bind(st *sessionState, cs *CryptoSession, p srtp.Policy, key, salt, mki []byte) {
	if len(mki) > 0 {
		p.MKILen = len(mki)
	}
	mk := srtp.MasterKey{Key: key, Salt: salt, MKI: mki}
	sid := st.s.ID
	var old *binding
	for _, b := range m.bindings[sid] {
		// The same crypto session opened again (with the response), or a
		// re-key of the SSRC. A placeholder (SSRC 0) is only ever the same
		// crypto session: two placeholders of one map are two streams.
		if b.cs == cs || b.ssrc == cs.ssrc && b.ssrc != 0 {
			old = b
			break
		}
	}
	keys := []srtp.MasterKey{mk}
	if old != nil && old.policy == p {
		for _, k := range old.keys {
			if len(keys) >= maxMasterKeys {
				break
			}
			same := string(k.Key) == string(key) && string(k.Salt) == string(salt)
			clash := len(mki) > 0 && string(k.MKI) == string(mki)
			if !same && !clash {
				keys = append(keys, k)
			}
		}
	}
	ctx, err := srtp.NewContext(p, keys...)
	if err != nil {
		cs.Policy = "unusable: " + err.Error()
		return
	}
	if old != nil {
		old.ctx, old.cs, old.keys, old.policy, old.lastUse = ctx, cs, keys, p, m.now
		m.gen++
		return
	}
	m.bindings[sid] = append(m.bindings[sid], &binding{ctx: ctx, cs: cs, ssrc: cs.ssrc, roc: cs.ROC, keys: keys, policy: p, lastUse: m.now})
	m.gen++
}

// streamScanMax is the number of streams of a session up to which a
// packet's stream is found by scanning the session's list; past it (a
// hostile capture with many SSRCs in one call) by the map.
const streamScanMax = 16

// maxMasterKeys bounds the master keys kept per SSRC across re-keys.
const maxMasterKeys = 8

// Media implements dissect.Sink: account, decrypt, and feed the hook.
func (a *Analyzer) Media(p *dissect.MediaPacket) {
	a.mu.Lock()
	a.media.packet(p)
	a.mu.Unlock()
}

func (m *mediaState) packet(p *dissect.MediaPacket) {
	at := m.a.clock.Observe(nil, p.Frame, p.Time)
	// The idle sweep runs on the capture time of the latest frame in line
	// (capture.Clock.Latest): one frame from the far future neither
	// releases everything nor stops the sweeps; after a step back they
	// go on from the new time.
	if l := m.a.clock.Latest(); l.After(m.now) || l.Before(m.lastSweep) {
		m.now = l
		if m.now.Sub(m.lastSweep) >= idleSweepEvery || m.now.Before(m.lastSweep) {
			m.sweepIdle(m.now)
		}
	}
	m.a.advance(at)
	st := m.a.mediaSession(p)
	if st == nil && p.SessionKey != "" && m.a.lateMedia(p.SessionKey) {
		return // media of a retired session, counted
	}
	sid := 0
	if st != nil {
		sid = st.s.ID
	}
	k := streamKey{session: sid, ssrc: p.SSRC, kind: p.Kind, src: p.Src}
	var ss *streamState
	if st != nil && len(st.streams) <= streamScanMax {
		// Every stream of st is in st.streams: a miss here is a new stream.
		for _, s := range st.streams {
			if s.model.ssrc == p.SSRC && s.kind == p.Kind && s.src == p.Src {
				ss = s
				break
			}
		}
	} else {
		ss = m.streams[k]
	}
	if ss == nil {
		if st != nil && m.natDummy(st, p) {
			return
		}
		if len(m.order) >= m.a.opts.MaxStreams {
			if !m.limitHit {
				m.limitHit = true
				m.a.add(KindCaptureLimit.New(p.Frame, sid, fmt.Sprintf("more than %d media streams; further streams are not analysed", m.a.opts.MaxStreams)))
			}
			return
		}
		ss = m.newStream(k, st, p)
	}
	if ss.gen != m.gen {
		m.resolve(ss)
	}
	if ss.session != nil {
		ss.session.touch(at)
	}
	if ss.bind == nil && (ss.trials < maxSSRCTrials || p.Kind != dissect.KindRTP) && ss.session != nil && len(m.bindings[ss.session.s.ID]) > 0 {
		m.trySessionKeys(ss, p)
	}
	if ss.bind == nil && ss.mcTrials < maxMCTrials && ss.session != nil && (ss.session.mcSignalled || len(m.a.mcKeys.keys) > 0) && !m.keyedOtherwise(ss) {
		m.tryGroupKeys(ss, p)
	}
	if p.Kind == dissect.KindRTP {
		rate := ss.jit.rate
		if p.PT != ss.jit.pt || !ss.jit.started {
			rate = clockRate(ss.session, p.PT)
		}
		ss.jit.observe(p.Time, p.Timestamp, p.PT, rate)
	}
	if ss.bind == nil {
		ss.packets++
		ss.model.Packets++
		// Without keys the headers still tell the stream's health: size,
		// times, payload types, and from RTP sequence numbers (in clear in
		// SRTP, RFC 3711 §3.1) losses, duplicates and reordering.
		if p.Kind == dissect.KindRTP {
			ss.clear.Observe(&ss.model.Health, p.Seq, p.PT, p.Time, len(p.Data))
		} else {
			srtp.ObserveRTCP(&ss.model.Health, p.PT, p.Time, len(p.Data))
		}
		if m.hook != nil {
			m.hook(ss.model, p, nil)
		}
		return
	}
	m.resume(ss)
	var plain []byte
	var res srtp.Result
	buf := m.buf[:cap(m.buf)]
	ss.bind.lastUse = m.now
	ctx, err := ss.bind.context()
	switch {
	case err != nil:
	case p.Kind == dissect.KindRTCP:
		plain, res, err = ctx.DecryptRTCP(buf, p.Data, ss.srtp, p.Time)
	default:
		plain, res, err = ctx.DecryptRTP(buf, p.Data, ss.srtp, p.Time)
	}
	if err != nil {
		ss.lastErr = err
		plain = nil
		if p.Kind == dissect.KindRTP && errors.Is(err, srtp.ErrAuthFailed) {
			m.searchROC(ss, p)
		}
		if errors.Is(err, srtp.ErrAuthFailed) && m.tryOtherKeying(ss, p) {
			if ctx, cerr := ss.bind.context(); cerr == nil {
				if p.Kind == dissect.KindRTCP {
					plain, res, err = ctx.DecryptRTCP(buf, p.Data, ss.srtp, p.Time)
				} else {
					plain, res, err = ctx.DecryptRTP(buf, p.Data, ss.srtp, p.Time)
				}
				if err != nil {
					plain = nil
				}
			}
		}
	} else if b := ss.bind; b.supplied && !b.used {
		b.used = true
		m.a.noteKeyUse(b.cs.KeyFP, b.cs.Source, p.Frame)
	}
	if ss.bind.sdes != nil {
		m.sdesObserve(ss, p, res, err == nil)
	}
	if res.ROCAdjusted && !ss.rocWarned {
		ss.rocWarned = true
		m.a.add(KindSRTPROC.New(p.Frame, sid, fmt.Sprintf("SSRC 0x%08x: packet seq %d authenticated only with ROC %d (expected %d)", p.SSRC, res.Seq, res.ROC, res.EstimatedROC)))
	}
	if m.hook != nil {
		m.hook(ss.model, p, plain)
	}
}

// natDummySize is the size of the datagrams GStreamer's rtspsrc sends to
// open a NAT pinhole (gstrtspsrc.c: a fakesrc with filltype 3 (random),
// num-buffers 5, sizetype 2 (fixed), sizemax 200, linked to a udpsink on
// the client's RTP socket aimed at the server's RTP port, started at PLAY
// when nat-method is dummy, the default).
const (
	natDummySize = 200
	maxNATDummy  = 16 // dummy SSRCs remembered per session
)

// natDummy recognises a NAT dummy datagram that happens to start like RTP
// (version 2): in an RTSP session over UDP, from the RTSP client's address
// toward the server, exactly 200 bytes, from a port that sends no stream,
// with an SSRC that no crypto session names and no earlier dummy had (a
// stream repeats its SSRC; random bytes do not). It is reported once per
// session (rtsp.nat-dummy, counted) and not made a stream. Caller holds a.mu.
func (m *mediaState) natDummy(st *sessionState, p *dissect.MediaPacket) bool {
	if st.carrier != dissect.CarrierRTSP || p.Interleaved >= 0 || len(p.Data) != natDummySize ||
		!st.rtspClient.IsValid() || p.Src.Addr().Unmap() != st.rtspClient || len(st.dummySSRCs) >= maxNATDummy {
		return false
	}
	for _, s := range st.streams {
		if s.src == p.Src {
			return false
		}
	}
	for _, b := range m.bindings[st.s.ID] {
		if b.ssrc == p.SSRC {
			return false
		}
	}
	for _, d := range st.dummySSRCs {
		if d == p.SSRC {
			return false
		}
	}
	st.dummySSRCs = append(st.dummySSRCs, p.SSRC)
	m.a.addFolded(KindNATDummy.New(p.Frame, st.s.ID, fmt.Sprintf("%d-byte datagram(s) of random data %s -> %s (the client's RTP port to the server's) that look like RTP: GStreamer rtspsrc's NAT dummy packets, not a stream",
		natDummySize, p.Src, p.Dst)), "nat-dummy")
	return true
}

// newStream creates the state and model of a stream. Caller holds a.mu.
func (m *mediaState) newStream(k streamKey, st *sessionState, p *dissect.MediaPacket) *streamState {
	kind := "rtp"
	if p.Kind == dissect.KindRTCP {
		kind = "rtcp"
	}
	model := &Stream{
		SSRC:       fmt.Sprintf("0x%08x", p.SSRC),
		Kind:       kind,
		Src:        st.streamAddr(p.Src),
		Dst:        st.streamAddr(p.Dst),
		Media:      p.MediaIndex,
		KeyStatus:  StreamNoKey,
		ssrc:       p.SSRC,
		firstFrame: p.Frame,
	}
	ss := &streamState{model: model, session: st, gen: m.gen - 1, kind: k.kind, src: k.src, dst: p.Dst}
	m.index(k, st, ss)
	m.order = append(m.order, ss)
	return ss
}

// index makes a new stream findable: in its session's list, and in the map
// when packet would not find it there (no session, or a session with more
// than streamScanMax streams, whose streams all go into the map). Most
// calls have a few streams, so they cost no map entry (~130 bytes each,
// kept to the end of the pass). Caller holds a.mu.
func (m *mediaState) index(k streamKey, st *sessionState, ss *streamState) {
	if st == nil {
		m.streams[k] = ss
		return
	}
	st.streams = append(st.streams, ss)
	switch n := len(st.streams); {
	case n == streamScanMax+1:
		for _, s := range st.streams {
			m.streams[streamKey{session: st.s.ID, ssrc: s.model.ssrc, kind: s.kind, src: s.src}] = s
		}
	case n > streamScanMax+1:
		m.streams[k] = ss
	}
}

// resolve finds the binding of a stream: an exact SSRC of its session, a
// supplied key for the SSRC, a placeholder (SSRC 0) of its session, or the
// wildcard supplied key. Caller holds a.mu.
func (m *mediaState) resolve(ss *streamState) {
	ss.gen = m.gen
	if ss.bind != nil && (ss.bind.ssrc == ss.model.ssrc || ss.bind.taken || ss.trialBound || ss.bind.sdes != nil) {
		return // bound exactly (a re-key updates the binding in place), to its placeholder, by trial or by SDES
	}
	if b := m.sdesBinding(ss); b != nil {
		m.attach(ss, b) // the keys the answer chose, over a MIKEY offer it did not keep
		return
	}
	ssrc := ss.model.ssrc
	if ss.session != nil {
		for _, b := range m.bindings[ss.session.s.ID] {
			if b.ssrc == ssrc {
				m.attach(ss, b)
				return
			}
		}
	}
	if b := m.supplied[ssrc]; b != nil {
		m.attach(ss, b)
		return
	}
	if ss.kind != dissect.KindRTP && ss.session != nil {
		// SRTCP uses the keys of its SSRC's RTP stream (RFC 3711 §3.4 and
		// §8.1: one crypto context per SSRC), never the first placeholder
		// of the session, which keys another stream; with no such stream
		// yet, trySessionKeys tries the session's keys on the packet.
		if b := m.rtpBinding(ss); b != nil {
			ss.trialBound = true
			m.attach(ss, b)
			return
		}
		if m.hasPlaceholder(ss.session.s.ID) {
			return
		}
	}
	if ss.session != nil && ss.kind == dissect.KindRTP {
		// One free placeholder (SSRC 0) keys the stream; with several, the
		// one whose keys authenticate its packets does (trySessionKeys),
		// not the first by the order streams start.
		var free *binding
		n := 0
		for _, b := range m.bindings[ss.session.s.ID] {
			if b.ssrc == 0 && !b.taken {
				if free == nil {
					free = b
				}
				n++
			}
		}
		switch {
		case n == 1:
			free.taken = true
			m.attach(ss, free)
			return
		case n > 1:
			return
		}
	}
	if m.wildcard != nil {
		m.attach(ss, m.wildcard)
	}
}

func sessionID(st *sessionState) int {
	if st == nil {
		return 0
	}
	return st.s.ID
}

// attach binds a stream to a crypto context, carrying over the packets
// counted while it had none.
func (m *mediaState) attach(ss *streamState, b *binding) {
	ss.bind = b
	ss.idle = nil
	ss.srtp = srtp.NewStreamSSRC(ss.model.ssrc, b.roc)
	if ss.model.Kind == "rtcp" {
		ss.srtp = srtp.NewStreamSSRC(ss.model.ssrc, 0)
	}
	ss.model.CryptoFrom = b.cs.FromFrame
}

// refresh copies the SRTP statistics into the stream models (a suspended
// stream's model has them already). Caller holds a.mu.
func (m *mediaState) refresh() {
	for _, ss := range m.order {
		m.refreshStream(ss)
	}
}

// refreshStream is refresh for one stream. Caller holds a.mu.
func (m *mediaState) refreshStream(ss *streamState) {
	ss.setJitter()
	switch {
	case ss.srtp != nil:
		m.setHealth(ss, ss.srtp.Stats)
	case ss.idle == nil && ss.model.Packets > 0:
		ss.model.KeyStatus = m.unboundStatus(ss)
	}
}

// setHealth puts the SRTP statistics h of a bound stream into its model,
// with the packets counted before it was bound, and its key status.
func (m *mediaState) setHealth(ss *streamState, h srtp.Stats) {
	h.Packets += ss.packets
	ss.model.Health = h
	ss.model.Packets = h.Packets
	ss.model.Authenticated = h.Authenticated
	ss.model.AuthFailed = h.AuthFailed
	ss.model.Decrypted = h.Decrypted
	switch {
	case h.Authenticated > 0 && h.AuthFailed == 0 && h.UnknownMKI == 0:
		ss.model.KeyStatus = StreamDecrypting
	case h.Authenticated > 0:
		ss.model.KeyStatus = StreamPartlyFailing
	case h.AuthFailed > 0 || h.UnknownMKI > 0:
		ss.model.KeyStatus = StreamFailing
	case h.Unverified > 0 || h.Decrypted > 0:
		ss.model.KeyStatus = StreamDecryptingNoTag
	default:
		ss.model.KeyStatus = StreamKeyed
	}
}

// unboundStatus says why a stream has no keys.
func (m *mediaState) unboundStatus(ss *streamState) StreamStatus {
	if ss.session == nil {
		return StreamNoExchange
	}
	if len(m.bindings[ss.session.s.ID]) > 0 {
		return StreamUnknownSSRC
	}
	for _, mm := range ss.session.s.MIKEY {
		if mm.decoded {
			return StreamNoKey
		}
	}
	return StreamNoExchange
}

// finish makes the per-stream findings. Caller holds a.mu.
func (m *mediaState) finish() {
	m.refresh()
	var orphan []*streamState
	for _, ss := range m.order {
		if m.finishStream(ss) {
			orphan = append(orphan, ss)
		}
	}
	if len(orphan) > 0 {
		s := orphan[0].model
		f := KindSRTPNoKeyExchange.New(0, 0, fmt.Sprintf("%d RTP/RTCP stream(s) on flows no signalling in the capture describes (first: %s SSRC %s %s -> %s); if they are SRTP, their keys are unknown", len(orphan), s.Kind, s.SSRC, s.Src, s.Dst))
		f.Severity = SeverityNote
		m.a.add(f)
	}
}

// finishStream makes the findings of one stream, whose model refresh has
// brought up to date, and reports whether it is a stream of no session
// without keys (finish sums those up in one finding). Caller holds a.mu.
func (m *mediaState) finishStream(ss *streamState) (orphan bool) {
	s := ss.model
	sid := sessionID(ss.session)
	first := s.firstFrame
	switch s.KeyStatus {
	case StreamFailing, StreamPartlyFailing:
		h := s.Health
		if h.AuthFailed > 0 {
			cause := ""
			if ss.lastErr != nil && !errors.Is(ss.lastErr, srtp.ErrAuthFailed) {
				cause = " (last error: " + ss.lastErr.Error() + ")"
			}
			m.a.add(KindSRTPAuthFailed.New(first, sid, fmt.Sprintf("%s SSRC %s %s -> %s: %d of %d packets fail authentication with the keys from frame %d%s",
				s.Kind, s.SSRC, s.Src, s.Dst, h.AuthFailed, s.Packets, s.CryptoFrom, cause)))
		}
		if h.UnknownMKI > 0 {
			m.a.add(KindSRTPUnknownMKI.New(first, sid, fmt.Sprintf("%s SSRC %s: %d packets carry an MKI no key exchange announced", s.Kind, s.SSRC, h.UnknownMKI)))
		}
	case StreamUnknownSSRC:
		m.a.add(KindSRTPUnknownSSRC.New(first, sid, fmt.Sprintf("%s SSRC %s %s -> %s (%d packets) is not in the CS ID map of the session's MIKEY exchange", s.Kind, s.SSRC, s.Src, s.Dst, s.Packets)))
	case StreamNoKey:
		m.a.add(KindSRTPUndecryptable.New(first, sid, fmt.Sprintf("%s SSRC %s %s -> %s: %d packets; the session's MIKEY exchange was not opened", s.Kind, s.SSRC, s.Src, s.Dst, s.Packets)))
	case StreamNoExchange:
		if ss.session != nil && m.isSecureMedia(ss) {
			m.a.add(KindSRTPNoKeyExchange.New(first, sid, fmt.Sprintf("%s SSRC %s %s -> %s: %d packets on SRTP media with no key exchange in the capture", s.Kind, s.SSRC, s.Src, s.Dst, s.Packets)))
		} else if ss.session == nil {
			return true
		}
	}
	return false
}

// isSecureMedia reports whether the stream's SDP media is RTP/SAVP(F).
func (m *mediaState) isSecureMedia(ss *streamState) bool {
	if ss.session.carrier == dissect.CarrierRTSP {
		return true
	}
	return ss.session.sdpMediaAt(ss.model.Media).savp
}

// streamsBySession returns the stream models (copies of them when copies
// is true), grouped by session ID (0:
// unassociated), each group in report order: by kind, then source, then
// first seen. One pass over the streams (a scan per session made the report
// of a capture with many calls quadratic).
func (m *mediaState) streamsBySession(copies bool) map[int][]*Stream {
	out := map[int][]*Stream{}
	for _, ss := range m.order {
		sid := sessionID(ss.session)
		model := ss.model
		if copies {
			cp := *ss.model
			model = &cp
		}
		out[sid] = append(out[sid], model)
	}
	for _, list := range out {
		sortStreams(list)
	}
	return out
}

// sortStreams puts a session's streams (first seen first) in report
// order: by kind, then source, then first seen.
func sortStreams(list []*Stream) {
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].Kind != list[j].Kind {
			return list[i].Kind < list[j].Kind
		}
		return list[i].Src < list[j].Src
	})
}

// rocSearchAfter is the number of failing packets, with none authenticated,
// after which a stream's ROC is searched widely (RFC 3711 §3.3.1 can only
// follow the ROC from where it starts; a capture that begins long after the
// key exchange, or a sender that did not reset its ROC, needs a search).
const rocSearchAfter = 4

const (
	rocSearchSpan  = 4096
	maxROCSearches = 64
)

// searchROC runs, once per stream, a search over the 4096 ROCs around the
// signalled one (a ROC moves once per 65,536 packets: more than a day of
// audio) and adopts a ROC under which the packet authenticates. Only keys a
// verified exchange gave are searched, and at most maxROCSearches streams,
// so a wrong key does not cost a search per stream.
func (m *mediaState) searchROC(ss *streamState, p *dissect.MediaPacket) {
	if ss.searched || ss.srtp.Stats.Authenticated > 0 || ss.srtp.Stats.AuthFailed < rocSearchAfter ||
		m.rocSearches >= maxROCSearches || ss.bind.cs.Source != "mikey" {
		return
	}
	ss.searched = true
	m.rocSearches++
	lo, hi := uint32(0), uint32(rocSearchSpan-1)
	if b := ss.bind.roc; b > rocSearchSpan/2 {
		lo, hi = b-rocSearchSpan/2, b+rocSearchSpan/2
	}
	ctx, err := ss.bind.context()
	if err != nil {
		return
	}
	roc, _, found, err := ctx.SearchROC(p.Data, lo, hi)
	if err != nil || !found {
		return
	}
	ss.srtp.SetROC(roc)
	ss.rocWarned = true
	m.a.add(KindSRTPROC.New(p.Frame, sessionID(ss.session), fmt.Sprintf("SSRC 0x%08x: packets authenticate only with ROC %d; the key exchange gave ROC %d", p.SSRC, roc, ss.bind.roc)))
}

// rtpBinding returns the binding of the session's RTP stream with the SSRC
// of the SRTCP stream ss (nil when there is none, or it has no keys).
func (m *mediaState) rtpBinding(ss *streamState) *binding {
	for _, other := range ss.session.streams {
		if other.model.ssrc == ss.model.ssrc && other.kind == dissect.KindRTP && other.bind != nil {
			return other.bind
		}
	}
	return nil
}

// hasPlaceholder reports whether a crypto session of the session has SSRC 0.
func (m *mediaState) hasPlaceholder(sid int) bool {
	for _, b := range m.bindings[sid] {
		if b.ssrc == 0 {
			return true
		}
	}
	return false
}

// maxSSRCTrials is how many packets of a stream whose SSRC no key exchange
// names are tried against the keys of the session's crypto sessions.
const maxSSRCTrials = 3

// trySessionKeys tries a packet of a stream whose SSRC is in no CS ID map
// against the keys of each crypto session of its session (at the announced
// ROC and its neighbours). A sender that changed its SSRC after the key
// exchange (or a CS ID map listing another SSRC) is then decrypted all the
// same, and the finding says which crypto session's keys it uses.
func (m *mediaState) trySessionKeys(ss *streamState, p *dissect.MediaPacket) {
	if p.Kind != dissect.KindRTP {
		// SRTCP of the stream follows its RTP stream's keys; before its
		// RTP stream is keyed, a packet that authenticates with the keys
		// of a crypto session binds it (each SSRC has its own SRTCP index
		// and replay state, RFC 3711 §3.2.3, so a fresh state checks it).
		if b := m.rtpBinding(ss); b != nil {
			ss.trialBound = true
			m.attach(ss, b)
			return
		}
		if ss.trials >= maxSSRCTrials {
			return
		}
		ss.trials++
		for _, b := range m.bindings[ss.session.s.ID] {
			ctx, err := b.context()
			if err != nil {
				continue
			}
			if _, _, err := ctx.DecryptRTCP(m.buf[:cap(m.buf)], p.Data, srtp.NewStreamSSRC(ss.model.ssrc, 0), p.Time); err != nil {
				continue
			}
			ss.trialBound = true
			m.attach(ss, b)
			return
		}
		return
	}
	ss.trials++
	bindings := m.bindings[ss.session.s.ID]
	// A free placeholder whose keys authenticate the packet keys the stream.
	for _, b := range bindings {
		if b.ssrc != 0 || b.taken {
			continue
		}
		if ctx, err := b.context(); err == nil {
			if _, _, found, err := ctx.SearchROC(p.Data, b.roc, b.roc); err == nil && found {
				b.taken = true
				m.attach(ss, b)
				return
			}
		}
	}
	for _, b := range bindings {
		if b.ssrc == ss.model.ssrc || b.ssrc == 0 && !b.taken {
			continue
		}
		lo := b.roc
		if lo > 0 {
			lo--
		}
		ctx, err := b.context()
		if err != nil {
			continue
		}
		if _, _, found, err := ctx.SearchROC(p.Data, lo, b.roc+1); err != nil || !found {
			continue
		}
		ss.trialBound = true
		m.attach(ss, b)
		ss.model.KeyStatus = StreamDecrypting
		m.a.add(KindSRTPUnknownSSRC.New(p.Frame, sessionID(ss.session), fmt.Sprintf("%s SSRC %s %s -> %s is not in the CS ID map, but it decrypts with the keys of crypto session %d (announced for SSRC %s): the sender changed its SSRC after the key exchange",
			ss.model.Kind, ss.model.SSRC, ss.model.Src, ss.model.Dst, b.cs.CSID, b.cs.SSRC)))
		return
	}
	if ss.trials >= maxSSRCTrials {
		// No keys authenticate it: the first free placeholder keys it, and
		// its failures show.
		for _, b := range bindings {
			if b.ssrc == 0 && !b.taken {
				b.taken = true
				m.attach(ss, b)
				return
			}
		}
	}
}
