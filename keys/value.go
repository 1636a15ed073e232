package keys

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxKeyBytes bounds any decoded key value.
const maxKeyBytes = 4096

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
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits (%d)", len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not hex: %w", err)
	}
	return b, nil
}

func isHex(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if s == "" || len(s)%2 != 0 {
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

// decodeBase64 accepts standard and URL alphabets, padded or not.
func decodeBase64(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty value")
	}
	if len(s) > maxKeyBytes*4/3+4 {
		return nil, fmt.Errorf("base64 value of %d characters exceeds %d bytes", len(s), maxKeyBytes)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b, nil
		}
	}
	return nil, errors.New("not hex or base64")
}

// decodeKey decodes <hex|base64>: "hex:" or "base64:" prefixes force the
// encoding; otherwise an even-length string of hex digits is hex (a
// 0x prefix is allowed) and anything else base64.
func decodeKey(s string) ([]byte, error) {
	switch {
	case strings.HasPrefix(s, "hex:"):
		return decodeHex(s[4:])
	case strings.HasPrefix(s, "base64:"):
		return decodeBase64(s[7:])
	case isHex(s):
		return decodeHex(s)
	}
	return decodeBase64(s)
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

// SplitInline guesses the master key and salt lengths of an inline
// key||salt from its total length: 30 = 16+14 (AES-CM-128), 38 = 24+14
// (AES-192-CM), 46 = 32+14 (AES-256-CM), 28 = 16+12 (AEAD_AES_128_GCM),
// 44 = 32+12 (AEAD_AES_256_GCM). ok is false for other lengths.
func SplitInline(b []byte) (key, salt []byte, ok bool) {
	var kl int
	switch len(b) {
	case 30:
		kl = 16
	case 38:
		kl = 24
	case 46:
		kl = 32
	case 28:
		kl = 16
	case 44:
		kl = 32
	default:
		return nil, nil, false
	}
	return b[:kl], b[kl:], true
}
