package analysis

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// mikeyKeys returns the supplied MIKEY keys, MIKEY-SAKKE's included
// (converted once per key set).
func (a *Analyzer) mikeyKeys() *mikey.Keys {
	if a.keysFor != a.opts.Keys || a.mkeys == nil {
		a.keysFor = a.opts.Keys
		a.mkeys = &mikey.Keys{}
		if a.opts.Keys != nil {
			a.mkeys = a.opts.Keys.MIKEY()
		}
	}
	return a.mkeys
}

// signallingIdentities returns the identities of the initiator and the
// responder as the signalling names them (SIP From and To URIs), for V and
// RSA-R inputs when the MIKEY messages carry no ID payload (RFC 3830 §5.2).
// The initiator is the sender of the message that carried the initiator's
// MIKEY message: the From party for a request, the To party for a response.
func signallingIdentities(ex *keyExchange) (init, resp []byte) {
	s := ex.session.s
	if s.Carrier != "sip" || s.From == "" || s.To == "" {
		return nil, nil
	}
	from, to := []byte(s.From), []byte(s.To)
	if !ex.init.inRequest {
		return to, from // carried in a response: the callee initiated
	}
	return from, to
}

// previousRAND returns the RAND of the latest earlier exchange of the
// session with the same CSB ID: update messages carry none and derive from
// the initial exchange's (RFC 3830 §4.5).
func (a *Analyzer) previousRAND(ex *keyExchange) []byte {
	if im := ex.init.Parsed(); im == nil || im.RAND() != nil {
		return nil
	}
	st := ex.session
	for i := len(st.exch) - 1; i >= 0; i-- {
		p := st.exch[i]
		if p == ex || !p.init.decoded || p.csbID != ex.csbID {
			continue
		}
		if r := p.init.Parsed().RAND(); r != nil {
			return r.Rand
		}
	}
	return nil
}

// open applies the supplied keys to an exchange and, when keys come out,
// creates its crypto sessions. It runs when the initiator's message arrives
// (PSK, PK, NULL need nothing else) and again when the response arrives
// (DH, DHHMAC, RSA-R need both; V is checked then). Caller holds a.mu.
func (a *Analyzer) open(ex *keyExchange) {
	var im, rm *mikey.Message
	if ex.init != nil {
		im = ex.init.Parsed()
	}
	if ex.resp != nil {
		rm = ex.resp.Parsed()
	}
	if im == nil && rm == nil {
		return
	}
	opts := mikey.OpenOptions{CaptureTime: ex.init.Time, RAND: a.previousRAND(ex), PartyURIs: ex.session.partyURIs}
	opts.InitiatorID, opts.ResponderID = signallingIdentities(ex)
	res := mikey.OpenExchange(im, rm, a.mikeyKeys(), opts)
	if res.SAKKE != nil {
		a.applySAKKEResult(ex, res.SAKKE, string(opts.InitiatorID))
		return
	}
	sid := ex.session.s.ID
	if res.Init != nil && ex.init != nil {
		a.applyMessageResult(ex, ex.init, res.Init, res.Resp, sid, false)
	}
	if res.Resp != nil && ex.resp != nil {
		a.applyMessageResult(ex, ex.resp, res.Resp, res.Init, sid, true)
	}
	if len(res.Sessions) > 0 {
		a.addCryptoSessions(ex, res.Sessions)
	}
	a.updateKeyStatus(ex.session)
}

// mismatchEvidence says why a message that no supplied key verifies (r) is
// a real mismatch rather than a call whose key was not supplied, or ""
// when nothing shows it. The evidence, in order:
//   - a key tried was meant for the message: a PSK bound to an identity the
//     exchange names (ID/IDR payloads, SIP From/To), an RSA key that
//     decrypted the PKE envelope (r.Meant);
//   - the other message of the exchange verified with a supplied key, so
//     the two peers used different keys (or one computed its MAC
//     otherwise);
//   - the peer answered the initiator's message with a MIKEY error payload
//     Auth failure (RFC 3830 §6.12): the peers disagree.
//
// That a key is the only one supplied, or that the capture holds one call,
// is not evidence: a user may give one call's key and open a capture of
// many calls, and a mistyped key fails the same way.
func mismatchEvidence(ex *keyExchange, r, other *mikey.MessageResult, response bool) string {
	if r.Meant != "" {
		return r.Meant
	}
	if other != nil && other.Auth == mikey.AuthVerified && other.KeyRef != "" && other.KeyRef != mikey.KeyRefInClear {
		if response {
			return fmt.Sprintf("the initiator's message (frame %d) verified with %s, so the responder used another key", ex.init.Frame, other.KeyRef)
		}
		if ex.resp != nil {
			return fmt.Sprintf("the response (frame %d) verified with %s, so the initiator used another key", ex.resp.Frame, other.KeyRef)
		}
	}
	if !response {
		for _, em := range ex.errMsgs {
			m := em.Parsed()
			if m == nil {
				continue
			}
			for _, e := range m.ERR() {
				if e.Code == 0 {
					return fmt.Sprintf("the peer answered with MIKEY error Auth failure (frame %d)", em.Frame)
				}
			}
		}
	}
	return ""
}

