package capture

import (
	"io"
	"sync"
)

// Decompressing a gzip capture costs several times the decoding of its
// packets (calls.pcap.gz: ~1.2 s of inflate against ~0.3 s for the whole
// analysis of the uncompressed file), so compressed inputs are inflated on
// a goroutine of their own, up to 16 reads ahead of the reader. Uncompressed
// files are not: their records are parsed in place in the read buffer, and
// a hand-off would add a copy for the little a read system call costs.
const (
	asyncChunk = 64 << 10 // inflate returns at most its 32 KB window per read
	asyncDepth = 16
)

// asyncReader reads r ahead on its own goroutine. Reads return r's bytes in
// order, then r's error (io.EOF at the end). Close stops the goroutine.
type asyncReader struct {
	full chan asyncChunkData
	free chan []byte
	done chan struct{}
	once sync.Once

	cur    []byte // unread part of the chunk being consumed
	curBuf []byte // its whole buffer, recycled when it is used up
	err    error  // r's error, returned once cur is empty
}

type asyncChunkData struct {
	b   []byte
	err error
}

func newAsyncReader(r io.Reader) *asyncReader {
	a := &asyncReader{
		full: make(chan asyncChunkData, asyncDepth),
		free: make(chan []byte, asyncDepth),
		done: make(chan struct{}),
	}
	for range asyncDepth {
		a.free <- make([]byte, asyncChunk)
	}
	go a.run(r)
	return a
}

func (a *asyncReader) run(r io.Reader) {
	defer close(a.full)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		// One read per chunk, as much as the reader has: a stream that
		// arrives slowly (a pipe) is handed on as it comes, not held back
		// until a chunk fills.
		var n int
		var err error
		for tries := 0; n == 0 && err == nil; tries++ {
			if tries == 100 {
				err = io.ErrNoProgress
				break
			}
			n, err = r.Read(buf)
		}
		select {
		case a.full <- asyncChunkData{b: buf[:n], err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.curBuf != nil {
			a.free <- a.curBuf[:cap(a.curBuf)]
			a.curBuf = nil
		}
		if a.err != nil {
			return 0, a.err
		}
		c, ok := <-a.full
		if !ok {
			a.err = io.ErrClosedPipe // closed while reading
			return 0, a.err
		}
		a.cur, a.curBuf, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the read-ahead; it does not close the underlying reader. It
// does not wait for a read in progress (a pipe may never return): the
// goroutine ends when that read does.
func (a *asyncReader) Close() error {
	a.once.Do(func() { close(a.done) })
	return nil
}

// closeBoth closes the file under a read-ahead, which ends a read the
// read-ahead may be waiting in, then stops the read-ahead.
type closeBoth struct {
	readAhead io.Closer
	file      io.Closer
}

func (c closeBoth) Close() error {
	err := c.file.Close()
	c.readAhead.Close()
	return err
}
