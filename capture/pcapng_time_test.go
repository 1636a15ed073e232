package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// TestPcapngTimestampRange: packet times are kept in years 0000-9999, the
// years the JSON report can write (a pcapng read with if_tsresol 2 had
// timestamps in year 568,375,493 and report --json failed: found by
// FuzzCapture). A timestamp beyond, or whose offset overflows, gives the
// packet the previous packet's time with BadTime set, and the Decoder
// reports the frame as malformed; the packets go on.
func TestPcapngTimestampRange(t *testing.T) {
	const lastSec = 253402300799 // 9999-12-31T23:59:59Z
	before := time.Unix(1, 0).UTC()
	tests := []struct {
		name   string
		resol  byte  // if_tsresol: 10^-resol s
		offset int64 // if_tsoffset
		ts     uint64
		want   time.Time // zero: out of range
	}{
		{"last second of 9999", 0, 0, lastSec, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"last microsecond of 9999", 6, 0, lastSec*1e6 + 999_999, time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC)},
		{"year 10000", 0, 0, lastSec + 1, time.Time{}},
		{"year 568,375,493 in centiseconds", 2, 0, 17936136000000000 * 100, time.Time{}},
		{"first second of year 0", 0, -62167219200, 0, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year -1 by the offset", 0, -62167219201, 0, time.Time{}},
		{"offset overflowing", 0, math.MaxInt64, 1, time.Time{}},
		{"seconds beyond int64", 0, math.MinInt64, math.MaxUint64, time.Time{}},
		{"microseconds, 2026", 6, 0, 1_800_000_000_000_000, time.Unix(1_800_000_000, 0).UTC()},
	}
	for _, tt := range tests {
		n := &ngBuilder{order: binary.LittleEndian}
		n.section()
		n.iface(linkRaw, 0) // microseconds, no offset
		n.iface(linkRaw, 0, ngOptIfTsresol, []byte{tt.resol}, ngOptIfTsoffset, binary.LittleEndian.AppendUint64(nil, uint64(tt.offset)))
		n.epb(0, 1_000_000, []byte("before"), 6) // 1970-01-01T00:00:01Z
		n.epb(1, tt.ts, []byte("x"), 1)
		n.epb(0, 2_000_000, []byte("after"), 5)
		src, err := OpenReader("t.pcapng", bytes.NewReader(n.b))
		if err != nil {
			t.Fatal(err)
		}
		var got []Packet
		for {
			var p Packet
			err := src.Next(&p)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			p.Data = bytes.Clone(p.Data)
			got = append(got, p)
		}
		src.Close()
		if len(got) != 3 {
			t.Fatalf("%s: %d packets, want 3", tt.name, len(got))
		}
		want, bad := tt.want, false
		if want.IsZero() {
			want, bad = before, true
		}
		if !got[1].Time.Equal(want) || got[1].BadTime != bad || got[0].BadTime || got[2].BadTime {
			t.Errorf("%s: time %v bad %v, want %v bad %v (neighbours bad: %v %v)", tt.name, got[1].Time, got[1].BadTime, want, bad, got[0].BadTime, got[2].BadTime)
		}
		rec := &recorder{}
		d := NewDecoder(rec, DecoderOptions{})
		d.Packet(&got[1])
		var timeProblems []event
		for _, p := range rec.problems(ProblemMalformed) {
			if strings.Contains(p.Detail, "timestamp outside years 0000-9999") {
				timeProblems = append(timeProblems, p)
			}
		}
		if (len(timeProblems) == 1) != bad || len(timeProblems) > 1 {
			t.Errorf("%s: timestamp problems %v, want one: %v", tt.name, timeProblems, bad)
		}
	}
}
