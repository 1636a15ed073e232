package mikey

import (
	"fmt"
	"time"

	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// sakkeTarget is the party a SAKKE payload is encapsulated for.
type sakkeTarget struct {
	role     string // "responder" or "initiator (SAKKE-to-self)"
	id       []byte // Identifier
	uri      string
	verbatim bool // id was supplied, not built from uri and month
}

// openSAKKEPayloads decapsulates the SAKKE payload for the responder and,
// if that does not yield the SSV, a SAKKE-to-self extension for the
// initiator (3GPP TS 33.180 §E.5).
func openSAKKEPayloads(m *Message, k SAKKEKeys, res *SAKKEResult) {
	if p := m.SAKKE(); p != nil {
		res.Decap = decapSAKKEPayload(p, sakkeTarget{"responder", res.ResponderID, res.ResponderURI, len(k.ResponderID) > 0}, k, res)
	}
	if res.Decap == SAKKEDecapsulated {
		return
	}
	for _, g := range m.GenExts() {
		if g.ExtType != GenExtSAKKEToSelf {
			continue
		}
		p, err := g.SAKKEToSelf()
		if err != nil {
			res.note("SAKKE-to-self extension: " + err.Error())
			res.ToSelf = SAKKEMalformed
			return
		}
		res.ToSelf = decapSAKKEPayload(p, sakkeTarget{"initiator (SAKKE-to-self)", res.InitiatorID, res.InitiatorURI, len(k.InitiatorID) > 0}, k, res)
		return
	}
}

// decapSAKKEPayload checks the RSKs and decapsulates one SAKKE payload
// (RFC 6509 §4.2) for the target's Identifier (RFC 6508 §6.2.2).
func decapSAKKEPayload(p *SAKKEPayload, tg sakkeTarget, k SAKKEKeys, res *SAKKEResult) SAKKEDecap {
	pp, err := sakke.ParamsByID(uint8(p.Params))
	if err != nil {
		res.note(err.Error())
		return SAKKEMalformed
	}
	if p.IDScheme != 1 && !tg.verbatim {
		res.note(fmt.Sprintf("ID scheme %v: the %s identifier is built as for tel URI with monthly keys (scheme 1); supply the identifier for other schemes", p.IDScheme, tg.role))
	}
	ed, err := pp.ParseEncapsulatedData(p.Data)
	if err != nil {
		res.note(fmt.Sprintf("SAKKE data at offset %d: %v", p.DataOffset, err))
		return SAKKEMalformed
	}
	zs, rsks := sakkeKeyPoints(pp, k, res)
	if len(zs) == 0 || len(rsks) == 0 {
		res.note("no usable RSK or KMS public key Z supplied: the SAKKE payload cannot be opened")
		return SAKKENoKey
	}
	if tg.id == nil {
		res.note("the " + tg.role + " identifier is unknown (no IDR payload, no URI from the signalling, or no key period)")
		return SAKKENoIdentity
	}
	// Decapsulate first: success (the §6.2.2 step 5 check) implies a
	// working RSK, so the §6.1.2 validity check (a second pairing) is only
	// needed to explain a failure.
	for _, z := range zs {
		for _, r := range rsks {
			ssv, err := pp.Decapsulate(ed, tg.id, r.pt, z.pt)
			if err == nil {
				res.RSKRef, res.ZRef, res.SSV = r.ref, z.ref, Secret(ssv)
				return SAKKEDecapsulated
			}
		}
	}
	verdict := SAKKERSKInvalid
	for _, z := range zs {
		for _, r := range rsks {
			if err := pp.ValidateRSK(tg.id, z.pt, r.pt); err != nil {
				res.note(fmt.Sprintf("RSK %s is not the key of %s %q for %s under %s", r.ref, tg.role, tg.uri, res.Month, z.ref))
				if month, ok := rskOtherMonth(pp, tg, res.Month, z.pt, r.pt); ok {
					res.RSKMonth = month
					res.note(fmt.Sprintf("RSK %s is the key of %q for %s, but the message's timestamp is in %s: a clock or key-period mismatch (RFC 6509 §3.3)", r.ref, tg.uri, month, res.Month))
				}
				continue
			}
			res.RSKRef, res.ZRef = r.ref, z.ref
			res.note(fmt.Sprintf("RSK %s is valid for the %s identifier under %s, but the encapsulated data is not for it (RFC 6508 §6.2.2 step 5): sent to another identity or month, or altered", r.ref, tg.role, z.ref))
			verdict = SAKKEOtherIdentity
		}
	}
	return verdict
}

// rskOtherMonth looks for the key period an RSK that failed the §6.1.2
// check belongs to: the month before or after the message's, the usual
// result of clock skew around a key period change (RFC 6509 §3.3).
func rskOtherMonth(pp *sakke.Params, tg sakkeTarget, month string, Z, rsk sakke.Point) (string, bool) {
	if tg.verbatim || tg.uri == "" || month == "" {
		return "", false
	}
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", false
	}
	for _, d := range []int{-1, 1} {
		other := t.AddDate(0, d, 0)
		if pp.ValidateRSK(sakke.Identity(tg.uri, other), Z, rsk) == nil {
			return other.Format("2006-01"), true
		}
	}
	return "", false
}

// sakkeKey is a decoded KMS public key or RSK with its fingerprint.
type sakkeKey struct {
	pt  sakke.Point
	ref string
}

// sakkeKeyPoints decodes the supplied KMS public keys and RSKs, noting
// those that are not points of the curve.
func sakkeKeyPoints(pp *sakke.Params, k SAKKEKeys, res *SAKKEResult) (zs, rsks []sakkeKey) {
	for _, raw := range k.Zs {
		ref := KindFingerprint("kms-z", raw)
		Z, err := pp.ParsePoint(raw)
		if err != nil {
			res.note("KMS public key " + ref + " does not decode: " + err.Error())
			continue
		}
		zs = append(zs, sakkeKey{Z, ref})
	}
	for i, raw := range k.RSKs {
		ref := k.RSKFingerprint(i)
		rsk, err := pp.ParsePoint(raw)
		if err != nil {
			res.note("RSK " + ref + " does not decode: " + err.Error())
			continue
		}
		rsks = append(rsks, sakkeKey{rsk, ref})
	}
	return zs, rsks
}