// dropFinding removes the finding of a code at a frame of a session (a
// verdict revised when more of the exchange arrived). Caller holds a.mu.
func (a *Analyzer) dropFinding(code string, frame uint64, sid int) {
	for i := len(a.findings) - 1; i >= 0; i-- {
		if f := a.findings[i]; f.Code == code && f.Frame == frame && f.Session == sid {
			a.findings = append(a.findings[:i], a.findings[i+1:]...)
			return
		}
	}
}

// applyMessageResult copies one message's verdict into the model and makes
// its findings; other is the result of the exchange's other message (nil
// without one). Caller holds a.mu.
func (a *Analyzer) applyMessageResult(ex *keyExchange, mm *MIKEYMessage, r, other *mikey.MessageResult, sid int, response bool) {
	prev := mm.Auth
	mm.Auth = authWord(r.Auth)
	evidence := ""
	// The verdict rests on a signature alone (DH-SIGN, RSA-R): no MAC or V
	// key was tried.
	sigOnly := r.Tried == 0 && r.Signature.Status == mikey.AuthFailed
	if r.Auth == mikey.AuthFailed {
		if sigOnly {
			if r.Signature.MessageCert {
				evidence = "the message's own CERT payload does not verify its signature"
			}
		} else {
			evidence = mismatchEvidence(ex, r, other, response)
		}
		if evidence == "" {
			mm.Auth = KeyNoKeyFits
		}
	}
	mm.KeyFP = r.KeyRef
	if r.Auth == mikey.AuthInClear || r.Auth == mikey.AuthNotProtected {
		mm.KeyFP = "" // nothing verified it
	}
	detail := r.Details()
	if evidence != "" {
		detail = append(detail, "mismatch: "+evidence)
	}
	mm.Detail = strings.Join(detail, "; ")
	for _, r := range ex.session.s.MIKEY {
		if r.RelayOf == mm.Frame {
			copyVerdict(r, mm)
		}
	}
	if prev == mm.Auth {
		if mm.Auth == KeyNoKeyFits && !response {
			a.reviseNoKeyFits(ex, mm, sid, r.Tried) // the response may say more now
		}
		return // reopened with the response: the verdict on this message is known
	}
	if prev == KeyNoKeyFits {
		a.dropFinding(KindNoKeyFits.Code, mm.Frame, sid) // revised: the rest of the exchange shows a mismatch
	}
	switch r.Auth {
	case mikey.AuthVerified:
		if r.KeyRef != "" {
			a.noteKeyUse(r.KeyRef, r.KeySource, mm.Frame)
		}
		a.checkLayout(ex, mm, r, sid)
	case mikey.AuthFailed:
		if sigOnly {
			break // the signature's finding below says it
		}
		k := KindMACMismatch
		what := "MAC"
		if m := mm.Parsed(); response && m != nil && m.V() != nil {
			k, what = KindVMismatch, "V payload MAC"
		}
		if evidence == "" {
			if response && ex.init != nil && ex.init.Auth == KeyNoKeyFits {
				break // the initiator's finding covers the exchange: its key was not supplied
			}
			a.add(KindNoKeyFits.New(mm.Frame, sid, noKeyFitsSummary(ex, mm, what, r.Tried, response)))
			break
		}
		a.add(k.New(mm.Frame, sid, fmt.Sprintf("%s of %s does not verify with any of %d supplied key(s): %s", what, mm.DataType, r.Tried, evidence)))
	case mikey.AuthNoKey:
		m := mm.Parsed()
		if k := m.KEMAC(); k != nil && k.EncrAlg != mikey.EncrNULL || m.PKE() != nil {
			a.add(KindNoKey.New(mm.Frame, sid, fmt.Sprintf("%s: KEMAC encrypted with %s; no supplied key opens it", mm.DataType, kemacAlg(m))))
		}
	}
	if r.Signature.Status == mikey.AuthFailed {
		if r.Signature.MessageCert {
			a.add(KindSignatureInvalid.New(mm.Frame, sid, fmt.Sprintf("SIGN payload of %s does not verify (%d key(s) or certificate(s) tried, among them the message's own CERT payload)", mm.DataType, r.Signature.Tried)))
		} else {
			// Only supplied certificates and keys were tried: they may
			// belong to other calls (issue 17 item 7).
			a.add(KindNoKeyFits.New(mm.Frame, sid, fmt.Sprintf("SIGN payload of %s verifies with none of the %d supplied certificate(s) or key(s), and the message carries no certificate: the signer's certificate was not supplied, or is not the one given", mm.DataType, r.Signature.Tried)))
		}
	}
}

