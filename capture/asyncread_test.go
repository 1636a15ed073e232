package capture

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

// chunkyReader returns its data in small pieces, then err.
type chunkyReader struct {
	data []byte
	step int
	err  error
}

func (c *chunkyReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, c.err
	}
	n := min(len(p), c.step, len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestAsyncReaderBytesThenError(t *testing.T) {
	data := make([]byte, 3*asyncChunk+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	damaged := errors.New("inflate: corrupt input")
	for _, end := range []error{io.EOF, damaged} {
		a := newAsyncReader(&chunkyReader{data: data, step: 10000, err: end})
		got, err := io.ReadAll(io.LimitReader(a, int64(len(data))))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("end %v: %d bytes (%v), want %d identical", end, len(got), err, len(data))
		}
		var p [8]byte
		for range 2 {
			if n, err := a.Read(p[:]); n != 0 || err != end {
				t.Fatalf("after the data: %d, %v; want 0, %v", n, err, end)
			}
		}
		a.Close()
	}
}

// TestAsyncReaderNoLeak: closing a compressed source early, and failing to
// open a gzip file that holds no capture, leave no goroutine behind.
func TestAsyncReaderNoLeak(t *testing.T) {
	var big bytes.Buffer
	frames := make([]frameRec, 20000)
	for i := range frames {
		frames[i] = frameRec{t: t0.Add(time.Duration(i) * time.Millisecond), data: bytes.Repeat([]byte{byte(i)}, 200)}
	}
	big.Write(gz(t, writePcap(t, LinkTypeRaw, frames...)))
	before := runtime.NumGoroutine()
	for range 5 {
		src, err := OpenReader("big.pcap.gz", bytes.NewReader(big.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var p Packet
		if err := src.Next(&p); err != nil {
			t.Fatal(err)
		}
		src.Close() // the read-ahead is blocked on a full queue
		if _, err := OpenReader("junk.gz", bytes.NewReader(gz(t, bytes.Repeat([]byte("not a capture "), 100000)))); err == nil {
			t.Fatal("junk opened")
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines, %d before", n, before)
	}
}

// TestAsyncReaderDoesNotWaitForAFullChunk: bytes that arrive slowly (a pipe)
// are handed on as they come.
func TestAsyncReaderDoesNotWaitForAFullChunk(t *testing.T) {
	pr, pw := io.Pipe()
	a := newAsyncReader(pr)
	defer a.Close()
	defer pw.Close()
	go pw.Write([]byte("first bytes"))
	got := make(chan string, 1)
	go func() {
		var p [64]byte
		n, _ := a.Read(p[:])
		got <- string(p[:n])
	}()
	select {
	case s := <-got:
		if s != "first bytes" {
			t.Fatalf("read %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read waited for a full chunk")
	}
}

// TestAsyncReaderCloseDoesNotWaitForABlockedRead: closing a source over a
// pipe that sends nothing returns at once.
func TestAsyncReaderCloseDoesNotWaitForABlockedRead(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	a := newAsyncReader(pr)
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a blocked read")
	}
}
