package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

// benchPipeline runs the whole analysis over a capture b.N times and
// reports packets/s, MB/s of capture and allocations per packet.
func benchPipeline(b *testing.B, file, keyFile string) {
	if _, err := os.Stat(file); err != nil {
		b.Skipf("%s not found: generate it with `go run ./bench/gen -out bench/out` (or use the samples)", file)
	}
	var st *keys.Store
	if keyFile != "" {
		var err error
		if st, _, err = keys.ParseFile(keyFile); err != nil {
			b.Fatal(err)
		}
	}
	fi, _ := os.Stat(file)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var frames uint64
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
		frames = a.Finish().Summary.Frames
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(frames)*float64(b.N)/secs, "packets/s")
}

// BenchmarkPipelineSample is the whole pipeline over a small sample with
// keys: MIKEY opened, every SRTP packet authenticated and decrypted.
func BenchmarkPipelineSample(b *testing.B) {
	benchPipeline(b, filepath.Join("..", "samples", "sip-udp-psk.pcap"), filepath.Join("..", "samples", "sip-udp-psk.keys"))
}

// BenchmarkPipelineCalls: 1,000 SIP calls with MIKEY-PSK and SRTP
// (bench/out/calls.pcap), without keys: dissection and accounting only.
func BenchmarkPipelineCalls(b *testing.B) {
	benchPipeline(b, filepath.Join("..", "bench", "out", "calls.pcap"), "")
}

// BenchmarkPipelineCallsKeys: the same with every key: all MIKEY messages
// opened and every SRTP packet decrypted.
func BenchmarkPipelineCallsKeys(b *testing.B) {
	benchPipeline(b, filepath.Join("..", "bench", "out", "calls.pcap"), filepath.Join("..", "bench", "out", "calls.keys"))
}

// BenchmarkPipelineRTSPBig: one 100,632-packet SRTP stream of ~1.4 KB
// packets, decrypted (bench/out/rtsp-big.pcap).
func BenchmarkPipelineRTSPBig(b *testing.B) {
	benchPipeline(b, filepath.Join("..", "bench", "out", "rtsp-big.pcap"), filepath.Join("..", "bench", "out", "rtsp-big.keys"))
}
