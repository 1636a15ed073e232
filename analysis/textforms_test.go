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
