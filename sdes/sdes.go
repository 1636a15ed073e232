// Package sdes parses SDP Security Descriptions (RFC 4568): the a=crypto
// attribute that carries SRTP master keys inline in SIP and RTSP SDP,
//
//	a=crypto:<tag> <crypto-suite> <key-params> [<session-param>...]
//	key-params = key-param *(";" key-param)
//	key-param  = "inline:" base64(key||salt) ["|" lifetime] ["|" MKI ":" length]
//
// with the suites of RFC 4568 §6.2, RFC 6188 (AES-192/256) and RFC 7714
// (AES-GCM) and the session parameters of §6.3 (KDR, UNENCRYPTED_SRTP,
// UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP, FEC_ORDER, FEC_KEY, WSH). It
// knows nothing of packets or SRTP contexts: a suite is an srtp.Policy
// (whose String is the suite's name), to which the analysis adds the
// session parameters and the master keys. An unknown suite is parsed (its key
// bytes kept as they are) and marked unknown, never guessed.
package sdes

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/srtp"
)

// Suite is an SRTP crypto-suite: the SRTP policy it stands for, whose
// srtp.Policy.String is the suite's registered name.
type Suite struct {
	Name   string      // the registered name: Policy.String()
	Policy srtp.Policy // cipher, key, salt and tag lengths; KDR 0, everything on, no MKI
	// MaxLifetime is the most SRTP packets one master key may protect
	// (RFC 4568 §6.2: 2^48 for the RFC 3711 transforms; RFC 7714 §14.2 the same).
	MaxLifetime uint64
}

// Suites lists the crypto-suites this package knows: those of RFC 4568
// §6.2 (AES_CM_128_HMAC_SHA1_80/32, F8_128_HMAC_SHA1_80), RFC 6188
// (AES_192_CM, AES_256_CM) and RFC 7714 (AEAD_AES_128_GCM,
// AEAD_AES_256_GCM).
var Suites = []Suite{
	suite(hmacSHA1(srtp.CipherAESCM, 16, 10)),
	suite(hmacSHA1(srtp.CipherAESCM, 16, 4)),
	suite(hmacSHA1(srtp.CipherAESF8, 16, 10)),
	suite(hmacSHA1(srtp.CipherAESCM, 24, 10)),
	suite(hmacSHA1(srtp.CipherAESCM, 24, 4)),
	suite(hmacSHA1(srtp.CipherAESCM, 32, 10)),
	suite(hmacSHA1(srtp.CipherAESCM, 32, 4)),
	suite(srtp.GCMPolicy(16)),
	suite(srtp.GCMPolicy(32)),
}

func suite(p srtp.Policy) Suite { return Suite{Name: p.String(), Policy: p, MaxLifetime: 1 << 48} }

// hmacSHA1 is a suite's policy with HMAC-SHA1 authentication: an SRTP tag
// of tagLen bytes, an SRTCP tag of 10 bytes even for the _32 suites
// (RFC 4568 §6.2), a 14-byte salt.
func hmacSHA1(c srtp.Cipher, keyLen, tagLen int) srtp.Policy {
	p := srtp.DefaultPolicy()
	p.Cipher, p.KeyLen, p.TagLen = c, keyLen, tagLen
	return p
}

// LookupSuite returns the suite of that name (case-sensitive, as RFC 4568
// registers them).
func LookupSuite(name string) (Suite, bool) {
	for _, s := range Suites {
		if s.Name == name {
			return s, true
		}
	}
	return Suite{}, false
}

// KeyParam is one key-param of the attribute.
type KeyParam struct {
	Method string // "inline", or another key method (kept, not interpreted)
	Info   string // the key-info text as sent
	// Key and Salt are the decoded inline key||salt split by the suite's
	// lengths; for an unknown suite Key holds all the bytes and Salt is nil.
	Key, Salt []byte
	// Lifetime is the number of packets the key may protect (the
	// "|2^20" or "|1048576" part); 0 when absent (the suite's maximum).
	Lifetime    uint64
	HasLifetime bool
	// MKI is the master key identifier value and MKILen its length in
	// bytes in every packet (the "|1:4" part); HasMKI false when absent.
	MKI    uint64
	MKILen int
	HasMKI bool
	Offset int // byte offset of the key-param in the attribute value
}

