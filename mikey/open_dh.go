package mikey

import (
	"bytes"
	"fmt"
)

// openDH handles the DH-SIGN (RFC 3830 §3.3) and DHHMAC (RFC 4650)
// exchanges: each message's SIGN or KEMAC MAC, then the TGK g^(xi*xr) from
// a supplied private value whose public value appears in the exchange.
func (x *exchange) openDH() {
	hmacMode := x.res.Mode == ModeDHHMAC
	for _, p := range []struct {
		m  *Message
		mr *MessageResult
	}{{x.init, x.res.Init}, {x.resp, x.res.Resp}} {
		if p.m == nil {
			continue
		}
		if hmacMode {
			x.verifyDHHMAC(p.m, p.mr)
		} else {
			p.mr.Signature = x.verifySIGN(p.m, signedWhole(p.m))
			p.mr.Auth = p.mr.Signature.Status
		}
	}
	x.recoverDHTGK()
}

// dhValues returns DHi and DHr: the initiator's DH payload, and from the
// responder's message DHr (its first DH payload) and the echoed DHi (its
// second), RFC 3830 §3.3 / RFC 4650 §3.
func (x *exchange) dhValues() (dhi, dhr *DHPayload) {
	if x.init != nil {
		dhi = x.init.DH()
	}
	if x.resp != nil {
		var ds []*DHPayload
		for _, p := range x.resp.Payloads {
			if d, ok := p.(*DHPayload); ok {
				ds = append(ds, d)
			}
		}
		if len(ds) > 0 {
			dhr = ds[0]
		}
		if len(ds) > 1 && dhi == nil {
			dhi = ds[1]
		}
		if len(ds) > 1 && x.init != nil && x.init.DH() != nil && !bytes.Equal(ds[1].Value, x.init.DH().Value) {
			x.res.note("the DHi echoed by the responder differs from the initiator's DHi")
		}
	}
	return dhi, dhr
}

// recoverDHTGK finds the supplied private value whose public value is DHi
// or DHr and computes the TGK from the other side's value.
func (x *exchange) recoverDHTGK() {
	dhi, dhr := x.dhValues()
	if dhi == nil && dhr == nil {
		x.res.note("no DH payload")
		return
	}
	if len(x.keys.DH) == 0 {
		x.res.note("no DH private value supplied: the TGK cannot be computed")
		return
	}
	for _, k := range x.keys.DH {
		for _, side := range []struct {
			own, peer *DHPayload
			name      string
			mr        *MessageResult
		}{{dhi, dhr, "initiator's (xi)", x.res.Init}, {dhr, dhi, "responder's (xr)", x.res.Resp}} {
			if side.own == nil {
				continue
			}
			pub, err := DHPublic(side.own.Group, k.Private)
			if err != nil || !bytes.Equal(pub, side.own.Value) {
				continue
			}
			if side.peer == nil {
				x.res.note(fmt.Sprintf("%s matches the %s DH value, but the other DH value is missing", k.Fingerprint(), side.name))
				return
			}
			if side.peer.Group != side.own.Group {
				x.res.note(fmt.Sprintf("DH groups differ: %v and %v", side.own.Group, side.peer.Group))
				return
			}
			tgk, err := DHShared(side.own.Group, k.Private, side.peer.Value)
			if err != nil {
				x.res.note("computing the DH TGK: " + err.Error())
				return
			}
			x.res.TGKs = append(x.res.TGKs, Secret(tgk))
			x.res.note(fmt.Sprintf("TGK computed with %s (%s), the %s private value: g^x matches the DH payload", k.Fingerprint(), k.Source, side.name))
			if side.mr != nil && side.mr.KeyRef == "" {
				side.mr.KeyRef, side.mr.KeySource = k.Fingerprint(), k.Source
			}
			m := x.init
			if m == nil {
				m = x.resp
			}
			rk := RecoveredKey{Type: KeyTGK, Key: Secret(tgk), KV: side.peer.KV, SPI: append([]byte(nil), side.peer.SPI...)}
			if len(side.own.SPI) > 0 {
				rk.SPI = append([]byte(nil), side.own.SPI...)
			}
			x.deriveSessions(m, []RecoveredKey{rk}, "DH TGK from "+k.Fingerprint())
			return
		}
	}
	x.res.note(fmt.Sprintf("none of the %d DH private values matches DHi or DHr", len(x.keys.DH)))
}

// verifyDHHMAC checks the KEMAC MAC of a DHHMAC message with auth_key
// derived from each PSK (RFC 4650 §3, §4.2; RFC 3830 §4.1.4). RFC 4650
// Table 4.2.a numbers HMAC-SHA-1 as 0 and NULL as 1, the reverse of
// RFC 3830; a MAC alg 0 KEMAC followed by exactly 20 trailing bytes is read
// with the RFC 4650 numbering.
func (x *exchange) verifyDHHMAC(m *Message, mr *MessageResult) {
	k := m.KEMAC()
	if k == nil {
		mr.note("no KEMAC payload")
		return
	}
	mac, macOff := k.MAC, k.MACOffset
	if k.MACAlg == MACNULL && len(m.Trailing) == 20 && m.TrailingOffset == macOff {
		mac = m.Trailing
		mr.note("MAC alg 0 read as HMAC-SHA-1 per RFC 4650 Table 4.2.a (RFC 3830 calls 0 NULL)")
	} else if k.MACAlg == MACNULL {
		mr.Auth = AuthNotProtected
		return
	}
	if macOff < 0 || macOff > len(m.Raw) {
		mr.note("KEMAC MAC offset outside the message")
		return
	}
	tried := 0
	ids := x.identities()
	for psk := range x.orderedPSKs() {
		tried++
		mr.Tried++
		noteMeant(mr, psk, ids)
		keys, err := DeriveMessageKeys(m.Header.PRF, psk.Key, x.csbID(m), x.rand(), 0, 20, 0)
		if err != nil {
			continue
		}
		if ok, _ := VerifyMAC(MACHMACSHA1160, keys.Auth, mac, m.Raw[:macOff]); ok {
			mr.Meant = ""
			mr.Auth, mr.KeyRef, mr.KeySource = AuthVerified, psk.Fingerprint(), psk.Source
			return
		}
	}
	x.failed(mr, tried, "PSK", errMACMismatch)
}
