package srtp

import (
	"fmt"
	"strconv"
)

// Cipher is an SRTP encryption transform. The values equal the MIKEY SP
// "Encryption algorithm" values (RFC 3830 Table 6.10.1.b, RFC 7714 §14.3).
type Cipher uint8

// Encryption transforms.
const (
	CipherNull   Cipher = 0 // NULL encryption (RFC 3711 §4.1.3)
	CipherAESCM  Cipher = 1 // AES in counter mode (RFC 3711 §4.1.1, RFC 6188)
	CipherAESF8  Cipher = 2 // AES in f8 mode (RFC 3711 §4.1.2)
	CipherAESGCM Cipher = 6 // AES-GCM AEAD (RFC 7714)
)

func (c Cipher) String() string {
	switch c {
	case CipherNull:
		return "NULL"
	case CipherAESCM:
		return "AES-CM"
	case CipherAESF8:
		return "AES-F8"
	case CipherAESGCM:
		return "AES-GCM"
	}
	return "cipher(" + strconv.Itoa(int(c)) + ")"
}

// Auth is an SRTP message authentication transform. The values equal the
// MIKEY SP "Authentication algorithm" values (RFC 3830 Table 6.10.1.c,
// RFC 4771 Table 1).
type Auth uint8

// Authentication transforms.
const (
	AuthNull     Auth = 0 // no authentication tag
	AuthHMACSHA1 Auth = 1 // HMAC-SHA1 truncated to the tag length (RFC 3711 §4.2.1)
	AuthRCCm1    Auth = 2 // RFC 4771 mode 1: ROC||MAC on SEQ%R==0, nothing otherwise
	AuthRCCm2    Auth = 3 // RFC 4771 mode 2: ROC||MAC on SEQ%R==0, HMAC-SHA1 otherwise
	AuthRCCm3    Auth = 4 // RFC 4771 mode 3: ROC alone on SEQ%R==0, nothing otherwise
)

func (a Auth) String() string {
	switch a {
	case AuthNull:
		return "NULL"
	case AuthHMACSHA1:
		return "HMAC-SHA1"
	case AuthRCCm1:
		return "RCCm1"
	case AuthRCCm2:
		return "RCCm2"
	case AuthRCCm3:
		return "RCCm3"
	}
	return "auth(" + strconv.Itoa(int(a)) + ")"
}

// isRCC reports whether a is one of the RFC 4771 roll-over counter carrying
// transforms.
func (a Auth) isRCC() bool { return a == AuthRCCm1 || a == AuthRCCm2 || a == AuthRCCm3 }

// hasMAC reports whether a ever computes an HMAC-SHA1.
func (a Auth) hasMAC() bool { return a == AuthHMACSHA1 || a == AuthRCCm1 || a == AuthRCCm2 }

// Policy is an SRTP/SRTCP crypto policy, independent of how it was
// signalled. The zero value is not useful; start from DefaultPolicy, whose
// values are the RFC 3830 §6.10.1 / RFC 3711 §8.2 defaults.
type Policy struct {
	Cipher  Cipher // encryption transform, for SRTP and SRTCP
	KeyLen  int    // session (and master) encryption key length: 16, 24 or 32
	SaltLen int    // session (and master) salt length: 14, or 12 for AES-GCM

	Auth       Auth // SRTP authentication transform (SP types 2/14)
	AuthKeyLen int  // SRTP session authentication key length (SP types 3/16)
	TagLen     int  // SRTP tag length in bytes, including the ROC for RCC (SP types 11/18)

	RTCPAuth       Auth // SRTCP authentication transform (SP types 2/15); never RCC
	RTCPAuthKeyLen int  // SRTCP session auth key length (SP types 3/17)
	RTCPTagLen     int  // SRTCP tag length (SP types 11/19)

	AEADTagLen int // AES-GCM tag length (SP type 20, RFC 7714 §7.1): 16 (8 and 12 accepted)

	// KDR is the key derivation rate (RFC 3711 §4.3.1): 0 (derive once) or a
	// power of two up to 2^24.
	KDR uint64

	SRTPEncrypt  bool // SP type 7
	SRTCPEncrypt bool // SP type 8
	SRTPAuth     bool // SP type 10; SRTCP authentication is mandatory (RFC 3711 §3.4)

	MKILen  int    // bytes of MKI in every packet; 0 when none (RFC 3711 §3.1)
	ROCRate uint16 // RFC 4771 ROC transmission rate R (SP type 13); 0 means 1

	// HeaderExtIDs lists the RTP header extension element IDs whose bodies
	// are encrypted (RFC 6904, AES-CM only; signalled in SDP, not MIKEY).
	HeaderExtIDs TypeSet
}

