//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/internal/rawsend"
)

// TestMain lets a test run the command in a child process (the live
// capture ends on SIGINT, which the test must not receive itself).
func TestMain(m *testing.M) {
	if os.Getenv("MIKEYSCOPE_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestLiveReportWritesRing: `report --json -i lo -f ... -w DIR/live.pcapng
// -b filesize:10 -b files:3` on a call written onto lo, ended with SIGINT:
// the report has every frame and the kernel's counters (nothing dropped),
// and the ring holds the last three files, named as dumpcap names them,
// which tshark opens and which hold the last frames of the call.
func TestLiveReportWritesRing(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (CAP_NET_RAW) to open AF_PACKET sockets on lo")
	}
	src, err := capture.OpenFiles(sample("sip-udp-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var frames [][]byte
	var p capture.Packet
	for src.Next(&p) == nil {
		frames = append(frames, append([]byte(nil), p.Data...))
	}
	src.Close()
	filter, err := rawsend.OwnAddresses(frames, os.Getpid()+1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	stdout := runLiveReport(t, []string{"report", "--json", "-i", "lo", "-f", filter,
		"-w", filepath.Join(dir, "live.pcapng"), "-b", "filesize:10", "-b", "files:3"}, func() bool {
		// The first ring file appears once the capture is open.
		m, _ := filepath.Glob(filepath.Join(dir, "live_00001_*.pcapng"))
		return len(m) == 1
	}, frames)
	var rep struct {
		Summary struct {
			Frames uint64 `json:"frames"`
			Live   *struct {
				Received uint64 `json:"kernel_received"`
				Dropped  uint64 `json:"kernel_dropped"`
			} `json:"live_capture"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(stdout, &rep); err != nil {
		t.Fatalf("report: %v: %s", err, stdout)
	}
	if rep.Summary.Frames != uint64(len(frames)) || rep.Summary.Live == nil || rep.Summary.Live.Received != uint64(len(frames)) || rep.Summary.Live.Dropped != 0 {
		t.Errorf("report: %d frames, kernel %+v; sent %d", rep.Summary.Frames, rep.Summary.Live, len(frames))
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	sort.Strings(names)
	re := regexp.MustCompile(`/live_\d{5}_\d{14}\.pcapng$`)
	if len(names) != 3 {
		t.Fatalf("ring files %v, want the last 3", names)
	}
	var kept [][]byte
	for _, n := range names {
		if !re.MatchString(n) {
			t.Errorf("file %s is not named as dumpcap names ring files", n)
		}
		s, err := capture.OpenFiles(n)
		if err != nil {
			t.Fatal(err)
		}
		for {
			err := s.Next(&p)
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			kept = append(kept, append([]byte(nil), p.Data...))
		}
		s.Close()
		if tshark, err := exec.LookPath("tshark"); err == nil {
			if out, err := exec.Command(tshark, "-r", n, "-T", "fields", "-e", "frame.number").Output(); err != nil {
				t.Errorf("tshark -r %s: %v", n, err)
			} else if len(strings.Fields(string(out))) == 0 {
				t.Errorf("tshark reads no packet from %s", n)
			}
		}
	}
	if len(kept) == 0 || len(kept) >= len(frames) {
		t.Fatalf("the kept files hold %d of %d frames", len(kept), len(frames))
	}
	tail := frames[len(frames)-len(kept):]
	for i := range kept {
		if !bytes.Equal(kept[i], tail[i]) {
			t.Fatalf("kept frame %d differs from frame %d sent", i+1, len(frames)-len(kept)+i+1)
		}
	}
}

// runLiveReport runs mikeyscope with args in a child process, waits until
// started reports the capture open, sends frames on lo, stops the child with
// SIGINT and returns its stdout.
func runLiveReport(t *testing.T, args []string, started func() bool, frames [][]byte) []byte {
	t.Helper()
	stdout, stderr, code := runLive(t, args, started, frames)
	if code == 2 {
		t.Fatalf("report: exit status 2: %s", stderr)
	}
	return stdout
}

// runLive is runLiveReport returning stderr and the exit status as well.
func runLive(t *testing.T, args []string, started func() bool, frames [][]byte) (stdout, stderr []byte, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MIKEYSCOPE_TEST_RUN_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for start := time.Now(); !started(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the capture did not start: %s", errOut.String())
		}
	}
	tx, err := rawsend.Open("lo")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	for _, f := range frames {
		if err := tx.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("report: %v: %s", err, errOut.String())
		}
		code = ee.ExitCode()
	}
	return out.Bytes(), errOut.Bytes(), code
}
