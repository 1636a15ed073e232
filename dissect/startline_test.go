package dissect

import "testing"

func TestSniffStart(t *testing.T) {
	tests := []struct {
		in   string
		kind startKind
		car  Carrier
	}{
		{"INVITE sip:bob@b SIP/2.0\r\n", startYes, CarrierSIP},
		{"SIP/2.0 180 Ringing\r\n", startYes, CarrierSIP},
		{"SIP/2.0 200\r\n", startYes, CarrierSIP}, // empty reason phrase
		{"GET_PARAMETER rtsp://h/ RTSP/1.0\n", startYes, CarrierRTSP},
		{"RTSP/1.0 463 Key Management Failure\r\n", startYes, CarrierRTSP},
		{"RTSP/2.0 200 OK\r\n", startYes, CarrierRTSP},
		{"GET / HTTP/1.1\r\n", startNo, 0},
		{"HTTP/1.1 200 OK\r\n", startNo, 0},
		{"SIP/2.0 20 OK\r\n", startNo, 0},
		{"SIP/2.0 2000 OK\r\n", startNo, 0},
		{"invite sip:b SIP/2.0\r\n", startNo, 0},
		{"INVITE SIP/2.0\r\n", startNo, 0}, // no URI
		{"INVITE sip:bob@b SIP/2.", startMore, 0},
		{"SIP/2.0 2", startMore, 0},
		{"SIP/2.0 200\r", startMore, 0},
		{"RTSP/1.", startMore, 0},
		{"SIP/3", startNo, 0},
		{"SIP/2.0 2x", startNo, 0},
		{"INV\x00", startNo, 0},
		{"VERYLONGMETHODNAMEXXXXXXXXXXXXXXXX", startNo, 0}, // > 32 method chars
	}
	for _, tc := range tests {
		k, c := sniffStart([]byte(tc.in))
		if k != tc.kind || c != tc.car {
			t.Errorf("%q: kind %d carrier %v, want %d %v", tc.in, k, c, tc.kind, tc.car)
		}
	}
}

func TestFindStart(t *testing.T) {
	rtpFrame := "$\x00\x00\x0c\x80\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03"
	tests := []struct {
		in          string
		rtsp, start bool
		want        int
	}{
		{"junk\r\nOPTIONS sip:x SIP/2.0\r\n", false, true, 6},
		{"OPTIONS sip:x SIP/2.0\r\n", false, false, -1}, // mid-line: not a line start
		{"x\nOPTIONS sip:x SIP/2.0\r\n", false, false, 2},
		{"abc" + rtpFrame, true, true, 3},
		{rtpFrame, true, false, 0}, // '$' counts anywhere
		{rtpFrame, false, true, -1},
		{"ab$\x00\x00\x02zz", true, true, -1}, // frame too short to be RTP
		{"junk\r\nRTSP/1.", true, true, 6},    // incomplete candidate: wait
	}
	for _, tc := range tests {
		if got := findStart([]byte(tc.in), tc.rtsp, tc.start); got != tc.want {
			t.Errorf("%q rtsp=%v lineStart=%v: %d, want %d", tc.in, tc.rtsp, tc.start, got, tc.want)
		}
	}
}
