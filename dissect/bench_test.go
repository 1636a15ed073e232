package dissect

import (
	"testing"

	"github.com/mikeyscope/mikeyscope/capture"
)

// BenchmarkSIPMessage parses one INVITE with an SDP offer carrying MIKEY
// (framing, headers, SDP with pion and the scanner, correlation).
func BenchmarkSIPMessage(b *testing.B) {
	v := loadVectors(b)
	msg := []byte(sipInvite(v, "bench", "1", "4000"))
	e := NewEngine(&nullSink{}, Options{})
	d := dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", msg)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		e.Datagram(d)
	}
}

// BenchmarkSDP parses one description with session and media key-mgmt.
func BenchmarkSDP(b *testing.B) {
	v := loadVectors(b)
	sdp := []byte(crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
		"a=key-mgmt:mikey "+v["rfc4567-5.1-offer"].B64,
		"m=audio 49000 RTP/SAVP 98", "a=rtpmap:98 AMR/8000",
		"m=video 52230 RTP/SAVP 31", "a=key-mgmt:mikey "+v["tsitle-announce-sdp-media"].B64, "a=rtcp-mux"))
	b.SetBytes(int64(len(sdp)))
	b.ReportAllocs()
	for b.Loop() {
		parseSDP(sdp, 0)
	}
}

// BenchmarkMediaLearnt is the hot path: an RTP datagram on a learnt flow.
func BenchmarkMediaLearnt(b *testing.B) {
	v := loadVectors(b)
	sink := &nullSink{}
	e := NewEngine(sink, Options{})
	e.Datagram(dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", []byte(sipInvite(v, "bench", "1", "4000"))))
	d := dgram(2, "10.0.0.2:30000", "10.0.0.1:4000", rtpPacket(98, false, 1, 160, 0x1234, make([]byte, 160)))
	benchMedia(b, e, d, sink)
}

// BenchmarkMediaHeuristic is an RTP datagram on a flow nobody signalled.
func BenchmarkMediaHeuristic(b *testing.B) {
	sink := &nullSink{}
	e := NewEngine(sink, Options{})
	d := dgram(2, "10.0.0.2:30000", "10.0.0.1:40000", rtpPacket(98, false, 1, 160, 0x1234, make([]byte, 160)))
	benchMedia(b, e, d, sink)
}

func benchMedia(b *testing.B, e *Engine, d *capture.Datagram, sink *nullSink) {
	b.SetBytes(int64(len(d.Payload)))
	b.ReportAllocs()
	sink.n = 0
	for b.Loop() {
		e.Datagram(d)
	}
	if sink.n == 0 {
		b.Fatal("packet not delivered")
	}
}

// BenchmarkInterleaved is RTP interleaved in an RTSP stream, one frame per
// segment, on a channel learnt from SETUP.
func BenchmarkInterleaved(b *testing.B) {
	v := loadVectors(b)
	toServer, toClient, rtp, _ := rtspConversation(v)
	sink := &nullSink{}
	e := NewEngine(sink, Options{})
	e.Segment(seg(1, rtspClient, rtspServer, []byte(toServer[0]+toServer[1]), 0))
	e.Segment(seg(2, rtspServer, rtspClient, []byte(toClient[0]+toClient[1]), 0))
	frame := append([]byte{'$', 0, byte(len(rtp) >> 8), byte(len(rtp))}, rtp...)
	s := seg(3, rtspServer, rtspClient, frame, 0)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	sink.n = 0
	for b.Loop() {
		e.Segment(s)
	}
	if sink.n == 0 {
		b.Fatal("frame not delivered")
	}
}

// TestMediaPathAllocationFree asserts the hot paths allocate nothing: RTP
// and RTCP on a learnt flow, on an unknown flow, and interleaved in RTSP.
func TestMediaPathAllocationFree(t *testing.T) {
	v := loadVectors(t)
	sink := &nullSink{}
	e := NewEngine(sink, Options{})
	e.Datagram(dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", []byte(sipInvite(v, "alloc", "1", "4000"))))
	toServer, toClient, rtp, rtcp := rtspConversation(v)
	e.Segment(seg(2, rtspClient, rtspServer, []byte(toServer[0]+toServer[1]), 0))
	e.Segment(seg(3, rtspServer, rtspClient, []byte(toClient[0]+toClient[1]), 0))
	frame := append([]byte{'$', 1, byte(len(rtcp) >> 8), byte(len(rtcp))}, rtcp...)
	frame = append(frame, '$', 0, byte(len(rtp)>>8), byte(len(rtp)))
	d1 := dgram(4, "10.0.0.2:30000", "10.0.0.1:4000", rtp)
	d2 := dgram(5, "10.0.0.2:30001", "10.0.0.1:4001", rtcp)
	d3 := dgram(6, "10.9.0.2:30000", "10.9.0.1:40000", rtp)
	s1 := seg(7, rtspServer, rtspClient, frame, 0)
	s2 := seg(8, rtspServer, rtspClient, rtp, 0)
	cases := []struct {
		name string
		run  func()
	}{
		{"learnt rtp", func() { e.Datagram(d1) }},
		{"learnt rtcp", func() { e.Datagram(d2) }},
		{"heuristic rtp", func() { e.Datagram(d3) }},
		{"interleaved, frame split over segments", func() { e.Segment(s1); e.Segment(s2) }},
	}
	for _, c := range cases {
		before := sink.n
		c.run() // warm up: buffers grow once
		if sink.n == before {
			t.Fatalf("%s: nothing delivered", c.name)
		}
		if n := testing.AllocsPerRun(200, c.run); n != 0 {
			t.Errorf("%s: %.1f allocations per packet", c.name, n)
		}
	}
}
