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