// Crypto is one parsed a=crypto attribute.
type Crypto struct {
	Tag       uint32
	SuiteName string
	Suite     Suite // zero when Known is false
	Known     bool
	Keys      []KeyParam
	// Session parameters (RFC 4568 §6.3); KDR is -1 when absent (0 is
	// "derive once"): the rate is 2^KDR.
	KDR                 int
	UnencryptedSRTP     bool
	UnencryptedSRTCP    bool
	UnauthenticatedSRTP bool
	FECOrder            string     // "FEC_SRTP" or "SRTP_FEC"; "" when absent
	FECKeys             []KeyParam // FEC_KEY=key-params
	WSH                 int        // window size hint; 0 when absent
	Unknown             []string   // other session parameters, kept as sent
	// Offsets in the attribute value of the tag, suite and first key-param.
	TagOffset, SuiteOffset, KeysOffset int
}

// Error says what is wrong and where in the attribute value.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("a=crypto at byte %d: %s", e.Offset, e.Msg) }

func errAt(off int, format string, a ...any) *Error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, a...)}
}

// MaxLength bounds the attribute value accepted (a real one is under 200
// bytes; several key-params with MKIs stay far below).
const MaxLength = 4096

// maxKeys bounds the key-params of one attribute.
const maxKeys = 16

// field is a whitespace-separated word and its offset.
type field struct {
	s   string
	off int
}

func fields(v string) []field {
	var out []field
	for i := 0; i < len(v); {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		start := i
		for i < len(v) && v[i] != ' ' && v[i] != '\t' {
			i++
		}
		if i > start {
			out = append(out, field{v[start:i], start})
		}
	}
	return out
}

// Parse parses the value of an a=crypto attribute (what follows
// "a=crypto:"). The result of a value with an unknown suite has Known
// false and no error; an error says what is malformed and where.
func Parse(value string) (*Crypto, error) {
	if len(value) > MaxLength {
		return nil, errAt(MaxLength, "longer than %d bytes", MaxLength)
	}
	value = strings.TrimRight(value, "\r\n")
	f := fields(value)
	if len(f) < 3 {
		return nil, errAt(len(value), "needs a tag, a crypto-suite and key-params (RFC 4568 §9.1), got %d fields", len(f))
	}
	c := &Crypto{KDR: -1, TagOffset: f[0].off, SuiteOffset: f[1].off, KeysOffset: f[2].off}
	if len(f[0].s) > 9 || !allDigits(f[0].s) {
		return nil, errAt(f[0].off, "tag %q is not 1 to 9 digits", f[0].s)
	}
	tag, _ := strconv.ParseUint(f[0].s, 10, 32)
	c.Tag = uint32(tag)
	for i := 0; i < len(f[1].s); i++ {
		if !isAlnum(f[1].s[i]) && f[1].s[i] != '_' {
			return nil, errAt(f[1].off+i, "crypto-suite %q has a character other than letters, digits and _", f[1].s)
		}
	}
	c.SuiteName = f[1].s
	c.Suite, c.Known = LookupSuite(c.SuiteName)
	keys, err := c.keyParams(f[2].s, f[2].off)
	if err != nil {
		return nil, err
	}
	c.Keys = keys
	for _, sp := range f[3:] {
		if err := c.sessionParam(sp); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Crypto) keyParams(s string, off int) ([]KeyParam, error) {
	var out []KeyParam
	for _, kp := range strings.Split(s, ";") {
		if len(out) == maxKeys {
			return nil, errAt(off, "more than %d key-params", maxKeys)
		}
		k, err := c.keyParam(kp, off)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
		off += len(kp) + 1
	}
	return out, nil
}

func (c *Crypto) keyParam(s string, off int) (KeyParam, error) {
	k := KeyParam{Offset: off}
	method, info, ok := strings.Cut(s, ":")
	if !ok || method == "" || info == "" {
		return k, errAt(off, "key-param %q is not method:info", s)
	}
	k.Method, k.Info = method, info
	if method != "inline" {
		return k, nil
	}
	parts := strings.Split(info, "|")
	if len(parts) > 3 {
		return k, errAt(off, "inline key-info has %d |-separated parts, at most 3 (key||salt, lifetime, MKI)", len(parts))
	}
	ks, err := decodeBase64(parts[0])
	if err != nil {
		return k, errAt(off+len(method)+1, "inline key||salt is not base64: %v", err)
	}
	if c.Known {
		if want := c.Suite.Policy.KeyLen + c.Suite.Policy.SaltLen; len(ks) != want {
			return k, errAt(off+len(method)+1, "inline key||salt is %d bytes, %s needs %d (%d-byte key, %d-byte salt)",
				len(ks), c.SuiteName, want, c.Suite.Policy.KeyLen, c.Suite.Policy.SaltLen)
		}
		k.Key, k.Salt = ks[:c.Suite.Policy.KeyLen], ks[c.Suite.Policy.KeyLen:]
	} else {
		k.Key = ks
	}
	pos := off + len(method) + 1 + len(parts[0]) + 1
	for _, p := range parts[1:] {
		switch {
		case strings.Contains(p, ":"):
			if k.HasMKI {
				return k, errAt(pos, "two MKI parts")
			}
			v, l, _ := strings.Cut(p, ":")
			if v == "" || !allDigits(v) || l == "" || len(l) > 3 || !allDigits(l) {
				return k, errAt(pos, "MKI %q is not value:length in digits", p)
			}
			mki, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return k, errAt(pos, "MKI value %s does not fit 64 bits", v)
			}
			n, _ := strconv.Atoi(l)
			if n < 1 || n > 128 {
				return k, errAt(pos+len(v)+1, "MKI length %d outside 1..128 bytes", n)
			}
			if n < 8 && mki >= 1<<(8*uint(n)) {
				return k, errAt(pos, "MKI value %d does not fit its length of %d bytes", mki, n)
			}
			k.MKI, k.MKILen, k.HasMKI = mki, n, true
		default:
			if k.HasLifetime || k.HasMKI {
				return k, errAt(pos, "lifetime %q out of place (key||salt|lifetime|MKI:length)", p)
			}
			lt, err := parseLifetime(p)
			if err != nil {
				return k, errAt(pos, "%v", err)
			}
			k.Lifetime, k.HasLifetime = lt, true
		}
		pos += len(p) + 1
	}
	return k, nil
}