// noKeyFitsSummary words a KindNoKeyFits finding: what failed, and, when
// the responder's verification message shows that the peers accepted each
// other's key, that too.
func noKeyFitsSummary(ex *keyExchange, mm *MIKEYMessage, what string, tried int, response bool) string {
	s := fmt.Sprintf("%s of %s verifies with none of the %d supplied key(s), and none of them is bound to this exchange", what, mm.DataType, tried)
	if !response && ex.resp != nil && ex.resp.dataType == mikey.DataTypePSKVerify {
		s += fmt.Sprintf("; the responder's verification message (frame %d) shows that it accepted this MAC, so the peers agree on a key that was not supplied", ex.resp.Frame)
	}
	return s
}

// reviseNoKeyFits rewrites the summary of the initiator's KindNoKeyFits
// finding once the response is known. Caller holds a.mu.
func (a *Analyzer) reviseNoKeyFits(ex *keyExchange, mm *MIKEYMessage, sid, tried int) {
	for i := len(a.findings) - 1; i >= 0; i-- {
		if f := a.findings[i]; f.Code == KindNoKeyFits.Code && f.Frame == mm.Frame && f.Session == sid {
			f.Summary = noKeyFitsSummary(ex, mm, "MAC", tried, false)
			return
		}
	}
}

// checkLayout reports a MAC, V payload or signature that verified only
// over a non-standard input (#17): the verdict says which layout, and a
// peer following RFC 3830 will reject the message. When the V payload left
// out identities that only the signalling names (no ID payload in either
// message), RFC 3830 does not say plainly which identities a peer uses, so
// the finding is a note. Caller holds a.mu.
func (a *Analyzer) checkLayout(ex *keyExchange, mm *MIKEYMessage, r *mikey.MessageResult, sid int) {
	var what, layout, want string
	vBase := r.VLayout
	switch {
	case r.VVariant != "" && vBase != mikey.VVariantRFC:
		what, layout, want = "V payload", vBase, mikey.VVariantRFC
	case r.MACVariant != "":
		what, layout, want = "KEMAC MAC", r.MACVariant, "RFC 3830 §4.2.4: the message up to the MAC field"
	case r.Signature.Status == mikey.AuthVerified && r.Signature.Variant != "":
		what, layout, want = "signature", r.Signature.Variant, "RFC 3830 §5.2"
	default:
		return
	}
	f := KindNonStandardMAC.New(mm.Frame, sid, fmt.Sprintf("%s of %s verifies over %s, not %s: a peer following the RFC rejects it", what, mm.DataType, layout, want))
	if vBase == mikey.VVariantNoIDs && !exchangeCarriesIDs(ex) {
		f.Severity = SeverityNote
		f.Summary = fmt.Sprintf("V payload of %s verifies over %s; neither message carries an ID payload, so a peer that takes the identities from the signalling (SIP From/To) computes %s and rejects it", mm.DataType, vBase, mikey.VVariantRFC)
	}
	a.add(f)
}

// exchangeCarriesIDs reports whether a message of the exchange carries an
// ID or IDR payload.
func exchangeCarriesIDs(ex *keyExchange) bool {
	for _, mm := range []*MIKEYMessage{ex.init, ex.resp} {
		if mm == nil {
			continue
		}
		if m := mm.Parsed(); m != nil && (len(m.IDs()) > 0 || m.IDR(mikey.RoleInitiator) != nil || m.IDR(mikey.RoleResponder) != nil) {
			return true
		}
	}
	return false
}

