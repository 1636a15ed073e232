//go:build linux

package analysis_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/fuzzcap"
	"github.com/mikeyscope/mikeyscope/internal/rawsend"
)

// sampleFrames reads the frames of a sample (copies).
func sampleFrames(t *testing.T, path string) [][]byte {
	t.Helper()
	frames, err := fuzzcap.ReadFrames(path)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

// ownAddresses gives the frames addresses of this test process's own
// (see rawsend.OwnAddresses) and returns the filter for them.
func ownAddresses(t *testing.T, frames [][]byte) string {
	t.Helper()
	f, err := rawsend.OwnAddresses(frames, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLiveShowsLastPacket: a call written onto lo (the frames of
// samples/sip-udp-psk.pcap) is analysed to its last packet, the 200 OK to
// the BYE, with no traffic after it: the batch waiting for more packets is
// flushed when the capture falls quiet. Before, the last packets appeared
// only when more traffic came.
func TestLiveShowsLastPacket(t *testing.T) {
	rawsend.NeedRoot(t)
	frames := sampleFrames(t, "../samples/sip-udp-psk.pcap")
	filter := ownAddresses(t, frames)
	open := func() (capture.Source, error) { return capture.OpenLive("lo", filter, capture.LiveOptions{}) }
	j, err := analysis.StartJob(open, []string{"live:lo"}, 0, true, analysis.Options{}, dissect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	if err := rawsend.SendAll("lo", frames); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	for {
		r := j.Snapshot()
		for _, s := range r.Sessions {
			if n := len(s.Signals); n > 0 && s.Signals[n-1].Summary == "200 OK" && strings.HasPrefix(s.Signals[n-2].Summary, "BYE") {
				t.Logf("the 200 OK to the BYE shown %v after the last frame was sent; %d frames", time.Since(sent).Round(time.Millisecond), r.Summary.Frames)
				if r.Summary.Frames < uint64(len(frames)) {
					t.Errorf("%d frames analysed, %d sent", r.Summary.Frames, len(frames))
				}
				if k := j.Progress().Kernel; k == nil || k.Received < uint64(len(frames)) {
					t.Errorf("kernel counters in the progress: %+v", k)
				}
				return
			}
		}
		// A safety net for a loaded machine, not a measurement: the flush
		// comes within ~200 ms.
		if time.Since(sent) > 5*time.Second {
			t.Fatalf("the call's last packet was not analysed without more traffic; progress %+v", j.Progress())
		}
		select {
		case <-j.Updates():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestLiveKernelDrops: a tiny ring overrun by a burst; the report says how
// many packets the kernel dropped (the frames analysed plus those equal
// the frames sent) in the summary and in a capture.kernel-drops warning.
func TestLiveKernelDrops(t *testing.T) {
	rawsend.NeedRoot(t)
	frames := sampleFrames(t, "../samples/sip-udp-psk.pcap")
	src, err := capture.OpenLive("lo", ownAddresses(t, frames), capture.LiveOptions{BufferSize: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 50
	var burst [][]byte
	for range rounds {
		burst = append(burst, frames...)
	}
	if err := rawsend.SendAll("lo", burst); err != nil {
		t.Fatal(err)
	}
	sent := uint64(len(burst))
	a := analysis.New(analysis.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var last uint64
	done := make(chan error)
	go func() {
		// Run reports progress twice when the capture falls quiet: the
		// burst has been read when the count repeats.
		done <- analysis.Run(ctx, src, a, dissect.Options{}, func(n uint64) {
			if n == last && n > 0 {
				cancel()
			}
			last = n
		})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cancel()
		<-done
		t.Fatal("the capture did not fall quiet")
	}
	r := a.Finish()
	l := r.Summary.Live
	if l == nil {
		t.Fatal("no live counters in the summary")
	}
	t.Logf("sent %d, analysed %d, kernel received %d, dropped %d", sent, r.Summary.Frames, l.Received, l.Dropped)
	if l.Dropped == 0 || r.Summary.Frames+l.Dropped != sent || l.Received != sent {
		t.Errorf("sent %d: analysed %d + dropped %d, kernel received %d", sent, r.Summary.Frames, l.Dropped, l.Received)
	}
	found := false
	for _, f := range r.Findings {
		if f.Code == analysis.KindKernelDrops.Code {
			found = true
			if f.Severity != analysis.SeverityWarning || !strings.Contains(f.Summary, fmt.Sprintf("dropped %d of the %d", l.Dropped, sent)) || !strings.Contains(f.Summary, "-B") {
				t.Errorf("finding: %+v", f)
			}
		}
	}
	if !found {
		t.Error("no capture.kernel-drops finding")
	}
}
