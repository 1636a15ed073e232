package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// TestKeyValuesStrict (issue 17 item 1): a mistyped key is a usage error
// (exit 2) naming the flag or the keys-file line and what is wrong, for
// report, decode and the view; never a verdict about the peers.
func TestKeyValuesStrict(t *testing.T) {
	dir := t.TempDir()
	keysFile := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	extra := keysFile("extra.keys", "# keys\npsk "+samplePSKHex+" for-alice\n")
	odd := keysFile("odd.keys", "\n\npsk 0011223\n")
	pcap := sample("sip-udp-psk.pcap")
	cases := []struct {
		name string
		args []string
		want []string // all in stderr
	}{
		{"psk zz", []string{"report", "--psk", "zz", pcap}, []string{"--psk: psk: neither hex", "not valid base64"}},
		{"psk odd hex", []string{"report", "--psk", "0011223", pcap}, []string{"--psk: psk: odd number of hex digits (7)"}},
		{"psk short base64", []string{"report", "--psk", "AAEG", pcap}, []string{"--psk: psk:", "too short for a key"}},
		{"srtp short salt", []string{"report", "--srtp", "0x88a14bfb=" + sampleMasterKey + ":b6c19b83", pcap}, []string{"--srtp: srtp:", "salt of 4 bytes fits no SRTP suite"}},
		{"srtp inline length", []string{"report", "--srtp", "*=inline:AAECAwQFBgcICQoLDA0ODw==", pcap}, []string{"--srtp: srtp:", "of 16 bytes fits no SRTP suite"}},
		{"tgk odd", []string{"report", "--tgk", "abc", pcap}, []string{"--tgk: tgk: odd number of hex digits"}},
		{"kms-kpak length", []string{"report", "--kms-kpak", "04aabb", pcap}, []string{"--kms-kpak: kms-kpak: 3 bytes"}},
		{"keys file extra word", []string{"report", "--keys", extra, pcap}, []string{extra + ":2: psk: unexpected word \"for-alice\""}},
		{"keys file odd", []string{"report", "--keys", odd, pcap}, []string{odd + ":3: psk: odd number of hex digits (7)"}},
		{"decode psk", []string{"decode", "--psk", "0011223", "AQAFAAAAAAEA"}, []string{"--psk: psk: odd number of hex digits"}},
		{"view psk", []string{"--psk", "zz", pcap}, []string{"--psk: psk:"}},
		{"missing key log", []string{"report", "--tls-keylog", filepath.Join(dir, "no.keylog"), pcap}, []string{"--tls-keylog: TLS key log: open ", "no such file"}},
	}
	for _, c := range cases {
		code, out, errs := runCmd("", c.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2\nstdout: %.300s\nstderr: %s", c.name, code, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, errs, w)
			}
		}
		if out != "" {
			t.Errorf("%s: a report was printed despite the bad key: %.200s", c.name, out)
		}
	}
}

// TestShortPSKWarns: a short PSK is accepted with a warning on stderr that
// names it by fingerprint, never by value.
func TestShortPSKWarns(t *testing.T) {
	code, _, errs := runCmd("", "report", "--psk", "00112233", sample("sip-udp-psk.pcap"))
	if code != 0 || !strings.Contains(errs, "warning: --psk: psk psk:") || !strings.Contains(errs, "4 bytes is unusually short") || strings.Contains(errs, "00112233") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestSuppliedKeyVerifiedNothing: a supplied key that verified nothing is
// listed as such, by fingerprint, in text and JSON; the one that verified
// lists its frames.
func TestSuppliedKeyVerifiedNothing(t *testing.T) {
	other := "00112233445566778899aabbccddeeff"
	code, out, errs := runCmd("", "report", "--psk", samplePSKHex, "--psk", other, sample("sip-udp-psk.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	otherFP := mikey.KindFingerprint("psk", mustHex(t, other))
	if !strings.Contains(out, otherFP+" (--psk) verified nothing") {
		t.Errorf("text report does not list the unused key:\n%s", out)
	}
	if strings.Contains(out, other) || strings.Contains(out, samplePSKHex) {
		t.Error("a key value was printed")
	}
	code, out, errs = runCmd("", "report", "--json", "--psk", samplePSKHex, "--psk", other, sample("sip-udp-psk.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Keys []struct {
			Fingerprint     string   `json:"fingerprint"`
			Kind            string   `json:"kind"`
			Source          string   `json:"source"`
			Verified        []uint64 `json:"verified_frames"`
			VerifiedNothing bool     `json:"verified_nothing"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var used, unused int
	for _, k := range doc.Keys {
		switch {
		case k.Kind == "psk" && k.VerifiedNothing && len(k.Verified) == 0:
			unused++
			if k.Fingerprint != otherFP {
				t.Errorf("unused key %s, want %s", k.Fingerprint, otherFP)
			}
		case k.Kind == "psk" && !k.VerifiedNothing && len(k.Verified) > 0:
			used++
		}
	}
	if used != 1 || unused != 1 {
		t.Errorf("keys %+v: want one that verified and one that verified nothing", doc.Keys)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
