package tlsdec

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// opensslKDF runs "openssl kdf" and returns the derived bytes.
func opensslKDF(t *testing.T, openssl string, keyLen int, alg string, opts ...string) []byte {
	t.Helper()
	args := []string{"kdf", "-keylen", strconv.Itoa(keyLen)}
	for _, o := range opts {
		args = append(args, "-kdfopt", o)
	}
	out, err := exec.Command(openssl, append(args, alg)...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %v: %v: %s", args, err, out)
	}
	b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(string(out)), ":", ""))
	if err != nil {
		t.Fatalf("openssl output %q: %v", out, err)
	}
	return b
}

// TestKeyScheduleAgainstOpenSSL checks the TLS 1.3 HKDF-Expand-Label
// (RFC 8446 §7.1) and the TLS 1.2 and 1.0 PRFs (RFC 5246 §5, RFC 2246 §5)
// against OpenSSL's independent TLS13-KDF and TLS1-PRF implementations.
func TestKeyScheduleAgainstOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: skipping the KDF cross-check")
	}
	secret32 := bytes.Repeat([]byte{0x5a, 0x01, 0xc3}, 11)[:32]
	secret48 := bytes.Repeat([]byte{0x17, 0x99}, 24)
	for _, tc := range []struct {
		name   string
		h      func() hash.Hash
		digest string
		secret []byte
		label  string
		length int
	}{
		{"SHA256 key", sha256.New, "SHA256", secret32, "key", 16},
		{"SHA256 iv", sha256.New, "SHA256", secret32, "iv", 12},
		{"SHA256 chacha key", sha256.New, "SHA256", secret32, "key", 32},
		{"SHA256 traffic upd", sha256.New, "SHA256", secret32, "traffic upd", 32},
		{"SHA384 key", sha384, "SHA384", secret48, "key", 32},
		{"SHA384 traffic upd", sha384, "SHA384", secret48, "traffic upd", 48},
	} {
		got := expandLabel(tc.h, tc.secret, tc.label, nil, tc.length)
		want := opensslKDF(t, openssl, tc.length, "TLS13-KDF", "digest:"+tc.digest, "mode:EXPAND_ONLY",
			"hexkey:"+hex.EncodeToString(tc.secret), "prefix:tls13 ", "label:"+tc.label)
		if !bytes.Equal(got, want) {
			t.Errorf("HKDF-Expand-Label %s: %x, OpenSSL %x", tc.name, got, want)
		}
	}
	master := bytes.Repeat([]byte{0x42, 0x07, 0xee}, 16)
	sr, cr := bytes.Repeat([]byte{0xaa}, 32), bytes.Repeat([]byte{0x0b}, 32)
	for _, tc := range []struct {
		name   string
		digest string
		prf    func(out []byte)
	}{
		{"TLS 1.2 SHA256", "SHA256", func(out []byte) { prf12(out, sha256.New, master, "key expansion", sr, cr) }},
		{"TLS 1.2 SHA384", "SHA384", func(out []byte) { prf12(out, sha512.New384, master, "key expansion", sr, cr) }},
		{"TLS 1.0 MD5/SHA-1", "MD5-SHA1", func(out []byte) { prf10(out, master, "key expansion", sr, cr) }},
	} {
		got := make([]byte, 136) // 2*20 MAC + 2*32 key + 2*16 IV: the largest key block
		tc.prf(got)
		want := opensslKDF(t, openssl, len(got), "TLS1-PRF", "digest:"+tc.digest, "hexsecret:"+hex.EncodeToString(master),
			"seed:key expansion", "hexseed:"+hex.EncodeToString(sr), "hexseed:"+hex.EncodeToString(cr))
		if !bytes.Equal(got, want) {
			t.Errorf("%s PRF: %x, OpenSSL %x", tc.name, got, want)
		}
	}
}
