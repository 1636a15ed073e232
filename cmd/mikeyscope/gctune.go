package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage collection pacing. The packet path allocates little that lives:
// with keys, crypto/cipher's NewCTR allocates 512 bytes per AES-CM packet
// and drops them at once. While the analysis state is small (a long
// single stream, a short capture), collecting at every doubling of a
// few-megabyte heap runs the collector dozens of times for nothing:
// rtsp-big.pcap with keys took 7 % longer at GOGC=100 than at 300. Once
// the state grows (many calls), the default pacing comes back, so peak
// memory stays about twice the live state.
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
