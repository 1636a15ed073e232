//go:build linux

package analysis_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/tmpfs"
)

// sessionLines lists a report's sessions: key, key status, and the
// packets and decrypted packets of each stream.
func sessionLines(r *analysis.Report) string {
	var b strings.Builder
	for _, s := range r.Sessions {
		fmt.Fprintf(&b, "%s %s %s", s.Carrier, s.Key, s.KeyStatus)
		for _, st := range s.Streams {
			fmt.Fprintf(&b, " %d/%d", st.Decrypted, st.Packets)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestWriteFailedFinding: three samples merged (three sessions)
// written through capture.Tee into a 64 KiB tmpfs fill it: the
// analysis raises one capture.write-failed error at the first frame not
// written, summary.capture_write counts written and not written frames
// (adding up to every frame), and the report's sessions, verdicts and
// decrypted streams are those of the pass without -w.
func TestWriteFailedFinding(t *testing.T) {
	dir, inside := tmpfs.Run(t, "size=64k")
	if !inside {
		return
	}
	files := []string{"sip-udp-psk", "rtsp-rekey", "sip-tcp-psk"}
	pass := func(w *capture.PcapngWriter) *analysis.Report {
		var paths []string
		st := sampleKeys(t, files[0])
		for _, f := range files {
			paths = append(paths, filepath.Join("..", "samples", f+".pcap"))
			st.Merge(sampleKeys(t, f))
		}
		src, err := capture.OpenFiles(paths...)
		if err != nil {
			t.Fatal(err)
		}
		if w != nil {
			src = capture.Tee(src, w)
		}
		defer src.Close()
		a := analysis.New(analysis.Options{Keys: st})
		if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
			t.Fatal(err)
		}
		return a.Finish()
	}
	want := pass(nil)
	w, err := capture.CreatePcapng(filepath.Join(dir, "w.pcapng"), capture.RingOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := pass(w)
	st := w.Stats()
	if st.Failure == nil || !errors.Is(st.Failure, syscall.ENOSPC) {
		t.Fatalf("writer stats %+v, want ENOSPC", st)
	}
	wc := got.Summary.Write
	if wc == nil || wc.FramesWritten != st.Written || wc.FramesNotWritten != st.NotWritten ||
		wc.FramesWritten+wc.FramesNotWritten != got.Summary.Frames || wc.FirstFrameNotWritten != st.Failure.Frame ||
		wc.FirstFrameNotWritten != wc.FramesWritten+1 || wc.FramesNotWritten == 0 {
		t.Errorf("summary.capture_write %+v, writer %+v, %d frames", wc, st, got.Summary.Frames)
	}
	var found []*analysis.Finding
	for _, f := range got.Findings {
		if f.Code == analysis.KindWriteFailed.Code {
			found = append(found, f)
		}
	}
	if len(found) != 1 || found[0].Frame != st.Failure.Frame || found[0].Severity != analysis.SeverityError ||
		!strings.Contains(found[0].Summary, "no space left on device") {
		t.Errorf("capture.write-failed findings %+v, want one at frame %d", found, st.Failure.Frame)
	}
	if g, w := sessionLines(got), sessionLines(want); g != w || len(want.Sessions) != 3 {
		t.Errorf("sessions with -w failing:\n%s\nwithout -w:\n%s", g, w)
	}
	if got.Summary.Errors != want.Summary.Errors+1 {
		t.Errorf("%d errors, want %d (those without -w and the write failure)", got.Summary.Errors, want.Summary.Errors+1)
	}
}
