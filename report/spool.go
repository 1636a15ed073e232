package report

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/mikeyscope/mikeyscope/analysis"
)

// Spool keeps the sessions an analysis retires during the pass
// (analysis.Options.Retire) in an unnamed temporary file, each already in
// the form the report writes it, until the report is written: the
// report's memory then follows the calls in progress, not all the calls
// of the capture. Only a 24-byte index entry per session stays in memory.
// Add runs on the analyzer goroutine; the writers read the spool after
// the pass. Close removes the file.
type Spool struct {
	f     *os.File
	w     *bufio.Writer
	off   int64
	index []spoolEntry
	// render appends a session's rendering (with its findings fs when
	// the text report lists them under it); split divides it in two
	// forms (the text report's, with clock times and with dates), or is
	// its length.
	render func(dst []byte, s *analysis.Session, fs []*analysis.Finding) (b []byte, split int, err error)
	buf    []byte
	err    error
	kind   string
	// fs are the findings of the session Add is given next (AddFindings).
	fs   []*analysis.Finding
	fsID int
	// pretty: the JSON spool encodes findings indented (JSONOptions.Pretty).
	pretty bool
	// The JSON report's findings of retired sessions: each encoded into
	// chunk (recs locate them), and a full chunk written to the file as
	// a run sorted in the report's order; the runs are merged with the
	// report's own findings when it is written.
	chunk    []byte
	recs     []findingRec
	runs     []findingRun
	nSpooled int
}

// findingRec locates an encoded finding in the chunk, with its sort key.
type findingRec struct {
	frame, seq uint64
	sev        analysis.Severity
	code       string
	off, n     int32
}

// findingRun is a sorted run of findings in the file.
type findingRun struct{ off, n int64 }

// maxSpooledFinding bounds an encoded finding in the spool: a longer one
// is not spooled (the report fails), and a record that claims more is
// corrupted.
const maxSpooledFinding = 1 << 30

// findingHeaderLen is a finding record's header: frame, seq, severity,
// code length, body length (see writeRun).
const findingHeaderLen = 22

// chunkSize is the bytes of encoded findings held before they are written
// as a run (a variable for the tests).
var chunkSize = 1 << 20

type spoolEntry struct {
	id       int
	n, split int32
	off      int64
}

// NewJSONSpool returns a spool for WriteJSON with the same options (Trees
// and Pretty).
func NewJSONSpool(opts JSONOptions) (*Spool, error) {
	sp, err := newSpool("json", func(dst []byte, s *analysis.Session, _ []*analysis.Finding) ([]byte, int, error) {
		b, err := encodeSession(dst, s, opts)
		return b, len(b), err
	})
	if sp != nil {
		sp.pretty = opts.Pretty
	}
	return sp, err
}

// NewTextSpool returns a spool for WriteText with the same options.
func NewTextSpool(opts TextOptions) (*Spool, error) {
	return newSpool("text", func(dst []byte, s *analysis.Session, fs []*analysis.Finding) ([]byte, int, error) {
		b := bytes.NewBuffer(dst)
		bw := bufio.NewWriter(b)
		writeSession(bw, s, opts, clockStamp)
		writeSessionFindings(bw, fs, opts)
		if err := bw.Flush(); err != nil {
			return nil, 0, err
		}
		split := b.Len()
		writeSession(bw, s, opts, dateStamp)
		writeSessionFindings(bw, fs, opts)
		err := bw.Flush()
		return b.Bytes(), split, err
	})
}

func newSpool(kind string, render func([]byte, *analysis.Session, []*analysis.Finding) ([]byte, int, error)) (*Spool, error) {
	f, err := os.CreateTemp("", "mikeyscope-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool file: %w", err)
	}
	// Unnamed from the start: nothing is left behind, however the run ends.
	os.Remove(f.Name())
	return &Spool{f: f, w: bufio.NewWriterSize(f, 256<<10), render: render, kind: kind}, nil
}

// AddFindings takes the findings of a retired session
// (analysis.Options.RetiredFindings), sorted as the report sorts them: the
// text report lists them under the session (Add renders them with it), the
// JSON report in its findings list, merged by frame with the others.
func (sp *Spool) AddFindings(s *analysis.Session, fs []*analysis.Finding) {
	if sp.err != nil {
		return
	}
	if sp.kind == "text" {
		sp.fs, sp.fsID = fs, s.ID
		return
	}
	for _, f := range fs {
		off := len(sp.chunk)
		b, err := encodeJSON(sp.chunk, f, sp.pretty, "    ")
		if err == nil && len(b)-off > maxSpooledFinding {
			err = fmt.Errorf("a finding of session %d is too large to spool", s.ID)
		}
		if err != nil {
			sp.err = fmt.Errorf("spool: %w", err)
			return
		}
		sp.chunk = b
		sp.recs = append(sp.recs, findingRec{frame: f.Frame, seq: f.Seq(), sev: f.Severity, code: f.Code, off: int32(off), n: int32(len(b) - off)})
		sp.nSpooled++
	}
	if len(sp.chunk) >= chunkSize {
		sp.writeRun()
	}
}

