package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage collection pacing. The packet path allocates little that lives:
// with keys, crypto/cipher's NewCTR allocates 512 bytes per AES-CM packet
// and drops them at once; each SIP call leaves ~45 KB of garbage (parsing,
// JSON). Two settings, measured (docs/performance.md, Memory):
//
//   - While the live heap is small (a long single stream, a short capture,
//     the calls in progress of a report that writes finished calls out),
//     GOGC=300: collecting at every doubling of a few-megabyte heap runs the
//     collector dozens of times for nothing (calls.pcap with keys: 0.57 s
//     of CPU against 0.67 s at GOGC=100). Once the live heap passes
//     gcSmallHeap, the default pacing comes back.
//   - A soft memory limit of gcSoftLimit, raised to gcLimitPerLive times
//     the live heap when that is more: the heap then stays near 40 MiB
//     where GOGC alone let it grow to 50-60 MiB (10,000 to 40,000 short
//     calls: 50 -> 44 MiB; calls.pcap with keys 53 -> 42 MiB; no CPU
//     measurably added), and a large live state (the TUI with many
//     sessions) is never squeezed: the limit keeps twice its size, as
//     GOGC=100 would.
const (
	gcPercentSmall = 300
	gcSmallHeap    = 12 << 20 // live heap up to which gcPercentSmall applies
	gcSoftLimit    = 40 << 20
	gcLimitPerLive = 2
	gcPoll         = 50 * time.Millisecond
)

// tuneGC applies the pacing above unless the user set GOGC or GOMEMLIMIT.
// It returns a function that stops the watch.
func tuneGC() (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(gcPercentSmall)
	limit := int64(gcSoftLimit)
	debug.SetMemoryLimit(limit)
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(gcPoll)
		defer t.Stop()
		small := true
		for {
			select {
			case <-done:
				return
			case <-t.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() != metrics.KindUint64 {
					debug.SetMemoryLimit(math.MaxInt64)
					return
				}
				live := sample[0].Value.Uint64()
				if small && live > gcSmallHeap {
					small = false
					debug.SetGCPercent(prev)
				}
				if want := max(int64(gcSoftLimit), int64(float64(live)*gcLimitPerLive)); want != limit {
					limit = want
					debug.SetMemoryLimit(limit)
				}
			}
		}
	}()
	return func() { close(done) }
}
