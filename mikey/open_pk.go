package mikey

import "fmt"

// openPK opens a public-key exchange (RFC 3830 §3.2): the envelope key of
// the PKE payload with the responder's RSA private key, then the KEMAC
// (E(encr_key, IDi || {TGK}) || MAC over the KEMAC payload), the SIGNi
// signature, and the V payload of the verification message.
func (x *exchange) openPK() {
	if x.init != nil {
		mr := x.res.Init
		mr.Signature = x.verifySIGN(x.init, signedWhole(x.init))
		x.openEnvelope(x.init, mr)
	}
	if x.resp != nil && x.resp.Header.DataType == DataTypePKVerify {
		if x.envKey == nil {
			x.res.Resp.Auth = AuthNoKey
			x.res.Resp.note("the V payload needs the envelope key, which was not recovered")
			return
		}
		x.openV(x.resp, x.res.Resp, nil)
	}
}

// openEnvelope decrypts the PKE payload of m with each RSA key and opens
// the KEMAC with the envelope key (PK mode and RSA-R R_MESSAGE).
func (x *exchange) openEnvelope(m *Message, mr *MessageResult) {
	pke, k := m.PKE(), m.KEMAC()
	if pke == nil || k == nil {
		mr.note("no PKE or KEMAC payload")
		return
	}
	ts, _, err := x.ts(m)
	if err != nil && k.EncrAlg != EncrNULL {
		mr.note("cannot decrypt the KEMAC: " + err.Error())
	}
	var lastErr error
	for _, rk := range x.keys.RSA {
		mr.Tried++
		env, scheme, err := DecryptEnvelopeKey(rk.Private, pke.Data)
		if err != nil {
			lastErr = err
			continue
		}
		o, err := openKEMAC(m, k, m.Header.PRF, env, x.csbID(m), x.rand(), ts, true, true)
		if err != nil {
			lastErr = fmt.Errorf("envelope key decrypted (%s) but the KEMAC did not open: %w", scheme, err)
			if mr.Meant == "" {
				mr.Meant = rk.Fingerprint() + " decrypted the envelope key (PKE)"
			}
			continue
		}
		x.envKey = env
		mr.Meant = ""
		mr.Envelope, mr.KeyRef, mr.KeySource = scheme, rk.Fingerprint(), rk.Source
		mr.MACVariant = variantNote(o.macVariant)
		mr.EncryptedID = append([]byte(nil), o.id...)
		switch {
		case k.MACAlg != MACNULL:
			mr.Auth = AuthVerified
		case k.EncrAlg == EncrAESKW128:
			mr.Auth = AuthVerified
			mr.note("NULL MAC; the AES key wrap integrity check verified the key data (RFC 3830 §4.2.3)")
		default:
			mr.Auth = AuthNotProtected
			mr.note("NULL MAC: the envelope key was accepted because the decrypted key data parses")
		}
		x.checkEncryptedID(m, mr, o.id)
		x.addKeys(mr, m, o.keyData, "opened with envelope key from "+rk.Fingerprint())
		return
	}
	x.failed(mr, len(x.keys.RSA), "RSA key", lastErr)
}

// checkEncryptedID compares the encrypted identity with the clear one
// (RFC 3830 §3.2: "The encrypted IDi MUST always be verified to be equal
// with the expected IDi").
func (x *exchange) checkEncryptedID(m *Message, mr *MessageResult, id []byte) {
	if len(id) == 0 {
		return
	}
	idi, idr := exchangeIdentities(x.init, x.resp, x.opts)
	want := idi
	if m.Header.DataType == DataTypeRSARResp {
		want = idr
	}
	if want != nil && string(want) != string(id) {
		mr.note(fmt.Sprintf("the encrypted identity %q differs from the clear one %q", id, want))
	}
}
