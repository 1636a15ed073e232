package capture

import (
	"bufio"
	"errors"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/gzip"
)

// maxRecordLen bounds a single pcap record or pcapng block. Larger values
// are treated as damage rather than allocated.
const maxRecordLen = 16 << 20

// readChunk is the growth step when a record is larger than the buffer, so a
// bogus length at the end of a file does not allocate its full value.
const readChunk = 64 << 10

// recordReader reads packets of one format from a byte stream.
type recordReader interface {
	// next fills p (all but Frame) and returns io.EOF at a clean end.
	next(r *fileReader, p *Packet) error
}

// fileReader is one input file: its byte stream, offset bookkeeping and
// the reusable record buffer.
type fileReader struct {
	name       string
	input      int
	closer     io.Closer
	br         *readBuffer
	off        int64 // offset of the next unread byte
	recOff     int64 // offset of the record being read (for errors)
	compressed bool
	buf        []byte
	format     recordReader
	lastTime   time.Time

	cur Packet // the packet waiting to be delivered by the merger
}

// readN reads exactly n bytes into the reusable buffer. A buffer larger than
// the current one grows in chunks so a bogus length cannot allocate beyond
// the bytes actually present (plus one chunk).
func (r *fileReader) readN(n int) ([]byte, error) {
	if n <= cap(r.buf) {
		b := r.buf[:n]
		m, err := io.ReadFull(r.br, b)
		r.off += int64(m)
		return b[:m], err
	}
	b := r.buf[:0]
	for len(b) < n {
		step := min(n-len(b), max(len(b), readChunk))
		if cap(b)-len(b) < step {
			nb := make([]byte, len(b), len(b)+step)
			copy(nb, b)
			b = nb
		}
		m, err := io.ReadFull(r.br, b[len(b):len(b)+step])
		r.off += int64(m)
		b = b[:len(b)+m]
		if err != nil {
			r.buf = b
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return b, err
		}
	}
	r.buf = b
	return b, nil
}

// viewN returns the next n bytes in place in the read buffer when they fit
// in it (no copy; valid until the next read of r), else copied by readN.
// Errors are readN's: io.EOF when no byte was left, io.ErrUnexpectedEOF
// when some were.
func (r *fileReader) viewN(n int) ([]byte, error) {
	if n > r.br.size() {
		return r.readN(n)
	}
	b, err := r.br.view(n)
	r.off += int64(len(b))
	if len(b) < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
			if len(b) == 0 {
				err = io.EOF
			}
		}
		return b, err
	}
	return b, nil
}

// skip discards n bytes.
func (r *fileReader) skip(n int) error {
	m, err := r.br.discard(n)
	r.off += int64(m)
	if err == io.EOF && m < n {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// newFileReader detects the compression and format of rd by magic number.
func newFileReader(name string, input int, rd io.Reader, closer io.Closer) (_ *fileReader, err error) {
	r := &fileReader{name: name, input: input, closer: closer}
	var ar *asyncReader
	defer func() {
		if err != nil && ar != nil {
			ar.Close() // the caller closes the file
		}
	}()
	br := newReadBuffer(rd, 64<<10)
	magic, _ := br.peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		// The inflater reads a *bufio.Reader through its fast path (a
		// ReadByte per bit-buffer refill otherwise); its 64 KB reads pass
		// straight through br, whose buffer is no larger.
		zr, err := gzip.NewReader(bufio.NewReaderSize(br, 64<<10))
		if err != nil {
			return nil, &ReadError{File: name, Err: formatErrorf("gzip header: %v", err)}
		}
		r.compressed = true
		ar = newAsyncReader(zr)
		r.closer = closeBoth{ar, closer}
		br = newReadBuffer(ar, 64<<10)
	}
	r.br = br
	head, err := br.peek(4)
	if len(head) < 4 {
		if err == nil || err == io.EOF {
			err = truncatedErrorf("file shorter than a capture header (%d bytes)", len(head))
		}
		return nil, r.errAt(0, 0, err)
	}
	switch {
	case isPcapMagic(head):
		f, err := openPcap(r)
		if err != nil {
			return nil, r.errAt(0, 0, err)
		}
		r.format = f
	case isPcapngMagic(head):
		r.format = &pcapngReader{}
	default:
		return nil, r.errAt(0, 0, formatErrorf("unknown file magic % x (not pcap, pcapng or gzip)", head))
	}
	return r, nil
}

// errAt wraps err as a ReadError at offset off for frame.
func (r *fileReader) errAt(frame uint64, off int64, err error) *ReadError {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = truncatedErrorf("%v", err)
	}
	return &ReadError{File: r.name, Frame: frame, Offset: off, Compressed: r.compressed, Err: err}
}

// advance reads the next packet into r.cur.
func (r *fileReader) advance() error {
	r.cur.Input = r.input
	return r.format.next(r, &r.cur)
}

// OpenFiles opens one or more pcap/pcapng files (optionally gzip-compressed,
// detected by magic) and merges them in timestamp order into one Source whose
// frame numbers run from 1 over the merged stream. Frames with equal
// timestamps keep the order of the arguments.
func OpenFiles(paths ...string) (Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("capture: no input files")
	}
	var readers []*fileReader
	closeAll := func() {
		for _, r := range readers {
			r.closer.Close()
		}
	}
	for i, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			closeAll()
			return nil, err
		}
		r, err := newFileReader(path, i, f, f)
		if err != nil {
			f.Close()
			closeAll()
			return nil, err
		}
		readers = append(readers, r)
	}
	return newMerger(readers), nil
}

// OpenReader reads one capture (pcap or pcapng, optionally gzip-compressed)
// from rd; name is used in error messages. Closing the Source closes rd when
// it is an io.Closer.
func OpenReader(name string, rd io.Reader) (Source, error) {
	c, _ := rd.(io.Closer)
	if c == nil {
		c = io.NopCloser(nil)
	}
	r, err := newFileReader(name, 0, rd, c)
	if err != nil {
		return nil, err
	}
	return newMerger([]*fileReader{r}), nil
}
