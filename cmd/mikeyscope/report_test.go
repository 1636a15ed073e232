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
		{"json lines", []string{"report", "--jsonl", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap")}, 0},
		{"indented json", []string{"report", "--json", "--pretty", sample("sip-udp-psk.pcap")}, 0},
		{"json and json lines", []string{"report", "--json", "--jsonl", sample("sip-udp-psk.pcap")}, 2},
		{"pretty without json", []string{"report", "--pretty", sample("sip-udp-psk.pcap")}, 2},
		{"zero idle timeout", []string{"report", "--idle-timeout", "0s", sample("sip-udp-psk.pcap")}, 2},
		{"bad idle timeout", []string{"report", "--idle-timeout", "soon", sample("sip-udp-psk.pcap")}, 2},
		{"zero max sessions", []string{"report", "--max-sessions", "0", sample("sip-udp-psk.pcap")}, 2},
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

// TestReportJSONForms: report --json is one compact line, --json --pretty
// the same document indented, and --jsonl the same sessions as lines with
// a summary last.
func TestReportJSONForms(t *testing.T) {
	args := []string{"--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap")}
	_, compact, _ := runCmd("", append([]string{"report", "--json"}, args...)...)
	_, pretty, _ := runCmd("", append([]string{"report", "--json", "--pretty"}, args...)...)
	_, lines, _ := runCmd("", append([]string{"report", "--jsonl"}, args...)...)
	if strings.Count(compact, "\n") != 1 || !strings.HasPrefix(pretty, "{\n  \"schema\"") {
		t.Fatalf("compact %d lines, pretty starts %.20q", strings.Count(compact, "\n"), pretty)
	}
	var a, b map[string]any
	if err := json.Unmarshal([]byte(compact), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(pretty), &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("--json and --json --pretty hold different documents")
	}
	all := strings.Split(strings.TrimSpace(lines), "\n")
	types := map[string]int{}
	for _, l := range all {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		types[m["type"].(string)]++
	}
	if types["session"] != len(a["sessions"].([]any)) || types["finding"] != len(a["findings"].([]any)) || types["summary"] != 1 ||
		!strings.Contains(all[len(all)-1], `"type":"summary"`) {
		t.Errorf("line types %v for %d sessions and %d findings", types, len(a["sessions"].([]any)), len(a["findings"].([]any)))
	}
}

// TestReportWithoutSpoolFile: when no spool file can be made, the report
// keeps every session in memory and is the same report.
func TestReportWithoutSpoolFile(t *testing.T) {
	args := []string{"report", "--json", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap")}
	code, want, _ := runCmd("", args...)
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	code2, got, errs := runCmd("", args...)
	if code != 0 || code2 != 0 || got != want || !strings.Contains(errs, "finished sessions stay in memory") {
		t.Fatalf("exit %d/%d, same %v, stderr %q", code, code2, got == want, errs)
	}
}
