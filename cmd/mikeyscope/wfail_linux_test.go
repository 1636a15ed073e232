//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/rawsend"
	"github.com/mikeyscope/mikeyscope/internal/tmpfs"
)

// writeReport is what the -w failure tests read of a JSON report.
type writeReport struct {
	Summary struct {
		Frames uint64 `json:"frames"`
		Write  *struct {
			Written    uint64 `json:"frames_written"`
			NotWritten uint64 `json:"frames_not_written"`
			Failure    string `json:"failure"`
			First      uint64 `json:"first_frame_not_written"`
		} `json:"capture_write"`
	} `json:"summary"`
	Sessions []struct {
		Key       string `json:"key"`
		KeyStatus string `json:"key_status"`
		Streams   []struct {
			Packets   uint64 `json:"packets"`
			Decrypted uint64 `json:"decrypted"`
		} `json:"streams"`
	} `json:"sessions"`
	Findings []struct {
		Code    string `json:"code"`
		Frame   uint64 `json:"frame"`
		Summary string `json:"summary"`
	} `json:"findings"`
}

// sessionsOf lists a report's sessions with their key status and the
// packets and decrypted packets of each stream.
func (r *writeReport) sessionsOf() string {
	var b strings.Builder
	for _, s := range r.Sessions {
		fmt.Fprintf(&b, "%s %s", s.Key, s.KeyStatus)
		for _, st := range s.Streams {
			fmt.Fprintf(&b, " %d/%d", st.Decrypted, st.Packets)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestLiveReportWriteENOSPC: `report --json -i lo -w DIR/live.pcapng`
// with DIR a 16 KiB tmpfs (a private mount, in a private network
// namespace) while a 211-frame call
// (52 KB) goes over lo: the disk fills mid-call. One stderr line names
// the file and ENOSPC and the frame from which nothing is written; the
// report still has the whole call (its sessions, verdicts and decrypted
// streams equal the report of the sample file), a capture.write-failed
// error at that frame, summary.capture_write counts frames written and
// not written (adding up to the frames captured); the exit status is 2;
// the file holds the frames written, and capinfos reads it whole.
func TestLiveReportWriteENOSPC(t *testing.T) {
	rawsend.NeedRoot(t)
	dir, inside := tmpfs.RunNetns(t, "size=16k")
	if !inside {
		return
	}
	frames := sampleFrames(t, "sip-udp-psk.pcap")
	// The reference: the sample file's report.
	code, fileOut, _ := runCmd("", "report", "--json", "--keys", sample("sip-udp-psk.keys"), sample("sip-udp-psk.pcap"))
	var want writeReport
	if code != 0 || json.Unmarshal([]byte(fileOut), &want) != nil {
		t.Fatalf("report of the file: %d %s", code, fileOut)
	}
	// lo of a network namespace of the test's own: only its packets.
	const filter = "udp"
	name := filepath.Join(dir, "live.pcapng")
	c := runLiveChild(t, []string{"report", "--json", "--keys", sample("sip-udp-psk.keys"), "-i", "lo", "-f", filter, "-w", name}, func() bool {
		_, err := os.Stat(name)
		return err == nil
	}, frames)
	stdout, code := c.end(t)
	stderr := c.stderr.Bytes()
	var got writeReport
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("report: %v: %s", err, stdout)
	}
	w := got.Summary.Write
	if code != 2 || w == nil {
		t.Fatalf("exit status %d (want 2), summary.capture_write %+v; stderr %s", code, w, stderr)
	}
	if got.Summary.Frames != uint64(len(frames)) || w.Written+w.NotWritten != got.Summary.Frames ||
		w.NotWritten == 0 || w.First != w.Written+1 || !strings.Contains(w.Failure, "no space left on device") {
		t.Errorf("%d frames sent; summary %d frames, capture_write %+v", len(frames), got.Summary.Frames, *w)
	}
	t.Logf("exit status %d, capture_write %+v; stderr:\n%s", code, *w, stderr)
	line := regexp.MustCompile(`(?m)^mikeyscope: -w (\S+): no space left on device; frames from (\d+) on are not written \(the capture and its analysis go on\)$`)
	m := line.FindAllSubmatch(stderr, -1)
	if len(m) != 1 || string(m[0][1]) != name || string(m[0][2]) != strconv.FormatUint(w.First, 10) {
		t.Errorf("stderr, want one line naming %s and frame %d:\n%s", name, w.First, stderr)
	}
	var failed int
	for _, f := range got.Findings {
		if f.Code == "capture.write-failed" {
			failed++
			if f.Frame != w.First || !strings.Contains(f.Summary, fmt.Sprintf("frame %d and every later frame", w.First)) {
				t.Errorf("finding at frame %d: %s; want frame %d", f.Frame, f.Summary, w.First)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d capture.write-failed findings, want 1", failed)
	}
	if g, w := got.sessionsOf(), want.sessionsOf(); g != w || len(got.Sessions) == 0 {
		t.Errorf("live report's sessions:\n%s\nthe file's:\n%s", g, w)
	}
	if capinfos, err := exec.LookPath("capinfos"); err == nil {
		out, err := exec.Command(capinfos, "-c", "-M", name).CombinedOutput()
		if err != nil || !regexp.MustCompile(`Number of packets:\s+`+strconv.FormatUint(w.Written, 10)+`\n`).Match(out) {
			t.Errorf("capinfos %s (want %d packets): %v\n%s", name, w.Written, err, out)
		}
	}
}

// TestExportFullDisk: `export --out DIR` with DIR a 16 KiB tmpfs (a
// private mount) fills it: the command says which file could not be
// written and why, in one line, and exits 2.
func TestExportFullDisk(t *testing.T) {
	dir, inside := tmpfs.Run(t, "size=16k")
	if !inside {
		return
	}
	code, stdout, stderr := runCmd("", "export", "--keys", sample("sip-udp-psk.keys"), "--out", dir, sample("sip-udp-psk.pcap"))
	t.Logf("exit status %d; stdout %q; stderr %q", code, stdout, stderr)
	line := regexp.MustCompile(`^mikeyscope export: (?:write )?` + regexp.QuoteMeta(dir) + `/\S+: no space left on device\n$`)
	if code != 2 || !line.MatchString(stderr) {
		t.Errorf("exit status %d, stderr %q: want 2 and one line naming the file under %s and ENOSPC", code, stderr, dir)
	}
}
