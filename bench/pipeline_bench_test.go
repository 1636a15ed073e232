// Package bench holds the whole-pipeline benchmarks of issue #9 over the
// generated captures (go run ./bench/gen -out bench/out), reported per
// packet: ns/packet, allocs/packet and B/packet, plus MB/s of capture.
package bench

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

func benchPerPacket(b *testing.B, name string, withKeys bool) {
	file := filepath.Join("out", name+".pcap")
	fi, err := os.Stat(file)
	if err != nil {
		b.Skipf("%s not found: generate it with `go run ./bench/gen -out bench/out`", file)
	}
	var st *keys.Store
	if withKeys {
		if st, _, err = keys.ParseFile(filepath.Join("out", name+".keys")); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(fi.Size())
	var frames, decrypted uint64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src, err := capture.OpenFiles(file)
		if err != nil {
			b.Fatal(err)
		}
		a := analysis.New(analysis.Options{Keys: st})
		if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
			b.Fatal(err)
		}
		src.Close()
		rep := a.Finish()
		frames = rep.Summary.Frames
		decrypted = 0
		for _, s := range rep.Sessions {
			for _, m := range s.Streams {
				decrypted += m.Decrypted
			}
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(frames) * float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/packet")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/packet")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/packet")
	if withKeys && decrypted == 0 {
		b.Fatal("no packet decrypted")
	}
}

// BenchmarkRTSPBigKeys: one 100,632-packet AES-CM/HMAC-SHA1-80 stream of
// ~1.4 KB packets, every packet authenticated and decrypted (target: 500
// MB/s of capture on two cores).
func BenchmarkRTSPBigKeys(b *testing.B) { benchPerPacket(b, "rtsp-big", true) }

// BenchmarkCalls: 1,000 SIP calls (510k packets) without keys.
func BenchmarkCalls(b *testing.B) { benchPerPacket(b, "calls", false) }

// BenchmarkCallsKeys: the same with every PSK: 2,000 MIKEY messages opened,
// 502k SRTP/SRTCP packets decrypted.
func BenchmarkCallsKeys(b *testing.B) { benchPerPacket(b, "calls", true) }
