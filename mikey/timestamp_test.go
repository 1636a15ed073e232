package mikey

import (
	"fmt"
	"testing"
	"time"
)

func TestDecodeTimestamp(t *testing.T) {
	tests := []struct {
		name     string
		typ      TSType
		value    uint64
		capture  time.Time
		want64   uint64
		wantTime time.Time
		filetime bool
	}{
		// NTP-UTC values from the vector notes: tsitle-roundtrip1 and the
		// ONVIF GET_PARAMETER response (real NTP times).
		{"ntp tsitle", TSTypeNTPUTC, 0xed6d0c9714123811, time.Time{}, 0xed6d0c9714123811, time.Date(2026, 3, 24, 13, 13, 59, 0, time.UTC), false},
		{"ntp onvif", TSTypeNTPUTC, 0xdbf2bcdd002b8412, time.Time{}, 0xdbf2bcdd002b8412, time.Date(2016, 12, 7, 16, 52, 45, 0, time.UTC), false},
		// Omnicast: a Windows FILETIME in an NTP-UTC field, 2018-01-15 15:59:22 UTC.
		{"omnicast filetime", TSTypeNTPUTC, 0x01d38e19cef95c3d, time.Time{}, 0x01d38e19cef95c3d, time.Date(2018, 1, 15, 15, 59, 22, 0, time.UTC), true},
		{"omnicast filetime with capture", TSTypeNTPUTC, 0x01d38e19cef95c3d, time.Date(2018, 1, 15, 16, 0, 0, 0, time.UTC), 0x01d38e19cef95c3d, time.Date(2018, 1, 15, 15, 59, 22, 0, time.UTC), true},
		// NTP type (1) is never read as FILETIME.
		{"ntp local", TSTypeNTP, 0x01d38e19cef95c3d, time.Time{}, 0x01d38e19cef95c3d, time.Time{}, false},
		// COUNTER is padded with leading zeros (RFC 3830 §6.6).
		{"counter", TSTypeCounter, 0x12345678, time.Time{}, 0x12345678, time.Time{}, false},
		// NTP-UTC-32 gets a zero fraction (RFC 6043 §6.3); 0xed6d0c97 s.
		{"ntp-utc-32", TSTypeNTPUTC32, 0xed6d0c97, time.Time{}, 0xed6d0c9700000000, time.Date(2026, 3, 24, 13, 13, 59, 0, time.UTC), false},
		// RFC 4330 era rule: top bit clear means after 2036-02-07 06:28:16.
		{"ntp era 1", TSTypeNTPUTC32, 0x00000001, time.Time{}, 0x0000000100000000, time.Date(2036, 2, 7, 6, 28, 17, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := DecodeTimestamp(tt.typ, tt.value, tt.capture)
			if err != nil {
				t.Fatal(err)
			}
			if ts.Value64 != tt.want64 || ts.FILETIME != tt.filetime {
				t.Fatalf("value %x filetime %v", ts.Value64, ts.FILETIME)
			}
			if !tt.wantTime.IsZero() && !ts.Time.Truncate(time.Second).Equal(tt.wantTime) {
				t.Fatalf("time %v, want %v", ts.Time, tt.wantTime)
			}
			if tt.typ == TSTypeCounter && !ts.Time.IsZero() {
				t.Fatal("COUNTER has a time")
			}
		})
	}
	if _, err := DecodeTimestamp(TSTypeCounter, 1<<32, time.Time{}); err == nil {
		t.Error("33-bit counter accepted")
	}
	if _, err := DecodeTimestamp(9, 0, time.Time{}); err == nil {
		t.Error("unknown type accepted")
	}
}

func TestTimestampOffsetAndNTP64(t *testing.T) {
	when := time.Date(2025, 6, 19, 11, 12, 45, 500_000_000, time.UTC)
	v := NTP64(when)
	if v>>32 != 0xebfe6f2d { // gortsplib-a's seconds for 2025-06-19 11:12:45
		t.Fatalf("NTP64 seconds %x", v>>32)
	}
	back := NTPTime(v)
	if d := back.Sub(when); d < -time.Microsecond || d > time.Microsecond {
		t.Fatalf("round trip %v", back)
	}
	ts, _ := DecodeTimestamp(TSTypeNTPUTC, v, time.Time{})
	off, ok := ts.Offset(when.Add(-90 * time.Second))
	if !ok || off < 89*time.Second || off > 91*time.Second {
		t.Fatalf("offset %v %v", off, ok)
	}
	if _, ok := (Timestamp{}).Offset(when); ok {
		t.Fatal("offset of a zero time")
	}
}

func TestReplayCache(t *testing.T) {
	c := NewReplayCache(2)
	msg1, msg2, msg3 := []byte("message one"), []byte("message two"), []byte("message three")
	if k, _ := c.Check(msg1, 1, 100, true, []byte("r"), 10); k != NotReplayed {
		t.Fatal(k)
	}
	if k, ref := c.Check(msg1, 1, 100, true, []byte("r"), 11); k != ReplayIdentical || ref != 10 {
		t.Fatalf("%v %d", k, ref)
	}
	// Different bytes, same (CSB ID, timestamp, RAND).
	if k, ref := c.Check(msg2, 1, 100, true, []byte("r"), 12); k != ReplaySameTuple || ref != 10 {
		t.Fatalf("%v %d", k, ref)
	}
	if k, _ := c.Check(msg2, 1, 101, true, []byte("r"), 13); k != NotReplayed {
		t.Fatal(k)
	}
	// Messages without a timestamp only match on identical bytes.
	if k, _ := c.Check(msg3, 1, 0, false, nil, 14); k != NotReplayed {
		t.Fatal(k)
	}
	// Size 2: msg1 has been evicted.
	if c.Len() != 2 {
		t.Fatalf("len %d", c.Len())
	}
	if k, _ := c.Check(msg1, 9, 9, true, nil, 15); k != NotReplayed {
		t.Fatalf("evicted entry still found: %v", k)
	}
	if ReplayIdentical.String() == "" || ReplaySameTuple.String() == ReplayIdentical.String() {
		t.Fatal("names")
	}
}

