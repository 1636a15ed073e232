package capture

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// TestWithIdle: a capture read from a pipe that pauses delivers the
// packets before the pause, then ErrIdle while it waits, then the packets
// after it, then io.EOF; the recorded drops of the file come through.
func TestWithIdle(t *testing.T) {
	frame := ethernet(ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("x")))
	file := writePcap(t, LinkTypeEthernet, frameRec{t: t0, data: frame}, frameRec{t: t0, data: frame}, frameRec{t: t0, data: frame})
	rec := 24 + (len(file)-24)/3
	pr, pw := io.Pipe()
	go func() {
		pw.Write(file[:rec+(len(file)-24)/3]) // header and two packets
		time.Sleep(400 * time.Millisecond)
		pw.Write(file[rec+(len(file)-24)/3:])
		pw.Close()
	}()
	inner, err := OpenReader("pipe", pr)
	if err != nil {
		t.Fatal(err)
	}
	src := WithIdle(inner)
	defer src.Close()
	src.(IdleReporter).ReportIdle(50 * time.Millisecond)
	var got []string
	var p Packet
	for {
		err := src.Next(&p)
		switch {
		case errors.Is(err, ErrIdle):
			if len(got) == 0 || got[len(got)-1] != "idle" {
				got = append(got, "idle")
			}
			continue
		case err == io.EOF:
			got = append(got, "eof")
		case err != nil:
			t.Fatal(err)
		default:
			if string(p.Data) != string(frame) {
				t.Fatalf("frame %d differs", p.Frame)
			}
			got = append(got, "packet")
			continue
		}
		break
	}
	want := []string{"packet", "packet", "idle", "packet", "eof"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if n := src.(DropRecorder).RecordedDrops(); n != 0 {
		t.Errorf("recorded drops %d", n)
	}
}

// TestWithIdleClose: Close ends a Next waiting on a pipe that never
// writes.
func TestWithIdleClose(t *testing.T) {
	frame := ethernet(ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, []byte("x")))
	file := writePcap(t, LinkTypeEthernet, frameRec{t: t0, data: frame})
	pr, pw := io.Pipe()
	go pw.Write(file[:24])
	inner, err := OpenReader("pipe", pr)
	if err != nil {
		t.Fatal(err)
	}
	closeEndsNext(t, WithIdle(inner), 20*time.Millisecond)
}

// closeEndsNext checks that Close, after wait, ends a Next in progress on
// src with io.EOF.
func closeEndsNext(t *testing.T, src Source, wait time.Duration) {
	t.Helper()
	done := make(chan error)
	var p Packet
	go func() { done <- src.Next(&p) }()
	time.Sleep(wait)
	src.Close()
	select {
	case err := <-done:
		if err != io.EOF {
			t.Errorf("Next after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end Next")
	}
}

// statsOnly is a source with kernel counters and no packets.
type statsOnly struct {
	Source
	st LiveStats
}

func (s statsOnly) Stats() LiveStats { return s.st }

// TestMergeLiveStats: merged live sources report the kernel counters of
// those that are kernel captures, summed, and say whether there is one.
func TestMergeLiveStats(t *testing.T) {
	empty := func() Source {
		src, err := OpenReader("empty", bytes.NewReader(writePcap(t, LinkTypeEthernet)))
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	a := statsOnly{empty(), LiveStats{Received: 10, Dropped: 2, Freezes: 1, Filtered: 3}}
	b := statsOnly{empty(), LiveStats{Received: 5, Dropped: 1}}
	m := MergeLive(NamedSource{"a", a}, NamedSource{"plain", empty()}, NamedSource{"b", b})
	defer m.Close()
	if st := m.(StatsReporter).Stats(); st != (LiveStats{Received: 15, Dropped: 3, Freezes: 1, Filtered: 3}) {
		t.Errorf("merged stats %+v", st)
	}
	if !m.(KernelStatsOptional).HasKernelStats() {
		t.Error("no kernel source found")
	}
	one := MergeLive(NamedSource{"plain", empty()})
	defer one.Close()
	if one.(KernelStatsOptional).HasKernelStats() {
		t.Error("a source without kernel counters has them")
	}
}
