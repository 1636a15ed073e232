package analysis

import (
	"testing"

	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/srtp"
)

// TestSRTPPolicyBridge: the bridge gives, for every SP payload of mikey's
// TestSPPayloadSRTP, the srtp.Policy (and the error) srtp.PolicyFromMIKEY
// gave before the mapping moved to mikey, and the policy name the old
// tests expected.
func TestSRTPPolicyBridge(t *testing.T) {
	tests := []struct {
		name   string
		params []int // type, value pairs; -1: an empty value
		want   string
		policy srtp.Policy
		err    string
	}{
		{name: "empty: RFC 3830 defaults", params: []int{}, want: "AES_CM_128_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "ONVIF AES_CM_128_HMAC_SHA1_80", params: []int{0, 1, 1, 16, 2, 1, 3, 20, 4, 14, 5, 0, 7, 1, 8, 1, 10, 1, 11, 10}, want: "AES_CM_128_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "GStreamer 3=10 without 11", params: []int{0, 1, 1, 16, 2, 1, 3, 10, 7, 1, 8, 1, 10, 1}, want: "AES_CM_128_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "3=4 without 11: 32-bit tag", params: []int{3, 4}, want: "AES_CM_128_HMAC_SHA1_32",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 4, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 4, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "3=10 with 11=4 is a real key length", params: []int{3, 10, 11, 4}, want: "AES_CM_128_HMAC_SHA1_32",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 10, TagLen: 4, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 10, RTCPTagLen: 4, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "AES-256", params: []int{1, 32}, want: "AES_256_CM_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 32, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "AES-192 32-bit", params: []int{1, 24, 11, 4}, want: "AES_192_CM_HMAC_SHA1_32",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 24, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 4, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 4, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "f8", params: []int{0, 2}, want: "F8_128_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESF8, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "NULL cipher, encryption off", params: []int{0, 0, 7, 0, 8, 0}, want: "NULL_HMAC_SHA1_80,UNENCRYPTED_SRTP,UNENCRYPTED_SRTCP",
			policy: srtp.Policy{Cipher: srtp.CipherNull, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: false, SRTCPEncrypt: false, SRTPAuth: true}},
		{name: "SRTP auth off", params: []int{10, 0}, want: "AES_CM_128_HMAC_SHA1_80,UNAUTHENTICATED_SRTP",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: false}},
		{name: "KDR 2^16", params: []int{6, 65536}, want: "AES_CM_128_HMAC_SHA1_80,KDR=65536",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, KDR: 65536, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "MCPTT AES-GCM", params: []int{0, 6, 1, 16, 4, 12, 20, 16}, want: "AEAD_AES_128_GCM",
			policy: srtp.Policy{Cipher: srtp.CipherAESGCM, KeyLen: 16, SaltLen: 12, Auth: srtp.AuthNull, AuthKeyLen: 0, TagLen: 0, RTCPAuth: srtp.AuthNull, RTCPAuthKeyLen: 0, RTCPTagLen: 0, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "AES-GCM 256 defaults", params: []int{0, 6, 1, 32}, want: "AEAD_AES_256_GCM",
			policy: srtp.Policy{Cipher: srtp.CipherAESGCM, KeyLen: 32, SaltLen: 12, Auth: srtp.AuthNull, AuthKeyLen: 0, TagLen: 0, RTCPAuth: srtp.AuthNull, RTCPAuthKeyLen: 0, RTCPTagLen: 0, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "AES-GCM with HMAC", params: []int{0, 6, 2, 1}, want: "AEAD_AES_128_GCM",
			policy: srtp.Policy{Cipher: srtp.CipherAESGCM, KeyLen: 16, SaltLen: 12, Auth: srtp.AuthNull, AuthKeyLen: 0, TagLen: 0, RTCPAuth: srtp.AuthNull, RTCPAuthKeyLen: 0, RTCPTagLen: 0, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "RCCm2 via type 14 only for SRTP", params: []int{2, 1, 14, 3, 13, 10, 18, 14}, want: "AES_CM_128_RCCm2_112_R10",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthRCCm2, AuthKeyLen: 20, TagLen: 14, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true, ROCRate: 10}},
		{name: "RCCm3 with GCM", params: []int{0, 6, 2, 4, 13, 5}, want: "AEAD_AES_128_GCM_RCCm3_32_R5",
			policy: srtp.Policy{Cipher: srtp.CipherAESGCM, KeyLen: 16, SaltLen: 12, Auth: srtp.AuthRCCm3, AuthKeyLen: 0, TagLen: 4, RTCPAuth: srtp.AuthNull, RTCPAuthKeyLen: 0, RTCPTagLen: 0, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true, ROCRate: 5}},
		{name: "specific tag lengths 18/19 beat 11", params: []int{11, 10, 18, 4, 19, 10}, want: "AES_CM_128_HMAC_SHA1_32",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 4, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "SRTCP-specific auth key length", params: []int{16, 20, 17, 32}, want: "AES_CM_128_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 16, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 32, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "unknown, duplicate, odd on/off, FEC", params: []int{40, 1, 1, 16, 1, 32, 7, 2, 9, 1}, want: "AES_256_CM_HMAC_SHA1_80",
			policy: srtp.Policy{Cipher: srtp.CipherAESCM, KeyLen: 32, SaltLen: 14, Auth: srtp.AuthHMACSHA1, AuthKeyLen: 20, TagLen: 10, RTCPAuth: srtp.AuthHMACSHA1, RTCPAuthKeyLen: 20, RTCPTagLen: 10, AEADTagLen: 16, SRTPEncrypt: true, SRTCPEncrypt: true, SRTPAuth: true}},
		{name: "SEED-CTR unsupported", params: []int{0, 3}, err: "srtp: invalid policy: encryption algorithm SEED-CTR (3)"},
		{name: "ARIA PRF unsupported", params: []int{5, 2}, err: "srtp: invalid policy: SRTP PRF ARIA-CTR (2)"},
		{name: "prefix length unsupported", params: []int{12, 4}, err: "srtp: invalid policy: SRTP prefix length 4 (RFC 3711 §4.2: 0 for HMAC-SHA1)"},
		{name: "empty value", params: []int{1, -1}, err: "srtp: invalid policy: SP Session Encr. key length value of 0 bytes at offset 100"},
		{name: "ROC rate 0", params: []int{2, 3, 13, 0}, err: "srtp: invalid policy: ROC transmission rate 0"},
		{name: "KDR not a power of two", params: []int{6, 3}, err: "srtp: invalid policy: key derivation rate 3 is not 0 or 2^n with n <= 24"},
		{name: "key length 20", params: []int{1, 20}, err: "srtp: invalid policy: encryption key length 20 (want 16, 24 or 32)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sp mikey.SPPayload
			for i := 0; i+1 < len(tc.params); i += 2 {
				q := mikey.SPParam{Type: mikey.SPParamType(tc.params[i]), Offset: 100 + 3*i}
				switch v := tc.params[i+1]; {
				case v < 0:
				case v > 0xffff:
					q.Value = []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
				case v > 0xff:
					q.Value = []byte{byte(v >> 8), byte(v)}
				default:
					q.Value = []byte{byte(v)}
				}
				sp.Params = append(sp.Params, q)
			}
			d, _, descErr := sp.SRTP()
			p, err := srtpPolicy(d, descErr)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p != tc.policy {
				t.Errorf("policy %#v\nwant   %#v", p, tc.policy)
			}
			if got := p.String(); got != tc.want {
				t.Errorf("policy %s, want %s", got, tc.want)
			}
		})
	}
	// No SP payload: srtp's defaults.
	d, _, descErr := (*mikey.SPPayload)(nil).SRTP()
	if p, err := srtpPolicy(d, descErr); err != nil || p != srtp.DefaultPolicy() {
		t.Errorf("no SP payload: %v %v", p, err)
	}
}

// TestSuppliedPolicy: a supplied key's policy by its key and salt lengths.
func TestSuppliedPolicy(t *testing.T) {
	for _, tc := range []struct {
		key, salt int
		want      string
	}{
		{16, 14, "AES_CM_128_HMAC_SHA1_80"}, {24, 14, "AES_192_CM_HMAC_SHA1_80"}, {32, 14, "AES_256_CM_HMAC_SHA1_80"},
		{16, 12, "AEAD_AES_128_GCM"}, {32, 12, "AEAD_AES_256_GCM"}, {24, 12, ""}, {16, 16, ""},
	} {
		p, err := suppliedPolicy(tc.key, tc.salt)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%d+%d: %v, want an error", tc.key, tc.salt, p)
		case tc.want != "" && (err != nil || p.String() != tc.want || p.KeyLen != tc.key || p.SaltLen != tc.salt):
			t.Errorf("%d+%d: %v %v, want %s", tc.key, tc.salt, p, err, tc.want)
		}
	}
}
