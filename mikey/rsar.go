package mikey

// RSA-R signature input variants (RFC 4738 §3.6).
const (
	// RSARVariantRFC: R_MESSAGE without the SIGN payload, then
	// IDi || IDr || T.
	RSARVariantRFC = "RFC"
	// RSARVariantSignHeader: as RFC, but the SIGN payload's S type and
	// length bytes included (the RFC 3830 §5.2 convention).
	RSARVariantSignHeader = "R_MESSAGE up to the Signature field || IDi || IDr || T"
	// RSARVariantPlain: the RFC 3830 §5.2 signature with nothing appended.
	RSARVariantPlain = "R_MESSAGE up to the Signature field (no IDs, no T)"
)

// openRSAR opens a MIKEY-RSA-R exchange (RFC 4738): SIGNi of the
// initiator's message, and in the responder's R_MESSAGE the envelope key
// (encrypted to the initiator, so the initiator's RSA private key opens
// it), the KEMAC E(encr_key, IDr || {TGK}) and SIGNr.
func (x *exchange) openRSAR() {
	if x.init != nil {
		x.res.Init.Signature = x.verifySIGN(x.init, signedWhole(x.init))
		x.res.Init.Auth = x.res.Init.Signature.Status
	}
	if x.resp == nil {
		if x.init != nil {
			x.res.note("RSA-R: the keys travel in the responder's R_MESSAGE, which is missing")
		}
		return
	}
	mr := x.res.Resp
	mr.Signature = x.verifySIGN(x.resp, x.rsarSignedInputs())
	x.openEnvelope(x.resp, mr)
}

// rsarSignedInputs lists the candidate signed bytes of SIGNr.
func (x *exchange) rsarSignedInputs() []macInput {
	m := x.resp
	s := m.SIGN()
	if s == nil || s.Offset < 0 || s.SignatureOffset > len(m.Raw) || s.Offset > s.SignatureOffset {
		return nil
	}
	idi, idr := exchangeIdentities(x.init, x.resp, x.opts)
	_, t, _ := x.ts(m)
	var ts []byte
	if t != nil {
		if m.Timestamp() == t {
			ts = tsBytes(m.Raw, t)
		} else if x.init != nil {
			ts = tsBytes(x.init.Raw, t)
		}
	}
	return []macInput{
		{RSARVariantRFC, [][]byte{m.Raw[:s.Offset], idi, idr, ts}},
		{RSARVariantSignHeader, [][]byte{m.Raw[:s.SignatureOffset], idi, idr, ts}},
		{RSARVariantPlain, [][]byte{m.Raw[:s.SignatureOffset]}},
	}
}
