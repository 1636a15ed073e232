package analysis_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

func waitDone(t *testing.T, j *analysis.Job) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !j.Progress().Done {
		select {
		case <-j.Updates():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("analysis did not finish")
		}
	}
}

// TestJobAddKey: a session read without keys turns verified, and its
// streams decrypt, when the PSK is added at run time.
func TestJobAddKey(t *testing.T) {
	file := filepath.Join("..", "samples", "sip-udp-psk.pcap")
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	j, err := analysis.StartJob(open, []string{file}, 0, false, analysis.Options{}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	waitDone(t, j)
	r := j.Snapshot()
	if r.Sessions[0].KeyStatus != "no-key" {
		t.Fatalf("before: key status %s", r.Sessions[0].KeyStatus)
	}
	if err := j.AddKey("psk nothex!"); err == nil {
		t.Error("a bad key was accepted")
	}
	if err := j.AddKey("psk 5980fbf6885355e10d042e18c92f084ce523ae86"); err != nil {
		t.Fatal(err)
	}
	waitDone(t, j)
	r = j.Snapshot()
	s := r.Sessions[0]
	if s.KeyStatus != "verified" {
		t.Errorf("after: key status %s", s.KeyStatus)
	}
	for _, st := range s.Streams {
		if st.KeyStatus != "decrypting" || st.Decrypted != st.Packets {
			t.Errorf("after: stream %s %s %s decrypted %d of %d", st.Kind, st.SSRC, st.KeyStatus, st.Decrypted, st.Packets)
		}
	}
	if p := j.Progress(); p.Frames != 211 || !p.Done {
		t.Errorf("progress %+v", p)
	}
}

// TestJobLiveRekey: in a live capture, a key added later reopens the
// exchanges already seen (the frozen view updates once unpaused).
func TestJobLiveRekey(t *testing.T) {
	file := filepath.Join("..", "samples", "sip-udp-psk.pcap")
	open := func() (capture.Source, error) { return capture.OpenFiles(file) }
	j, err := analysis.StartJob(open, []string{"live:test"}, 0, true, analysis.Options{}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	waitDone(t, j)
	j.SetPaused(true)
	if err := j.AddKey("psk 5980fbf6885355e10d042e18c92f084ce523ae86"); err != nil {
		t.Fatal(err)
	}
	if got := j.Snapshot().Sessions[0].KeyStatus; got != "no-key" {
		t.Errorf("paused view changed to %s", got)
	}
	j.SetPaused(false)
	r := j.Snapshot()
	if got := r.Sessions[0].KeyStatus; got != "verified" {
		t.Errorf("live rekey: key status %s", got)
	}
	if len(r.Sessions[0].CryptoSessions) != 2 {
		t.Errorf("live rekey: %d crypto sessions", len(r.Sessions[0].CryptoSessions))
	}
}