func parseLifetime(p string) (uint64, error) {
	if e, ok := strings.CutPrefix(p, "2^"); ok {
		if e == "" || len(e) > 2 || !allDigits(e) {
			return 0, fmt.Errorf("lifetime %q is not 2^digits", p)
		}
		n, _ := strconv.Atoi(e)
		if n > 63 {
			return 0, fmt.Errorf("lifetime 2^%d exceeds 2^63", n)
		}
		return 1 << uint(n), nil
	}
	if p == "" || !allDigits(p) {
		return 0, fmt.Errorf("lifetime %q is not a number", p)
	}
	v, err := strconv.ParseUint(p, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("lifetime %s does not fit 64 bits", p)
	}
	return v, nil
}

func (c *Crypto) sessionParam(sp field) error {
	name, val, hasVal := strings.Cut(sp.s, "=")
	switch name {
	case "UNENCRYPTED_SRTP":
		c.UnencryptedSRTP = true
	case "UNENCRYPTED_SRTCP":
		c.UnencryptedSRTCP = true
	case "UNAUTHENTICATED_SRTP":
		c.UnauthenticatedSRTP = true
	case "KDR":
		if !hasVal || val == "" || len(val) > 2 || !allDigits(val) {
			return errAt(sp.off, "KDR %q is not 1 or 2 digits", val)
		}
		n, _ := strconv.Atoi(val)
		if n > 24 {
			return errAt(sp.off, "KDR %d exceeds 24 (a rate of 2^24, RFC 3711 §4.3.1)", n)
		}
		c.KDR = n
	case "FEC_ORDER":
		if val != "FEC_SRTP" && val != "SRTP_FEC" {
			return errAt(sp.off, "FEC_ORDER %q is neither FEC_SRTP nor SRTP_FEC", val)
		}
		c.FECOrder = val
	case "FEC_KEY":
		if !hasVal || val == "" {
			return errAt(sp.off, "FEC_KEY has no key-params")
		}
		keys, err := c.keyParams(val, sp.off+len(name)+1)
		if err != nil {
			return err
		}
		c.FECKeys = keys
	case "WSH":
		if !hasVal || len(val) < 2 || len(val) > 9 || !allDigits(val) {
			return errAt(sp.off, "WSH %q is not a number of at least 2 digits", val)
		}
		n, _ := strconv.Atoi(val)
		if n < 64 {
			return errAt(sp.off, "WSH %d is below the minimum of 64 (RFC 4568 §6.3.7)", n)
		}
		c.WSH = n
	default:
		if len(c.Unknown) < 16 {
			c.Unknown = append(c.Unknown, sp.s)
		}
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

func isAlnum(b byte) bool {
	return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

// MKIBytes returns the MKI of k as it appears in packets: MKILen bytes,
// big-endian.
func (k *KeyParam) MKIBytes() []byte {
	if !k.HasMKI {
		return nil
	}
	b := make([]byte, k.MKILen)
	v := k.MKI
	for i := len(b) - 1; i >= 0 && v > 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}
