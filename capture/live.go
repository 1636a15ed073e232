package capture

import (
	"errors"
	"time"
)

// DefaultBufferMiB is the default size of a live capture's ring in MiB
// (-B): 32 blocks of 1 MiB, about 0.17 s of a 1 Gb/s link at full rate or
// some 200,000 frames of RTP, enough for the analysis to catch up after a
// burst on a 2-core probe (docs/performance.md, bench/live.sh).
const DefaultBufferMiB = 32

// DefaultSnaplen is the largest frame a live capture keeps, dumpcap's
// default: the kernel filter cuts frames there, and the -w files say so
// in their Interface Description Blocks.
const DefaultSnaplen = 262144

// LiveOptions tunes a live capture. Zero fields take the defaults shown.
type LiveOptions struct {
	// Snaplen is the largest frame captured (DefaultSnaplen).
	Snaplen int
	// Promiscuous puts the interface in promiscuous mode for the capture.
	Promiscuous bool
	// BufferSize is the size of the kernel ring in bytes
	// (DefaultBufferMiB MiB).
	BufferSize int
}

func (o LiveOptions) withDefaults() LiveOptions {
	if o.Snaplen <= 0 {
		o.Snaplen = DefaultSnaplen
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferMiB << 20
	}
	return o
}

// LiveStats counts what a live capture saw and what the kernel dropped.
type LiveStats struct {
	// Received counts the frames the kernel took for the capture (those
	// its filter passed), the dropped ones included, as libpcap's ps_recv.
	Received uint64
	// Dropped counts the frames the kernel dropped because the ring was
	// full: the analysis never saw them.
	Dropped uint64
	// Freezes counts the times the kernel found the ring full (TPACKET_V3
	// queue freezes): each is a burst of drops.
	Freezes uint64
	// Filtered counts the frames the kernel passed that the exact (Go)
	// filter then removed: those the kernel's program could only widen.
	Filtered uint64
}

// StatsReporter is implemented by the Sources of OpenLive: Stats reads the
// kernel's counters (it may be called from another goroutine while Next
// runs, and after Close, when it returns the final counts).
type StatsReporter interface {
	Stats() LiveStats
}

// KernelStatsOptional is implemented by Sources whose Stats are a kernel's
// counters only when they include a kernel capture (MergeLive over HEP
// listeners and interfaces): HasKernelStats says whether they do.
type KernelStatsOptional interface {
	HasKernelStats() bool
}

// ErrIdle is returned by Next of a Source told to report idleness
// (IdleReporter) when no packet arrived for a while. The Source stays
// usable: the next call waits for packets again. It lets the reader flush
// what it holds while the traffic pauses.
var ErrIdle = errors.New("capture: no packet for a while")

// IdleReporter is implemented by Sources that can return ErrIdle: live
// captures, and the sources of WithIdle. After ReportIdle(d), Next returns
// ErrIdle when no packet arrived within about d.
type IdleReporter interface {
	ReportIdle(d time.Duration)
}

// DropRecorder is implemented by the Sources of OpenFiles and OpenReader:
// RecordedDrops is the number of packets the tool that wrote the files
// recorded as dropped (pcapng Interface Statistics Blocks: isb_ifdrop plus
// isb_osdrop, the latest of each interface), as far as the files were read.
// Call it from the goroutine that calls Next.
type DropRecorder interface {
	RecordedDrops() uint64
}