// writeRun writes the chunk's findings to the file as a run, sorted.
// Each record: frame and seq (8 bytes each, little endian), severity,
// code length (1 byte each), the encoded finding's length (4 bytes), the
// code, the encoded finding.
func (sp *Spool) writeRun() {
	if len(sp.recs) == 0 || sp.err != nil {
		return
	}
	slices.SortFunc(sp.recs, func(a, b findingRec) int {
		return analysis.CompareFindingKeys(a.frame, a.sev, a.code, a.seq, b.frame, b.sev, b.code, b.seq)
	})
	start := sp.off
	var hdr [findingHeaderLen]byte
	for _, r := range sp.recs {
		if len(r.code) > 255 {
			sp.err = fmt.Errorf("spool: finding code %q too long", r.code)
			return
		}
		binary.LittleEndian.PutUint64(hdr[0:], r.frame)
		binary.LittleEndian.PutUint64(hdr[8:], r.seq)
		hdr[16] = byte(r.sev)
		hdr[17] = byte(len(r.code))
		binary.LittleEndian.PutUint32(hdr[18:], uint32(r.n))
		sp.w.Write(hdr[:])
		sp.w.WriteString(r.code)
		if _, err := sp.w.Write(sp.chunk[r.off : r.off+r.n]); err != nil {
			sp.err = fmt.Errorf("spool: %w", err)
			return
		}
		sp.off += int64(len(hdr)) + int64(len(r.code)) + int64(r.n)
	}
	sp.runs = append(sp.runs, findingRun{off: start, n: sp.off - start})
	sp.chunk = sp.chunk[:0]
	clear(sp.recs)
	sp.recs = sp.recs[:0]
	if cap(sp.chunk) > 2*chunkSize {
		sp.chunk = nil // one huge finding: not kept
	}
}

// Add writes a retired session to the spool (analysis.Options.Retire).
func (sp *Spool) Add(s *analysis.Session) {
	if sp.err != nil {
		return
	}
	var fs []*analysis.Finding
	if sp.fsID == s.ID {
		fs = sp.fs
	}
	sp.fs, sp.fsID = nil, 0
	b, split, err := sp.render(sp.buf[:0], s, fs)
	sp.buf = b
	if err == nil && len(b) > 1<<31-1 {
		err = fmt.Errorf("session %d is too large to spool (%d bytes)", s.ID, len(b))
	}
	if err == nil {
		_, err = sp.w.Write(b)
	}
	if err != nil {
		sp.err = fmt.Errorf("spool: %w", err)
		return
	}
	sp.index = append(sp.index, spoolEntry{id: s.ID, n: int32(len(b)), split: int32(split), off: sp.off})
	sp.off += int64(len(b))
}

// Len returns the number of sessions in the spool.
func (sp *Spool) Len() int {
	if sp == nil {
		return 0
	}
	return len(sp.index)
}

// Close removes the spool's file.
func (sp *Spool) Close() error {
	if sp == nil || sp.f == nil {
		return nil
	}
	err := sp.f.Close()
	sp.f = nil
	return err
}

