package analysis_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// jitteryRTP is a PCMU stream (20 ms packets, timestamps +160) whose
// packets arrive up to ±spread late or early, in order, as a pcap.
func jitteryRTP(t *testing.T, n int, spread time.Duration, seed uint64) ([]byte, []time.Time) {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	var b framebuild.Builder
	rng := rand.New(rand.NewPCG(seed, 2))
	src, dst := netip.MustParseAddrPort("192.0.2.1:40000"), netip.MustParseAddrPort("192.0.2.2:40002")
	var times []time.Time
	t0 := caseT0
	prev := t0
	for i := 0; i < n; i++ {
		at := t0.Add(time.Duration(i)*20*time.Millisecond + time.Duration(rng.Int64N(int64(2*spread))) - spread)
		if at.Before(prev) {
			at = prev.Add(time.Microsecond) // keep arrival order
		}
		prev = at
		frame, err := b.UDP(src, dst, rtpPacket(0x11223344, uint16(1000+i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(at, frame); err != nil {
			t.Fatal(err)
		}
		times = append(times, at)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), times
}

// jitterStream runs a capture of one RTP stream and returns its model.
func jitterStream(t *testing.T, pcap []byte) *analysis.Stream {
	t.Helper()
	src, err := capture.OpenReader("jitter.pcap", bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := analysis.New(analysis.Options{})
	if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	if len(r.Streams) != 1 {
		t.Fatalf("%d unassociated streams, want 1", len(r.Streams))
	}
	return r.Streams[0]
}

// TestJitterRFC3550 checks the stream's jitter against RFC 3550 Appendix
// A.8 stated directly: arrival times in timestamp units, transit =
// arrival - timestamp, J += (|D| - J)/16, here in integer units as the
// appendix's sample code keeps them.
func TestJitterRFC3550(t *testing.T) {
	pcap, times := jitteryRTP(t, 300, 7*time.Millisecond, 1)
	st := jitterStream(t, pcap)
	var j, maxJ float64
	var prevTransit int64
	for i, at := range times {
		arrival := at.Sub(caseT0).Nanoseconds() * 8000 / 1e9 // timestamp units
		transit := arrival - int64(uint32(1000+i)*160)
		if i > 0 {
			d := transit - prevTransit
			if d < 0 {
				d = -d
			}
			j += (float64(d) - j) / 16
			maxJ = max(maxJ, j)
		}
		prevTransit = transit
	}
	wantMS, wantMaxMS := j/8, maxJ/8 // 8 units per ms at 8 kHz
	// Integer arrival units round each arrival down by up to one unit
	// (0.125 ms); the smoothed value stays within that.
	if st.ClockRate != 8000 || math.Abs(st.JitterMS-wantMS) > 0.125 || math.Abs(st.MaxJitterMS-wantMaxMS) > 0.125 {
		t.Errorf("clock %d, jitter %.3f ms (max %.3f), RFC 3550 A.8: %.3f ms (max %.3f)", st.ClockRate, st.JitterMS, st.MaxJitterMS, wantMS, wantMaxMS)
	}
	if wantMaxMS < 1 {
		t.Fatalf("the stream is not jittery enough to test: %.3f ms", wantMaxMS)
	}
}

// TestJitterCrossCheckTshark compares a jittery stream's largest and final
// jitter with tshark's RTP stream analysis (-z rtp,streams) of the same
// capture.
func TestJitterCrossCheckTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark): cross-check skipped")
	}
	for seed := uint64(1); seed <= 3; seed++ {
		pcap, _ := jitteryRTP(t, 200, time.Duration(seed)*4*time.Millisecond, seed)
		st := jitterStream(t, pcap)
		path := filepath.Join(t.TempDir(), "jitter.pcap")
		if err := os.WriteFile(path, pcap, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(tshark, "-r", path, "-q", "-d", "udp.port==40002,rtp", "-z", "rtp,streams").CombinedOutput()
		if err != nil {
			t.Fatalf("tshark: %v\n%s", err, out)
		}
		// Columns: Start time, End time, Src IP addr, Port, Dest IP addr,
		// Port, SSRC, Payload, Pkts, Lost (two fields), Min, Mean and Max
		// Delta, Min, Mean and Max Jitter, Problems?
		var maxJ float64 = -1
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) > 14 && f[6] == "0x11223344" {
				maxJ, err = strconv.ParseFloat(f[len(f)-1], 64) // no Problems? mark
				if err != nil {
					maxJ, err = strconv.ParseFloat(f[len(f)-2], 64)
				}
			}
		}
		if maxJ < 0 || err != nil {
			t.Fatalf("no stream in tshark's output:\n%s", out)
		}
		if math.Abs(st.MaxJitterMS-maxJ) > 0.01 {
			t.Errorf("seed %d: max jitter %.3f ms, tshark %.3f ms\n%s", seed, st.MaxJitterMS, maxJ, out)
		}
		t.Logf("seed %d: max jitter %.3f ms, tshark %.3f", seed, st.MaxJitterMS, maxJ)
	}
}
