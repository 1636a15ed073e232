package analysis_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/hostile"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// hostileRun streams the hostile capture of cfg through the pipeline (the
// file is written into a pipe, never held whole) and returns the report and
// the largest live heap (HeapAlloc) seen after a GC at each progress call.
func hostileRun(t *testing.T, cfg hostile.Config, dopts dissect.Options, aopts analysis.Options) (*analysis.Report, uint64) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		w, err := pcapwrite.NewWriter(pw, pcapwrite.FormatPcap)
		if err == nil {
			err = hostile.Write(cfg, w.WriteFrame)
		}
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err)
	}()
	src, err := capture.OpenReader("hostile", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var peak uint64
	var ms runtime.MemStats
	sample := func(uint64) {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	a := analysis.New(aopts)
	if err := analysis.Run(context.Background(), src, a, dopts, sample); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	sample(0)
	if r.Summary.ReadError != "" {
		t.Fatalf("hostile capture: %s", r.Summary.ReadError)
	}
	return r, peak
}

// TestHostileCaptureLimits runs a capture built to exhaust every limit
// (a smaller bench/exhaust mix, with lowered dissector and analyzer limits)
// and checks that each limit is reported as a capture.limit finding and
// that the heap stays bounded while it runs.
func TestHostileCaptureLimits(t *testing.T) {
	cfg := hostile.Config{Calls: 3000, SSRCs: 3000, Fragments: 1500, BigFragments: 160, TCPPartial: 700, Oversized: 2}
	want := []string{
		"session limit 1000 reached",
		"media flow limit 500 reached",
		"TCP connection limit 500 reached",
		"too many incomplete datagrams",
		"fragment buffer limit reached",
		"more than 2000 media streams",
		"more than 1000 sessions:",
		"message larger than the 262144-byte limit",
		"header section longer than the 262144-byte limit",
	}
	// heap bound: the 8 MiB fragment buffer and the dissector's and
	// analyzer's tables at the lowered limits, with room for the GC.
	bound := uint64(96 << 20)
	if !testing.Short() {
		// 280 connections x 252 KB beyond a hole pass the 64 MiB
		// out-of-order limit; 66,000 SYNs pass the 65,536-connection table.
		cfg.TCPHoles, cfg.TCPSyns = 280, 66000
		want = append(want, "out-of-order TCP data over 67108864 bytes", "more than 65536 TCP connections")
		bound += 64 << 20
	}
	r, peak := hostileRun(t, cfg, dissect.Options{MaxSessions: 1000, MaxFlows: 500, MaxConns: 500}, analysis.Options{MaxStreams: 2000})
	var limits []string
	for _, f := range r.Findings {
		if f.Code == "capture.limit" {
			limits = append(limits, f.Summary)
		}
	}
	for _, w := range want {
		found := false
		for _, s := range limits {
			found = found || strings.Contains(s, w)
		}
		if !found {
			t.Errorf("no capture.limit finding says %q", w)
		}
	}
	t.Logf("%d frames, %d sessions, %d streams, %d findings (%d capture.limit); peak HeapInuse %.1f MiB",
		r.Summary.Frames, r.Summary.Sessions, r.Summary.Streams, len(r.Findings), len(limits), float64(peak)/(1<<20))
	if peak > bound {
		t.Errorf("peak HeapInuse %.1f MiB over the %d MiB bound", float64(peak)/(1<<20), bound>>20)
	}
}

// TestSessionFloodMemory: past the session limit, more Call-IDs must not
// keep growing the heap: the model keeps at most the limit's sessions, and
// what it keeps per dropped session must be bounded too. Both runs are past
// every bounded cache filling up (the replay cache holds 4,096 messages), so
// four times the Call-IDs must not cost appreciably more. The measure is the
// live heap (HeapAlloc after a GC) at the progress points; where a sample
// falls between two evictions moves it by a couple of MiB from run to run,
// hence the 4 MiB allowance, while state kept per Call-ID (about 4.7 KB
// each before the model was bounded) would add some 170 MiB here.
func TestSessionFloodMemory(t *testing.T) {
	dopts := dissect.Options{MaxSessions: 1000}
	rs, small := hostileRun(t, hostile.Config{Calls: 12000}, dopts, analysis.Options{})
	r, large := hostileRun(t, hostile.Config{Calls: 48000}, dopts, analysis.Options{})
	t.Logf("12,000 Call-IDs: peak live heap %.1f MiB, %d findings; 48,000: %.1f MiB, %d findings, %d sessions in the model",
		float64(small)/(1<<20), len(rs.Findings), float64(large)/(1<<20), len(r.Findings), len(r.Sessions))
	if len(r.Sessions) > 1000 {
		t.Errorf("%d sessions in the model past the 1000-session limit", len(r.Sessions))
	}
	// Per-Call-ID state would add about 170 MiB (4.7 KB for each of the
	// 36,000 extra Call-IDs); where the samples fall between evictions moves
	// the peak by a few MiB (12.5 to 14.3 MiB over four runs), so the bound
	// is loose enough not to flake and still far below a leak.
	if float64(large) > 2*float64(small)+(8<<20) {
		t.Errorf("heap grows with Call-IDs past the 1000-session limit: %.1f MiB -> %.1f MiB",
			float64(small)/(1<<20), float64(large)/(1<<20))
	}
}

// BenchmarkCallIDFlood measures the cost per Call-ID of a flood of new
// Call-IDs past the dissector's session limit, for two limits: a cost that
// grows with the limit means eviction scans the tracked sessions.
func BenchmarkCallIDFlood(b *testing.B) {
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	if err != nil {
		b.Fatal(err)
	}
	const calls = 20000
	if err := hostile.Write(hostile.Config{Calls: calls}, w.WriteFrame); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	for _, limit := range []int{1024, 8192} {
		b.Run(fmt.Sprintf("MaxSessions=%d", limit), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(buf.Len()))
			for b.Loop() {
				src, err := capture.OpenReader("flood", bytes.NewReader(buf.Bytes()))
				if err != nil {
					b.Fatal(err)
				}
				a := analysis.New(analysis.Options{})
				if err := analysis.Run(context.Background(), src, a, dissect.Options{MaxSessions: limit, MaxFlows: 2 * limit}, nil); err != nil {
					b.Fatal(err)
				}
				src.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/calls, "ns/call-id")
		})
	}
}