// DefaultPolicy returns the RFC 3830 §6.10.1 defaults:
// AES_CM_128_HMAC_SHA1_80 with a 14-byte salt, KDR 0 and everything on.
func DefaultPolicy() Policy {
	return Policy{
		Cipher: CipherAESCM, KeyLen: 16, SaltLen: 14,
		Auth: AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10,
		RTCPAuth: AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10,
		AEADTagLen:  16,
		SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true,
	}
}

// GCMPolicy returns the RFC 7714 AEAD_AES_128_GCM (keyLen 16) or
// AEAD_AES_256_GCM (keyLen 32) policy.
func GCMPolicy(keyLen int) Policy {
	p := DefaultPolicy()
	p.Cipher = CipherAESGCM
	p.KeyLen = keyLen
	p.SaltLen = 12
	p.Auth, p.AuthKeyLen, p.TagLen = AuthNull, 0, 0
	p.RTCPAuth, p.RTCPAuthKeyLen, p.RTCPTagLen = AuthNull, 0, 0
	return p
}

// MasterKeyLengths lists the master key and salt lengths of the
// transforms this package offers for a bare key: AES-CM with a 16-, 24- or
// 32-byte key and a 14-byte salt (RFC 3711 §4.1.1, RFC 6188 §7), AES-GCM
// with a 16- or 32-byte key and a 12-byte salt (RFC 7714 §12). Each
// key+salt total is distinct (30, 38, 46, 28, 44), so a concatenated key
// and salt can be split by its length alone.
var MasterKeyLengths = [...]struct{ Key, Salt int }{{16, 14}, {24, 14}, {32, 14}, {16, 12}, {32, 12}}

// PolicyForKeyLengths returns the default policy of the transform whose
// master key and salt have these lengths (see MasterKeyLengths): AES-CM
// with HMAC-SHA1 80-bit tags, or AES-GCM; ok is false when no transform
// has them.
func PolicyForKeyLengths(keyLen, saltLen int) (p Policy, ok bool) {
	for _, l := range MasterKeyLengths {
		if l.Key != keyLen || l.Salt != saltLen {
			continue
		}
		if saltLen == 12 {
			return GCMPolicy(keyLen), true
		}
		p = DefaultPolicy()
		p.KeyLen = keyLen
		return p, true
	}
	return Policy{}, false
}

// IsAEAD reports whether the policy uses an AEAD transform (AES-GCM), whose
// tag replaces the HMAC tag.
func (p Policy) IsAEAD() bool { return p.Cipher == CipherAESGCM }

// rocRate returns R, defaulting to 1 (RFC 4771 §4).
func (p Policy) rocRate() uint16 {
	if p.ROCRate == 0 {
		return 1
	}
	return p.ROCRate
}

// Validate checks that the policy can be used for decryption.
func (p Policy) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrPolicy}, a...)...)
	}
	switch p.KeyLen {
	case 16, 24, 32:
	default:
		return bad("encryption key length %d (want 16, 24 or 32)", p.KeyLen)
	}
	switch p.Cipher {
	case CipherNull, CipherAESCM:
		if p.SaltLen != 14 {
			return bad("salt length %d with %v (want 14)", p.SaltLen, p.Cipher)
		}
	case CipherAESF8:
		if p.KeyLen != 16 {
			return bad("AES-f8 needs a 16-byte key, have %d", p.KeyLen)
		}
		if p.SaltLen != 14 {
			return bad("salt length %d with AES-F8 (want 14)", p.SaltLen)
		}
	case CipherAESGCM:
		if p.KeyLen == 24 {
			return bad("AES-GCM with a 24-byte key is not defined (RFC 7714 §12)")
		}
		if p.SaltLen != 12 {
			return bad("salt length %d with AES-GCM (want 12)", p.SaltLen)
		}
		switch p.AEADTagLen {
		case 12, 16:
		default:
			return bad("AEAD tag length %d (want 16)", p.AEADTagLen)
		}
	default:
		return bad("unsupported encryption algorithm %v", p.Cipher)
	}
	if p.KDR != 0 && (p.KDR&(p.KDR-1) != 0 || p.KDR > 1<<24) {
		return bad("key derivation rate %d is not 0 or 2^n with n <= 24", p.KDR)
	}
	if p.HeaderExtIDs != (TypeSet{}) && p.Cipher != CipherAESCM {
		return bad("header extension encryption (RFC 6904) is implemented for AES-CM only, not %v", p.Cipher)
	}
	if p.MKILen < 0 || p.MKILen > 128 {
		return bad("MKI length %d", p.MKILen)
	}
	if err := p.validateAuth("SRTP", p.Auth, p.AuthKeyLen, p.TagLen, true); err != nil {
		return err
	}
	if p.RTCPAuth.isRCC() {
		return bad("SRTCP cannot use %v (RFC 4771 §2)", p.RTCPAuth)
	}
	if err := p.validateAuth("SRTCP", p.RTCPAuth, p.RTCPAuthKeyLen, p.RTCPTagLen, false); err != nil {
		return err
	}
	return nil
}

