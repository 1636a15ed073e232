package mikey

import (
	"errors"
	"fmt"
	"iter"
)

// openPSK opens a pre-shared key exchange (RFC 3830 §3.1): the KEMAC of the
// initiator's message and the V payload of the verification message.
func (x *exchange) openPSK() {
	if x.init != nil {
		x.openPSKInit(x.init, x.res.Init)
	}
	if x.resp != nil && x.resp.Header.DataType == DataTypePSKVerify {
		x.openV(x.resp, x.res.Resp, x.orderedPSKs())
	}
}

func (x *exchange) openPSKInit(m *Message, mr *MessageResult) {
	k := m.KEMAC()
	if k == nil {
		mr.note("no KEMAC payload")
		return
	}
	if x.openInClear(m, mr, k) {
		return
	}
	ts, _, err := x.ts(m)
	if err != nil && k.EncrAlg != EncrNULL {
		mr.note("cannot decrypt the KEMAC: " + err.Error())
	}
	rand := x.rand()
	if len(rand) == 0 {
		mr.note("no RAND: keys derived with an empty RAND")
	}
	var lastErr error
	tried := 0
	ids := x.identities()
	for psk := range x.orderedPSKs() {
		tried++
		mr.Tried++
		noteMeant(mr, psk, ids)
		o, err := openKEMAC(m, k, m.Header.PRF, psk.Key, x.csbID(m), rand, ts, false, false)
		if err != nil {
			lastErr = err
			continue
		}
		x.envKey = psk.Key
		mr.Meant = ""
		mr.KeyRef, mr.KeySource, mr.MACVariant = psk.Fingerprint(), psk.Source, variantNote(o.macVariant)
		mr.Auth = AuthVerified
		if k.MACAlg == MACNULL {
			mr.Auth = AuthNotProtected
			mr.note("NULL MAC: the key was accepted because the decrypted key data parses; nothing proves it is the sender's")
		}
		if psk.Identity != "" && !x.identities()[psk.Identity] {
			mr.note(fmt.Sprintf("the key verified but is bound to identity %q, which the exchange does not name", psk.Identity))
		}
		x.addKeys(mr, m, o.keyData, "opened with "+psk.Fingerprint())
		return
	}
	x.failed(mr, tried, "PSK", lastErr)
	if k.EncrAlg == EncrNULL && len(k.KeyData) > 0 {
		if mr.Auth == AuthNoKey {
			mr.note("the key data is not encrypted: keys used although the MAC could not be checked")
			x.addKeys(mr, m, k.KeyData, "sent in the clear, MAC not checked (no PSK)")
			return
		}
		// A MAC that fails with the keys supplied: the message may have been
		// altered, so its keys are listed but not used.
		mr.note("the key data is not encrypted: keys listed but not used, since the MAC did not verify")
		mr.keyData = k.KeyData
		mr.Keys = recoveredKeys(k.KeyData)
	}
}

// openInClear handles a KEMAC with NULL encryption and NULL MAC: the keys
// are readable without any key (RFC 3830 §4.2.3).
func (x *exchange) openInClear(m *Message, mr *MessageResult, k *KEMACPayload) bool {
	if k.EncrAlg != EncrNULL || k.MACAlg != MACNULL {
		return false
	}
	mr.Auth, mr.KeyRef = AuthInClear, KeyRefInClear
	if len(k.KeyData) == 0 && len(k.EncrData) > 0 {
		kds, err := ParseKeyData(k.EncrData, k.EncrDataOffset)
		if err != nil {
			mr.note("key data in the clear does not parse: " + err.Error())
			return true
		}
		k.KeyData = kds
	}
	x.addKeys(mr, m, k.KeyData, "sent in the clear")
	return true
}

// failed sets the status after every key failed.
func (x *exchange) failed(mr *MessageResult, tried int, kind string, lastErr error) {
	if tried == 0 {
		mr.Auth = AuthNoKey
		mr.note("no " + kind + " supplied")
		return
	}
	mr.Auth = AuthFailed
	switch {
	case errors.Is(lastErr, errMACMismatch):
		mr.note(fmt.Sprintf("MAC mismatch with all %d %s(s) tried", tried, kind))
	case lastErr != nil:
		mr.note(fmt.Sprintf("%d %s(s) tried; last error: %v", tried, kind, lastErr))
	}
}

