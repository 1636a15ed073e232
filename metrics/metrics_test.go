package metrics

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
)

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServe: the exposition of a collector over changing counters passes
// promtool, names follow the conventions, and a counter that the model
// lowers (a dropped session, a verdict that changed) is not lowered.
func TestServe(t *testing.T) {
	n := analysis.Counters{Frames: 10, SessionsSeen: 3, Sessions: map[analysis.KeyStatus]int{"verified": 2, "no-key": 1},
		MIKEY:    map[[2]string]int{{"PSK", "no-key"}: 2, {"PSK", "verified"}: 4},
		Packets:  map[[2]string]uint64{{"srtp", "decrypted"}: 200, {"srtcp", "authenticated"}: 4},
		Findings: map[[2]string]int{{"srtp.auth-failed", "error"}: 7}, SessionsActive: 1, StreamsActive: 4}
	c := NewCollector(Inputs{
		Counters: func() analysis.Counters { return n },
		Sources: func() []capture.SourceStat {
			return []capture.SourceStat{{Name: "live:eth0", Frames: 10, Bytes: 1000, Dropped: 2}, {Name: "hep:udp:0.0.0.0:9060", Frames: 3}}
		},
		HEP:   new(capture.HEPStats),
		Write: func() capture.WriteStats { return capture.WriteStats{Written: 57, NotWritten: 154} },
	})
	s, err := Serve("127.0.0.1:0", c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url := "http://" + s.Addr() + "/metrics"
	text := get(t, url)
	for _, want := range []string{
		`mikeyscope_frames_total{source="live:eth0"} 10`,
		`mikeyscope_kernel_drops_total{source="live:eth0"} 2`,
		`mikeyscope_mikey_messages_total{mode="PSK",verdict="verified"} 4`,
		`mikeyscope_media_packets_total{kind="srtp",result="decrypted"} 200`,
		`mikeyscope_findings_total{code="srtp.auth-failed",severity="error"} 7`,
		`mikeyscope_sessions{status="verified"} 2`,
		`mikeyscope_streams_in_progress 4`,
		`mikeyscope_write_frames_total{result="written"} 57`,
		`mikeyscope_write_frames_total{result="not_written"} 154`,
		"# TYPE mikeyscope_write_frames_total counter",
		"# TYPE mikeyscope_sessions_total counter",
		"# TYPE mikeyscope_sessions gauge",
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %q", want)
		}
	}
	// A key added at run time moves messages from no-key to verified; a
	// dropped session takes its findings along.
	n.MIKEY = map[[2]string]int{{"PSK", "verified"}: 6}
	n.Findings = map[[2]string]int{{"srtp.auth-failed", "error"}: 3}
	n.Sessions = map[analysis.KeyStatus]int{"verified": 3}
	text = get(t, url)
	for _, want := range []string{
		`mikeyscope_mikey_messages_total{mode="PSK",verdict="no-key"} 2`,
		`mikeyscope_mikey_messages_total{mode="PSK",verdict="verified"} 6`,
		`mikeyscope_findings_total{code="srtp.auth-failed",severity="error"} 7`,
		`mikeyscope_sessions{status="verified"} 3`,
		`mikeyscope_sessions{status="no-key"} 0`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("after the change: missing %q", want)
		}
	}
	promtoolCheck(t, text)
}

// TestREADMEScrapeConfig: the scrape config the README shows is a valid
// Prometheus configuration (promtool check config).
func TestREADMEScrapeConfig(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (apt-get install -y prometheus)")
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "scrape_configs:") {
			cfg = line + "\n"
		}
	}
	if !strings.Contains(cfg, "9464") {
		t.Fatal("no scrape config line in the README")
	}
	f := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(f, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "config", f).CombinedOutput(); err != nil {
		t.Errorf("promtool check config: %v\n%s", err, out)
	}
}
