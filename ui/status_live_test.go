package ui

import (
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// TestStatusLineKernelCounters: a live capture's status bar shows the
// kernel's received and dropped counts, the drops in red when not zero.
func TestStatusLineKernelCounters(t *testing.T) {
	p := analysis.JobProgress{Live: true, Frames: 90, Kernel: &analysis.LiveCounters{Received: 100, Dropped: 10}}
	s := statusLine("live: lo", nil, p)
	if !strings.Contains(s, "90 frames (kernel 100 received, [red::b]10 dropped[-::-])") {
		t.Errorf("status %q", s)
	}
	p.Kernel.Dropped = 0
	if s := statusLine("live: lo", nil, p); !strings.Contains(s, "kernel 100 received, 0 dropped)") {
		t.Errorf("status %q", s)
	}
	p.Kernel = nil
	if s := statusLine("live: lo", nil, p); strings.Contains(s, "kernel") {
		t.Errorf("status without counters %q", s)
	}
}

// TestStatusLineWriteFailure: when writing the -w files failed, the
// status bar says so in red with the frames not written (the file name
// escaped for tview), and says nothing while writing works.
func TestStatusLineWriteFailure(t *testing.T) {
	p := analysis.JobProgress{Live: true, Frames: 90, Write: &analysis.WriteCounters{FramesWritten: 90}}
	if s := statusLine("live: lo", nil, p); strings.Contains(s, "written") {
		t.Errorf("status while writing works %q", s)
	}
	p.Write = &analysis.WriteCounters{FramesWritten: 57, FramesNotWritten: 33, FirstFrameNotWritten: 58,
		Failure: "-w /mnt/[red]x.pcapng: no space left on device"}
	s := statusLine("live: lo", nil, p)
	if !strings.Contains(s, "[red::b]-w /mnt/[red[]x.pcapng: no space left on device: 33 frames not written[-::-]") {
		t.Errorf("status %q", s)
	}
}
