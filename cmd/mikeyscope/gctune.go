package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage collection pacing. The packet path allocates nothing per packet
// (SRTP decryption included), but parsing signalling does, per call: on
// bench/gen's calls.pcap (1,000 calls) the collector ran 8-9 times at
// GOGC=100 against 2-3 times at 300, and `report` used ~10 % less CPU
// (medians of 15 interleaved runs: 0.24 against 0.27 s with --json, 0.19
// against 0.21 s without) for 7-15 MB more peak RSS (53 against 39 MB
// with --json). A long single stream (rtsp-big.pcap with keys) makes no
// garbage to speak of: 0 collections against 1, no difference. While the
// analysis state is small the pacing is relaxed; once the live heap grows
// past gcSmallHeap (many calls in progress) the default comes back, so
// peak memory stays about twice the live state (docs/performance.md).
const (
	gcPercentSmall = 300
	gcSmallHeap    = 12 << 20 // live heap up to which gcPercentSmall applies
	gcPoll         = 50 * time.Millisecond
)

// tuneGC applies the pacing above unless the user set GOGC or GOMEMLIMIT.
// It returns a function that stops the watch.
func tuneGC() (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(gcPercentSmall)
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(gcPoll)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > gcSmallHeap {
					debug.SetGCPercent(prev)
					return
				}
			}
		}
	}()
	return func() { close(done) }
}
