package mikey

import (
	"fmt"
)

// policyLengths returns the SRTP master key and salt lengths the SP payload
// of policy policyNo asks for: its SRTP description's key and salt lengths
// (SPPayload.SRTP: parameters 1 and 4, also the master lengths, with the
// defaults of RFC 3830 §6.10.1 and RFC 7714 §12), whether or not the
// policy is usable; a zero key length keeps the default, so that a key is
// still derived. Without that SP payload, the defaults.
func policyLengths(sps []*SPPayload, policyNo uint8) (keyLen, saltLen int, found bool) {
	def := DefaultSRTPPolicy()
	keyLen, saltLen = def.KeyLen, def.SaltLen
	for _, sp := range sps {
		if sp == nil || sp.PolicyNo != policyNo || sp.Prot != ProtSRTP {
			continue
		}
		d, _, _ := sp.SRTP()
		if d.KeyLen > 0 {
			keyLen = d.KeyLen
		}
		return keyLen, d.SaltLen, true
	}
	return keyLen, saltLen, false
}

// cryptoSession is one entry of the CS ID map, whatever its type.
type cryptoSession struct {
	csID     uint8
	ssrc     uint32
	roc      uint32
	policyNo uint8
	// spi is the GENERIC-ID map's SPI, for SRTP the MKI (RFC 6043
	// §6.1.1; 3GPP TS 33.180 §E.1.3 puts the key id there).
	spi []byte
}

// cryptoSessions lists the crypto sessions of a header: for SRTP-ID the CS
// ID is the 1-based position in the map (RFC 3830 §6.1.1 "the stream using
// SSRC_i will also have Crypto Session ID equal to no i"); for GENERIC-ID
// it is the CS ID field (RFC 6043 §6.1.1). fill supplies SSRCs the
// initiator left zero (the responder fills them in, §6.1.1).
func cryptoSessions(h *Header, fill *Header) []cryptoSession {
	var out []cryptoSession
	switch h.MapType {
	case MapSRTPID:
		for i, cs := range h.SRTPMap {
			s := cryptoSession{csID: uint8(i + 1), ssrc: cs.SSRC, roc: cs.ROC, policyNo: cs.PolicyNo}
			if s.ssrc == 0 && fill != nil && fill.MapType == MapSRTPID && i < len(fill.SRTPMap) {
				s.ssrc, s.roc = fill.SRTPMap[i].SSRC, fill.SRTPMap[i].ROC
			}
			out = append(out, s)
		}
	case MapGenericID:
		for i := range h.GenericMap {
			g := &h.GenericMap[i]
			s := cryptoSession{csID: g.CSID, spi: g.SPI}
			if len(g.Policies) > 0 {
				s.policyNo = g.Policies[0]
			}
			if g.Prot == ProtSRTP {
				s.ssrc, s.roc, _, _ = g.SRTPSession()
			}
			out = append(out, s)
		}
	}
	return out
}

// DeriveSessions computes the SRTP master key and salt of every crypto
// session of hdr for every recovered key: a TGK gives TEK and salt by the
// PRF of RFC 3830 §4.1.3 (a salt in the key data is used as is); a TEK is
// used directly. fill may supply SSRCs from the responder's header. The
// returned notes explain quirks (key||salt in one TEK, lengths that do not
// match the SP payload).
func DeriveSessions(hdr, fill *Header, sps []*SPPayload, rand []byte, keys []RecoveredKey, from string) ([]SessionKeys, error) {
	var out []SessionKeys
	sessions := cryptoSessions(hdr, fill)
	for _, k := range keys {
		switch k.Type {
		case KeyMPK, KeyKPR:
			continue
		}
		for _, cs := range sessions {
			sk, err := sessionKeys(hdr, sps, rand, k, cs, from)
			if err != nil {
				return out, err
			}
			out = append(out, sk)
		}
		if len(sessions) == 0 && (k.Type == KeyTEK || k.Type == KeyTEKSalt) {
			sk, err := sessionKeys(hdr, sps, rand, k, cryptoSession{}, from)
			if err != nil {
				return out, err
			}
			sk.Notes = append(sk.Notes, "the CS ID map lists no crypto session; the TEK applies to any SSRC")
			out = append(out, sk)
		}
	}
	return out, nil
}

