package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// TestExportRetiresFinishedCalls: export retires finished calls as report
// does (they leave memory during the pass) and still writes every packet
// of every call: on a series of calls that end one after the other, each
// stream's pcap holds all its packets, decrypted, and decrypted.pcapng
// every frame.
func TestExportRetiresFinishedCalls(t *testing.T) {
	const n = 40
	dir := t.TempDir()
	if _, err := scenario.WriteSeriesFiles(dir, "series", n, scenario.SeriesShape{Packets: 3, Spacing: time.Second, Name: "series"}); err != nil {
		t.Fatal(err)
	}
	pcap, keyFile := filepath.Join(dir, "series.pcap"), filepath.Join(dir, "series.keys")
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runCmd("", "export", "--keys", keyFile, "--out", out, pcap)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, stderr)
	}
	rtp, rtcp := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		f := strings.Fields(line)
		switch {
		case f[0] == "pcap" && strings.Contains(f[2], "/rtp-"):
			rtp++
			if f[3] != "3" {
				t.Errorf("RTP stream file with %s packets: %s", f[3], line)
			}
		case f[0] == "pcap" && strings.Contains(f[2], "/rtcp-"):
			rtcp++
			if f[3] != "1" {
				t.Errorf("RTCP stream file with %s packets: %s", f[3], line)
			}
		}
	}
	if rtp != 2*n || rtcp != 2*n {
		t.Errorf("%d RTP and %d RTCP stream files, want %d each:\n%s", rtp, rtcp, 2*n, stdout)
	}
	_, rep, _ := runCmd("", "report", "--keys", keyFile, pcap)
	frames := ""
	for _, line := range strings.Split(rep, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == "frames," {
			frames = f[0]
		}
	}
	// decrypted.pcapng writes a reassembled message as one frame: the
	// series' fragmented INVITEs (3 fragments, every tenth call) and its
	// TCP INVITEs in 2 segments (every tenth) make 3 frames fewer for
	// every ten calls (main before retirement wrote the same files).
	nf, err := strconv.Atoi(frames)
	if err != nil {
		t.Fatalf("report's frames %q: %v", frames, err)
	}
	if want := fmt.Sprintf("decrypted.pcapng  %d frames", nf-3*n/10); !strings.Contains(stdout, want) {
		t.Errorf("want %q (the capture has %d frames):\n%s", want, nf, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "decrypted.pcapng")); err != nil {
		t.Error(err)
	}
}
