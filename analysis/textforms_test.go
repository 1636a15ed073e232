package analysis

import "testing"

func TestSessionTitle(t *testing.T) {
	for _, tc := range []struct {
		s    Session
		want string
	}{
		{Session{Key: "abc@host", URL: "rtsp://cam/stream", From: "a", To: "b"}, "rtsp://cam/stream"},
		{Session{Key: "abc@host", From: "sip:alice@a", To: "sip:bob@b"}, "sip:alice@a -> sip:bob@b"},
		{Session{Key: "abc@host", To: "sip:bob@b"}, " -> sip:bob@b"},
		{Session{Key: "abc@host"}, "abc@host"},
		{Session{}, ""},
	} {
		if got := tc.s.Title(); got != tc.want {
			t.Errorf("Title(%+v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func TestFrameList(t *testing.T) {
	for _, tc := range []struct {
		fs   []uint64
		want string
	}{
		{nil, ""},
		{[]uint64{7}, "7"},
		{[]uint64{1, 5, 9}, "1, 5, 9"},
		{[]uint64{1, 2, 3, 4, 5, 6, 7, 8}, "1, 2, 3, 4, 5, 6, 7, 8"},
		{[]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "1, 2, 3, 4, 5, 6, 7, 8, ... (10 in all)"},
	} {
		if got := FrameList(tc.fs); got != tc.want {
			t.Errorf("FrameList(%v) = %q, want %q", tc.fs, got, tc.want)
		}
	}
}

func TestSignalSeen(t *testing.T) {
	for _, tc := range []struct {
		sg   Signal
		want string
	}{
		{Signal{}, ""},
		{Signal{Via: "hep agent 2002"}, "via hep agent 2002"},
		{Signal{AlsoSeen: []SignalCopy{{Frame: 7, Via: "hep agent 3 (sbc)"}}}, "also hep agent 3 (sbc) frame 7"},
		{Signal{Via: "hep agent 2002", AlsoSeen: []SignalCopy{{Frame: 1, Via: "capture"}, {Frame: 9, Via: "hep agent 4"}}}, "via hep agent 2002; also capture frame 1; also hep agent 4 frame 9"},
	} {
		if got := tc.sg.Seen(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.sg, got, tc.want)
		}
	}
}