func sessionKeys(hdr *Header, sps []*SPPayload, rand []byte, k RecoveredKey, cs cryptoSession, from string) (SessionKeys, error) {
	keyLen, saltLen, found := policyLengths(sps, cs.policyNo)
	sk := SessionKeys{
		CSID: cs.csID, SSRC: cs.ssrc, ROC: cs.roc, PolicyNo: cs.policyNo,
		KeyLen: keyLen, SaltLen: saltLen, MKI: k.SPI,
		From: fmt.Sprintf("key data #%d (%v) %s", k.Index, k.Type, from),
	}
	if k.Index == 0 {
		sk.From = from
	}
	if len(sk.MKI) == 0 && len(cs.spi) > 0 {
		sk.MKI = append([]byte(nil), cs.spi...)
	}
	if !found && len(sps) > 0 {
		sk.Notes = append(sk.Notes, fmt.Sprintf("no SP payload for policy %d; SRTP default lengths used", cs.policyNo))
	}
	switch k.Type {
	case KeyTGK, KeyTGKSalt, KeyGTGK, KeyGTGKSalt:
		tek, err := DeriveTEK(hdr.PRF, k.Key, cs.csID, hdr.CSBID, rand, keyLen)
		if err != nil {
			return sk, err
		}
		sk.MasterKey, sk.Derived = tek, true
		if len(k.Salt) > 0 {
			sk.MasterSalt = k.Salt
			if len(k.Salt) != saltLen {
				sk.Notes = append(sk.Notes, fmt.Sprintf("salt in key data is %d bytes, the policy asks for %d", len(k.Salt), saltLen))
			}
		} else if saltLen > 0 {
			salt, err := DeriveTEKSalt(hdr.PRF, k.Key, cs.csID, hdr.CSBID, rand, saltLen)
			if err != nil {
				return sk, err
			}
			sk.MasterSalt = salt
		}
		if len(rand) == 0 {
			sk.Notes = append(sk.Notes, "derived with an empty RAND (no RAND payload in the exchange)")
		}
	default: // TEK, TEK+SALT
		sk.MasterKey, sk.MasterSalt = k.Key, k.Salt
		switch {
		case len(k.Salt) == 0 && len(k.Key) == keyLen+saltLen && saltLen > 0:
			sk.MasterKey, sk.MasterSalt = k.Key[:keyLen], k.Key[keyLen:]
			sk.Notes = append(sk.Notes, fmt.Sprintf("TEK of %d bytes read as %d-byte master key || %d-byte master salt (ONVIF/GStreamer layout)", len(k.Key), keyLen, saltLen))
		case len(k.Key) != keyLen:
			sk.Notes = append(sk.Notes, fmt.Sprintf("TEK is %d bytes, the policy asks for %d", len(k.Key), keyLen))
		}
		if len(sk.MasterSalt) == 0 && saltLen > 0 {
			sk.Notes = append(sk.Notes, "no master salt in the key data")
		}
	}
	return sk, nil
}

// recoveredKeys converts decoded Key data sub-payloads, copying the bytes
// so that the result does not alias the message.
func recoveredKeys(kds []*KeyData) []RecoveredKey {
	out := make([]RecoveredKey, 0, len(kds))
	for i, kd := range kds {
		if kd == nil {
			continue
		}
		out = append(out, RecoveredKey{
			Index: i + 1, Type: kd.Type, KV: kd.KV,
			Key:       Secret(append([]byte(nil), kd.Key...)),
			Salt:      Secret(append([]byte(nil), kd.Salt...)),
			SPI:       append([]byte(nil), kd.SPI...),
			ValidFrom: append([]byte(nil), kd.ValidFrom...),
			ValidTo:   append([]byte(nil), kd.ValidTo...),
			Offset:    kd.Offset,
		})
	}
	return out
}
