package analysis

import (
	"fmt"
	"strings"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// sakkeKeys gathers the supplied MIKEY-SAKKE material: receiver secret keys
// (RSK), KMS public keys (Z) and KMS public authentication keys (KPAK).
func (a *Analyzer) sakkeKeys() (mikey.SAKKEKeys, bool) {
	var k mikey.SAKKEKeys
	st := a.opts.Keys
	if st == nil {
		return k, false
	}
	for _, r := range st.SAKKERSKs {
		k.RSKs = append(k.RSKs, r.RSK)
	}
	for _, z := range st.KMSZ {
		k.Zs = append(k.Zs, z.Value.Reveal())
	}
	for _, p := range st.KMSKPAK {
		k.KPAKs = append(k.KPAKs, p.Value.Reveal())
	}
	k.Source = "supplied keys"
	return k, len(k.RSKs)+len(k.Zs)+len(k.KPAKs) > 0
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
	return false
}

// openSAKKE opens a MIKEY-SAKKE I_MESSAGE (RFC 6509) with the supplied RSK
// and KMS keys: ECCSI signature, SAKKE decapsulation of the SSV (the TGK),
// and the crypto session keys. Caller holds a.mu.
func (a *Analyzer) openSAKKE(ex *exchange) {
	mm := ex.init
	sid := ex.session.s.ID
	k, have := a.sakkeKeys()
	res, err := mikey.OpenSAKKE(mm.Parsed(), k, mikey.OpenOptions{CaptureTime: mm.Time})
	if err != nil {
		mm.Auth, mm.Detail = "not-checked", err.Error()
		return
	}
	var detail []string
	if res.Month != "" {
		detail = append(detail, "key period "+res.Month)
	}
	if res.ResponderURI != "" {
		detail = append(detail, "to "+res.ResponderURI)
	}
	detail = append(detail, "signature "+res.Signature.Status.String(), "SAKKE "+res.Decap.String())
	detail = append(detail, res.Notes...)
	mm.Detail = strings.Join(detail, "; ")
	switch {
	case res.Decap == mikey.SAKKEDecapsulated && res.Signature.Status == mikey.AuthVerified:
		mm.Auth, mm.KeyFP = "verified", res.RSKRef
	case res.Decap == mikey.SAKKEDecapsulated:
		mm.Auth, mm.KeyFP = "not-protected", res.RSKRef
	case res.Decap == mikey.SAKKENoKey || !have:
		mm.Auth = "no-key"
	case res.Decap == mikey.SAKKERSKInvalid && res.RSKMonth == "" && !a.rskBoundTo(res.ResponderURI):
		// No RSK given is this responder's (not for a neighbouring key
		// period either, not bound to its URI): its key was not supplied;
		// another user's RSK is not evidence of a mismatch.
		mm.Auth = authNoKeyFits
	default:
		mm.Auth = "failed"
	}
	if res.RSKRef != "" {
		a.noteKeyUse(res.RSKRef, "--sakke-rsk", mm.Frame)
	}
	if res.Signature.Status == mikey.AuthFailed {
		a.add(KindSignatureInvalid.New(mm.Frame, sid, fmt.Sprintf("ECCSI signature of the MIKEY-SAKKE message from %s does not verify with the supplied KPAK", res.InitiatorURI)))
	}
	switch res.Decap {
	case mikey.SAKKEOtherIdentity:
		a.add(KindSAKKEWrongIdentity.New(mm.Frame, sid, fmt.Sprintf("the SAKKE payload does not decapsulate for %s in %s (RFC 6508 §6.2.2 check failed)", res.ResponderURI, res.Month)))
	case mikey.SAKKERSKInvalid:
		if mm.Auth == authNoKeyFits {
			a.add(KindNoKeyFits.New(mm.Frame, sid, fmt.Sprintf("no supplied RSK is valid for %s in key period %s, and none is bound to it or is its key for a neighbouring period: its RSK was not supplied", res.ResponderURI, res.Month)))
			break
		}
		a.add(KindSAKKERSKInvalid.New(mm.Frame, sid, fmt.Sprintf("no supplied RSK is valid for %s in key period %s", res.ResponderURI, res.Month)))
	case mikey.SAKKENoKey:
		a.add(KindSAKKEMissingKMS.New(mm.Frame, sid, "MIKEY-SAKKE message: the RSK or the KMS public key (Z) is missing"))
	}
	if res.Signature.Status == mikey.AuthNoKey && res.Decap != mikey.SAKKENoKey {
		a.add(KindSAKKEMissingKMS.New(mm.Frame, sid, "MIKEY-SAKKE message: no KMS public authentication key (KPAK) to verify the ECCSI signature"))
	}
	if len(res.Sessions) > 0 {
		a.addCryptoSessions(ex, res.Sessions)
	}
	a.updateKeyStatus(ex.session)
}
