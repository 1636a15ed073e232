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
	"github.com/mikeyscope/mikeyscope/internal/fuzzcap"
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
	rawsend.NeedRoot(t)
	frames := sampleFrames(t, "sip-udp-psk.pcap")
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
		var p capture.Packet
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

// sampleFrames reads the frames of a sample (copies).
func sampleFrames(t *testing.T, name string) [][]byte {
	t.Helper()
	frames, err := fuzzcap.ReadFrames(sample(name))
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

// runLiveReport runs mikeyscope with args in a child process, waits until
// started reports the capture open, sends frames on lo, stops the child with
// SIGINT and returns its stdout.
func runLiveReport(t *testing.T, args []string, started func() bool, frames [][]byte) []byte {
	t.Helper()
	return runLiveChild(t, args, started, frames).interrupt(t)
}

// runLiveChild starts mikeyscope with args in a child process, waits until
// started reports the capture open, sends frames on lo and leaves them
// half a second to arrive; the caller ends the child.
func runLiveChild(t *testing.T, args []string, started func() bool, frames [][]byte) *child {
	t.Helper()
	c := startChild(t, args)
	for start := time.Now(); !started(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the capture did not start: %s", c.stderr.String())
		}
	}
	if err := rawsend.SendAll("lo", frames); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	return c
}

// child is the command run in a child process (TestMain runs it).
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// startChild starts mikeyscope with args in a child process, killed when
// the test ends.
func startChild(t *testing.T, args []string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...)}
	c.cmd.Env = append(os.Environ(), "MIKEYSCOPE_TEST_RUN_MAIN=1")
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	return c
}

// interrupt ends the child with SIGINT, as a user ends a live capture,
// fails the test if it exits with a usage error (2) or cannot be waited
// for, and returns its stdout.
func (c *child) interrupt(t *testing.T) []byte {
	t.Helper()
	stdout, code := c.end(t)
	if code == 2 {
		t.Fatalf("report: exit status 2: %s", c.stderr.String())
	}
	return stdout
}

// end ends the child with SIGINT and returns its stdout and exit status
// (the test fails if it cannot be waited for).
func (c *child) end(t *testing.T) ([]byte, int) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGINT)
	if err := c.cmd.Wait(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("report: %v: %s", err, c.stderr.String())
		}
		return c.stdout.Bytes(), ee.ExitCode()
	}
	return c.stdout.Bytes(), 0
}
