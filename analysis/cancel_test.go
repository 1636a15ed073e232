package analysis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
)

// cancellingSource cancels its context when it hands out frame `at`, as a
// user quitting the TUI does while a capture is read.
type cancellingSource struct {
	capture.Source
	n, at  int
	cancel context.CancelFunc
}

func (s *cancellingSource) Next(p *capture.Packet) error {
	err := s.Source.Next(p)
	if s.n++; s.n == s.at {
		s.cancel()
	}
	return err
}

// TestRunCancelled checks that Run stops at the frame during which its
// context is cancelled, returns the context's error, and that the frames
// before it are analysed.
func TestRunCancelled(t *testing.T) {
	for _, at := range []int{1, 7, 40} {
		src, err := capture.OpenFiles("../samples/sip-udp-psk.pcap")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		a := analysis.New(analysis.Options{})
		err = analysis.Run(ctx, &cancellingSource{Source: src, at: at, cancel: cancel}, a, dissect.Options{}, nil)
		src.Close()
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled at frame %d: Run returned %v, want context.Canceled", at, err)
		}
		if got := a.Finish().Summary.Frames; got != uint64(at-1) {
			t.Errorf("cancelled at frame %d: %d frames analysed, want %d", at, got, at-1)
		}
	}
}