func kemacAlg(m *mikey.Message) string {
	if k := m.KEMAC(); k != nil {
		return k.EncrAlg.String()
	}
	return "an envelope key"
}

func authWord(s mikey.AuthStatus) KeyStatus {
	switch s {
	case mikey.AuthVerified:
		return KeyVerified
	case mikey.AuthFailed:
		return KeyFailed
	case mikey.AuthNoKey:
		return KeyNoKey
	case mikey.AuthNotProtected:
		return KeyNotProtected
	case mikey.AuthInClear:
		return KeyInClear
	}
	return KeyNotChecked
}

// noteKeyUse records that a supplied key verified a message.
func (a *Analyzer) noteKeyUse(fp, source string, frame uint64) {
	ku := a.keyUse[fp]
	if ku == nil {
		kind := fp
		if i := strings.IndexByte(fp, ':'); i > 0 {
			kind = fp[:i]
		}
		ku = &KeyUse{Fingerprint: fp, Kind: kind, Source: source}
		a.keyUse[fp] = ku
	}
	if len(ku.Verified) < 1000 {
		ku.Verified = append(ku.Verified, frame)
	}
}

// addCryptoSessions turns recovered session keys into the model's crypto
// sessions and SRTP bindings. Caller holds a.mu.
func (a *Analyzer) addCryptoSessions(ex *keyExchange, sessions []mikey.SessionKeys) {
	st := ex.session
	im := ex.init.Parsed()
	if im == nil && ex.resp != nil {
		im = ex.resp.Parsed()
	}
	for _, sk := range sessions {
		// Replace an earlier entry for the same CS of this exchange (the
		// exchange is reopened when its response arrives).
		cs := a.findCryptoSession(st, ex.init.Frame, sk.CSID, sk.SSRC)
		if cs == nil {
			cs = &CryptoSession{}
			st.s.CryptoSessions = append(st.s.CryptoSessions, cs)
		}
		pol, polErr := policyFor(ex, sk.PolicyNo)
		*cs = CryptoSession{
			CSID:      sk.CSID,
			SSRC:      fmt.Sprintf("0x%08x", sk.SSRC),
			ROC:       sk.ROC,
			PolicyNo:  sk.PolicyNo,
			Policy:    pol.String(),
			KeyFP:     "key:" + sk.MasterKey.Fingerprint(),
			SaltFP:    "salt:" + sk.MasterSalt.Fingerprint(),
			FromFrame: ex.init.Frame,
			Source:    "mikey",
			ssrc:      sk.SSRC,
		}
		if len(sk.MKI) > 0 {
			cs.MKI = "0x" + hex.EncodeToString(sk.MKI)
		}
		if a.opts.ShowKeys {
			cs.KeyHex = hex.EncodeToString(sk.MasterKey.Reveal())
			cs.SaltHex = hex.EncodeToString(sk.MasterSalt.Reveal())
		}
		if polErr != nil {
			cs.Policy = "unusable: " + polErr.Error()
			continue
		}
		a.media.bind(st, cs, pol, sk.MasterKey.Reveal(), sk.MasterSalt.Reveal(), sk.MKI)
	}
	_ = im
}

func (a *Analyzer) findCryptoSession(st *sessionState, frame uint64, csID uint8, ssrc uint32) *CryptoSession {
	for _, cs := range st.s.CryptoSessions {
		if cs.FromFrame == frame && cs.CSID == csID && cs.ssrc == ssrc {
			return cs
		}
	}
	return nil
}

// updateKeyStatus summarises a session's key status from its messages:
// failed beats no-key beats in-clear beats verified.
func (a *Analyzer) updateKeyStatus(st *sessionState) {
	status := KeyNone
	rank := map[KeyStatus]int{KeyNone: 0, KeyNotChecked: 1, KeyVerified: 2, KeyNotProtected: 3, KeyInClear: 4, KeyNoKey: 5, KeyNoKeyFits: 6, KeyFailed: 7}
	for _, m := range st.s.MIKEY {
		w := m.Auth
		if w == KeyNotProtected {
			w = KeyInClear
		}
		if rank[w] > rank[status] {
			status = w
		}
	}
	st.s.KeyStatus = status
}