func BenchmarkReplayCheck(b *testing.B) {
	c := NewReplayCache(256)
	msg := make([]byte, 120)
	rnd := make([]byte, 16)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	i := 0
	for b.Loop() {
		msg[0], msg[1] = byte(i), byte(i>>8)
		c.Check(msg, 1, uint64(i), true, rnd, i)
		i++
	}
}

// TestReplayWindow: a windowed cache forgets the messages older than its
// window (by the time they were checked at), holds any number within it up
// to its limit, and still tells identical messages from same-tuple ones.
func TestReplayWindow(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	c := NewReplayWindow(10*time.Minute, 1000)
	for i := 0; i < 600; i++ { // one a second for 10 minutes
		msg := []byte(fmt.Sprintf("message %d", i))
		if k, _ := c.CheckAt(msg, uint32(i), uint64(i), true, []byte("r"), i+1, t0.Add(time.Duration(i)*time.Second)); k != NotReplayed {
			t.Fatalf("message %d: %v", i, k)
		}
	}
	if c.Len() != 600 {
		t.Fatalf("len %d, want all 600 within the window", c.Len())
	}
	// 10 minutes after message 0: it is still (just) inside the window.
	at := t0.Add(10 * time.Minute)
	if k, ref := c.CheckAt([]byte("message 0"), 0, 0, true, []byte("r"), 700, at); k != ReplayIdentical || ref != 1 {
		t.Fatalf("replay at the window's edge: %v %d", k, ref)
	}
	// Another message with message 5's tuple, 11 minutes after message 0:
	// messages 0-59 are gone, 5 among them.
	at = t0.Add(11 * time.Minute)
	if k, _ := c.CheckAt([]byte("other 5"), 5, 5, true, []byte("r"), 701, at); k != NotReplayed {
		t.Fatalf("tuple outside the window: %v", k)
	}
	if k, ref := c.CheckAt([]byte("other 100"), 100, 100, true, []byte("r"), 702, at); k != ReplaySameTuple || ref != 101 {
		t.Fatalf("tuple inside the window: %v %d", k, ref)
	}
	if c.Len() != 600-60+1 { // a repeat is not cached again
		t.Fatalf("len %d after expiry", c.Len())
	}
	// The limit holds whatever the window.
	small := NewReplayWindow(time.Hour, 3)
	for i := 0; i < 10; i++ {
		small.CheckAt([]byte{byte(i)}, 0, 0, false, nil, i, t0)
	}
	if small.Len() != 3 {
		t.Fatalf("len %d over the limit 3", small.Len())
	}
	if k, _ := small.CheckAt([]byte{9}, 0, 0, false, nil, 11, t0); k != ReplayIdentical {
		t.Fatalf("latest entry lost: %v", k)
	}
	if k, _ := small.CheckAt([]byte{0}, 0, 0, false, nil, 12, t0); k != NotReplayed {
		t.Fatalf("entry past the limit kept: %v", k)
	}
}

func TestReadTimestampAndNTPReading(t *testing.T) {
	capture := time.Date(2018, 1, 15, 16, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		payload  *TPayload
		ok       bool
		err      bool
		filetime bool
		ntp      time.Time
	}{
		{"no T payload", nil, false, false, false, time.Time{}},
		{"ntp-utc", &TPayload{TSType: TSTypeNTPUTC, Value: 0xed6d0c9714123811}, true, false, false, NTPTime(0xed6d0c9714123811)},
		{"omnicast filetime", &TPayload{TSType: TSTypeNTPUTC, Value: 0x01d38e19cef95c3d}, true, false, true, NTPTime(0x01d38e19cef95c3d)},
		{"ntp-utc-32", &TPayload{TSType: TSTypeNTPUTC32, Value: 0xed6d0c97}, true, false, false, NTPTime(0xed6d0c9700000000)},
		{"counter", &TPayload{TSType: TSTypeCounter, Value: 7}, true, false, false, time.Time{}},
		{"counter too wide", &TPayload{TSType: TSTypeCounter, Value: 1 << 40}, true, true, false, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Message{}
			if tc.payload != nil {
				m.Payloads = append(m.Payloads, tc.payload)
			}
			ts, ok, err := m.ReadTimestamp(capture)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Fatalf("ok %v err %v; want ok %v err %v", ok, err, tc.ok, tc.err)
			}
			if !ok || err != nil {
				return
			}
			want, _ := DecodeTimestamp(tc.payload.TSType, tc.payload.Value, capture)
			if ts != want {
				t.Errorf("ReadTimestamp = %+v, DecodeTimestamp = %+v", ts, want)
			}
			if ts.FILETIME != tc.filetime {
				t.Errorf("FILETIME = %v, want %v", ts.FILETIME, tc.filetime)
			}
			if got := ts.NTPReading(); !got.Equal(tc.ntp) {
				t.Errorf("NTPReading = %v, want %v", got, tc.ntp)
			}
		})
	}
}