// mergeSessions calls live for each session of the report and spooled for
// each spooled one, by ID (the report's sessions are in ID order; the
// spool's are sorted here).
func mergeSessions(sessions []*analysis.Session, sp *Spool, kind string, live func(*analysis.Session) error, spooled func(id int, b []byte, split int) error) error {
	if sp != nil && sp.err != nil {
		return sp.err // sessions were lost, even when none is in the index
	}
	if sp == nil || len(sp.index) == 0 {
		for _, s := range sessions {
			if err := live(s); err != nil {
				return err
			}
		}
		return nil
	}
	if sp.kind != kind {
		return fmt.Errorf("report: a %s spool given to the %s writer", sp.kind, kind)
	}
	if sp.err != nil {
		return sp.err
	}
	if err := sp.w.Flush(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	slices.SortFunc(sp.index, func(a, b spoolEntry) int { return a.id - b.id })
	var buf []byte
	i := 0
	for _, e := range sp.index {
		for ; i < len(sessions) && sessions[i].ID < e.id; i++ {
			if err := live(sessions[i]); err != nil {
				return err
			}
		}
		// The index is this process's own memory; a range past what
		// was written would still be a bug, not a length to trust.
		if e.n < 0 || e.off < 0 || e.off+int64(e.n) > sp.off {
			return fmt.Errorf("spool: session %d: record of %d bytes at %d beyond the %d bytes written", e.id, e.n, e.off, sp.off)
		}
		if cap(buf) < int(e.n) {
			buf = make([]byte, e.n)
		}
		buf = buf[:e.n]
		if _, err := sp.f.ReadAt(buf, e.off); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		if err := spooled(e.id, buf, int(e.split)); err != nil {
			return err
		}
	}
	for ; i < len(sessions); i++ {
		if err := live(sessions[i]); err != nil {
			return err
		}
	}
	return nil
}

// mergeFindings calls live for each of the report's findings (sorted) and
// spooled for each encoded finding of the spool, in the report's order.
// Each run of the spool is read through a 16 KiB buffer.
func mergeFindings(findings []*analysis.Finding, sp *Spool, live func(*analysis.Finding) error, spooled func([]byte) error) error {
	if sp != nil && sp.err != nil {
		return sp.err // findings were lost, even when none was spooled
	}
	if sp == nil || sp.nSpooled == 0 {
		for _, f := range findings {
			if err := live(f); err != nil {
				return err
			}
		}
		return nil
	}
	if sp.err != nil {
		return sp.err
	}
	sp.writeRun()
	if sp.err != nil {
		return sp.err
	}
	if err := sp.w.Flush(); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	h := &runHeap{codes: map[string]string{}}
	for _, r := range sp.runs {
		c := &runCursor{r: bufio.NewReaderSize(io.NewSectionReader(sp.f, r.off, r.n), 16<<10), left: r.n}
		ok, err := c.next(h.codes)
		if err != nil {
			return err
		}
		if ok {
			h.c = append(h.c, c)
		}
	}
	heap.Init(h)
	i := 0
	for len(h.c) > 0 {
		c := h.c[0]
		for ; i < len(findings); i++ {
			f := findings[i]
			if analysis.CompareFindingKeys(f.Frame, f.Severity, f.Code, f.Seq(), c.frame, c.sev, c.code, c.seq) > 0 {
				break
			}
			if err := live(f); err != nil {
				return err
			}
		}
		if err := spooled(c.body); err != nil {
			return err
		}
		ok, err := c.next(h.codes)
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	for ; i < len(findings); i++ {
		if err := live(findings[i]); err != nil {
			return err
		}
	}
	return nil
}

// runCursor reads a run of spooled findings; it holds the current one.
type runCursor struct {
	r          io.Reader
	left       int64 // bytes of the run not read yet
	frame, seq uint64
	sev        analysis.Severity
	code       string
	body, buf  []byte
}

// next reads the next record of the run (false at its end). A record's
// lengths are checked against maxSpooledFinding and the bytes left in the
// run before anything is allocated: a corrupted spool is an error, never
// a huge allocation.
func (c *runCursor) next(codes map[string]string) (bool, error) {
	if c.left == 0 {
		return false, nil
	}
	if c.left < findingHeaderLen {
		return false, fmt.Errorf("spool: corrupted findings run: %d bytes left, less than a record header", c.left)
	}
	var hdr [findingHeaderLen]byte
	if _, err := io.ReadFull(c.r, hdr[:]); err != nil {
		return false, fmt.Errorf("spool: %w", unexpected(err))
	}
	c.left -= findingHeaderLen
	c.frame = binary.LittleEndian.Uint64(hdr[0:])
	c.seq = binary.LittleEndian.Uint64(hdr[8:])
	c.sev = analysis.Severity(hdr[16])
	cl := int64(hdr[17])
	n := int64(binary.LittleEndian.Uint32(hdr[18:]))
	if n > maxSpooledFinding || cl+n > c.left {
		return false, fmt.Errorf("spool: corrupted findings run: a record of %d+%d bytes with %d bytes left in the run", cl, n, c.left)
	}
	c.left -= cl + n
	if int64(cap(c.buf)) < cl+n {
		c.buf = make([]byte, cl+n)
	}
	b := c.buf[:cl+n]
	if _, err := io.ReadFull(c.r, b); err != nil {
		return false, fmt.Errorf("spool: %w", unexpected(err))
	}
	code, ok := codes[string(b[:cl])]
	if !ok {
		code = string(b[:cl])
		codes[code] = code
	}
	c.code = code
	c.body = b[cl:]
	return true, nil
}

// unexpected turns io.EOF inside a record into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// runHeap orders the runs' cursors by their current finding.
type runHeap struct {
	c     []*runCursor
	codes map[string]string // the codes read, shared
}

func (h *runHeap) Len() int { return len(h.c) }
func (h *runHeap) Less(i, j int) bool {
	a, b := h.c[i], h.c[j]
	return analysis.CompareFindingKeys(a.frame, a.sev, a.code, a.seq, b.frame, b.sev, b.code, b.seq) < 0
}
func (h *runHeap) Swap(i, j int) { h.c[i], h.c[j] = h.c[j], h.c[i] }
func (h *runHeap) Push(x any)    { h.c = append(h.c, x.(*runCursor)) }
func (h *runHeap) Pop() any {
	x := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return x
}
