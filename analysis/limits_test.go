package analysis_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
)

// hostileRun streams the hostile capture of cfg through the pipeline (the
// file is written into a pipe, never held whole) and returns the report and
// the largest live heap (HeapAlloc) seen after a GC at each progress call.
func hostileRun(t *testing.T, cfg config, dopts dissect.Options, aopts analysis.Options) (*analysis.Report, uint64) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		w, err := pcapbuild.NewWriter(pw, pcapbuild.FormatPcap)
		if err == nil {
			err = writeHostile(cfg, w.WriteFrame)
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
	cfg := config{Calls: 3000, SSRCs: 3000, Fragments: 1500, BigFragments: 160, TCPPartial: 700, Oversized: 2}
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

// config sets how much of each kind of hostile traffic to write.
type config struct {
	Calls        int // INVITEs with distinct Call-IDs, each with its own SDP media flow
	SSRCs        int // RTP packets with distinct SSRCs on the first call's media flow
	Fragments    int // small IPv4 datagrams whose last fragment is missing
	BigFragments int // 60 KB IPv4 datagrams whose last fragment is missing
	TCPHoles     int // TCP connections to port 5060 with ~252 KB waiting beyond a hole
	TCPPartial   int // TCP connections to port 5060 with an unfinished SIP header
	TCPSyns      int // TCP connections that only send a SYN
	Oversized    int // SIP messages over TCP larger than the 256 KiB message limit
}

// hostileWriter emits frames with timestamps 10 µs apart, so the whole
// capture stays within the fragment and TCP hole timeouts and everything
// it opens stays open.
type hostileWriter struct {
	b    pcapbuild.Builder
	emit func(time.Time, []byte) error
	now  time.Time
	buf  []byte
	err  error
}

func (h *hostileWriter) frame(f []byte, err error) {
	if h.err != nil {
		return
	}
	if err != nil {
		h.err = err
		return
	}
	h.now = h.now.Add(10 * time.Microsecond)
	h.err = h.emit(h.now, f)
}

// host returns the IPv4 address net.(i>>8).(i&255).
func host(net byte, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, net, byte(i >> 8), byte(i)})
}

var sipServer = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 1}), 5060)

