package pcapwrite

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func TestWriterRoundTrip(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	frames := [][]byte{[]byte("frame-one-000000"), []byte("frame-two")}
	times := []time.Time{t0, t0.Add(20*time.Millisecond + 123*time.Microsecond)}
	for _, format := range []Format{FormatPcap, FormatPcapng} {
		var a, b bytes.Buffer
		for _, buf := range []*bytes.Buffer{&a, &b} {
			w, err := NewWriter(buf, format)
			if err != nil {
				t.Fatal(err)
			}
			for i := range frames {
				if err := w.WriteFrame(times[i], frames[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if w.Frames() != 2 {
				t.Fatalf("Frames() = %d", w.Frames())
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("format %d: output not deterministic", format)
		}
		var next func() ([]byte, time.Time, error)
		if format == FormatPcap {
			r, err := pcapgo.NewReader(&a)
			if err != nil {
				t.Fatal(err)
			}
			if r.LinkType() != layers.LinkTypeEthernet {
				t.Fatalf("link type %v", r.LinkType())
			}
			next = func() ([]byte, time.Time, error) { d, ci, err := r.ReadPacketData(); return d, ci.Timestamp, err }
		} else {
			r, err := pcapgo.NewNgReader(&a, pcapgo.DefaultNgReaderOptions)
			if err != nil {
				t.Fatal(err)
			}
			next = func() ([]byte, time.Time, error) { d, ci, err := r.ReadPacketData(); return d, ci.Timestamp, err }
		}
		for i := range frames {
			d, ts, err := next()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(d, frames[i]) || !ts.Equal(times[i]) {
				t.Fatalf("format %d frame %d: %q at %v", format, i, d, ts)
			}
		}
		if _, _, err := next(); err != io.EOF {
			t.Fatalf("after last frame: %v", err)
		}
	}
}

func BenchmarkWriteFrame(b *testing.B) {
	w, err := NewWriter(io.Discard, FormatPcap)
	if err != nil {
		b.Fatal(err)
	}
	frame := make([]byte, 214)
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if err := w.WriteFrame(t0, frame); err != nil {
			b.Fatal(err)
		}
	}
}
