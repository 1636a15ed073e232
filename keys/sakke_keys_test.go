package keys

import "testing"

// TestSAKKEKeysSupplied: the SAKKE material MIKEY() hands to mikey says it
// is supplied exactly when HasSAKKE does; a KMS described only by
// --kms-uri/--key-period is not key material.
func TestSAKKEKeysSupplied(t *testing.T) {
	tests := []struct {
		name  string
		store Store
	}{
		{"empty", Store{}},
		{"rsk", Store{SAKKERSKs: []SAKKEKey{{}}}},
		{"rsk bound", Store{SAKKERSKs: []SAKKEKey{{Identity: "sip:bob@example.org"}}}},
		{"kms z", Store{KMSZ: []RawKey{{}}}},
		{"kms kpak", Store{KMSKPAK: []RawKey{{}}}},
		{"kms cert", Store{KMSCerts: []KMSCert{{}}}},
		{"key set", Store{KeySets: []KeySet{{UserURI: "sip:alice@example.org"}}}},
		{"encrypted key set", Store{KeySets: []KeySet{{Encrypted: true}}}},
		{"kms uri only", Store{KMSURIs: []Value{{Value: "kms.example.org"}}}},
		{"key period only", Store{KeyPeriods: []KeyPeriodEntry{{}}}},
	}
	for _, tc := range tests {
		if got, want := tc.store.MIKEY().SAKKE.Supplied(), tc.store.HasSAKKE(); got != want {
			t.Errorf("%s: MIKEY().SAKKE.Supplied() = %v, HasSAKKE() = %v", tc.name, got, want)
		}
	}
}
