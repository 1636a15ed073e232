//go:build linux

package capture

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/tmpfs"
)

// teeAll reads a sample through Tee into w to its end, returning the
// frames read and the failures its handler was told.
func teeAll(t *testing.T, sample string, w *PcapngWriter) ([]Packet, []WriteFailure) {
	t.Helper()
	src, err := OpenFiles(sample)
	if err != nil {
		t.Fatal(err)
	}
	tee := Tee(src, w)
	var told []WriteFailure
	tee.(WriteReporter).OnWriteFailure(func(f WriteFailure) { told = append(told, f) })
	pkts, err := readAll(t, tee)
	if err != nil {
		t.Fatal(err)
	}
	tee.(WriteReporter).FlushWrites()
	tee.Close()
	return pkts, told
}

// TestWriteDevFull: -w /dev/full fails (ENOSPC) at the first packet,
// written at once; the handler is told once, with frame 1, and every
// frame is counted as not written.
func TestWriteDevFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	w, err := CreatePcapng("/dev/full", RingOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pkts, told := teeAll(t, "../samples/sip-udp-psk.pcap", w)
	if len(told) != 1 {
		t.Fatalf("told %d failures %v, want 1", len(told), told)
	}
	f := told[0]
	if !errors.Is(&f, syscall.ENOSPC) || f.File != "/dev/full" || f.Op != "write" || f.Frame != 1 {
		t.Errorf("failure %+v (%v), want ENOSPC on /dev/full at frame 1", f, &f)
	}
	if f.Error() != "-w /dev/full: no space left on device" {
		t.Errorf("failure says %q", f.Error())
	}
	st := w.Stats()
	if st.Written != 0 || st.NotWritten != uint64(len(pkts)) {
		t.Errorf("written %d, not written %d; %d frames", st.Written, st.NotWritten, len(pkts))
	}
	if err := w.Close(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Close: %v, want ENOSPC", err)
	}
}

// TestWriteENOSPCTmpfs: -w into a 64 KiB tmpfs (a private mount) with a
// 181 KB capture: the write that fills it fails with ENOSPC mid-run; the
// file is cut back to its last whole block, so capinfos and tshark
// (independent readers) read it whole, holding exactly the frames before
// the one the failure names, byte for byte; the rest are counted.
func TestWriteENOSPCTmpfs(t *testing.T) {
	dir, inside := tmpfs.Run(t, "size=64k")
	if !inside {
		return
	}
	name := filepath.Join(dir, "live.pcapng")
	w, err := CreatePcapng(name, RingOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pkts, told := teeAll(t, "../samples/rtsp-rekey.pcap", w)
	if len(told) != 1 {
		t.Fatalf("told %d failures %v, want 1", len(told), told)
	}
	f := told[0]
	if !errors.Is(&f, syscall.ENOSPC) || f.File != name || f.Op != "write" {
		t.Fatalf("failure %+v, want ENOSPC on %s", f, name)
	}
	st := w.Stats()
	if f.Frame < 2 || st.Written != f.Frame-1 || st.Written+st.NotWritten != uint64(len(pkts)) {
		t.Fatalf("failure at frame %d: written %d, not written %d of %d frames", f.Frame, st.Written, st.NotWritten, len(pkts))
	}
	t.Logf("%d of %d frames written; %v from frame %d on", st.Written, len(pkts), &f, f.Frame)
	assertPcapngFrames(t, name, pkts[:st.Written])
}

// TestWriteRingCreateFails: a ring (-b packets:40) in a tmpfs with room
// for two files (nr_inodes=3: the directory and two files): the third
// file cannot be created (ENOSPC); the two first stay whole, the frame
// that would have started the third is the first not written.
func TestWriteRingCreateFails(t *testing.T) {
	dir, inside := tmpfs.Run(t, "size=1m,nr_inodes=3")
	if !inside {
		return
	}
	w, err := CreatePcapng(filepath.Join(dir, "ring.pcapng"), RingOptions{Packets: 40}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pkts, told := teeAll(t, "../samples/sip-udp-psk.pcap", w)
	if len(pkts) <= 80 {
		t.Fatalf("the sample has %d frames; the test needs more than 80", len(pkts))
	}
	if len(told) != 1 {
		t.Fatalf("told %d failures %v, want 1", len(told), told)
	}
	f := told[0]
	files := w.Files()
	if !errors.Is(&f, syscall.ENOSPC) || f.Op != "create" || f.Frame != 81 || len(files) != 2 {
		t.Fatalf("failure %+v (%v), files %v; want the third file's creation to fail at frame 81", f, &f, files)
	}
	if !regexp.MustCompile(`^-w: cannot create .*/ring_00003_\d{14}\.pcapng: no space left on device$`).MatchString(f.Error()) {
		t.Errorf("failure says %q", f.Error())
	}
	if st := w.Stats(); st.Written != 80 || st.NotWritten != uint64(len(pkts)-80) {
		t.Errorf("written %d, not written %d of %d", st.Written, st.NotWritten, len(pkts))
	}
	assertPcapngFrames(t, files[0], pkts[:40])
	assertPcapngFrames(t, files[1], pkts[40:80])
}

// assertPcapngFrames checks that capinfos and tshark read name whole with
// len(want) packets, and that mikeyscope's reader finds want's bytes.
func assertPcapngFrames(t *testing.T, name string, want []Packet) {
	t.Helper()
	if capinfos, err := exec.LookPath("capinfos"); err == nil {
		out, err := exec.Command(capinfos, "-c", "-M", name).CombinedOutput()
		if err != nil {
			t.Errorf("capinfos %s: %v\n%s", name, err, out)
		}
		m := regexp.MustCompile(`Number of packets:\s+(\d+)`).FindSubmatch(out)
		if m == nil || string(m[1]) != strconv.Itoa(len(want)) {
			t.Errorf("capinfos counts %q packets in %s, want %d:\n%s", m, name, len(want), out)
		}
	} else {
		t.Log("capinfos not installed (apt-get install tshark): not cross-checked")
	}
	if tshark, err := exec.LookPath("tshark"); err == nil {
		cmd := exec.Command(tshark, "-r", name, "-T", "fields", "-e", "frame.number")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		// Run as root, tshark warns that it is; anything else on
		// stderr ("cut short in the middle of a packet") is a failure.
		complaint := regexp.MustCompile(`(?m)^Running as user "root".*\n`).ReplaceAll(stderr.Bytes(), nil)
		if err != nil || len(bytes.TrimSpace(complaint)) > 0 {
			t.Errorf("tshark -r %s: %v: %s", name, err, complaint)
		}
		if n := len(bytes.Fields(out)); n != len(want) {
			t.Errorf("tshark reads %d packets from %s, want %d", n, name, len(want))
		}
	}
	got := readFiles(t, name)
	if len(got) != len(want) {
		t.Fatalf("%s: %d packets; want %d", name, len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].Data) || !got[i].Time.Equal(want[i].Time) {
			t.Fatalf("%s: packet %d differs from frame %d", name, i+1, want[i].Frame)
		}
	}
}
