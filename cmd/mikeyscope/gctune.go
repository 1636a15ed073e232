package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage collection pacing. The packet path allocates nothing per packet,
// SRTP decryption included (srtp/aesctr.go); each SIP call leaves ~45 KB
// of garbage (parsing, JSON). Two settings, measured (docs/performance.md,
// Memory and SRTP decryption):
//
//   - While the live heap is small (a long single stream, a short capture,
//     the calls in progress of a report that writes finished calls out),
//     GOGC=300: collecting at every doubling of a few-megabyte heap runs the
//     collector several times as often for nothing (calls.pcap: 2-3
//     collections against 8-9 at GOGC=100, ~10 % less CPU; rtsp-big.pcap
//     with keys makes no garbage to speak of: 0 against 1, no difference).
//     Once the live heap passes gcSmallHeap, the default pacing comes back.
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