func (p Policy) validateAuth(which string, a Auth, keyLen, tagLen int, rtp bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s "+format, append([]any{ErrPolicy, which}, args...)...)
	}
	switch a {
	case AuthNull:
		return nil
	case AuthHMACSHA1, AuthRCCm1, AuthRCCm2:
		if keyLen < 1 || keyLen > 64 {
			return bad("auth key length %d", keyLen)
		}
		min := 1
		if a.isRCC() {
			min = 4
		}
		if tagLen < min || tagLen > 20 {
			return bad("tag length %d with %v", tagLen, a)
		}
	case AuthRCCm3:
		if !rtp {
			return bad("cannot use RCCm3")
		}
	default:
		return bad("unsupported authentication algorithm %v", a)
	}
	if a.isRCC() && p.IsAEAD() && a != AuthRCCm3 {
		return bad("%v with AES-GCM (only RCCm3 applies)", a)
	}
	return nil
}

// String returns a short name in the style of the SDES crypto suites, such
// as "AES_CM_128_HMAC_SHA1_80" or "AEAD_AES_256_GCM", with suffixes for
// anything that differs from the suite's defaults.
func (p Policy) String() string {
	var s string
	switch p.Cipher {
	case CipherAESGCM:
		s = "AEAD_AES_" + strconv.Itoa(p.KeyLen*8) + "_GCM"
		if p.AEADTagLen != 16 {
			s += "_" + strconv.Itoa(p.AEADTagLen*8)
		}
	case CipherNull:
		s = "NULL"
	case CipherAESCM:
		if p.KeyLen == 16 {
			s = "AES_CM_128"
		} else {
			s = "AES_" + strconv.Itoa(p.KeyLen*8) + "_CM"
		}
	case CipherAESF8:
		s = "F8_" + strconv.Itoa(p.KeyLen*8)
	default:
		s = p.Cipher.String()
	}
	if !p.IsAEAD() || p.Auth != AuthNull {
		switch p.Auth {
		case AuthNull:
			s += "_NULL_AUTH"
		case AuthHMACSHA1:
			s += "_HMAC_SHA1_" + strconv.Itoa(p.TagLen*8)
		default:
			s += "_" + p.Auth.String() + "_" + strconv.Itoa(p.TagLen*8)
			if p.rocRate() != 1 {
				s += "_R" + strconv.Itoa(int(p.rocRate()))
			}
		}
	}
	if !p.SRTPEncrypt {
		s += ",UNENCRYPTED_SRTP"
	}
	if !p.SRTCPEncrypt {
		s += ",UNENCRYPTED_SRTCP"
	}
	if !p.SRTPAuth {
		s += ",UNAUTHENTICATED_SRTP"
	}
	if p.KDR != 0 {
		s += ",KDR=" + strconv.FormatUint(p.KDR, 10)
	}
	if p.MKILen != 0 {
		s += ",MKI" + strconv.Itoa(p.MKILen)
	}
	if p.HeaderExtIDs != (TypeSet{}) {
		s += ",ENCRYPTED_HDREXT"
	}
	return s
}

// rtpTagLen returns the bytes of SRTP authentication tag (after the MKI) on
// a packet with sequence number seq, and whether the tag starts with the
// sender's ROC (RFC 4771 §2).
func (p *Policy) rtpTagLen(seq uint16) (n int, rocInTag bool) {
	if !p.SRTPAuth {
		return 0, false
	}
	switch p.Auth {
	case AuthHMACSHA1:
		return p.TagLen, false
	case AuthRCCm1, AuthRCCm2:
		if seq%p.rocRate() == 0 {
			return p.TagLen, true
		}
		if p.Auth == AuthRCCm2 {
			return p.TagLen, false
		}
		return 0, false
	case AuthRCCm3:
		if seq%p.rocRate() == 0 {
			return 4, true
		}
	}
	return 0, false
}

// rtcpTagLen returns the bytes of SRTCP authentication tag.
func (p *Policy) rtcpTagLen() int {
	if p.RTCPAuth == AuthHMACSHA1 {
		return p.RTCPTagLen
	}
	return 0
}

// aeadTagLen returns the bytes of AEAD tag (AES-GCM) at the end of the
// encrypted portion of an SRTP or SRTCP packet, 0 without AEAD.
func (p *Policy) aeadTagLen() int {
	if p.IsAEAD() {
		return p.AEADTagLen
	}
	return 0
}
