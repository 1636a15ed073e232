package main

import (
	"math/rand/v2"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

var (
	// longCalls: calls.pcap, 5 s of 20 ms G.711 frames, a new call every
	// 100 ms: ~60 calls at once.
	longCalls = scenario.SeriesShape{Packets: 250, Spacing: 100 * time.Millisecond, Name: "calls"}
	// shortCalls: short-calls-N.pcap, 2 packets per direction (4 SRTP
	// packets a call), a new call every 100 ms (36,000 calls an hour, a
	// busy SBC's rate): ~11 calls at once.
	shortCalls = scenario.SeriesShape{Packets: 2, Spacing: 100 * time.Millisecond, Name: "short-calls"}
)

// start is the time of the first frame of the benchmark captures.
var start = scenario.SeriesStart

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
