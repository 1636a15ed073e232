package dissect

import (
	"testing"

	"github.com/pion/rtp"
)

func TestFillMedia(t *testing.T) {
	ext := []byte{0x90, 96, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 9}
	tests := []struct {
		name string
		b    []byte
		ok   bool
		kind Kind
		pt   uint8
		ssrc uint32
	}{
		{"rtp", rtpPacket(0, false, 1, 2, 3, nil), true, KindRTP, 0, 3},
		{"rtp marker pt 96", rtpPacket(96, true, 1, 2, 0xdeadbeef, []byte{1}), true, KindRTP, 96, 0xdeadbeef},
		{"rtp pt 127 marker (second byte 0xff)", rtpPacket(127, true, 1, 2, 7, nil), true, KindRTP, 127, 7},
		{"rtp pt 63 marker (0xbf just below RTCP)", rtpPacket(63, true, 1, 2, 7, nil), true, KindRTP, 63, 7},
		{"rtp with extension", ext, true, KindRTP, 96, 3},
		{"extension beyond end", ext[:15], false, 0, 0, 0},
		{"csrc beyond end", append([]byte{0x82}, rtpPacket(0, false, 1, 2, 3, nil)[1:]...), false, 0, 0, 0},
		{"padding ok", append(append([]byte{0xa0}, rtpPacket(0, false, 1, 2, 3, nil)[1:]...), 0, 0, 3), true, KindRTP, 0, 3},
		{"padding too long", append(append([]byte{0xa0}, rtpPacket(0, false, 1, 2, 3, nil)[1:]...), 9), false, 0, 0, 0},
		{"padding zero", append(append([]byte{0xa0}, rtpPacket(0, false, 1, 2, 3, nil)[1:]...), 0), false, 0, 0, 0},
		{"version 1", append([]byte{0x40}, rtpPacket(0, false, 1, 2, 3, nil)[1:]...), false, 0, 0, 0},
		{"short", []byte{0x80, 0, 0}, false, 0, 0, 0},
		{"rtcp sr", rtcpSR(0xabcdef01), true, KindRTCP, 200, 0xabcdef01},
		{"rtcp pt 192 (RFC 5761 lower bound)", []byte{0x80, 192, 0, 1, 0, 0, 0, 5}, true, KindRTCP, 192, 5},
		{"rtcp pt 223 (upper bound)", []byte{0x80, 223, 0, 1, 0, 0, 0, 5}, true, KindRTCP, 223, 5},
		{"rtcp length beyond end", []byte{0x80, 201, 0, 9, 0, 0, 0, 5}, false, 0, 0, 0},
		{"srtcp trailer after compound", append(rtcpSR(4), 0x80, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), true, KindRTCP, 200, 4},
	}
	for _, tc := range tests {
		var p MediaPacket
		ok := fillMedia(&p, tc.b)
		if ok != tc.ok || ok && (p.Kind != tc.kind || p.PT != tc.pt || p.SSRC != tc.ssrc) {
			t.Errorf("%s: ok %v kind %v pt %d ssrc %x", tc.name, ok, p.Kind, p.PT, p.SSRC)
		}
	}
}

// TestFillRTPAgainstPion compares the header fields with pion/rtp.
func TestFillRTPAgainstPion(t *testing.T) {
	for i, pk := range []rtp.Packet{
		{Header: rtp.Header{Version: 2, Marker: true, PayloadType: 111, SequenceNumber: 65535, Timestamp: 0xfffffff0, SSRC: 0x01020304}, Payload: []byte{1, 2, 3}},
		{Header: rtp.Header{Version: 2, PayloadType: 8, SequenceNumber: 1, Timestamp: 5, SSRC: 9, CSRC: []uint32{1, 2}}, Payload: []byte{4}},
		{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 7, Timestamp: 8, SSRC: 10, Extension: true, ExtensionProfile: 0xbede}, Payload: []byte{5, 6}},
		{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 3, Timestamp: 4, SSRC: 11, Padding: true, PaddingSize: 4}, Payload: []byte{7}},
	} {
		if pk.Extension {
			if err := pk.SetExtension(1, []byte{0xaa, 0xbb}); err != nil {
				t.Fatal(err)
			}
		}
		b, err := pk.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var p MediaPacket
		if !fillMedia(&p, b) {
			t.Fatalf("packet %d rejected: %x", i, b)
		}
		var back rtp.Packet
		if err := back.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		if p.Kind != KindRTP || p.PT != back.PayloadType || p.Marker != back.Marker || p.Seq != back.SequenceNumber ||
			p.Timestamp != back.Timestamp || p.SSRC != back.SSRC {
			t.Errorf("packet %d: %+v vs pion %+v", i, p, back.Header)
		}
	}
}

func TestHeuristicMedia(t *testing.T) {
	tests := []struct {
		name     string
		src, dst string
		b        []byte
		deliver  bool
	}{
		{"rtp high ports", "10.0.0.1:40000", "10.0.0.2:40002", rtpPacket(96, false, 10, 20, 30, make([]byte, 10)), true},
		{"rtcp sr high ports", "10.0.0.1:40001", "10.0.0.2:40003", rtcpSR(30), true},
		{"rtcp pt 195 not a report", "10.0.0.1:40001", "10.0.0.2:40003", []byte{0x80, 195, 0, 1, 0, 0, 0, 5}, false},
		{"all-zero rtp header", "10.0.0.1:40000", "10.0.0.2:40002", rtpPacket(0, false, 0, 0, 0, nil), false},
		{"low port (DNS-like)", "10.0.0.1:53", "10.0.0.2:40002", rtpPacket(96, false, 10, 20, 30, nil), false},
		{"SIP port", "10.0.0.1:5060", "10.0.0.2:40002", rtpPacket(96, false, 10, 20, 30, nil), false},
		{"STUN", "10.0.0.1:40000", "10.0.0.2:40002", []byte{0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, false},
		{"DTLS", "10.0.0.1:40000", "10.0.0.2:40002", []byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, false},
		{"text", "10.0.0.1:40000", "10.0.0.2:40002", []byte("hello world, not rtp"), false},
	}
	for _, tc := range tests {
		rec := &recSink{}
		NewEngine(rec, Options{}).Datagram(dgram(1, tc.src, tc.dst, tc.b))
		if got := len(rec.media) == 1; got != tc.deliver {
			t.Errorf("%s: delivered %v", tc.name, got)
			continue
		}
		if tc.deliver && (rec.media[0].Learnt || rec.media[0].MediaIndex != -1 || rec.media[0].SessionKey != "") {
			t.Errorf("%s: %+v", tc.name, rec.media[0])
		}
		rec = &recSink{}
		NewEngine(rec, Options{NoHeuristicMedia: true}).Datagram(dgram(1, tc.src, tc.dst, tc.b))
		if len(rec.media) != 0 {
			t.Errorf("%s: delivered with NoHeuristicMedia", tc.name)
		}
	}
}
