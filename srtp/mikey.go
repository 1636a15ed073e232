package srtp

import (
	"fmt"
	"strconv"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// NoteCode identifies a remark made while mapping a MIKEY SP payload to a
// Policy.
type NoteCode string

// Notes PolicyFromMIKEY can make.
const (
	// NoteAuthKeyLenIsTagLen: SP type 3 (session auth key length) holds 4 or
	// 10, a tag length, with no type 11 (the GStreamer layout). The value
	// was used as the tag length and the auth key length left at 20.
	NoteAuthKeyLenIsTagLen NoteCode = "auth-key-len-is-tag-len"
	// NoteUnknownParam: a parameter type outside RFC 3830/4771/7714; ignored.
	NoteUnknownParam NoteCode = "unknown-param"
	// NoteDuplicateParam: a parameter type appears twice; the last one wins.
	NoteDuplicateParam NoteCode = "duplicate-param"
	// NoteBadValue: a value that is empty, too long or out of range.
	NoteBadValue NoteCode = "bad-value"
	// NoteOnOffValue: an on/off parameter (7, 8, 10) other than 0 or 1;
	// taken as on.
	NoteOnOffValue NoteCode = "on-off-value"
	// NoteFECOrder: a sender's FEC order other than FEC-SRTP.
	NoteFECOrder NoteCode = "fec-order"
	// NoteAuthWithAEAD: an authentication algorithm other than NULL with
	// AES-GCM (RFC 7714 §14.3 has the AEAD tag do the job); ignored.
	NoteAuthWithAEAD NoteCode = "auth-with-aead"
	// NoteUnsupported: a value this package cannot decrypt (another PRF,
	// an SRTP prefix, SEED/ARIA ciphers); the error is also returned.
	NoteUnsupported NoteCode = "unsupported"
	// NoteKeyLenMismatch: the encryption key length differs from the
	// master key length the KEMAC delivered (see CheckKeyLengths).
	NoteKeyLenMismatch NoteCode = "key-len-mismatch"
)

// PolicyNote is a remark about one SP parameter, for the analysis to turn
// into a finding.
type PolicyNote struct {
	Code   NoteCode
	Param  mikey.SPParamType
	Offset int // offset of the parameter in the MIKEY message; -1 if none
	Text   string
}

// PolicyFromSP maps an SRTP security policy payload (RFC 3830 §6.10) to a
// Policy; see PolicyFromMIKEY. A nil payload gives the defaults.
func PolicyFromSP(sp *mikey.SPPayload) (Policy, []PolicyNote, error) {
	if sp == nil {
		return DefaultPolicy(), nil, nil
	}
	if sp.Prot != mikey.ProtSRTP {
		return Policy{}, nil, fmt.Errorf("%w: SP payload policy %d is for %v, not SRTP", ErrPolicy, sp.PolicyNo, sp.Prot)
	}
	return PolicyFromMIKEY(sp.Params)
}

// PolicyFromMIKEY maps SRTP policy parameters (RFC 3830 §6.10.1 types
// 0-12, RFC 4771 types 13-19, RFC 7714 type 20) to a Policy. Absent
// parameters take the RFC 3830 defaults, or the RFC 7714 §12 ones for
// AES-GCM (12-byte salt, 16-byte AEAD tag). Where RFC 4771 §4 gives both a
// general (2, 3, 11) and an SRTP/SRTCP-specific (14-19) parameter, the
// specific one wins. For RCCm1/m2 the tag length includes the 4-byte ROC
// (RFC 4771 §4), as in pion/srtp. Quirks found on the wire are reported as notes; an
// error means the policy cannot be used to decrypt.
func PolicyFromMIKEY(params []mikey.SPParam) (Policy, []PolicyNote, error) {
	var notes []PolicyNote
	note := func(code NoteCode, q *mikey.SPParam, format string, a ...any) {
		n := PolicyNote{Code: code, Offset: -1, Text: fmt.Sprintf(format, a...)}
		if q != nil {
			n.Param, n.Offset = q.Type, q.Offset
		}
		notes = append(notes, n)
	}
	// Collect the last value of each known type.
	var val [21]uint64
	var at [21]*mikey.SPParam
	for i := range params {
		q := &params[i]
		if q.Type > mikey.SPAEADAuthTagLen {
			note(NoteUnknownParam, q, "SP parameter type %d is not registered for SRTP; ignored", q.Type)
			continue
		}
		v, ok := q.Uint()
		if !ok {
			note(NoteBadValue, q, "%v: value of %d bytes is not an integer", q.Type, len(q.Value))
			return Policy{}, notes, fmt.Errorf("%w: SP %v value of %d bytes at offset %d", ErrPolicy, q.Type, len(q.Value), q.Offset)
		}
		if at[q.Type] != nil {
			note(NoteDuplicateParam, q, "%v given twice (%d, then %d); using %d", q.Type, val[q.Type], v, v)
		}
		val[q.Type], at[q.Type] = v, q
	}
	has := func(t mikey.SPParamType) bool { return at[t] != nil }
	get := func(t mikey.SPParamType, def uint64) uint64 {
		if has(t) {
			return val[t]
		}
		return def
	}
	small := func(t mikey.SPParamType, v uint64, max uint64) (int, error) {
		if v > max {
			note(NoteBadValue, at[t], "%v = %d is out of range", t, v)
			return 0, fmt.Errorf("%w: SP %v = %d at offset %d", ErrPolicy, t, v, at[t].Offset)
		}
		return int(v), nil
	}
	onOff := func(t mikey.SPParamType) bool {
		v := get(t, 1)
		if v > 1 {
			note(NoteOnOffValue, at[t], "%v = %d is neither 0 (off) nor 1 (on); taken as on", t, v)
		}
		return v != 0
	}
	unsupported := func(t mikey.SPParamType, format string, a ...any) error {
		note(NoteUnsupported, at[t], format, a...)
		return fmt.Errorf("%w: "+format, append([]any{ErrPolicy}, a...)...)
	}

	p := DefaultPolicy()
	switch enc := get(mikey.SPEncrAlg, 1); enc {
	case 0, 1, 2:
		p.Cipher = Cipher(enc)
	case 6:
		p = GCMPolicy(16)
	default:
		return p, notes, unsupported(mikey.SPEncrAlg, "encryption algorithm %s (%d)", mikey.SRTPEncrAlg(enc), enc)
	}
	if prf := get(mikey.SPPRF, 0); prf != 0 {
		return p, notes, unsupported(mikey.SPPRF, "SRTP PRF %s (%d)", mikey.SRTPPRF(prf), prf)
	}
	if pre := get(mikey.SPPrefixLen, 0); pre != 0 {
		return p, notes, unsupported(mikey.SPPrefixLen, "SRTP prefix length %d (RFC 3711 §4.2: 0 for HMAC-SHA1)", pre)
	}
	if fec := get(mikey.SPFECOrder, 0); fec != 0 {
		note(NoteFECOrder, at[mikey.SPFECOrder], "sender's FEC order %d is not FEC-SRTP (0)", fec)
	}
	var err error
	if has(mikey.SPEncrKeyLen) {
		if p.KeyLen, err = small(mikey.SPEncrKeyLen, val[mikey.SPEncrKeyLen], 64); err != nil {
			return p, notes, err
		}
	}
	if has(mikey.SPSaltKeyLen) {
		if p.SaltLen, err = small(mikey.SPSaltKeyLen, val[mikey.SPSaltKeyLen], 64); err != nil {
			return p, notes, err
		}
	}
	if kdr := get(mikey.SPKeyDerivRate, 0); kdr != 0 {
		p.KDR = kdr
		if kdr&(kdr-1) != 0 || kdr > 1<<24 {
			note(NoteBadValue, at[mikey.SPKeyDerivRate], "key derivation rate %d is not a power of two up to 2^24 (RFC 3711 §4.3.1)", kdr)
		}
	}
	p.SRTPEncrypt = onOff(mikey.SPSRTPEncr)
	p.SRTCPEncrypt = onOff(mikey.SPSRTCPEncr)
	p.SRTPAuth = onOff(mikey.SPSRTPAuth)

	// Authentication: general (2, 3, 11), then specific (14-19) overrides.
	defAuth := uint64(AuthHMACSHA1)
	if p.IsAEAD() {
		defAuth = uint64(AuthNull)
	}
	general := get(mikey.SPAuthAlg, defAuth)
	rtpAuth := get(mikey.SPSRTPAuthAlg, general)
	rtcpAuth := get(mikey.SPSRTCPAuthAlg, general)
	for _, a := range []struct {
		t mikey.SPParamType
		v uint64
	}{{mikey.SPSRTPAuthAlg, rtpAuth}, {mikey.SPSRTCPAuthAlg, rtcpAuth}} {
		if a.v > uint64(AuthRCCm3) {
			t := a.t
			if !has(t) {
				t = mikey.SPAuthAlg
			}
			return p, notes, unsupported(t, "authentication algorithm %d", a.v)
		}
	}
	p.Auth, p.RTCPAuth = Auth(rtpAuth), Auth(rtcpAuth)
	if p.RTCPAuth.isRCC() {
		// RFC 4771 §2: RCC applies to SRTP only; SRTCP uses HMAC-SHA1.
		p.RTCPAuth = AuthHMACSHA1
	}
	if p.IsAEAD() {
		if p.Auth != AuthNull && p.Auth != AuthRCCm3 {
			note(NoteAuthWithAEAD, at[mikey.SPAuthAlg], "authentication %v with AES-GCM; the AEAD tag authenticates", p.Auth)
			p.Auth = AuthNull
		}
		if p.RTCPAuth != AuthNull {
			p.RTCPAuth = AuthNull
		}
	}

	authKeyLen, tagLen := 20, 10
	if p.Auth == AuthRCCm3 {
		tagLen = 4
	}
	if has(mikey.SPAuthKeyLen) {
		v := val[mikey.SPAuthKeyLen]
		if (v == 4 || v == 10) && !has(mikey.SPAuthTagLen) && p.Auth.hasMAC() {
			note(NoteAuthKeyLenIsTagLen, at[mikey.SPAuthKeyLen],
				"session auth key length %d looks like a tag length (no type 11 present); using tag length %d and a 20-byte HMAC-SHA1 key", v, v)
			tagLen = int(v)
		} else if authKeyLen, err = small(mikey.SPAuthKeyLen, v, 64); err != nil {
			return p, notes, err
		}
	}
	if has(mikey.SPAuthTagLen) {
		if tagLen, err = small(mikey.SPAuthTagLen, val[mikey.SPAuthTagLen], 255); err != nil {
			return p, notes, err
		}
	}
	p.AuthKeyLen, p.RTCPAuthKeyLen = authKeyLen, authKeyLen
	p.TagLen, p.RTCPTagLen = tagLen, tagLen
	for _, s := range []struct {
		t   mikey.SPParamType
		dst *int
		max uint64
	}{
		{mikey.SPSRTPAuthKeyLen, &p.AuthKeyLen, 64},
		{mikey.SPSRTCPAuthKeyLen, &p.RTCPAuthKeyLen, 64},
		{mikey.SPSRTPAuthTagLen, &p.TagLen, 255},
		{mikey.SPSRTCPAuthTagLen, &p.RTCPTagLen, 255},
		{mikey.SPAEADAuthTagLen, &p.AEADTagLen, 255},
	} {
		if has(s.t) {
			if *s.dst, err = small(s.t, val[s.t], s.max); err != nil {
				return p, notes, err
			}
		}
	}
	switch {
	case p.Auth == AuthRCCm3:
		p.AuthKeyLen, p.TagLen = 0, 4 // the tag is the ROC alone (RFC 4771 §3)
	case !p.Auth.hasMAC():
		p.AuthKeyLen, p.TagLen = 0, 0
	}
	if p.RTCPAuth == AuthNull {
		p.RTCPAuthKeyLen, p.RTCPTagLen = 0, 0
	}
	if has(mikey.SPROCRate) {
		r := val[mikey.SPROCRate]
		if r == 0 || r > 0xffff {
			note(NoteBadValue, at[mikey.SPROCRate], "ROC transmission rate %d (RFC 4771 §4: a non-zero 16-bit integer)", r)
			return p, notes, fmt.Errorf("%w: ROC transmission rate %d", ErrPolicy, r)
		}
		p.ROCRate = uint16(r)
	}
	if err := p.Validate(); err != nil {
		return p, notes, err
	}
	return p, notes, nil
}

// CheckKeyLengths compares the policy with the master key and salt
// lengths a KEMAC delivered (RFC 3830 §6.10.1: the session encryption key
// length is also the master key length) and returns a note when they
// differ, or nil.
func (p Policy) CheckKeyLengths(keyLen, saltLen int) *PolicyNote {
	if keyLen == p.KeyLen && saltLen == p.SaltLen {
		return nil
	}
	return &PolicyNote{Code: NoteKeyLenMismatch, Offset: -1,
		Text: "policy " + p.String() + " wants a " + strconv.Itoa(p.KeyLen) + "-byte key and " +
			strconv.Itoa(p.SaltLen) + "-byte salt, the key data has " + strconv.Itoa(keyLen) + " and " + strconv.Itoa(saltLen)}
}
