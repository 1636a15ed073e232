package report

import (
	"bufio"
	"bytes"
	"fmt"
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
	// render appends a session's rendering; split divides it in two
	// forms (the text report's, with clock times and with dates), or is
	// its length.
	render func(dst []byte, s *analysis.Session) (b []byte, split int, err error)
	buf    []byte
	err    error
	kind   string
}

type spoolEntry struct {
	id       int
	n, split int32
	off      int64
}

// NewJSONSpool returns a spool for WriteJSON with the same options (Trees
// and Pretty).
func NewJSONSpool(opts JSONOptions) (*Spool, error) {
	return newSpool("json", func(dst []byte, s *analysis.Session) ([]byte, int, error) {
		b, err := encodeSession(dst, s, opts)
		return b, len(b), err
	})
}

// NewTextSpool returns a spool for WriteText with the same options.
func NewTextSpool(opts TextOptions) (*Spool, error) {
	return newSpool("text", func(dst []byte, s *analysis.Session) ([]byte, int, error) {
		b := bytes.NewBuffer(dst)
		bw := bufio.NewWriter(b)
		writeSession(bw, s, opts, clockStamp)
		if err := bw.Flush(); err != nil {
			return nil, 0, err
		}
		split := b.Len()
		writeSession(bw, s, opts, dateStamp)
		err := bw.Flush()
		return b.Bytes(), split, err
	})
}

func newSpool(kind string, render func([]byte, *analysis.Session) ([]byte, int, error)) (*Spool, error) {
	f, err := os.CreateTemp("", "mikeyscope-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool file: %w", err)
	}
	// Unnamed from the start: nothing is left behind, however the run ends.
	os.Remove(f.Name())
	return &Spool{f: f, w: bufio.NewWriterSize(f, 256<<10), render: render, kind: kind}, nil
}

// Add writes a retired session to the spool (analysis.Options.Retire).
func (sp *Spool) Add(s *analysis.Session) {
	if sp.err != nil {
		return
	}
	b, split, err := sp.render(sp.buf[:0], s)
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
