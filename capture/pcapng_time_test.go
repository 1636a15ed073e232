package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
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
		n.iface(linkRaw, 0, pcapng.OptIfTsresol, []byte{tt.resol}, pcapng.OptIfTsoffset, binary.LittleEndian.AppendUint64(nil, uint64(tt.offset)))
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

// TestPcapngRecordedDrops: the drops a capturing tool recorded in
// Interface Statistics Blocks (written here by gopacket's pcapgo) are the
// latest counts of each interface, summed; blocks before the packets and
// between them do not disturb reading.
func TestPcapngRecordedDrops(t *testing.T) {
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriter(&b, layers.LinkTypeEthernet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AddInterface(pcapgo.NgInterface{LinkType: layers.LinkTypeEthernet, SnapLength: 65535}); err != nil {
		t.Fatal(err)
	}
	frame := ethernet(ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("x")))
	stats := func(intf int, dropped uint64) {
		if err := w.WriteInterfaceStats(intf, pcapgo.NgInterfaceStatistics{LastUpdate: t0, PacketsReceived: 100, PacketsDropped: dropped}); err != nil {
			t.Fatal(err)
		}
	}
	packet := func(intf int) {
		ci := gopacket.CaptureInfo{Timestamp: t0, CaptureLength: len(frame), Length: len(frame), InterfaceIndex: intf}
		if err := w.WritePacket(ci, frame); err != nil {
			t.Fatal(err)
		}
	}
	packet(0)
	stats(0, 5)
	packet(1)
	packet(0)
	stats(0, 7) // cumulative: replaces the 5
	stats(1, 3)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	src, err := OpenFiles(writeFile(t, "isb.pcapng", b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pkts, err := readAll(t, src)
	if err != nil || len(pkts) != 3 {
		t.Fatalf("%d packets, %v", len(pkts), err)
	}
	if got := src.(DropRecorder).RecordedDrops(); got != 10 {
		t.Errorf("recorded drops %d, want 10 (7 on interface 0, 3 on 1)", got)
	}
	// A pcap file records none.
	src2, _ := OpenFiles(writeFile(t, "f.pcap", writePcap(t, LinkTypeEthernet, frameRec{t: t0, data: frame})))
	defer src2.Close()
	readAll(t, src2)
	if got := src2.(DropRecorder).RecordedDrops(); got != 0 {
		t.Errorf("pcap: %d drops", got)
	}
}
