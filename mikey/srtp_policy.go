package mikey

import (
	"fmt"
)

// SRTPPolicy is what an SRTP security policy payload asks for (RFC 3830
// §6.10.1 types 0-12, RFC 4771 types 13-19, RFC 7714 type 20), in MIKEY's
// terms, every absent parameter at its default: those of RFC 3830
// §6.10.1, or of RFC 7714 §12 with AES-GCM (a 12-byte salt, a 16-byte AEAD
// tag, no HMAC). Where RFC 4771 §4 gives both a general (2, 3, 11) and an
// SRTP- or SRTCP-specific parameter (14-19), the specific one wins.
type SRTPPolicy struct {
	Encr SRTPEncrAlg // type 0; AES-CM
	// KeyLen (type 1, 16) is the session encryption key length, which is
	// also the master key length; SaltLen (type 4, 14, or 12 with AES-GCM)
	// the session salt length, also the master salt length.
	KeyLen, SaltLen int
	PRF             SRTPPRF  // type 5; AES-CM
	KDR             uint64   // type 6: key derivation rate (RFC 3711 §4.3.1); 0, derive once
	FECOrder        FECOrder // type 9; FEC-SRTP
	PrefixLen       int      // type 12: SRTP prefix length; 0

	// SRTPEncryption, SRTCPEncryption and SRTPAuthentication are the
	// on/off switches of types 7, 8 and 10; on.
	SRTPEncryption, SRTCPEncryption, SRTPAuthentication bool

	// AuthAlg is type 2 as sent: HMAC-SHA-1, or NULL with AES-GCM.
	AuthAlg SRTPAuthAlg
	// SRTPAuthAlg is SRTP's authentication (type 14, else 2); NULL with
	// AES-GCM, whose tag authenticates (RFC 7714 §14.3), except RCCm3.
	SRTPAuthAlg SRTPAuthAlg
	// SRTCPAuthAlg is SRTCP's (type 15, else 2): HMAC-SHA-1 for an RCC
	// mode, which applies to SRTP only (RFC 4771 §2); NULL with AES-GCM.
	SRTCPAuthAlg SRTPAuthAlg
	// SRTPAuthKeyLen (type 16, else 3) and SRTCPAuthKeyLen (type 17, else
	// 3) are the session authentication key lengths: 20; 0 without a MAC.
	SRTPAuthKeyLen, SRTCPAuthKeyLen int
	// SRTPTagLen (type 18, else 11) and SRTCPTagLen (type 19, else 11)
	// are the tag lengths: 10; with RCCm1/m2 the tag includes the 4-byte
	// ROC (RFC 4771 §4, as pion/srtp reads it); RCCm3's is the ROC alone,
	// 4 (RFC 4771 §3); 0 without authentication.
	SRTPTagLen, SRTCPTagLen int
	AEADTagLen              int    // type 20: AES-GCM tag length (RFC 7714 §7.1); 16
	ROCRate                 uint16 // type 13: RCC ROC transmission rate R; 0 when absent (R = 1, RFC 4771 §4)
}

// DefaultSRTPPolicy is the policy of a crypto session with no SP payload:
// the RFC 3830 §6.10.1 defaults (AES-CM with a 16-byte key and a 14-byte
// salt, HMAC-SHA-1 with a 20-byte key and a 10-byte tag, KDR 0,
// everything on).
func DefaultSRTPPolicy() SRTPPolicy {
	return SRTPPolicy{
		Encr: SRTPEncrAESCM, KeyLen: 16, SaltLen: 14,
		SRTPEncryption: true, SRTCPEncryption: true, SRTPAuthentication: true,
		AuthAlg: SRTPAuthHMACSHA1, SRTPAuthAlg: SRTPAuthHMACSHA1, SRTCPAuthAlg: SRTPAuthHMACSHA1,
		SRTPAuthKeyLen: 20, SRTCPAuthKeyLen: 20, SRTPTagLen: 10, SRTCPTagLen: 10,
		AEADTagLen: 16,
	}
}

