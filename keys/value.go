package keys

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mikeyscope/mikeyscope/srtp"
)

// maxKeyBytes bounds any decoded key value.
const maxKeyBytes = 4096

// minBase64Bytes is the shortest key accepted as base64 without the
// "base64:" prefix: a shorter string of letters is far more likely a typo
// than a key (RFC 3830 keys are 16 bytes and more).
const minBase64Bytes = 8

// IsHexDigits reports whether s is non-empty and only hex digits. It is the
// one test of hex text in mikeyscope (key values here, MIKEY messages given
// to decode).
func IsHexDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// decodeHex decodes hex with an optional 0x prefix; ':' and whitespace
// between bytes are not accepted (a key is one token).
func decodeHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" {
		return nil, errors.New("empty value")
	}
	if len(s) > 2*maxKeyBytes {
		return nil, fmt.Errorf("value of %d hex digits exceeds %d bytes", len(s), maxKeyBytes)
	}
	for i := 0; i < len(s); i++ {
		if !IsHexDigits(s[i : i+1]) {
			return nil, fmt.Errorf("not hex: the character at position %d is not a hex digit", i+1)
		}
	}
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d): a digit is missing or extra", len(s))
	}
	return hex.DecodeString(s)
}

// base64Encodings are tried in turn; each is strict (the unused bits of the
// last character must be zero), so a word of letters rarely decodes by
// chance.
var base64Encodings = []*base64.Encoding{
	base64.StdEncoding.Strict(), base64.RawStdEncoding.Strict(),
	base64.URLEncoding.Strict(), base64.RawURLEncoding.Strict(),
}

// decodeBase64 accepts standard and URL alphabets, padded or not.
func decodeBase64(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty value")
	}
	if len(s) > maxKeyBytes*4/3+4 {
		return nil, fmt.Errorf("base64 value of %d characters exceeds %d bytes", len(s), maxKeyBytes)
	}
	for _, enc := range base64Encodings {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b, nil
		}
	}
	return nil, errors.New("not valid base64")
}

// ParseValue decodes a key value, the one way every key input (flags, keys
// files, the TUI, decode) reads one:
//
//   - "hex:..." is hex and "base64:..." is base64, whatever follows;
//   - "0x..." or a string of hex digits only is hex, and must have an even
//     number of digits (an odd count is a usage error, not base64);
//   - anything else is base64 only when it is valid (strict) base64 of at
//     least 8 bytes; otherwise it is an error saying what is wrong.
func ParseValue(s string) ([]byte, error) {
	switch {
	case strings.HasPrefix(s, "hex:"):
		return decodeHex(s[4:])
	case strings.HasPrefix(s, "base64:"):
		return decodeBase64(s[7:])
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		return decodeHex(s)
	case IsHexDigits(s):
		if len(s)%2 != 0 {
			return nil, fmt.Errorf("odd number of hex digits (%d): a digit is missing or extra (prefix it with base64: if it is base64)", len(s))
		}
		return decodeHex(s)
	}
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("neither hex (even number of hex digits) nor base64: %s", whyNotKey(s))
	}
	if len(b) < minBase64Bytes {
		return nil, fmt.Errorf("%d characters read as base64 make only %d byte(s): too short for a key; write it in hex, or prefix it with base64: if it is meant", len(s), len(b))
	}
	return b, nil
}

// whyNotKey gives the position of the first character that is neither hex
// nor base64, or says the base64 is malformed. It never quotes the value
// (a mistyped key is still a key).
func whyNotKey(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '+' || c == '/' || c == '-' || c == '_' || c == '=') {
			return fmt.Sprintf("the character at position %d is in neither alphabet", i+1)
		}
	}
	return fmt.Sprintf("%d characters are not valid base64 (wrong length, padding or final character)", len(s))
}

// splitIdentity splits "<identity>=<value>" at the first '=' unless what
// follows it is only base64 padding (then there is no identity).
func splitIdentity(s string) (identity, value string) {
	i := strings.IndexByte(s, '=')
	if i <= 0 || strings.Trim(s[i:], "=") == "" {
		return "", s
	}
	return s[:i], s[i+1:]
}

// parseSSRC reads "0x%08x", decimal, or "*" (any).
func parseSSRC(s string) (ssrc uint32, any bool, err error) {
	if s == "*" {
		return 0, true, nil
	}
	var v uint64
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err = strconv.ParseUint(s[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(s, 10, 32)
	}
	if err != nil {
		return 0, false, fmt.Errorf("SSRC %q is not 0x-hex, decimal or *", s)
	}
	return uint32(v), false, nil
}

// SRTP master key and salt lengths of the SRTP protection profiles
// mikeyscope decrypts: AES-CM and AES-F8 (RFC 3711, RFC 6188) take a 16,
// 24 or 32 byte key and a 14 byte salt; AEAD_AES_128/256_GCM (RFC 7714) a
// 16 or 32 byte key and a 12 byte salt.
func checkSRTPLengths(key, salt int) error {
	if _, ok := srtp.PolicyForKeyLengths(key, salt); ok {
		return nil
	}
	return fmt.Errorf("master key of %d bytes with a salt of %d bytes fits no SRTP suite (AES-CM: key 16, 24 or 32 bytes and salt 14; AES-GCM: key 16 or 32 and salt 12)", key, salt)
}

// SplitInline guesses the master key and salt lengths of an inline
// key||salt from its total length: 30 = 16+14 (AES-CM-128), 38 = 24+14
// (AES-192-CM), 46 = 32+14 (AES-256-CM), 28 = 16+12 (AEAD_AES_128_GCM),
// 44 = 32+12 (AEAD_AES_256_GCM), the lengths of srtp.MasterKeyLengths. ok
// is false for other lengths.
func SplitInline(b []byte) (key, salt []byte, ok bool) {
	for _, l := range srtp.MasterKeyLengths {
		if len(b) == l.Key+l.Salt {
			return b[:l.Key], b[l.Key:], true
		}
	}
	return nil, nil, false
}
