package analysis

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// keyExchange is one MIKEY key exchange: an initiator's message, its response (or
// error) when seen, and what the keys made of them.
type keyExchange struct {
	session *sessionState
	csbID   uint32
	init    *MIKEYMessage
	resp    *MIKEYMessage
	errMsgs []*MIKEYMessage
	opened  bool // keys applied (crypto sessions created)
}

// mikeyState is the analyzer's MIKEY bookkeeping.
type mikeyState struct {
	replay *mikey.ReplayCache
	// open exchanges by CSB ID, to pair responses with their initiator
	// across sessions (an RTSP client's KeyMgmt and the server's SDP may be
	// in different connections before the Session id is known).
	byCSB map[uint32][]*keyExchange
}

const maxExchanges = 65536

// The replay cache holds the MIKEY messages of the last twice the allowed
// clock skew (Options.ClockSkew) of capture time (on the retirement
// clock, capture.Clock), and a minute more: two
// peers whose clocks are each off by up to the skew may both accept a
// message that long apart; an older replay fails the timestamp check
// (RFC 3830 §5.4). maxReplayEntries bounds it against a flood of distinct
// messages.
const maxReplayEntries = 65536

func (a *Analyzer) initMIKEY() {
	a.replay = mikey.NewReplayWindow(2*a.opts.ClockSkew+time.Minute, maxReplayEntries)
	a.byCSB = map[uint32][]*keyExchange{}
}

// keyMgmtItem decodes one MIKEY message found in signalling and records it.
// Caller holds a.mu.
//
// relayOf is the frame of the earlier copy of the signal when a proxy
// relayed it: the same MIKEY message in that copy is not checked again.
func (a *Analyzer) keyMgmtItem(st *sessionState, sm *dissect.SignalMessage, it *dissect.KeyMgmtItem, relayOf uint64) {
	if it.Err != nil {
		if errors.Is(it.Err, mikey.ErrNotMIKEY) {
			a.add(KindUnknownKeyMgmt.New(sm.Frame, st.s.ID, fmt.Sprintf("%s names protocol %q", it.Where, it.Prot)))
		} else {
			a.add(KindBadKeyMgmt.New(sm.Frame, st.s.ID, fmt.Sprintf("%s: %v", it.Where, it.Err)))
		}
		return
	}
	if len(it.Data) == 0 {
		return
	}
	mm := &MIKEYMessage{
		Frame:  sm.Frame,
		Time:   sm.Time,
		Src:    st.signalAddr(sm.Src), // the strings of the signal carrying it
		Dst:    st.signalAddr(sm.Dst),
		Where:  it.Where,
		Length: len(it.Data),
		Raw:    it.Data,
		Auth:   KeyNotChecked,

		inRequest: sm.Request,
		overTLS:   sm.Transport == "tls",
	}
	st.s.MIKEY = append(st.s.MIKEY, mm)
	st.msgsDropped = false

	msg, err := mikey.Parse(it.Data)
	mm.msg, mm.decoded = msg, msg != nil
	if msg != nil {
		mm.dataType = msg.Header.DataType
		mm.DataType = msg.Header.DataType.String()
		mm.CSBID = fmt.Sprintf("0x%08x", msg.Header.CSBID)
		mm.Role = msg.Header.DataType.Role().String()
		if a.opts.Trees {
			mm.Tree = msg.Tree()
		}
	}
	if orig := relayedMIKEY(st, relayOf, it.Data); orig != nil {
		mm.RelayOf = orig.Frame
		mm.Error = orig.Error
		copyVerdict(mm, orig)
		return
	}
	if err != nil {
		mm.Error = err.Error()
		var pe *mikey.ParseError
		summary := fmt.Sprintf("MIKEY message in %s (%d bytes): %v", it.Where, len(it.Data), err)
		if errors.As(err, &pe) {
			summary = fmt.Sprintf("MIKEY message in %s (%d bytes): %s payload at offset %d: %v", it.Where, len(it.Data), pe.Payload, pe.Offset, pe.Err)
		}
		a.add(KindDecodeError.New(sm.Frame, st.s.ID, summary))
		// A message whose header decoded still takes part in pairing, so
		// an answer to it is not reported as an orphan; its keys are not used.
		if msg == nil || len(msg.Payloads) == 0 {
			return
		}
	}
	for _, f := range findingsOfNotes(msg, msg.Notes, sm.Frame, st.s.ID) {
		a.add(f)
	}
	if mode := msg.ModeName(); mode != "" && st.s.Mode == "" {
		st.s.Mode = mode
	}
	a.checkMessage(st, mm, msg)
	a.pair(st, mm, msg, err == nil)
}