// Notes made while describing an SRTP policy (SPPayload.SRTP). Offset is
// that of the parameter concerned.
const (
	// NoteAuthKeyLenIsTagLen: type 3 (session auth key length) holds 4 or
	// 10, a tag length, with no type 11 and an HMAC (the GStreamer
	// layout). The value was used as the tag length and the auth key
	// length left at 20.
	NoteAuthKeyLenIsTagLen NoteCode = "auth-key-len-is-tag-len"
	// NoteAuthKeyLenTagSized: type 3 holds 4 or 10, the size of a tag, but
	// type 11 is present or the authentication has no HMAC, so it was
	// kept as the key length.
	NoteAuthKeyLenTagSized NoteCode = "auth-key-len-tag-sized"
	// NoteUnknownParam: a parameter type outside RFC 3830/4771/7714;
	// ignored.
	NoteUnknownParam NoteCode = "unknown-param"
	// NoteDuplicateParam: a parameter type appears twice; the last one
	// wins.
	NoteDuplicateParam NoteCode = "duplicate-param"
	// NoteBadValue: a value that is empty, too long or out of range.
	NoteBadValue NoteCode = "bad-value"
	// NoteOnOffValue: an on/off parameter (7, 8, 10) other than 0 or 1;
	// taken as on.
	NoteOnOffValue NoteCode = "on-off-value"
	// NoteFECOrder: a sender's FEC order other than FEC-SRTP.
	NoteFECOrder NoteCode = "fec-order"
	// NoteAuthWithAEAD: an authentication algorithm other than NULL (or
	// RCCm3) with AES-GCM, whose AEAD tag does the job (RFC 7714 §14.3);
	// ignored.
	NoteAuthWithAEAD NoteCode = "auth-with-aead"
	// NoteUnsupported: a value no SRTP transform here implements (a SEED
	// or ARIA cipher or PRF, RFC 5669/8269; an SRTP prefix; an
	// unregistered authentication algorithm); SRTP also returns an error.
	NoteUnsupported NoteCode = "unsupported"
)

// SRTPPolicyError says why an SP payload's policy cannot be used for SRTP:
// a value that is not an integer or out of range, or one no SRTP
// transform here implements (see NoteUnsupported).
type SRTPPolicyError struct {
	Param  SPParamType // the parameter concerned
	Offset int         // its offset in the message; -1 if none
	Reason string      // in words
}

func (e *SRTPPolicyError) Error() string { return "mikey: SRTP policy: " + e.Reason }

// SRTP describes the SRTP policy of the payload (see SRTPPolicy); a nil
// payload gives the defaults. Quirks found on the wire are returned as
// notes, in the order the parameters are read; an error (the first
// found) means the policy cannot be used to decrypt, while the policy and
// the notes still describe every parameter.
func (sp *SPPayload) SRTP() (SRTPPolicy, []Note, error) {
	if sp == nil {
		return DefaultSRTPPolicy(), nil, nil
	}
	if sp.Prot != ProtSRTP {
		return SRTPPolicy{}, nil, &SRTPPolicyError{Offset: sp.Offset,
			Reason: fmt.Sprintf("SP payload policy %d is for %v, not SRTP", sp.PolicyNo, sp.Prot)}
	}
	var m spReader
	d := m.read(sp.Params)
	return d, m.notes, m.err
}

// spReader reads SRTP policy parameters, keeping the last value of each
// registered type, the notes and the first error.
type spReader struct {
	val   [SPAEADAuthTagLen + 1]uint64
	at    [SPAEADAuthTagLen + 1]*SPParam
	notes []Note
	err   error
}

func (m *spReader) note(code NoteCode, q *SPParam, format string, a ...any) {
	n := Note{Code: code, Offset: -1, Text: fmt.Sprintf(format, a...)}
	if q != nil {
		n.Offset = q.Offset
	}
	m.notes = append(m.notes, n)
}

// fail keeps the first error.
func (m *spReader) fail(q *SPParam, t SPParamType, format string, a ...any) {
	if m.err != nil {
		return
	}
	e := &SRTPPolicyError{Param: t, Offset: -1, Reason: fmt.Sprintf(format, a...)}
	if q != nil {
		e.Offset = q.Offset
	}
	m.err = e
}

func (m *spReader) has(t SPParamType) bool { return m.at[t] != nil }

func (m *spReader) get(t SPParamType, def uint64) uint64 {
	if m.has(t) {
		return m.val[t]
	}
	return def
}

// length reads a length parameter of at most max bytes; a larger value is
// a bad value and leaves *dst as it is.
func (m *spReader) length(t SPParamType, max uint64, dst *int) {
	if !m.has(t) {
		return
	}
	if v := m.val[t]; v > max {
		m.note(NoteBadValue, m.at[t], "%v = %d is out of range", t, v)
		m.fail(m.at[t], t, "SP %v = %d at offset %d", t, v, m.at[t].Offset)
		return
	}
	*dst = int(m.val[t])
}

