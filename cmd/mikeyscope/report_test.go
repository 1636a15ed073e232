package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	samplePSKHex = "5980fbf6885355e10d042e18c92f084ce523ae86" // samples/sip-udp-psk.keys
	// The master key and salt of SSRC 0x88a14bfb in that sample (the
	// generator's own values, listed as comments in its keys file).
	sampleMasterKey  = "a91bc9a3492799975d54e3cb347be13a"
	sampleMasterSalt = "b6c19b83d38eec6d05937eebef7a"
	// The TGK the PSK opens from the sample's KEMAC (its keys file comment).
	sampleTGK = "b00575ac32fe6d5100cfdc7a45c96002"
)

func sample(name string) string { return filepath.Join("..", "..", "samples", name) }

func TestReportExitStatus(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"clean sample with its keys", []string{"report", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap")}, 0},
		{"flags after the file", []string{"report", sample("sip-udp-psk.pcap"), "--keys", sample("sip-udp-psk.keys"), "--json"}, 0},
		{"no key: warnings only", []string{"report", sample("sip-udp-psk.pcap")}, 0},
		{"no key, fail on warning", []string{"report", "--fail-on", "warning", sample("sip-udp-psk.pcap")}, 1},
		{"another call's PSK is a warning", []string{"report", "--psk", "00112233445566778899aabbccddeeff", sample("sip-udp-psk.pcap")}, 0},
		{"wrong PSK bound to the caller is an error", []string{"report", "--psk", "sip:alice@example.com=00112233445566778899aabbccddeeff", sample("sip-udp-psk.pcap")}, 1},
		{"wrong bound PSK, fail on none", []string{"report", "--fail-on", "none", "--psk", "sip:alice@example.com=00112233445566778899aabbccddeeff", sample("sip-udp-psk.pcap")}, 0},
		{"missing file", []string{"report", "no-such-file.pcap"}, 2},
		{"no file", []string{"report"}, 2},
		{"bad severity", []string{"report", "--fail-on", "fatal", sample("sip-udp-psk.pcap")}, 2},
		{"bad key", []string{"report", "--psk", "xyz!", sample("sip-udp-psk.pcap")}, 2},
	}
	for _, c := range cases {
		code, out, errs := runCmd("", c.args...)
		if code != c.want {
			t.Errorf("%s: exit %d, want %d\nstdout: %.400s\nstderr: %s", c.name, code, c.want, out, errs)
		}
	}
}

