package capture

import (
	"errors"
	"io"
	"testing"
)

// TestMergerCloseWhileReading closes a file source from another goroutine
// while Next runs, as Run's cancel hook does (a TUI pass restarted by an
// added key): Close wrote the merger's error while Next read it, a data
// race `go test -race` reports (CI runs this package under -race). Next
// then ends with the closed error (or the closed file's read error) and
// keeps returning it.
func TestMergerCloseWhileReading(t *testing.T) {
	src, err := OpenFiles("../samples/sip-udp-psk.pcap", "../samples/sip-tcp-psk.pcap")
	if err != nil {
		t.Fatal(err)
	}
	var p Packet
	if err := src.Next(&p); err != nil {
		t.Fatalf("first packet: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		for {
			if err := src.Next(&p); err != nil {
				done <- err
				return
			}
		}
	}()
	src.Close()
	err = <-done
	if err != io.EOF && !errors.Is(err, errClosed) {
		// A read that was under way may fail on the closed file instead.
		var re *ReadError
		if !errors.As(err, &re) {
			t.Errorf("Next after Close: %v", err)
		}
	}
	if err := src.Next(&p); err != io.EOF && !errors.Is(err, errClosed) {
		var re *ReadError
		if !errors.As(err, &re) {
			t.Errorf("Next after Close, again: %v", err)
		}
	}
}