// relayedMIKEY returns the MIKEY message with the same bytes in the copy
// of the signal at frame relayOf (nil when there is none).
func relayedMIKEY(st *sessionState, relayOf uint64, raw []byte) *MIKEYMessage {
	if relayOf == 0 {
		return nil
	}
	for i := len(st.s.MIKEY) - 1; i >= 0; i-- {
		mm := st.s.MIKEY[i]
		if mm.Frame < relayOf {
			break
		}
		if mm.Frame == relayOf && mm.RelayOf == 0 && string(mm.Raw) == string(raw) {
			return mm
		}
	}
	return nil
}

// copyVerdict gives a relayed copy the verdict of the message it relays.
func copyVerdict(dst, src *MIKEYMessage) {
	dst.Auth, dst.KeyFP, dst.Detail = src.Auth, src.KeyFP, src.Detail
}

// checkMessage makes the findings one message gives on its own. Caller
// holds a.mu.
func (a *Analyzer) checkMessage(st *sessionState, mm *MIKEYMessage, msg *mikey.Message) {
	sid := st.s.ID
	h := &msg.Header

	// Replay: the same message or the same (CSB ID, timestamp, RAND).
	var tsValue uint64
	t := msg.Timestamp()
	if t != nil {
		tsValue = t.Value
	}
	var randBytes []byte
	if r := msg.RAND(); r != nil {
		randBytes = r.Rand
	}
	// The window runs on the retirement clock (capture.Clock): one message
	// from the far future would otherwise empty the cache and then hold
	// every later message until the count bound.
	seen := a.clock.Now()
	if seen.IsZero() {
		seen = mm.Time
	}
	if kind, ref := a.replay.CheckAt(msg.Raw, h.CSBID, tsValue, t != nil, randBytes, int(mm.Frame), seen); kind != mikey.NotReplayed {
		a.add(KindReplay.New(mm.Frame, sid, fmt.Sprintf("%s: %s as frame %d", h.DataType, kind, ref)))
	}

	// Timestamp against the capture clock.
	if ts, ok, err := msg.ReadTimestamp(mm.Time); ok && err == nil {
		if ts.FILETIME {
			a.add(KindTimestampNotNTP.New(mm.Frame, sid, fmt.Sprintf("T payload value 0x%016x read as NTP is %s; as a Windows FILETIME it is %s",
				ts.Value64, ts.NTPReading().UTC().Format(time.RFC3339), ts.Time.UTC().Format(time.RFC3339))))
		} else if off, ok := ts.Offset(mm.Time); ok && math.Abs(off.Seconds()) > a.opts.ClockSkew.Seconds() {
			a.add(KindClockSkew.New(mm.Frame, sid, fmt.Sprintf("timestamp %s is %s (allowed ±%.0f s)",
				ts.Time.UTC().Format(time.RFC3339), skewText(off), a.opts.ClockSkew.Seconds())))
		}
	}

	// Error payloads.
	for _, e := range msg.ERR() {
		a.add(ErrorPayloadFinding(mm.Frame, sid, uint8(e.Code), e.Code.String()))
	}

	// RAND in the first message (RFC 3830 §3).
	if h.DataType.RequiresRAND() && msg.RAND() == nil && len(msg.RANDRs()) == 0 {
		a.add(KindRANDMissing.New(mm.Frame, sid, fmt.Sprintf("%s has no RAND payload", h.DataType)))
	}

	// Keys in the clear, no integrity.
	if k := msg.KEMAC(); k != nil {
		if k.EncrAlg == mikey.EncrNULL && len(k.EncrData) > 0 {
			f := KindKeysInClear.New(mm.Frame, sid, fmt.Sprintf("%s carries its key data unencrypted (KEMAC encryption NULL)", h.DataType))
			if mm.overTLS {
				f.Severity = SeverityNote
				f.Summary += " inside TLS: the keys are as safe as the TLS connection and its endpoints"
			}
			a.addFolded(f, "session")
		}
		if k.MACAlg == mikey.MACNULL && msg.SIGN() == nil {
			f := KindNoIntegrity.New(mm.Frame, sid, fmt.Sprintf("%s has MAC algorithm NULL and no signature", h.DataType))
			if mm.overTLS {
				f.Severity = SeverityNote
				f.Summary += "; TLS protects it in transit"
			}
			a.addFolded(f, "session")
		}
		for _, kd := range k.KeyData {
			if kd.Type == mikey.KeyTEK && len(kd.Key) == 30 {
				a.add(KindTEKKeyAndSalt.New(mm.Frame, sid, "TEK key data of 30 bytes: 16-byte master key followed by 14-byte master salt"))
			}
		}
	}

	// CS ID map placeholders.
	for i, cs := range h.SRTPMap {
		if cs.SSRC == 0 {
			a.add(KindSSRCZero.New(mm.Frame, sid, fmt.Sprintf("crypto session %d has SSRC 0", i+1)))
		}
	}

	// Security policies.
	for _, sp := range msg.SP() {
		a.checkPolicy(mm, sid, msg, sp)
	}
}

