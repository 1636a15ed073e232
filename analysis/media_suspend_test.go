package analysis

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

// TestSuspendedStreamsReportUnchanged: with every SRTP stream suspended
// after every packet (as the idle sweep does to streams silent for 30 s),
// each sample with keys gives the same report, byte for byte, as without:
// every packet resumes its stream from the state and the statistics the
// model kept. Snapshots in between (the TUI) see the same as well.
func TestSuspendedStreamsReportUnchanged(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "samples", "*.keys"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample keys: %v", err)
	}
	for _, kf := range files {
		name := strings.TrimSuffix(filepath.Base(kf), ".keys")
		pcaps, _ := filepath.Glob(filepath.Join("..", "samples", name+".pcap*"))
		if len(pcaps) != 1 {
			continue
		}
		t.Run(name, func(t *testing.T) {
			plain, _, _ := reportOf(t, pcaps[0], kf, false)
			forced, suspended, snaps := reportOf(t, pcaps[0], kf, true)
			if forced != plain {
				t.Errorf("report with streams suspended differs:\n%s\nwithout:\n%s", forced, plain)
			}
			if snaps != "" {
				t.Error(snaps)
			}
			t.Logf("%d suspensions", suspended)
		})
	}
}

// reportOf analyses a capture with a keys file, suspending every SRTP
// stream after every packet when suspend is set (and then comparing a
// snapshot taken suspended with one taken after resuming every stream),
// and returns the JSON report, the suspensions and any snapshot mismatch.
func reportOf(t *testing.T, file, keysFile string, suspend bool) (string, int, string) {
	t.Helper()
	st, _, err := keys.ParseFile(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenFiles(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var a *Analyzer
	var mismatch string
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	hook := func(*Stream, *dissect.MediaPacket, []byte) {
		if !suspend {
			return
		}
		a.media.suspendIdle(far)
		if a.media.suspended%7 == 1 && mismatch == "" {
			before := snapshotJSON(t, a)
			for _, ss := range a.media.order {
				a.media.resume(ss)
			}
			if after := snapshotJSON(t, a); after != before {
				mismatch = "a snapshot of suspended streams differs from one of the resumed streams"
			}
			a.media.suspendIdle(far)
		}
	}
	a = New(Options{Keys: st, Hook: hook, Trees: true})
	a.SetInputs([]string{filepath.Base(file)})
	if err := Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a.Finish())
	if err != nil {
		t.Fatal(err)
	}
	return string(b), a.media.suspended, mismatch
}

// snapshotJSON is the JSON of a snapshot taken with a.mu already held (in
// the media hook).
func snapshotJSON(t *testing.T, a *Analyzer) string {
	a.media.refresh()
	b, err := json.Marshal(a.buildReport(true))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
