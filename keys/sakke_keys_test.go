package keys

import "testing"

// TestSAKKEKeysSupplied: the SAKKE material MIKEY() hands to mikey is
// supplied when the store holds an RSK, a KMS public key or certificate, or
// a key set; a KMS described only by --kms-uri/--key-period is not key
// material.
func TestSAKKEKeysSupplied(t *testing.T) {
	tests := []struct {
		name  string
		store Store
		want  bool
	}{
		{"empty", Store{}, false},
		{"rsk", Store{SAKKERSKs: []SAKKEKey{{}}}, true},
		{"rsk bound", Store{SAKKERSKs: []SAKKEKey{{Identity: "sip:bob@example.org"}}}, true},
		{"kms z", Store{KMSZ: []RawKey{{}}}, true},
		{"kms kpak", Store{KMSKPAK: []RawKey{{}}}, true},
		{"kms cert", Store{KMSCerts: []KMSCert{{}}}, true},
		{"key set", Store{KeySets: []KeySet{{UserURI: "sip:alice@example.org"}}}, true},
		{"encrypted key set", Store{KeySets: []KeySet{{Encrypted: true}}}, true},
		{"kms uri only", Store{KMSURIs: []Value{{Value: "kms.example.org"}}}, false},
		{"key period only", Store{KeyPeriods: []KeyPeriodEntry{{}}}, false},
	}
	for _, tc := range tests {
		if got := tc.store.MIKEY().SAKKE.Supplied(); got != tc.want {
			t.Errorf("%s: MIKEY().SAKKE.Supplied() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