// openV checks the V payload of a verification message (RFC 3830 §5.2)
// with the key that opened the initiator's message, or else with every
// candidate key.
func (x *exchange) openV(m *Message, mr *MessageResult, candidates iter.Seq[PSK]) {
	v := m.V()
	if v == nil {
		mr.note("no V payload")
		return
	}
	if v.AuthAlg == MACNULL && len(m.Trailing) == 20 && m.TrailingOffset == v.VerDataOffset {
		// Early libmikey (minisip) numbered HMAC-SHA-1 as 0 in the V payload,
		// so the 20-byte Ver data follows a "NULL" V as trailing bytes.
		q := *v
		q.AuthAlg, q.VerData = MACHMACSHA1160, m.Trailing
		v = &q
		mr.note("V auth alg 0 followed by 20 bytes: read as HMAC-SHA-1 (early libmikey numbering)")
	}
	if v.AuthAlg == MACNULL {
		mr.Auth = AuthNotProtected
		return
	}
	authLen, _, err := MACLengths(v.AuthAlg)
	if err != nil {
		mr.note(err.Error())
		return
	}
	idi, idr := exchangeIdentities(x.init, x.resp, x.opts)
	if idi == nil && x.res.Init != nil && len(x.res.Init.EncryptedID) > 0 {
		idi = x.res.Init.EncryptedID // PK mode: IDi travelled encrypted in the KEMAC
	}
	// The timestamp: the verification message's own T (RFC 3830 §5.2: the
	// responder repeats the initiator's), then the initiator's T when it
	// differs (libmikey puts a fresh T in its response but MACs the
	// initiator's).
	var tsCands [][]byte
	if t := m.Timestamp(); t != nil {
		tsCands = append(tsCands, tsBytes(m.Raw, t))
	}
	if x.init != nil && x.init != m {
		if t := x.init.Timestamp(); t != nil {
			if b := tsBytes(x.init.Raw, t); len(tsCands) == 0 || string(b) != string(tsCands[0]) {
				tsCands = append(tsCands, b)
			}
		}
	}
	if len(tsCands) == 0 {
		tsCands = [][]byte{nil}
	}
	if x.envKey != nil {
		ref := x.res.Init.KeyRef
		env := PSK{Key: x.envKey, Source: x.res.Init.KeySource}
		candidates = func(yield func(PSK) bool) { yield(env) }
		defer func() {
			if mr.Auth == AuthVerified {
				mr.KeyRef = ref
			}
		}()
	}
	if candidates == nil {
		candidates = func(func(PSK) bool) {}
	}
	rand := x.rand()
	var lastErr error
	tried := 0
	ids := x.identities()
	for psk := range candidates {
		tried++
		mr.Tried++
		noteMeant(mr, psk, ids)
		keys, err := DeriveMessageKeys(m.Header.PRF, psk.Key, x.csbID(m), rand, 0, authLen, 0)
		if err != nil {
			lastErr = err
			continue
		}
		var variant, layout string
		for i, ts := range tsCands {
			layout, err = VerifyV(m, v, keys.Auth, VInput{IDi: idi, IDr: idr, TS: ts})
			variant = layout
			if err != nil || variant != "" {
				if i > 0 && variant != "" {
					variant += ", with the initiator's T (the response's T differs)"
				}
				break
			}
		}
		if err != nil {
			lastErr = err
			continue
		}
		if variant != "" {
			mr.Meant = ""
			mr.Auth, mr.VVariant, mr.VLayout = AuthVerified, variant, layout
			mr.KeyRef, mr.KeySource = psk.Fingerprint(), psk.Source
			return
		}
		lastErr = errMACMismatch
	}
	x.failed(mr, tried, "key", lastErr)
}

// variantNote returns "" for the RFC layout and the variant name otherwise.
func variantNote(v string) string {
	if v == VariantRFC {
		return ""
	}
	return v
}
