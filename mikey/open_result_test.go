package mikey

import (
	"strings"
	"testing"
)

func TestMessageResultDetails(t *testing.T) {
	tests := []struct {
		name string
		r    MessageResult
		want string
	}{
		{"nothing", MessageResult{}, ""},
		{"notes only", MessageResult{Notes: []string{"a", "b"}}, "a; b"},
		{"mac variant", MessageResult{MACVariant: "x", Notes: []string{"n"}}, "MAC verified over x; n"},
		{"v variant", MessageResult{VVariant: VVariantNoIDs}, "V verified with " + VVariantNoIDs},
		{"signature with scheme", MessageResult{Signature: SignatureVerdict{Status: AuthVerified, Scheme: "RSA/PKCS#1/1.5 SHA-1"}}, "signature verified (RSA/PKCS#1/1.5 SHA-1)"},
		{"signature failed", MessageResult{Signature: SignatureVerdict{Status: AuthFailed}}, "signature failed"},
		{"all", MessageResult{MACVariant: "m", VVariant: "v", Signature: SignatureVerdict{Status: AuthNoKey}, Notes: []string{"n"}}, "MAC verified over m; V verified with v; signature no key; n"},
	}
	for _, tc := range tests {
		got := tc.r.Details()
		if s := strings.Join(got, "; "); s != tc.want {
			t.Errorf("%s: Details = %q, want %q", tc.name, s, tc.want)
		}
		if len(tc.r.Notes) > 0 && len(got) > 0 {
			got[len(got)-1] = "changed"
			if tc.r.Notes[len(tc.r.Notes)-1] == "changed" {
				t.Errorf("%s: Details shares the Notes array", tc.name)
			}
		}
	}
}

func TestSAKKEResultNames(t *testing.T) {
	n := uint64(1544)
	tests := []struct {
		name        string
		r           SAKKEResult
		who, period string
	}{
		{"month", SAKKEResult{Month: "2026-11"}, "the responder", "period 2026-11"},
		{"uri", SAKKEResult{Month: "2026-11", ResponderURI: "tel:+1"}, "tel:+1", "period 2026-11"},
		{"uid kms", SAKKEResult{Month: "2026-11", KeyPeriodNo: &n, UserIDFormat: UserIDFormatUID}, "the responder", "period 1544"},
		{"uid kms, other period", SAKKEResult{Month: "2026-11", KeyPeriodNo: &n, UserIDFormat: UserIDFormatUID, RSKPeriod: "period 1543"}, "the responder", "period 1544"},
		{"uid kms, rfc6509 identifier", SAKKEResult{Month: "2026-11", KeyPeriodNo: &n, UserIDFormat: UserIDFormatUID, ResponderScheme: "rfc6509"}, "the responder", "period 2026-11"},
		{"uid kms, rsk of a month", SAKKEResult{Month: "2026-11", KeyPeriodNo: &n, UserIDFormat: UserIDFormatUID, RSKPeriod: "2026-10"}, "the responder", "period 2026-11"},
		{"rfc6509 kms", SAKKEResult{Month: "2026-11", KeyPeriodNo: &n, UserIDFormat: UserIDFormatRFC6509}, "the responder", "period 2026-11"},
	}
	for _, tc := range tests {
		if got := tc.r.ResponderName(); got != tc.who {
			t.Errorf("%s: ResponderName = %q, want %q", tc.name, got, tc.who)
		}
		if got := tc.r.MessageKeyPeriod(); got != tc.period {
			t.Errorf("%s: MessageKeyPeriod = %q, want %q", tc.name, got, tc.period)
		}
	}
}