// checkPolicy reports the quirks of an SRTP SP payload, the notes of its
// description (mikey.SPPayload.SRTP) through noteFindings, then the
// transforms common peers lack.
func (a *Analyzer) checkPolicy(mm *MIKEYMessage, sid int, msg *mikey.Message, sp *mikey.SPPayload) {
	if sp.Prot != mikey.ProtSRTP {
		return
	}
	d, notes, _ := sp.SRTP()
	for _, f := range findingsOfNotes(msg, notes, mm.Frame, sid) {
		a.add(f)
	}
	if d.Encr != mikey.SRTPEncrNULL && d.Encr != mikey.SRTPEncrAESCM && d.Encr != mikey.SRTPEncrAESGCM {
		a.add(KindPolicyUnsupported.New(mm.Frame, sid, fmt.Sprintf("policy %d: encryption algorithm %s", sp.PolicyNo, encrAlgName(d.Encr))))
	}
	if d.KDR != 0 {
		a.add(KindPolicyUnsupported.New(mm.Frame, sid, fmt.Sprintf("policy %d: key derivation rate %d (common implementations only support 0)", sp.PolicyNo, d.KDR)))
	}
	if d.AuthAlg != mikey.SRTPAuthNULL && d.AuthAlg != mikey.SRTPAuthHMACSHA1 {
		a.add(KindPolicyUnsupported.New(mm.Frame, sid, fmt.Sprintf("policy %d: authentication algorithm %d (RFC 4771 RCC mode)", sp.PolicyNo, d.AuthAlg)))
	}
}

// encrAlgName names an encryption algorithm as the policy-unsupported
// finding always has: mikey's name, but "AES-f8" as RFC 3711 §4.1.2
// writes it.
func encrAlgName(e mikey.SRTPEncrAlg) string {
	if e == mikey.SRTPEncrAESF8 {
		return "AES-f8"
	}
	return e.String()
}

// pair places a message in its exchange and opens the exchange when it is
// complete enough. Caller holds a.mu.
func (a *Analyzer) pair(st *sessionState, mm *MIKEYMessage, msg *mikey.Message, usable bool) {
	h := &msg.Header
	role := h.DataType.Role()
	switch role {
	case mikey.RoleInitiatorMessage:
		ex := &keyExchange{session: st, csbID: h.CSBID, init: mm}
		st.exch = append(st.exch, ex)
		if len(a.byCSB) < maxExchanges {
			a.byCSB[h.CSBID] = append(a.byCSB[h.CSBID], ex)
		}
		if usable {
			a.open(ex)
		}
	case mikey.RoleResponseMessage, mikey.RoleErrorMessage:
		ex := a.findExchange(st, h.CSBID, h.DataType)
		if ex == nil && role == mikey.RoleResponseMessage {
			// An unanswered initiator message of this session with another
			// CSB ID: the responder changed it (RFC 3830 §5 requires the same).
			if ex = unansweredInit(st, h.DataType); ex != nil {
				a.add(KindResponseMismatch.New(mm.Frame, st.s.ID, fmt.Sprintf("%s has CSB ID 0x%08x; the initiator's message (frame %d) has 0x%08x",
					h.DataType, h.CSBID, ex.init.Frame, ex.csbID)))
			}
		}
		if ex == nil {
			if role == mikey.RoleResponseMessage {
				a.add(KindOrphanResponse.New(mm.Frame, st.s.ID, fmt.Sprintf("%s with CSB ID 0x%08x answers no initiator message in the capture", h.DataType, h.CSBID)))
			}
			return
		}
		if role == mikey.RoleErrorMessage {
			ex.errMsgs = append(ex.errMsgs, mm)
			if ex.init.Auth == KeyNoKeyFits {
				a.open(ex) // an Auth failure error is evidence of a mismatch
			}
			return
		}
		if ex.resp != nil {
			// A retransmitted response; the replay check has noted it.
			return
		}
		ex.resp = mm
		a.checkResponse(ex)
		if usable {
			a.open(ex)
		}
	}
}

// findExchange finds the exchange a response or error belongs to: same CSB
// ID, most recent first, same session preferred.
func (a *Analyzer) findExchange(st *sessionState, csbID uint32, dt mikey.DataType) *keyExchange {
	want, typed := dt.Answers()
	var best *keyExchange
	cands := a.byCSB[csbID]
	for i := len(cands) - 1; i >= 0; i-- {
		ex := cands[i]
		if !ex.init.decoded {
			continue
		}
		if typed && ex.init.dataType != want {
			continue
		}
		if dt != mikey.DataTypeError && ex.resp != nil {
			continue
		}
		if ex.session == st {
			return ex
		}
		if best == nil {
			best = ex
		}
	}
	return best
}

