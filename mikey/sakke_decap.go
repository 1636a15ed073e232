package mikey

import (
	"bytes"
	"fmt"

	"github.com/mikeyscope/mikeyscope/mikey/sakke"
)

// openSAKKEPayloads decapsulates the SAKKE payload for the responder and,
// if that does not yield the SSV, a SAKKE-to-self extension for the
// initiator (3GPP TS 33.180 §E.5).
func openSAKKEPayloads(m *Message, k SAKKEKeys, resp, init *sakkeParty, res *SAKKEResult) {
	if p := m.SAKKE(); p != nil {
		res.Decap = decapSAKKEPayload(p, resp, false, k, res)
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
		res.ToSelf = decapSAKKEPayload(p, init, true, k, res)
		return
	}
}

func schemeName(c idCandidate) string {
	if c.scheme == UserIDFormatUnknown {
		return "supplied"
	}
	return c.scheme.Scheme()
}

// decapSAKKEPayload checks the RSKs and decapsulates one SAKKE payload
// (RFC 6509 §4.2) for the party's identifiers (RFC 6508 §6.2.2): those of
// the message's key period in the preferred scheme first, then the other
// scheme, then the neighbouring key periods.
func decapSAKKEPayload(p *SAKKEPayload, pt *sakkeParty, toSelf bool, k SAKKEKeys, res *SAKKEResult) SAKKEDecap {
	role := pt.role
	if toSelf {
		role = "initiator (SAKKE-to-self)"
	}
	pp, err := sakke.ParamsByID(uint8(p.Params))
	if err != nil {
		res.note(err.Error())
		return SAKKEMalformed
	}
	if p.IDScheme != 1 && p.IDScheme != 2 && !pt.verbatim {
		res.note(fmt.Sprintf("ID scheme %v: the %s identifier is tried as a tel URI with monthly keys (1) and as a 3GPP UID (2); supply the identifier for other schemes", p.IDScheme, role))
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
	if len(pt.cands) == 0 {
		res.note("the " + role + " identifier is unknown (no IDR payload, no URI or UID from the signalling or key sets, or no key period)")
		return SAKKENoIdentity
	}
	// Decapsulate first with the identifiers of the message's key period:
	// success (the §6.2.2 step 5 check) implies a working RSK, so the
	// §6.1.2 validity check (a second pairing) is only needed to explain a
	// failure or to find the identifier of a neighbouring period or of the
	// other scheme, which is then decapsulated for. An RSK whose key set
	// names its UID is only tried for that identifier.
	opened := func(c idCandidate, z, r sakkeKey) SAKKEDecap {
		ssv, err := pp.Decapsulate(ed, c.id, r.pt, z.pt)
		if err != nil {
			return SAKKEOtherIdentity
		}
		res.RSKRef, res.ZRef, res.SSV, res.RSKSource = r.ref, z.ref, Secret(ssv), r.src
		if !toSelf {
			res.ResponderID, res.ResponderScheme, res.ResponderIDFrom, res.PeriodDelta = c.id, schemeName(c), c.label, c.delta
		}
		if c.delta != 0 {
			res.RSKPeriod = periodName(pt, c, res)
			res.note(fmt.Sprintf("the SSV was encapsulated for the %s identifier of another key period (%s), not the message's (%s): the RSK of that period was needed", role, c.label, res.periodText()))
		}
		if want := map[SAKKEIDScheme]UserIDFormat{1: UserIDFormatRFC6509, 2: UserIDFormatUID}[p.IDScheme]; want != UserIDFormatUnknown && c.scheme != UserIDFormatUnknown && c.scheme != want {
			s := fmt.Sprintf("the SAKKE payload says ID scheme %v but opened with the %s identifier", p.IDScheme, c.scheme.Scheme())
			res.SchemeMismatch = append(res.SchemeMismatch, s)
			res.note(s)
		}
		schemeCheck(pt, c, "the SAKKE payload", res)
		return SAKKEDecapsulated
	}
	fits := func(c idCandidate, r sakkeKey) bool { return len(r.uid) == 0 || bytes.Equal(c.id, r.uid) }
	tried := map[int]bool{}
	for i, c := range pt.cands {
		if c.delta != 0 {
			continue
		}
		tried[i] = true
		for _, z := range zs {
			for _, r := range rsks {
				if fits(c, r) && opened(c, z, r) == SAKKEDecapsulated {
					return SAKKEDecapsulated
				}
			}
		}
	}
	verdict := SAKKERSKInvalid
	for _, z := range zs {
		for _, r := range rsks {
			valid := false
			for i, c := range pt.cands {
				if !fits(c, r) || pp.ValidateRSK(c.id, z.pt, r.pt) != nil {
					continue
				}
				valid = true
				if !tried[i] && opened(c, z, r) == SAKKEDecapsulated {
					return SAKKEDecapsulated
				}
				if c.delta == 0 {
					res.RSKRef, res.ZRef = r.ref, z.ref
					res.note(fmt.Sprintf("RSK %s is valid for the %s identifier (%s) under %s, but the encapsulated data is not for it (RFC 6508 §6.2.2 step 5): sent to another identity or key period, or altered", r.ref, role, c.label, z.ref))
					verdict = SAKKEOtherIdentity
					break
				}
				res.RSKPeriod = periodName(pt, c, res)
				if c.scheme == UserIDFormatRFC6509 {
					res.RSKMonth = res.RSKPeriod
					res.note(fmt.Sprintf("RSK %s is the key of %q for %s, but the message's timestamp is in %s: a clock or key-period mismatch (RFC 6509 §3.3)", r.ref, pt.uri, res.RSKMonth, res.Month))
				} else {
					res.note(fmt.Sprintf("RSK %s is the %s's key for another key period (%s), not the message's: a clock or key-period mismatch", r.ref, role, c.label))
				}
				break
			}
			if valid {
				continue
			}
			if u := r.user; len(u.UID) > 0 {
				// Named by its key set: no pairing needed to say whose it is.
				if u.URI != "" && u.URI == pt.uri && u.HavePeriodNo && res.KeyPeriodNo != nil && u.PeriodNo != *res.KeyPeriodNo {
					res.RSKPeriod = fmt.Sprintf("period %d", u.PeriodNo)
					res.note(fmt.Sprintf("RSK %s is, by its key set (%s), the %s's key for key period %d, not the message's %d: a clock or key-period mismatch", r.ref, u.Source, role, u.PeriodNo, *res.KeyPeriodNo))
					continue
				}
				res.note(fmt.Sprintf("RSK %s is, by its key set (%s), the key of %q for key period %d, not of the %s %s", r.ref, u.Source, u.URI, u.PeriodNo, role, partyName(pt)))
				continue
			}
			res.note(fmt.Sprintf("RSK %s is not the key of %s %s for %s under %s", r.ref, role, partyName(pt), res.periodText(), z.ref))
		}
	}
	return verdict
}

// partyName names a party by URI, else by UID.
func partyName(pt *sakkeParty) string {
	switch {
	case pt.uri != "":
		return fmt.Sprintf("%q", pt.uri)
	case len(pt.uid) > 0:
		return "UID " + shortHex(pt.uid)
	}
	return "(unknown)"
}

// periodName names the key period of a neighbouring candidate: "2026-10"
// for RFC 6509, "period 235" for a UID.
func periodName(pt *sakkeParty, c idCandidate, res *SAKKEResult) string {
	if c.scheme == UserIDFormatRFC6509 {
		if len(c.id) > 8 {
			return string(c.id[:7])
		}
	}
	if res.KeyPeriodNo != nil {
		return fmt.Sprintf("period %d", int64(*res.KeyPeriodNo)+int64(c.delta))
	}
	if pt.kms != nil && pt.kms.Period.Length > 0 {
		return fmt.Sprintf("period %+d", c.delta)
	}
	return fmt.Sprintf("%+d", c.delta)
}

// sakkeKey is a decoded KMS public key or RSK with its fingerprint.
type sakkeKey struct {
	pt  sakke.Point
	ref string
	src string // where an RSK came from (its key set, a flag)
	// uid and user: the RSK's user when its key set names it.
	uid  []byte
	user SAKKEUser
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
		zs = append(zs, sakkeKey{pt: Z, ref: ref})
	}
	for i, raw := range k.RSKs {
		ref := k.RSKFingerprint(i)
		rsk, err := pp.ParsePoint(raw)
		if err != nil {
			res.note("RSK " + ref + " does not decode: " + err.Error())
			continue
		}
		key := sakkeKey{pt: rsk, ref: ref, src: k.Source}
		if i < len(k.RSKUsers) {
			key.user, key.uid = k.RSKUsers[i], k.RSKUsers[i].UID
			if key.user.Source != "" {
				key.src = key.user.Source
			}
		}
		rsks = append(rsks, key)
	}
	return zs, rsks
}
