package analysis

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// maxPartyURIs bounds the identities kept per session.
const maxPartyURIs = 16

// notePartyURIs keeps the identities a SIP message names besides From and
// To: P-Asserted-Identity and the URIs of MC XML bodies.
func (st *sessionState) notePartyURIs(m *dissect.SignalMessage) {
	add := func(u string) {
		if u == "" || len(st.partyURIs) >= maxPartyURIs || slices.Contains(st.partyURIs, u) {
			return
		}
		st.partyURIs = append(st.partyURIs, strings.Clone(u))
	}
	if v, ok := m.Header("P-Asserted-Identity"); ok {
		for _, part := range strings.Split(v, ",") {
			add(nameAddr(part))
		}
	}
	for _, u := range m.PartyURIs {
		add(u)
	}
	if len(m.PartyURIs) > 0 {
		st.mcSignalled = true
	}
}

// rskBoundTo reports whether a supplied RSK is bound to uri (sakke-rsk
// URI=HEX), with or without the key period prefix of RFC 6509 §4.4.
func (a *Analyzer) rskBoundTo(uri string) bool {
	if a.opts.Keys == nil || uri == "" {
		return false
	}
	for _, k := range a.opts.Keys.SAKKERSKs {
		id := k.Identity
		if i := strings.IndexByte(id, 0); i >= 0 {
			id = id[i+1:]
		}
		if id == uri || strings.HasSuffix(id, "\x00"+uri) {
			return true
		}
	}
	for _, k := range a.opts.Keys.KeySets {
		if k.UserURI == uri && !k.Encrypted {
			return true
		}
	}
	return false
}

// applySAKKEResult makes the verdict and findings of an opened MIKEY-SAKKE
// I_MESSAGE (RFC 6509): ECCSI signature, SAKKE decapsulation of the SSV
// (the TGK), and the crypto session keys. sender is the identity the
// signalling gives the initiator. Caller holds a.mu.
func (a *Analyzer) applySAKKEResult(ex *keyExchange, res *mikey.SAKKEResult, sender string) {
	mm := ex.init
	sid := ex.session.s.ID
	k := &a.mikeyKeys().SAKKE
	mm.Detail = strings.Join(res.Details(), "; ")
	switch {
	case res.Decap == mikey.SAKKEDecapsulated && res.Signature.Status == mikey.AuthVerified:
		mm.Auth, mm.KeyFP = KeyVerified, res.RSKRef
	case res.Decap == mikey.SAKKEDecapsulated:
		mm.Auth, mm.KeyFP = KeyNotProtected, res.RSKRef
	case res.Decap == mikey.SAKKENoKey || !k.Supplied():
		mm.Auth = KeyNoKey
	case res.Decap == mikey.SAKKERSKInvalid && res.RSKMonth == "" && res.RSKPeriod == "" && !a.rskBoundTo(res.ResponderURI):
		// No RSK given is this responder's (not for a neighbouring key
		// period either, not bound to its URI): its key was not supplied;
		// another user's RSK is not evidence of a mismatch.
		mm.Auth = KeyNoKeyFits
	default:
		mm.Auth = KeyFailed
	}
	if res.RSKRef != "" {
		src := res.RSKSource
		if src == "" || src == k.Source {
			src = "--sakke-rsk"
		}
		a.noteKeyUse(res.RSKRef, src, mm.Frame)
	}
	if res.Signature.Status == mikey.AuthFailed {
		a.add(KindSignatureInvalid.New(mm.Frame, sid, fmt.Sprintf("ECCSI signature of the MIKEY-SAKKE message from %s does not verify with the supplied KPAK", res.InitiatorURI)))
	}
	switch res.Decap {
	case mikey.SAKKEOtherIdentity:
		a.add(KindSAKKEWrongIdentity.New(mm.Frame, sid, fmt.Sprintf("the SAKKE payload does not decapsulate for %s in %s (RFC 6508 §6.2.2 check failed)", res.ResponderName(), strings.TrimPrefix(res.MessageKeyPeriod(), "period "))))
	case mikey.SAKKERSKInvalid:
		if mm.Auth == KeyNoKeyFits {
			a.add(KindNoKeyFits.New(mm.Frame, sid, fmt.Sprintf("no supplied RSK is valid for %s in key period %s, and none is bound to it or is its key for a neighbouring period: its RSK was not supplied", res.ResponderName(), strings.TrimPrefix(res.MessageKeyPeriod(), "period "))))
			break
		}
		a.add(KindSAKKERSKInvalid.New(mm.Frame, sid, fmt.Sprintf("no supplied RSK is valid for %s in key period %s", res.ResponderName(), strings.TrimPrefix(res.MessageKeyPeriod(), "period "))))
	case mikey.SAKKENoKey:
		a.add(KindSAKKEMissingKMS.New(mm.Frame, sid, "MIKEY-SAKKE message: the RSK or the KMS public key (Z) is missing"))
	}
	if res.Signature.Status == mikey.AuthNoKey && res.Decap != mikey.SAKKENoKey {
		a.add(KindSAKKEMissingKMS.New(mm.Frame, sid, "MIKEY-SAKKE message: no KMS public authentication key (KPAK) to verify the ECCSI signature"))
	}
	a.mcFindings(mm, res, sid, sender)
	a.noteMCKey(ex, res)
	if len(res.Sessions) > 0 {
		a.addCryptoSessions(ex, res.Sessions)
	}
	a.updateKeyStatus(ex.session)
}

// mcFindings reports what the mission-critical checks of the message found
// (TS 33.180) and keeps its MC summary. sender is the identity the
// signalling gives the initiator. Caller holds a.mu.
func (a *Analyzer) mcFindings(mm *MIKEYMessage, res *mikey.SAKKEResult, sid int, sender string) {
	mm.MC = res.MCReport(a.opts.ShowKeys)
	if res.PeriodDelta != 0 || res.RSKPeriod != "" {
		s := fmt.Sprintf("the SAKKE payload for %s was encapsulated for key %s while the message's timestamp is in %s: an RSK of another key period was needed", res.ResponderName(), res.RSKPeriod, res.MessageKeyPeriod())
		if res.Decap != mikey.SAKKEDecapsulated {
			s = fmt.Sprintf("the supplied RSK of %s is the key of %s, not of the message's %s", res.ResponderName(), res.RSKPeriod, res.MessageKeyPeriod())
		}
		a.add(KindSAKKEKeyPeriod.New(mm.Frame, sid, s))
	}
	for _, s := range res.SchemeMismatch {
		a.add(KindSAKKEIDScheme.New(mm.Frame, sid, s))
	}
	mc := res.MC
	if mc == nil {
		return
	}
	for _, f := range findingsOfNotes(mm.Parsed(), mc.Problems, mm.Frame, sid) {
		a.add(f)
	}
	if mc.Purpose == mikey.PurposeGMK.String() && res.Signature.Status == mikey.AuthVerified && sender != "" && res.KeyPeriodNo != nil && res.InitiatorURI != sender {
		signer := res.InitiatorURI
		if signer == "" {
			signer = "the UID " + hex.EncodeToString(res.InitiatorID)
		}
		a.add(KindMCSignerNotGMS.New(mm.Frame, sid, fmt.Sprintf("the group key is signed by %s, not by %s, the group management server that sent it", signer, sender)))
	}
}