// invite is a SIP INVITE (RFC 3261 §8.1.1) with an SDP offer (RFC 4566)
// whose audio goes to media and whose key-mgmt attribute (RFC 4567) carries
// a MIKEY header cut short, so each call also makes a finding.
func invite(i int, from, media netip.AddrPort) []byte {
	sdp := fmt.Sprintf("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"+
		"a=key-mgmt:mikey AQAFAAAA\r\nm=audio %d RTP/SAVP 0\r\n",
		i, from.Addr(), media.Addr(), media.Port())
	return []byte(fmt.Sprintf("INVITE sip:bob@example.net SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP %s;branch=z9hG4bK%d\r\nMax-Forwards: 70\r\n"+
		"From: <sip:caller%d@example.org>;tag=%d\r\nTo: <sip:bob@example.net>\r\n"+
		"Call-ID: hostile-%d@example.org\r\nCSeq: 1 INVITE\r\n"+
		"Contact: <sip:caller%d@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		from, i, i, i, i, i, from, len(sdp), sdp))
}

// writeHostile writes the hostile mix of cfg through emit.
func writeHostile(cfg config, emit func(time.Time, []byte) error) error {
	h := &hostileWriter{emit: emit, now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}

	// Call 0, then SSRCs on its media flow (RFC 3550 §5.1 header, version 2).
	media0 := netip.AddrPortFrom(host(1, 0), 20000)
	caller0 := netip.AddrPortFrom(host(1, 0), 5060)
	h.frame(h.b.UDP(caller0, sipServer, invite(0, caller0, media0)))
	rtp := make([]byte, 12+20)
	for i := 0; i < cfg.SSRCs && h.err == nil; i++ {
		rtp[0], rtp[1] = 0x80, 0
		binary.BigEndian.PutUint16(rtp[2:], uint16(i))
		binary.BigEndian.PutUint32(rtp[4:], uint32(i)*160)
		binary.BigEndian.PutUint32(rtp[8:], 0x10000000+uint32(i))
		h.buf, h.err = h.b.AppendUDP(h.buf[:0], netip.AddrPortFrom(host(3, 0), 30000), media0, rtp)
		h.frame(h.buf, h.err)
	}

	// Many Call-IDs, each with its own media flow.
	for i := 1; i < cfg.Calls && h.err == nil; i++ {
		from := netip.AddrPortFrom(host(1, i), 5060)
		h.frame(h.b.UDP(from, sipServer, invite(i, from, netip.AddrPortFrom(host(2, i), uint16(20000+2*(i%20000))))))
	}

	// Endless fragments: every datagram but its last fragment.
	small := make([]byte, 1400)
	for i := 0; i < cfg.Fragments && h.err == nil; i++ {
		frags, err := h.b.UDPFragments(netip.AddrPortFrom(host(4, i), 7000), netip.AddrPortFrom(host(5, 1), 7000), small, 2)
		if err != nil {
			return err
		}
		h.frame(frags[0], nil)
	}
	big := make([]byte, 60000)
	for i := 0; i < cfg.BigFragments && h.err == nil; i++ {
		frags, err := h.b.UDPFragments(netip.AddrPortFrom(host(6, i), 7000), netip.AddrPortFrom(host(5, 2), 7000), big, 41)
		if err != nil {
			return err
		}
		for _, f := range frags[:len(frags)-1] {
			h.frame(f, nil)
		}
	}

	// TCP connections with a 1400-byte hole after the SYN and 180 segments
	// of 1400 bytes waiting beyond it (under the per-connection gap limit,
	// over the global buffer limit together).
	seg := []byte(strings.Repeat("X", 1400))
	for i := 0; i < cfg.TCPHoles && h.err == nil; i++ {
		cli := netip.AddrPortFrom(host(7, i), 40000)
		isn := uint32(i) * 7919
		h.frame(h.b.TCP(cli, sipServer, pcapbuild.TCPHeader{Seq: isn, Flags: pcapbuild.FlagSYN, MSS: 1460}, nil))
		for s := 0; s < 180 && h.err == nil; s++ {
			h.buf, h.err = h.b.AppendTCP(h.buf[:0], cli, sipServer,
				pcapbuild.TCPHeader{Seq: isn + 1 + 1400 + uint32(s)*1400, Flags: pcapbuild.FlagACK | pcapbuild.FlagPSH}, seg)
			h.frame(h.buf, h.err)
		}
	}

	// Connections that start a SIP message and never finish its header.
	partial := []byte("OPTIONS sip:probe@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 10.8.0.1;branch=z9hG4bK1\r\nX-Filler: " + strings.Repeat("a", 150))
	for i := 0; i < cfg.TCPPartial && h.err == nil; i++ {
		c := pcapbuild.NewTCPConn(&h.b, netip.AddrPortFrom(host(8, i), 41000), sipServer, uint32(i), 1)
		hs, err := c.Handshake()
		if err != nil {
			return err
		}
		for _, f := range hs {
			h.frame(f, nil)
		}
		h.frame(c.AppendData(nil, true, partial))
	}

	// SYN floods beyond the TCP connection table.
	for i := 0; i < cfg.TCPSyns && h.err == nil; i++ {
		cli := netip.AddrPortFrom(host(9, i), uint16(1024+i%60000))
		h.buf, h.err = h.b.AppendTCP(h.buf[:0], cli, sipServer, pcapbuild.TCPHeader{Seq: uint32(i), Flags: pcapbuild.FlagSYN}, nil)
		h.frame(h.buf, h.err)
	}

	// Oversized SIP messages: a 400 KB body announced by Content-Length,
	// and a header section that never ends.
	for i := 0; i < cfg.Oversized && h.err == nil; i++ {
		c := pcapbuild.NewTCPConn(&h.b, netip.AddrPortFrom(host(10, i), 42000), sipServer, 1000, 2000)
		hs, err := c.Handshake()
		if err != nil {
			return err
		}
		for _, f := range hs {
			h.frame(f, nil)
		}
		var msg []byte
		if i%2 == 0 {
			body := strings.Repeat("b", 400<<10)
			msg = []byte(fmt.Sprintf("MESSAGE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 10.10.0.1;branch=z9hG4bK%d\r\n"+
				"Call-ID: big-%d@example.org\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", i, i, len(body), body))
		} else {
			msg = []byte("MESSAGE sip:bob@example.net SIP/2.0\r\n" + strings.Repeat("X-Endless: header line that never ends the section\r\n", 8000))
		}
		for off := 0; off < len(msg) && h.err == nil; off += 1400 {
			h.frame(c.AppendData(nil, true, msg[off:min(off+1400, len(msg))]))
		}
	}
	return h.err
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
	rs, small := hostileRun(t, config{Calls: 12000}, dopts, analysis.Options{})
	r, large := hostileRun(t, config{Calls: 48000}, dopts, analysis.Options{})
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
	w, err := pcapbuild.NewWriter(&buf, pcapbuild.FormatPcap)
	if err != nil {
		b.Fatal(err)
	}
	const calls = 20000
	if err := writeHostile(config{Calls: calls}, w.WriteFrame); err != nil {
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
