package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// TestHelpAndUnknownSubcommand (issue 17 item 8): --help is not an error;
// a word that is neither a subcommand nor a file is said to be an unknown
// subcommand; a real file of such a name still opens.
func TestHelpAndUnknownSubcommand(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		code, out, errs := runCmd("", arg)
		if code != 0 || !strings.Contains(out, "usage: mikeyscope") || errs != "" {
			t.Errorf("%s: exit %d, stdout %.80q, stderr %q", arg, code, out, errs)
		}
	}
	if code, _, errs := runCmd(""); code != 2 || !strings.Contains(errs, "usage:") {
		t.Errorf("no arguments: exit %d, stderr %q", code, errs)
	}
	code, out, errs := runCmd("", "reprot", sample("sip-udp-psk.pcap"))
	if code != 2 || out != "" || !strings.Contains(errs, `unknown subcommand "reprot"`) || !strings.Contains(errs, "decode, export, report") {
		t.Errorf("reprot: exit %d, stdout %.80q, stderr %q", code, out, errs)
	}
	// A capture file named like a word opens as before.
	dir := t.TempDir()
	data, err := os.ReadFile(sample("sip-udp-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "capture"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	code, out, errs = runCmd("", "capture")
	if code != 0 || !strings.Contains(out, "mikeyscope report: capture") {
		t.Errorf("a file named capture: exit %d, stdout %.200q, stderr %q", code, out, errs)
	}
	// A missing file with an extension is a missing file, as before.
	if code, _, errs := runCmd("", "nosuch.pcap"); code != 2 || !strings.Contains(errs, "no such file") {
		t.Errorf("nosuch.pcap: exit %d, stderr %q", code, errs)
	}
}

// TestReportTreeText: report --tree prints the field trees in text too.
func TestReportTreeText(t *testing.T) {
	code, out, errs := runCmd("", "report", "--tree", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"      MIKEY message: Pre-shared [0 +184]",
		"        HDR: Common header payload [0 +28]",
		"          CSB ID: 0x4b521729 [4 +4]",
		"      MIKEY message: PSK ver msg",
	} {
		if !strings.Contains(out, want+"\n") && !strings.Contains(out, want) {
			t.Errorf("text report with --tree lacks %q", want)
		}
	}
	if _, plain, _ := runCmd("", "report", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap")); strings.Contains(plain, "HDR: Common header payload") {
		t.Error("the tree is printed without --tree")
	}
}

// TestReportAcrossDays (issue 17 item 8): on a capture of two calls five
// days apart (made with the sample generator's call builder) the text
// report writes dates with its times and the span in days, hours, minutes
// and seconds; every SIP session names its Call-ID and final response
// (text and JSON).
func TestReportAcrossDays(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	later := t0.Add(120*time.Hour + 56*time.Minute + 37380*time.Millisecond)
	path := filepath.Join(t.TempDir(), "days.pcap")
	if err := scenario.WritePcap(path, []scenario.SIPCallSpec{scenario.NumberedCall(0, t0, 5), scenario.NumberedCall(1, later, 5)}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("", "report", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		", 2026-11-02 10:00:00.000 to 2026-11-07 ",
		"(5d 0h 56m 3",
		"Call-ID call1@example.com; final response 200 OK",
		"Call-ID call2@example.com; final response 200 OK",
		"  2026-11-07 10:56:37.380 to 2026-11-07 ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "120h") {
		t.Errorf("a duration in hours:\n%s", out)
	}
	_, js, _ := runCmd("", "report", "--json", path)
	var doc struct {
		Sessions []struct {
			Key         string `json:"key"`
			FinalStatus string `json:"final_status"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Sessions) != 2 || doc.Sessions[0].FinalStatus != "200 OK" || doc.Sessions[1].FinalStatus != "200 OK" {
		t.Errorf("JSON sessions %+v", doc.Sessions)
	}
}