func TestReportJSONDocument(t *testing.T) {
	code, out, errs := runCmd("", "report", "--json", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Schema   string `json:"schema"`
		Sessions []struct {
			Carrier string `json:"carrier"`
			MIKEY   []struct {
				Frame    uint64 `json:"frame"`
				DataType string `json:"data_type"`
				CSBID    string `json:"csb_id"`
				Auth     string `json:"auth"`
			} `json:"mikey"`
			Streams []struct {
				SSRC          string `json:"ssrc"`
				Packets       uint64 `json:"packets"`
				Authenticated uint64 `json:"authenticated"`
				AuthFailed    uint64 `json:"auth_failed"`
				Decrypted     uint64 `json:"decrypted"`
			} `json:"streams"`
		} `json:"sessions"`
		Findings []any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "mikeyscope.report/v1" || len(doc.Sessions) != 1 || doc.Sessions[0].Carrier != "sip" {
		t.Fatalf("unexpected document: %+v", doc)
	}
	s := doc.Sessions[0]
	if len(s.MIKEY) != 2 || s.MIKEY[0].Frame != 1 || s.MIKEY[1].Frame != 4 || s.MIKEY[0].Auth != "verified" || s.MIKEY[1].Auth != "verified" || s.MIKEY[0].CSBID != "0x4b521729" {
		t.Errorf("mikey = %+v", s.MIKEY)
	}
	if len(s.Streams) != 4 {
		t.Fatalf("streams = %d", len(s.Streams))
	}
	for _, st := range s.Streams {
		if st.Packets == 0 || st.Authenticated != st.Packets || st.Decrypted != st.Packets || st.AuthFailed != 0 {
			t.Errorf("stream %+v", st)
		}
	}
	if doc.Findings == nil || len(doc.Findings) != 0 {
		t.Errorf("findings = %v, want []", doc.Findings)
	}
}

// TestSecretsNotPrinted greps every output (text and JSON report, decode,
// export listing and files) for the supplied key and the derived keys, in
// hex and base64: they must appear only with --show-keys.
func TestSecretsNotPrinted(t *testing.T) {
	psk, _ := hex.DecodeString(samplePSKHex)
	mk, _ := hex.DecodeString(sampleMasterKey)
	ms, _ := hex.DecodeString(sampleMasterSalt)
	tgk, _ := hex.DecodeString(sampleTGK)
	secrets := []string{samplePSKHex, strings.ToUpper(samplePSKHex), base64.StdEncoding.EncodeToString(psk), sampleMasterKey, sampleMasterSalt,
		base64.StdEncoding.EncodeToString(mk), base64.StdEncoding.EncodeToString(ms), sampleTGK, base64.StdEncoding.EncodeToString(tgk)}
	check := func(what, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains key material %s", what, s[:8])
			}
		}
	}
	keysArgs := []string{"--keys", sample("sip-udp-psk.keys"), "--psk", samplePSKHex}
	for _, args := range [][]string{
		append(append([]string{"report"}, keysArgs...), sample("sip-udp-psk.pcap")),
		append(append([]string{"report", "-v"}, keysArgs...), sample("sip-udp-psk.pcap")),
		append(append([]string{"report", "--json", "--tree"}, keysArgs...), sample("sip-udp-psk.pcap")),
	} {
		_, out, errs := runCmd("", args...)
		check(strings.Join(args[:2], " ")+" stdout", out)
		check(strings.Join(args[:2], " ")+" stderr", errs)
	}
	for _, args := range [][]string{
		{"decode", "--psk", samplePSKHex, samplePSKInit},
		{"decode", "--json", "--psk", samplePSKHex, samplePSKInit},
	} {
		_, out, errs := runCmd("", args...)
		check(strings.Join(args[:2], " ")+" stdout", out)
		check(strings.Join(args[:2], " ")+" stderr", errs)
	}
	dir := t.TempDir()
	_, out, errs := runCmd("", append(append([]string{"export", "--out", dir}, keysArgs...), sample("sip-udp-psk.pcap"))...)
	check("export stdout", out)
	check("export stderr", errs)
	files, _ := os.ReadDir(dir)
	if len(files) == 0 {
		t.Fatal("export wrote nothing")
	}
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(dir, f.Name()))
		check("exported "+f.Name(), string(b))
		for _, raw := range [][]byte{psk, mk, ms} {
			if strings.Contains(string(b), string(raw)) {
				t.Errorf("exported %s contains raw key bytes", f.Name())
			}
		}
	}
	// With --show-keys the derived keys are printed.
	_, out, _ = runCmd("", append(append([]string{"report", "--show-keys"}, keysArgs...), sample("sip-udp-psk.pcap"))...)
	if !strings.Contains(out, sampleMasterKey) || !strings.Contains(out, sampleMasterSalt) {
		t.Errorf("--show-keys does not print the derived master key and salt:\n%s", out)
	}
}

// samplePSKInit is the MIKEY-PSK initiator message of samples/sip-udp-psk.pcap
// (frame 1, from its manifest).
const samplePSKInit = "AQAFgEtSFykCAACIoUv7AAAAAAC+u6REAAAAAAsA7pLdoAAAAAAGEJnI/8RLt5i/e1IQhORcK5MGAQAVc2lwOmFsaWNlQGV4YW1wbGUuY29tCgEAE3NpcDpib2JAZXhhbXBsZS5jb20BAAAAHgABAQEBEAIBAQMBFAQBDgUBAAcBAQgBAQoBAQsBCgABABS0ip3FgecAHPJfDmyz2N5gz4SpDgE9f/d2noJkLI7aqdY/tRyVAshPbQ=="

// TestDecodeWithKeys: decode verifies the MAC with the PSK and prints each
// crypto session's master key by the fingerprint the sample generator
// recorded (its own derivation), the key itself only with --show-keys; a
// wrong PSK fails and yields no keys.
func TestDecodeWithKeys(t *testing.T) {
	code, out, errs := runCmd("", "decode", "--psk", samplePSKHex, samplePSKInit)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Auth: verified with psk:", "CS 1: SSRC 0x88a14bfb, ROC 0, policy 0, master key key:b48ea931, master salt salt:72599bf6",
		"CS 2: SSRC 0xbebba444, ROC 0, policy 0, master key key:63dcd44b, master salt salt:234e61f1", "Decrypted key data"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, sampleMasterKey) || strings.Contains(out, samplePSKHex) {
		t.Error("key material printed without --show-keys")
	}
	_, out, _ = runCmd("", "decode", "--show-keys", "--psk", samplePSKHex, samplePSKInit)
	if !strings.Contains(out, "master key "+sampleMasterKey+", master salt "+sampleMasterSalt) {
		t.Errorf("--show-keys: master key not shown:\n%s", out)
	}
	_, out, _ = runCmd("", "decode", "--json", "--psk", "00112233445566778899aabbccddeeff", samplePSKInit)
	var doc struct {
		Verification struct {
			Auth     string `json:"auth"`
			Sessions []any  `json:"crypto_sessions"`
		} `json:"verification"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Verification.Auth != "failed" || len(doc.Verification.Sessions) != 0 {
		t.Errorf("wrong PSK: %+v", doc.Verification)
	}
}