func (m *spReader) onOff(t SPParamType) bool {
	v := m.get(t, 1)
	if v > 1 {
		m.note(NoteOnOffValue, m.at[t], "%v = %d is neither 0 (off) nor 1 (on); taken as on", t, v)
	}
	return v != 0
}

func (m *spReader) unsupported(t SPParamType, format string, a ...any) {
	m.note(NoteUnsupported, m.at[t], format, a...)
	m.fail(m.at[t], t, format, a...)
}

// registry narrows a value to a one-byte registry value; a larger one
// (unregistered anyway) becomes 255.
func registry(v uint64) uint8 {
	if v > 0xff {
		return 0xff
	}
	return uint8(v)
}

func (m *spReader) read(params []SPParam) SRTPPolicy {
	for i := range params {
		q := &params[i]
		if q.Type > SPAEADAuthTagLen {
			m.note(NoteUnknownParam, q, "SP parameter type %d is not registered for SRTP; ignored", q.Type)
			continue
		}
		v, ok := q.Uint()
		if !ok {
			m.note(NoteBadValue, q, "%v: value of %d bytes is not an integer", q.Type, len(q.Value))
			m.fail(q, q.Type, "SP %v value of %d bytes at offset %d", q.Type, len(q.Value), q.Offset)
			continue
		}
		if m.has(q.Type) {
			m.note(NoteDuplicateParam, q, "%v given twice (%d, then %d); using %d", q.Type, m.val[q.Type], v, v)
		}
		m.val[q.Type], m.at[q.Type] = v, q
	}

	d := DefaultSRTPPolicy()
	aead := false
	switch enc := m.get(SPEncrAlg, uint64(SRTPEncrAESCM)); enc {
	case uint64(SRTPEncrNULL), uint64(SRTPEncrAESCM), uint64(SRTPEncrAESF8):
		d.Encr = SRTPEncrAlg(enc)
	case uint64(SRTPEncrAESGCM):
		d.Encr, d.SaltLen, aead = SRTPEncrAESGCM, 12, true // RFC 7714 §12
	default:
		d.Encr = SRTPEncrAlg(registry(enc))
		m.unsupported(SPEncrAlg, "encryption algorithm %s (%d)", SRTPEncrAlg(enc), enc)
	}
	if prf := m.get(SPPRF, uint64(SRTPPRFAESCM)); prf != uint64(SRTPPRFAESCM) {
		d.PRF = SRTPPRF(registry(prf))
		m.unsupported(SPPRF, "SRTP PRF %s (%d)", SRTPPRF(prf), prf)
	}
	if pre := m.get(SPPrefixLen, 0); pre != 0 {
		d.PrefixLen = int(min(pre, 0xff))
		m.unsupported(SPPrefixLen, "SRTP prefix length %d (RFC 3711 §4.2: 0 for HMAC-SHA1)", pre)
	}
	if fec := m.get(SPFECOrder, uint64(FECOrderSRTP)); fec != uint64(FECOrderSRTP) {
		d.FECOrder = FECOrder(registry(fec))
		m.note(NoteFECOrder, m.at[SPFECOrder], "sender's FEC order %d is not FEC-SRTP (0)", fec)
	}
	m.length(SPEncrKeyLen, 64, &d.KeyLen)
	m.length(SPSaltKeyLen, 64, &d.SaltLen)
	if kdr := m.get(SPKeyDerivRate, 0); kdr != 0 {
		d.KDR = kdr
		if kdr&(kdr-1) != 0 || kdr > 1<<24 {
			m.note(NoteBadValue, m.at[SPKeyDerivRate], "key derivation rate %d is not a power of two up to 2^24 (RFC 3711 §4.3.1)", kdr)
		}
	}
	d.SRTPEncryption = m.onOff(SPSRTPEncr)
	d.SRTCPEncryption = m.onOff(SPSRTCPEncr)
	d.SRTPAuthentication = m.onOff(SPSRTPAuth)

	// Authentication: general (2, 3, 11), then specific (14-19) overrides.
	defAuth := uint64(SRTPAuthHMACSHA1)
	if aead {
		defAuth = uint64(SRTPAuthNULL)
	}
	general := m.get(SPAuthAlg, defAuth)
	rtpAuth := m.get(SPSRTPAuthAlg, general)
	rtcpAuth := m.get(SPSRTCPAuthAlg, general)
	d.AuthAlg = SRTPAuthAlg(registry(general))
	d.SRTPAuthAlg, d.SRTCPAuthAlg = SRTPAuthAlg(registry(rtpAuth)), SRTPAuthAlg(registry(rtcpAuth))
	registered := true
	for _, a := range []struct {
		t SPParamType
		v uint64
	}{{SPSRTPAuthAlg, rtpAuth}, {SPSRTCPAuthAlg, rtcpAuth}} {
		if a.v > uint64(SRTPAuthRCCm3) {
			t := a.t
			if !m.has(t) {
				t = SPAuthAlg
			}
			m.unsupported(t, "authentication algorithm %d", a.v)
			registered = false
			break
		}
	}
	if d.SRTCPAuthAlg.IsRCC() {
		d.SRTCPAuthAlg = SRTPAuthHMACSHA1
	}
	if aead && registered {
		if d.SRTPAuthAlg != SRTPAuthNULL && d.SRTPAuthAlg != SRTPAuthRCCm3 {
			q := m.at[SPAuthAlg]
			if m.has(SPSRTPAuthAlg) {
				q = m.at[SPSRTPAuthAlg]
			}
			m.note(NoteAuthWithAEAD, q, "authentication %v with AES-GCM; the AEAD tag authenticates", d.SRTPAuthAlg)
			d.SRTPAuthAlg = SRTPAuthNULL
		}
		d.SRTCPAuthAlg = SRTPAuthNULL
	}

	authKeyLen, tagLen := 20, 10
	if d.SRTPAuthAlg == SRTPAuthRCCm3 {
		tagLen = 4
	}
	if m.has(SPAuthKeyLen) {
		switch v := m.val[SPAuthKeyLen]; {
		case (v == 4 || v == 10) && !m.has(SPAuthTagLen) && d.SRTPAuthAlg.HasMAC():
			m.note(NoteAuthKeyLenIsTagLen, m.at[SPAuthKeyLen],
				"session auth key length %d looks like a tag length (no type 11 present); using tag length %d and a 20-byte HMAC-SHA1 key", v, v)
			tagLen = int(v)
		case v == 4 || v == 10:
			why := "type 11 is present"
			if !d.SRTPAuthAlg.HasMAC() {
				why = "the authentication has no HMAC"
			}
			m.note(NoteAuthKeyLenTagSized, m.at[SPAuthKeyLen],
				"session auth key length %d is the size of a tag, not of an HMAC-SHA1 key; kept as the key length (%s)", v, why)
			authKeyLen = int(v)
		default:
			m.length(SPAuthKeyLen, 64, &authKeyLen)
		}
	}
	m.length(SPAuthTagLen, 255, &tagLen)
	d.SRTPAuthKeyLen, d.SRTCPAuthKeyLen = authKeyLen, authKeyLen
	d.SRTPTagLen, d.SRTCPTagLen = tagLen, tagLen
	m.length(SPSRTPAuthKeyLen, 64, &d.SRTPAuthKeyLen)
	m.length(SPSRTCPAuthKeyLen, 64, &d.SRTCPAuthKeyLen)
	m.length(SPSRTPAuthTagLen, 255, &d.SRTPTagLen)
	m.length(SPSRTCPAuthTagLen, 255, &d.SRTCPTagLen)
	m.length(SPAEADAuthTagLen, 255, &d.AEADTagLen)
	switch {
	case d.SRTPAuthAlg == SRTPAuthRCCm3:
		d.SRTPAuthKeyLen, d.SRTPTagLen = 0, 4 // the tag is the ROC alone (RFC 4771 §3)
	case !d.SRTPAuthAlg.HasMAC():
		d.SRTPAuthKeyLen, d.SRTPTagLen = 0, 0
	}
	if d.SRTCPAuthAlg == SRTPAuthNULL {
		d.SRTCPAuthKeyLen, d.SRTCPTagLen = 0, 0
	}
	if m.has(SPROCRate) {
		r := m.val[SPROCRate]
		if r == 0 || r > 0xffff {
			m.note(NoteBadValue, m.at[SPROCRate], "ROC transmission rate %d (RFC 4771 §4: a non-zero 16-bit integer)", r)
			m.fail(m.at[SPROCRate], SPROCRate, "ROC transmission rate %d", r)
		} else {
			d.ROCRate = uint16(r)
		}
	}
	return d
}
