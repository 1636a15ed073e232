package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteSecretsUsage: --w-secrets and the new -b options are usage
// errors (exit 2, nothing opened or written) where they cannot apply.
func TestWriteSecretsUsage(t *testing.T) {
	t.Setenv("SSLKEYLOGFILE", "")
	dir := t.TempDir()
	out := filepath.Join(dir, "live.pcapng")
	cases := []struct {
		args []string
		want string // in the error message
	}{
		{[]string{"report", "--w-secrets", sample("sip-udp-psk.pcap")}, "live capture"},
		{[]string{"report", "-i", "lo", "--w-secrets", "--tls-keylog", sample("rtsps/rtsps-tls13.keylog")}, "--w-secrets needs -w"},
		{[]string{"report", "-i", "lo", "-w", out, "--w-secrets"}, "needs a TLS key log"},
		{[]string{"report", "-i", "lo", "-w", out, "-b", "interval:0"}, "interval:0"},
		{[]string{"report", "-i", "lo", "-w", out, "-b", "printname:"}, "printname"},
		{[]string{"report", "-i", "lo", "-w", out, "-b", "interval:x"}, "interval:x"},
		// File names on stdout would corrupt the JSON, the JSON lines and
		// the UI's screen (found in review: they were printed there).
		{[]string{"report", "--json", "-i", "lo", "-w", out, "-b", "printname:stdout"}, "printname:stderr"},
		{[]string{"report", "--jsonl", "-i", "lo", "-w", out, "-b", "printname:-"}, "printname:stderr"},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 naming %q", c.args, code, stderr.String(), c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%q: %s written", c.args, out)
		}
	}
}

// TestPrintNameStdoutUI: the terminal UI refuses -b printname:stdout (the
// names would be drawn over its screen), before opening anything.
func TestPrintNameStdoutUI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "live.pcapng")
	var stdout, stderr bytes.Buffer
	if code := runUI([]string{"-i", "lo", "-w", out, "-b", "printname:stdout"}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "printname:stderr") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("%s written", out)
	}
}

// TestPrepareSameForAll: report, export and the UI check the shared flags
// in one function (reportOptions.prepare), so each wrong combination is
// the same usage error, with the same first error when two are wrong, in
// all three, before anything is opened.
func TestPrepareSameForAll(t *testing.T) {
	t.Setenv("SSLKEYLOGFILE", "")
	dir := t.TempDir()
	out := filepath.Join(dir, "live.pcapng")
	file := sample("sip-udp-psk.pcap")
	cases := []struct {
		args []string
		want string // the whole message after "mikeyscope[ CMD]: "
	}{
		{[]string{"-keys", filepath.Join(dir, "none.keys"), file}, ""}, // the keys store's own error
		{[]string{"--metrics", "127.0.0.1:0", file}, "--metrics needs a live source (-i IFACE or --hep-listen)"},
		{[]string{"--metrics", "127.0.0.1:0", "-w", out, file}, "--metrics needs a live source (-i IFACE or --hep-listen)"},
		{[]string{"-w", out, file}, "-f, -w, -b and --w-secrets apply to a live capture (-i IFACE)"},
		{[]string{"-f", "udp", file}, "-f, -w, -b and --w-secrets apply to a live capture (-i IFACE)"},
		{[]string{"-i", "lo", "--w-secrets"}, "--w-secrets needs -w FILE"},
		{[]string{"-i", "lo", "-w", out, "--w-secrets"}, "--w-secrets needs a TLS key log (--tls-keylog FILE, a keys file's tls-keylog line, or SSLKEYLOGFILE)"},
	}
	for _, c := range cases {
		var msgs []string
		for _, cmd := range []string{"report", "export", "ui"} {
			var stdout, stderr bytes.Buffer
			var code int
			switch cmd {
			case "report":
				code = runReport(c.args, nil, &stdout, &stderr)
			case "export":
				code = runExport(append([]string{"--out", filepath.Join(dir, "export")}, c.args...), nil, &stdout, &stderr)
			case "ui":
				code = runUI(c.args, nil, &stdout, &stderr)
			}
			_, msg, _ := strings.Cut(strings.TrimSuffix(stderr.String(), "\n"), ": ")
			if code != 2 || (c.want != "" && msg != c.want) {
				t.Errorf("%s %q: exit %d, stderr %q; want 2 and %q", cmd, c.args, code, stderr.String(), c.want)
			}
			msgs = append(msgs, msg)
		}
		if msgs[0] != msgs[1] || msgs[0] != msgs[2] {
			t.Errorf("%q: report, export and the UI differ: %q", c.args, msgs)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%q: %s written", c.args, out)
		}
	}
}

// TestCheckPrintName: -b printname:stdout is refused only where stdout
// carries something else.
func TestCheckPrintName(t *testing.T) {
	for _, c := range []struct {
		printName, stdoutUse string
		refused              bool
	}{
		{"stdout", "the JSON", true},
		{"-", "the terminal UI", true},
		{"stdout", "", false},
		{"stderr", "the JSON", false},
		{"names.txt", "the JSON", false},
		{"", "the JSON", false},
	} {
		var o reportOptions
		o.ring.opts.PrintName = c.printName
		err := o.checkPrintName(c.stdoutUse)
		if (err != nil) != c.refused || (err != nil && !strings.Contains(err.Error(), c.stdoutUse)) {
			t.Errorf("printname:%s, stdout %q: %v", c.printName, c.stdoutUse, err)
		}
	}
}