// checkResponse compares a response with its initiator message (RFC 3830 §5:
// same CSB ID, and the crypto sessions of the offer).
func (a *Analyzer) checkResponse(ex *keyExchange) {
	im, rm := ex.init.Parsed(), ex.resp.Parsed()
	if im == nil || rm == nil {
		return
	}
	ih, rh := &im.Header, &rm.Header
	sid := ex.session.s.ID
	if rh.NumCS != 0 && ih.NumCS != rh.NumCS && rh.MapType == ih.MapType {
		a.add(KindResponseMismatch.New(ex.resp.Frame, sid, fmt.Sprintf("response has %d crypto sessions, the initiator's message (frame %d) has %d", rh.NumCS, ex.init.Frame, ih.NumCS)))
	}
	for i := range rh.SRTPMap {
		if i < len(ih.SRTPMap) && rh.SRTPMap[i].SSRC != ih.SRTPMap[i].SSRC && rh.SRTPMap[i].SSRC != 0 && ih.SRTPMap[i].SSRC != 0 {
			a.add(KindResponseMismatch.New(ex.resp.Frame, sid, fmt.Sprintf("crypto session %d: response SSRC 0x%08x, initiator SSRC 0x%08x", i+1, rh.SRTPMap[i].SSRC, ih.SRTPMap[i].SSRC)))
		}
	}
	// Conflicting policies between offer and answer.
	for _, rsp := range rm.SP() {
		isp := im.PolicyFor(rsp.PolicyNo)
		if isp == nil {
			continue
		}
		if diff := policyDiff(isp, rsp); diff != "" {
			a.add(KindPolicyConflict.New(ex.resp.Frame, sid, fmt.Sprintf("policy %d: %s", rsp.PolicyNo, diff)))
		}
	}
}

// policyDiff names the first SRTP parameter two policies disagree on.
func policyDiff(x, y *mikey.SPPayload) string {
	for _, p := range x.Params {
		q, ok := y.Param(p.Type)
		if !ok {
			continue
		}
		if string(p.Value) != string(q.Value) {
			pv, _ := p.Uint()
			qv, _ := q.Uint()
			return fmt.Sprintf("%s is %d in the offer and %d in the answer", p.Type, pv, qv)
		}
	}
	return ""
}

// finishMIKEY judges what only the end of the capture can tell. Caller
// holds a.mu.
func (a *Analyzer) finishMIKEY() {
	for _, st := range a.sessions {
		a.finishExchanges(st)
	}
}

// finishExchanges reports the exchanges of a session that asked for a
// verification message and got none. Caller holds a.mu.
func (a *Analyzer) finishExchanges(st *sessionState) {
	for _, ex := range st.exch {
		im := ex.init.Parsed()
		if im == nil || !im.Header.V || ex.resp != nil || len(ex.errMsgs) > 0 || st.sdesKept(ex.init.Frame) {
			continue
		}
		a.add(KindNoResponse.New(ex.init.Frame, st.s.ID, fmt.Sprintf("%s with CSB ID 0x%08x has the V flag set; no verification message followed", im.Header.DataType, im.Header.CSBID)))
	}
}

// unansweredInit finds the latest initiator message of a session that a
// response of type dt would answer and that has no response yet.
func unansweredInit(st *sessionState, dt mikey.DataType) *keyExchange {
	want, ok := dt.Answers()
	if !ok {
		return nil
	}
	for i := len(st.exch) - 1; i >= 0; i-- {
		ex := st.exch[i]
		if ex.resp == nil && ex.init.decoded && ex.init.dataType == want {
			return ex
		}
	}
	return nil
}

// skewText writes a clock offset from the capture time: in seconds up to
// a day ("-10800 s from the capture time"), in days beyond ("999 days 17h
// 28m 44s behind the capture time, -86376524 s"), where a count of seconds
// means nothing to a reader.
func skewText(off time.Duration) string {
	if off > -24*time.Hour && off < 24*time.Hour {
		return fmt.Sprintf("%+.0f s from the capture time", off.Seconds())
	}
	dir, abs := "ahead of", off
	if off < 0 {
		dir, abs = "behind", -off
	}
	abs = abs.Round(time.Second)
	days := abs / (24 * time.Hour)
	rest := abs - days*24*time.Hour
	unit := "days"
	if days == 1 {
		unit = "day"
	}
	return fmt.Sprintf("%d %s %dh %dm %ds %s the capture time, %+.0f s", days, unit, rest/time.Hour, (rest%time.Hour)/time.Minute, (rest%time.Minute)/time.Second, dir, off.Seconds())
}
