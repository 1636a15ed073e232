package sakke

import (
	"crypto/sha256"
	"encoding/hex"
)

// Fingerprint identifies key material without revealing it: the first 8
// hex digits of the SHA-256 of b.
func Fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}
