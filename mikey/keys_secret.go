package mikey

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Secret is key material. Its String, Format and MarshalJSON print only a
// fingerprint, never the bytes; Reveal returns the bytes for code that
// must use them (or a user who asked to see them).
type Secret []byte

// Reveal returns the secret bytes.
func (s Secret) Reveal() []byte { return []byte(s) }

// Fingerprint identifies the secret without disclosing it: the first 4
// bytes of its SHA-256 in hex ("" for an empty secret).
func (s Secret) Fingerprint() string { return Fingerprint(s) }

// String returns "<n bytes, fp>".
func (s Secret) String() string {
	if len(s) == 0 {
		return "<none>"
	}
	return fmt.Sprintf("<%d bytes %s>", len(s), Fingerprint(s))
}

// Format prints the same as String for every verb, so that %x or %v of a
// Secret cannot leak it.
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// GoString is used by %#v.
func (s Secret) GoString() string { return s.String() }

// MarshalJSON emits the fingerprint and length only.
func (s Secret) MarshalJSON() ([]byte, error) {
	if len(s) == 0 {
		return []byte(`null`), nil
	}
	return fmt.Appendf(nil, `{"len":%d,"fingerprint":%q}`, len(s), Fingerprint(s)), nil
}

// Fingerprint returns the first 4 bytes of SHA-256(b) in hex.
func Fingerprint(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}

// KindFingerprint returns kind + ":" + Fingerprint(b), e.g. "psk:3f2a9c1d".
func KindFingerprint(kind string, b []byte) string { return kind + ":" + Fingerprint(b) }
