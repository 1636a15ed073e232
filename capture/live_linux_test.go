//go:build linux

package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/rawsend"
)

// TestLiveLoopback captures UDP sent to 127.0.0.1 on "lo" (Ethernet
// framing) and on "any" (cooked SLL framing) with a port filter and checks
// the datagrams come out of the Decoder, each exactly as sent.
func TestLiveLoopback(t *testing.T) {
	for _, iface := range []string{"lo", "any"} {
		t.Run(iface, func(t *testing.T) { testLive(t, iface) })
	}
}

func testLive(t *testing.T, iface string) {
	rawsend.NeedRoot(t)
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Skipf("no IPv4 loopback: %v", err)
	}
	defer rx.Close()
	other, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	port := rx.LocalAddr().(*net.UDPAddr).Port
	src, err := OpenLive(iface, fmt.Sprintf("udp port %d", port), LiveOptions{})
	if err != nil {
		if errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "operation not permitted") {
			t.Skipf("cannot open %s: %v", iface, err)
		}
		t.Fatal(err)
	}
	if _, ok := src.(StatsReporter); !ok {
		t.Error("live source does not report stats")
	}

	const want = 5
	got := make(chan []event, 1)
	go func() {
		rec := &recorder{}
		d := NewDecoder(rec, DecoderOptions{})
		var p Packet
		seen := map[string]bool{}
		for len(seen) < want {
			if err := src.Next(&p); err != nil {
				if err != io.EOF {
					t.Errorf("Next: %v", err)
				}
				break
			}
			d.Packet(&p)
			for _, e := range rec.of("udp") {
				seen[e.Payload] = true
			}
		}
		got <- rec.events
	}()

	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	noise, _ := net.DialUDP("udp4", nil, other.LocalAddr().(*net.UDPAddr))
	defer noise.Close()
	deadline := time.After(20 * time.Second) // a safety net, not a measurement
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var events []event
	sent := 0 // times each payload was sent
loop:
	for {
		select {
		case events = <-got:
			break loop
		case <-tick.C:
			noise.Write([]byte("not for the filter"))
			for i := range want {
				tx.Write([]byte(fmt.Sprintf("datagram %d", i)))
			}
			sent++
		case <-deadline:
			src.Close()
			events = <-got
			break loop
		}
	}
	src.Close()
	seen := map[string]int{}
	for _, e := range events {
		if e.Kind != "udp" {
			t.Errorf("unexpected event %v", e)
			continue
		}
		if e.Dst != fmt.Sprintf("127.0.0.1:%d", port) || !strings.HasPrefix(e.Payload, "datagram ") {
			t.Errorf("datagram passed the filter wrongly: %v", e)
		}
		seen[e.Payload]++
	}
	for payload, n := range seen {
		if n > sent {
			t.Errorf("%q captured %d times but sent %d times (duplicates)", payload, n, sent)
		}
	}
	if len(seen) != want {
		t.Errorf("captured %d distinct datagrams, want %d: %v", len(seen), want, seen)
	}
}

func TestLiveErrors(t *testing.T) {
	if _, err := OpenLive("lo", "udp port", LiveOptions{}); err == nil {
		t.Error("bad filter accepted")
	}
	if _, err := OpenLive("no-such-interface0", "", LiveOptions{}); err == nil {
		t.Error("missing interface accepted")
	}
}

// openLoOrSkip opens a live capture on lo, skipping without root.
func openLoOrSkip(t *testing.T, filter string, opts LiveOptions) Source {
	t.Helper()
	rawsend.NeedRoot(t)
	src, err := OpenLive("lo", filter, opts)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestLiveDropCount: a tiny ring, a burst it cannot hold, read only after
// the burst: the frames delivered plus the drops the source reports equal
// the frames sent, and the kernel's received count is the frames sent.
func TestLiveDropCount(t *testing.T) {
	const port = 47123
	src := openLoOrSkip(t, fmt.Sprintf("udp and host 10.9.8.7 and dst port %d", port), LiveOptions{BufferSize: 128 << 10})
	defer src.Close()
	tx, err := rawsend.Open("lo")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	const sent = 20000
	for i := range sent {
		frame := ethernet(ipUDP(t, "10.9.8.7", 1000, "10.9.8.6", port, []byte(fmt.Sprintf("burst %05d", i))))
		if err := tx.Send(frame); err != nil {
			t.Fatal(err)
		}
	}
	src.(IdleReporter).ReportIdle(100 * time.Millisecond)
	var p Packet
	delivered := 0
	for {
		err := src.Next(&p)
		if err == ErrIdle {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(p.Data), "burst ") {
			t.Fatalf("frame %d is not one of the burst", p.Frame)
		}
		delivered++
	}
	st := src.(StatsReporter).Stats()
	t.Logf("sent %d, delivered %d, kernel: received %d, dropped %d, ring full %d times", sent, delivered, st.Received, st.Dropped, st.Freezes)
	if st.Dropped == 0 {
		t.Fatalf("a 128 KiB ring held a burst of %d frames: nothing dropped", sent)
	}
	if uint64(delivered)+st.Dropped != sent {
		t.Errorf("delivered %d + dropped %d = %d, sent %d", delivered, st.Dropped, uint64(delivered)+st.Dropped, sent)
	}
	if st.Received != sent {
		t.Errorf("kernel received %d, sent %d", st.Received, sent)
	}
	src.Close()
	if after := src.(StatsReporter).Stats(); after != st {
		t.Errorf("stats after Close %+v, before %+v", after, st)
	}
}

// TestLiveIdle: a quiet capture returns ErrIdle within the poll timeout
// once asked to, and Close ends a Next in progress.
func TestLiveIdle(t *testing.T) {
	src := openLoOrSkip(t, "udp and host 10.9.8.5", LiveOptions{})
	src.(IdleReporter).ReportIdle(100 * time.Millisecond)
	var p Packet
	start := time.Now()
	if err := src.Next(&p); err != ErrIdle {
		t.Fatalf("Next on a quiet capture: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("ErrIdle after %v", d)
	}
	closeEndsNext(t, openLoOrSkip(t, "udp and host 10.9.8.5", LiveOptions{}), 50*time.Millisecond)
	src.Close()
}

// TestLiveFrameOutlivesClose reads a frame, closes the source (as Run does
// from another goroutine when it is cancelled, while the reading goroutine
// may still be decoding the last frame) and then reads the frame's bytes:
// they must not point into the unmapped ring (that was a SIGSEGV in
// runtime.memmove), and they must be the datagram that was sent.
func TestLiveFrameOutlivesClose(t *testing.T) {
	rx, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Skipf("no IPv4 loopback: %v", err)
	}
	defer rx.Close()
	port := rx.LocalAddr().(*net.UDPAddr).Port
	src := openLoOrSkip(t, fmt.Sprintf("udp dst port %d", port), LiveOptions{})
	payload := []byte("the last frame before Close")
	tx, err := net.DialUDP("udp4", nil, rx.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	got := make(chan error, 1)
	var p Packet
	go func() { got <- src.Next(&p) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second) // a safety net, not a measurement
	for done := false; !done; {
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			done = true
		case <-tick.C:
			tx.Write(payload)
		case <-deadline:
			src.Close()
			t.Fatal("no frame captured")
		}
	}
	src.Close()
	// Reading every byte after Close faults if Data is still in the ring.
	data := append([]byte(nil), p.Data...)
	if !strings.HasSuffix(string(data), string(payload)) {
		t.Errorf("frame after Close ends %q, want the datagram %q", data[max(0, len(data)-len(payload)):], payload)
	}
}
