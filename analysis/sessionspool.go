package analysis

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mikeyscope/mikeyscope/mikey"
)

// RetiredRow is what the sessions list needs of a session that has been
// retired to a SessionSpool: its streams by key status and its finding
// codes. A Session carrying one is a compact row (no signals, MIKEY
// messages, crypto sessions, SDES attributes or streams): its full model is
// in the spool (Job.Session loads it).
type RetiredRow struct {
	// Index is the row's place in the spool (RetiredRows.Load).
	Index      int
	Streams    int // streams of the session
	Decrypting int // streams decrypting
	Failing    int // streams failing
	// Codes are the codes of the session's findings, each once, in the
	// order they were first made.
	Codes []string
}

// SessionSpool keeps retired sessions for an interactive view, on disk:
// each session's full model, JSON-encoded with what JSON leaves out (the
// signals' and MIKEY messages' raw bytes), in an unnamed temporary file;
// its compact row (a fixed record of rowHeaderSize bytes: times, IDs,
// finding counts, streams by status, the model's offset; then the row's
// free text: Call-ID, From, To, URL, each cut to maxRowText bytes) in a
// second one, in the order sessions were retired; and the offset of each
// row (8 bytes) in a third, so row i is found with one read of the index.
// What stays in memory does not grow with the sessions retired: the write
// buffers and the interned values (carrier, transport, mode, keying, key
// status, final status, finding codes; at most maxInterned). Add and the
// readers may run on different goroutines.
type SessionSpool struct {
	mu sync.Mutex
	f  *os.File // the models
	w  *bufio.Writer
	// rowsF holds the rows, ixF each row's offset in rowsF.
	rowsF, ixF *os.File
	rowsW, ixW *bufio.Writer
	off        int64 // end of f
	rowsOff    int64 // end of rowsF
	nrows      int
	// The fields of few values (carrier, transport, mode, keying, key
	// status, final status, finding codes) are interned, up to maxInterned
	// distinct values; further values go to the row's text.
	interned map[string]uint32
	values   []string
	buf      []byte
	rec      []byte
	err      error
	dirty    bool // the writers hold bytes not yet written
	// rowsRead counts the rows read back (Rows, RowsAt, Load's scan).
	rowsRead int64
}

const (
	maxInterned = 4096
	isInterned  = 1 << 31 // in a row's fields: an index into values, not a length
)

// The text fields of a row, in this order.
const (
	rowCarrier = iota
	rowKey
	rowFrom
	rowTo
	rowURL
	rowTransport
	rowMode
	rowKeying
	rowKeyStatus
	rowFinalStatus
	rowCodes // finding codes, space-separated
	rowFields
)

// internable are the fields of few distinct values.
var internable = [rowFields]bool{rowCarrier: true, rowTransport: true, rowMode: true, rowKeying: true, rowKeyStatus: true, rowFinalStatus: true, rowCodes: true}

// spoolRow is a retired session's row as the rows file holds it (little
// endian, rowHeaderSize bytes, then the text of the fields that are not
// interned, in order).
type spoolRow struct {
	start, end int64 // UnixNano, UTC; math.MinInt64 for a zero time
	off        int64 // of the full model in the models file
	n          uint32
	id         int32
	// fields are the lengths of the fields in the text, in order, or
	// (isInterned) their values' index.
	fields                      [rowFields]uint32
	errors, warnings, notes     int32
	streams, decrypting, failed int32
}

// rowHeaderSize is the size of a row's fixed part on disk.
const rowHeaderSize = 8*3 + 4*2 + 4*rowFields + 4*6

func (r *spoolRow) put(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(r.start))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.end))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.off))
	b = binary.LittleEndian.AppendUint32(b, r.n)
	b = binary.LittleEndian.AppendUint32(b, uint32(r.id))
	for _, f := range r.fields {
		b = binary.LittleEndian.AppendUint32(b, f)
	}
	for _, v := range [...]int32{r.errors, r.warnings, r.notes, r.streams, r.decrypting, r.failed} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}

// get reads a row's fixed part from b (rowHeaderSize bytes).
func (r *spoolRow) get(b []byte) {
	le := binary.LittleEndian
	r.start, r.end, r.off = int64(le.Uint64(b)), int64(le.Uint64(b[8:])), int64(le.Uint64(b[16:]))
	r.n, r.id = le.Uint32(b[24:]), int32(le.Uint32(b[28:]))
	b = b[32:]
	for i := range r.fields {
		r.fields[i] = le.Uint32(b[4*i:])
	}
	b = b[4*rowFields:]
	for i, p := range [...]*int32{&r.errors, &r.warnings, &r.notes, &r.streams, &r.decrypting, &r.failed} {
		*p = int32(le.Uint32(b[4*i:]))
	}
}

// spooled is a session as the spool file holds it.
type spooled struct {
	S *Session `json:"s"`
	// What the JSON form of the model leaves out.
	SignalRaw [][]byte     `json:"signal_raw,omitempty"`
	MIKEY     []spooledMsg `json:"mikey,omitempty"`
	StreamIDs []spooledSt  `json:"streams,omitempty"`
	CSSSRC    []uint32     `json:"cs_ssrc,omitempty"`
}

type spooledMsg struct {
	Raw       []byte `json:"raw,omitempty"`
	Decoded   bool   `json:"decoded,omitempty"`
	DataType  uint8  `json:"data_type,omitempty"`
	InRequest bool   `json:"in_request,omitempty"`
	OverTLS   bool   `json:"over_tls,omitempty"`
}

type spooledSt struct {
	SSRC       uint32 `json:"ssrc"`
	FirstFrame uint64 `json:"first_frame"`
}

// NewSessionSpool creates a spool in the temporary directory.
func NewSessionSpool() (*SessionSpool, error) {
	var files [3]*os.File
	for i := range files {
		f, err := os.CreateTemp("", "mikeyscope-sessions-*")
		if err != nil {
			for _, g := range files[:i] {
				g.Close()
			}
			return nil, fmt.Errorf("session spool: %w", err)
		}
		// Unnamed from the start: nothing is left behind, however the run ends.
		os.Remove(f.Name())
		files[i] = f
	}
	return &SessionSpool{f: files[0], w: bufio.NewWriterSize(files[0], 128<<10),
		rowsF: files[1], rowsW: bufio.NewWriterSize(files[1], 32<<10),
		ixF: files[2], ixW: bufio.NewWriterSize(files[2], 4<<10)}, nil
}

// Add writes a retired session and its row; codes are its finding codes.
func (sp *SessionSpool) Add(s *Session, codes []string) {
	rec := spooled{S: s}
	for _, sg := range s.Signals {
		rec.SignalRaw = append(rec.SignalRaw, sg.Raw)
	}
	for _, m := range s.MIKEY {
		rec.MIKEY = append(rec.MIKEY, spooledMsg{Raw: m.Raw, Decoded: m.decoded, DataType: uint8(m.dataType), InRequest: m.inRequest, OverTLS: m.overTLS})
	}
	for _, st := range s.Streams {
		rec.StreamIDs = append(rec.StreamIDs, spooledSt{st.ssrc, st.firstFrame})
	}
	for _, cs := range s.CryptoSessions {
		rec.CSSSRC = append(rec.CSSSRC, cs.ssrc)
	}
	b, err := json.Marshal(&rec)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.err != nil {
		return
	}
	if err == nil && (len(b) > math.MaxUint32 || s.ID > math.MaxInt32) {
		err = fmt.Errorf("session %d is too large to spool (%d bytes)", s.ID, len(b))
	}
	if err == nil {
		_, err = sp.w.Write(b)
	}
	if err != nil {
		sp.err = fmt.Errorf("session spool: %w", err)
		return
	}
	sp.dirty = true
	row := spoolRow{id: int32(s.ID), start: unixNano(s.Start), end: unixNano(s.End), off: sp.off, n: uint32(len(b)),
		errors: int32(s.FindingCounts.Errors), warnings: int32(s.FindingCounts.Warnings), notes: int32(s.FindingCounts.Notes),
		streams: int32(len(s.Streams))}
	sp.off += int64(len(b))
	for _, st := range s.Streams {
		switch st.KeyStatus {
		case StreamDecrypting:
			row.decrypting++
		case StreamFailing:
			row.failed++
		}
	}
	vals := [rowFields]string{s.Carrier, s.Key, s.From, s.To, s.URL, s.Transport, s.Mode, s.Keying, s.KeyStatus.String(), s.FinalStatus, strings.Join(codes, " ")}
	for i := range rowCodes { // wire text: the row keeps its start, the spool all of it
		vals[i] = clipRowText(vals[i])
	}
	for i, v := range vals {
		if internable[i] {
			if k, ok := sp.interned[v]; ok {
				row.fields[i] = k | isInterned
				continue
			}
			if len(sp.values) < maxInterned {
				if sp.interned == nil {
					sp.interned = map[string]uint32{}
				}
				k := uint32(len(sp.values))
				sp.values = append(sp.values, strings.Clone(v))
				sp.interned[sp.values[k]] = k
				row.fields[i] = k | isInterned
				continue
			}
		}
		row.fields[i] = uint32(len(v))
	}
	r := row.put(sp.rec[:0])
	for i, v := range vals {
		if row.fields[i]&isInterned == 0 {
			r = append(r, v...)
		}
	}
	sp.rec = r
	var ix [8]byte
	binary.LittleEndian.PutUint64(ix[:], uint64(sp.rowsOff))
	if _, err := sp.rowsW.Write(r); err != nil {
		sp.err = fmt.Errorf("session spool: %w", err)
		return
	}
	if _, err := sp.ixW.Write(ix[:]); err != nil {
		sp.err = fmt.Errorf("session spool: %w", err)
		return
	}
	sp.rowsOff += int64(len(r))
	sp.nrows++
}

// maxRowText bounds each wire field (Call-ID, From, To, URL, reason
// phrase...) a retired session's row keeps.
const maxRowText = 1024

// clipRowText cuts s to maxRowText bytes at a character boundary.
func clipRowText(s string) string {
	if len(s) <= maxRowText {
		return s
	}
	n := maxRowText
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Len is the number of sessions in the spool.
func (sp *SessionSpool) Len() int {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.nrows
}

// Err is the error that stopped the spool, if any (sessions retired after
// it are not listed).
func (sp *SessionSpool) Err() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.err
}

// RowsRead is the number of rows read back from the spool so far (by
// Rows, RowsAt and Load): what the views' paging costs.
func (sp *SessionSpool) RowsRead() int64 {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.rowsRead
}

// flushLocked writes out what the writers hold (models too: the rows'
// and index's writers always). Caller holds sp.mu.
func (sp *SessionSpool) flushLocked(models bool) error {
	ws := []*bufio.Writer{sp.rowsW, sp.ixW}
	if models {
		if !sp.dirty {
			return nil
		}
		ws = append(ws, sp.w)
	}
	for _, w := range ws {
		if w.Buffered() == 0 {
			continue
		}
		if err := w.Flush(); err != nil {
			if sp.err == nil {
				sp.err = fmt.Errorf("session spool: %w", err)
			}
			return fmt.Errorf("session spool: %w", err)
		}
	}
	if models {
		sp.dirty = false
	}
	return nil
}

// reader returns what reading rows needs, with the writers flushed: the
// files, the interned values and the end of the rows.
func (sp *SessionSpool) reader() (rows, ix *os.File, values []string, nrows int, end int64, err error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.rowsF == nil {
		return nil, nil, nil, 0, 0, fmt.Errorf("session spool: closed")
	}
	if err := sp.flushLocked(false); err != nil {
		return nil, nil, nil, 0, 0, err
	}
	return sp.rowsF, sp.ixF, sp.values, sp.nrows, sp.rowsOff, nil
}

// readRange reads rows [from, to) into fn, in order, with two reads: their
// offsets in the index and their records.
func (sp *SessionSpool) readRange(from, to int, fn func(i int, r *spoolRow, text []byte, values []string)) error {
	if from < 0 || from >= to {
		return nil
	}
	rowsF, ixF, values, nrows, end, err := sp.reader()
	if err != nil {
		return err
	}
	if to > nrows {
		return fmt.Errorf("session spool: rows %d-%d of %d", from, to, nrows)
	}
	sp.mu.Lock()
	sp.rowsRead += int64(to - from)
	sp.mu.Unlock()
	// The offsets of rows from-1 (when there is one, for the check
	// below) to to (to's is the end of to-1).
	lo := max(from-1, 0)
	nix := to - lo + 1
	if to == nrows {
		nix--
	}
	ix := make([]byte, 8*nix)
	if _, err := ixF.ReadAt(ix, int64(8*lo)); err != nil {
		return fmt.Errorf("session spool: index: %w", err)
	}
	all := make([]int64, to-lo+1)
	for i := range nix {
		all[i] = int64(binary.LittleEndian.Uint64(ix[8*i:]))
	}
	if to == nrows {
		all[to-lo] = end
	}
	// The index is this process's own file, but an offset read back is
	// checked before it sizes anything: increasing, within the rows
	// written.
	for i, o := range all {
		if o < 0 || o > end || (i > 0 && o < all[i-1]+rowHeaderSize) || (i < len(all)-1 && o > end-rowHeaderSize) {
			return fmt.Errorf("session spool: corrupted index: row %d at %d of the %d bytes of rows written", lo+i, o, end)
		}
	}
	offs := all[from-lo:]
	recs := make([]byte, offs[to-from]-offs[0])
	if _, err := rowsF.ReadAt(recs, offs[0]); err != nil {
		return fmt.Errorf("session spool: rows: %w", err)
	}
	var r spoolRow
	for i := from; i < to; i++ {
		a, b := offs[i-from]-offs[0], offs[i-from+1]-offs[0]
		if b-a < rowHeaderSize {
			return fmt.Errorf("session spool: corrupted index: row %d of %d bytes", i, b-a)
		}
		r.get(recs[a:])
		fn(i, &r, recs[a+rowHeaderSize:b], values)
	}
	return nil
}

// compactRow makes the compact row (Session with Retired set) of row i.
func compactRow(i int, r *spoolRow, text []byte, values []string) *Session {
	s := &Session{Retired: &RetiredRow{}}
	fillRow(s, i, r, text, values)
	return s
}

// fillRow makes s the compact row of row i, reusing s.Retired and its
// codes' slice.
func fillRow(s *Session, i int, r *spoolRow, text []byte, values []string) {
	var f [rowFields]string
	for k, v := range r.fields {
		if v&isInterned != 0 {
			if int(v&^isInterned) < len(values) {
				f[k] = values[v&^isInterned]
			}
			continue
		}
		v = min(v, uint32(len(text)))
		f[k] = string(text[:v])
		text = text[v:]
	}
	extra := s.Retired
	*extra = RetiredRow{Index: i, Streams: int(r.streams), Decrypting: int(r.decrypting), Failing: int(r.failed), Codes: extra.Codes[:0]}
	for c := range strings.FieldsSeq(f[rowCodes]) {
		extra.Codes = append(extra.Codes, c)
	}
	if len(extra.Codes) == 0 {
		extra.Codes = nil
	}
	*s = Session{ID: int(r.id), Carrier: f[rowCarrier], Key: f[rowKey], Start: fromUnixNano(r.start), End: fromUnixNano(r.end),
		From: f[rowFrom], To: f[rowTo], URL: f[rowURL], Transport: f[rowTransport], Mode: f[rowMode], Keying: f[rowKeying],
		KeyStatus: KeyStatus(f[rowKeyStatus]), FinalStatus: f[rowFinalStatus],
		FindingCounts: FindingCounts{Errors: int(r.errors), Warnings: int(r.warnings), Notes: int(r.notes)},
		Retired:       extra}
}

// rowsChunk is how many rows Rows reads at once.
const rowsChunk = 1024

// Rows returns the first n sessions of the spool as compact rows (Session
// with Retired set), in the order they were retired.
func (sp *SessionSpool) Rows(n int) []*Session {
	n = min(n, sp.Len())
	out := make([]*Session, 0, n)
	for from := 0; from < n; from += rowsChunk {
		rows, err := sp.RowsRange(from, min(from+rowsChunk, n))
		if err != nil {
			break
		}
		out = append(out, rows...)
	}
	return out
}

// RowsRange returns rows [from, to) as compact rows, read from the disk
// with two reads.
func (sp *SessionSpool) RowsRange(from, to int) ([]*Session, error) {
	out := make([]*Session, 0, max(0, to-from))
	err := sp.readRange(from, to, func(i int, r *spoolRow, text []byte, values []string) {
		out = append(out, compactRow(i, r, text, values))
	})
	return out, err
}

// RowsAt returns the rows of the given indices (in any order) as compact
// rows, in that order; runs of consecutive indices are read at once.
func (sp *SessionSpool) RowsAt(idx []int) ([]*Session, error) {
	out := make([]*Session, len(idx))
	order := make([]int, len(idx))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return idx[order[a]] < idx[order[b]] })
	for k := 0; k < len(order); {
		e := k + 1
		for e < len(order) && idx[order[e]] <= idx[order[e-1]]+1 {
			e++
		}
		from, to := idx[order[k]], idx[order[e-1]]+1
		rows, err := sp.RowsRange(from, to)
		if err != nil {
			return nil, err
		}
		for _, o := range order[k:e] {
			out[o] = rows[idx[o]-from]
		}
		k = e
	}
	return out, nil
}

// Load reads the full model of session id back from the spool (nil, nil
// when the spool does not hold it). It finds the session's row by a scan
// of the rows (LoadAt takes the row's index).
func (sp *SessionSpool) Load(id int) (*Session, error) {
	n := sp.Len()
	at := -1
	for from := 0; from < n && at < 0; from += rowsChunk {
		err := sp.readRange(from, min(from+rowsChunk, n), func(i int, r *spoolRow, _ []byte, _ []string) {
			if at < 0 && int(r.id) == id {
				at = i
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if at < 0 {
		return nil, nil
	}
	return sp.LoadAt(at)
}

// LoadAt reads the full model of the session of row i back from the spool.
func (sp *SessionSpool) LoadAt(i int) (*Session, error) {
	if i < 0 || i >= sp.Len() {
		return nil, fmt.Errorf("session spool: no row %d", i)
	}
	var r spoolRow
	err := sp.readRange(i, i+1, func(_ int, x *spoolRow, _ []byte, _ []string) { r = *x })
	if err != nil {
		return nil, err
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.err != nil {
		return nil, sp.err
	}
	if sp.f == nil {
		return nil, fmt.Errorf("session spool: closed")
	}
	if err := sp.flushLocked(true); err != nil {
		return nil, err
	}
	// The row is from this process's own unnamed file; a range past
	// what was written would still be a bug, not a length to trust.
	if r.off < 0 || r.off+int64(r.n) > sp.off {
		return nil, fmt.Errorf("session spool: session %d: record of %d bytes at %d beyond the %d bytes written", r.id, r.n, r.off, sp.off)
	}
	if cap(sp.buf) < int(r.n) {
		sp.buf = make([]byte, r.n)
	}
	b := sp.buf[:r.n]
	if _, err := sp.f.ReadAt(b, r.off); err != nil {
		return nil, fmt.Errorf("session spool: %w", err)
	}
	var rec spooled
	if err := json.Unmarshal(b, &rec); err != nil || rec.S == nil {
		return nil, fmt.Errorf("session spool: session %d: %v", r.id, err)
	}
	s := rec.S
	if len(rec.SignalRaw) == len(s.Signals) {
		for i, sg := range s.Signals {
			sg.Raw = rec.SignalRaw[i]
		}
	}
	if len(rec.MIKEY) == len(s.MIKEY) {
		for i, m := range s.MIKEY {
			x := rec.MIKEY[i]
			m.Raw, m.decoded, m.inRequest, m.overTLS = x.Raw, x.Decoded, x.InRequest, x.OverTLS
			m.dataType = mikey.DataType(x.DataType)
		}
	}
	if len(rec.StreamIDs) == len(s.Streams) {
		for i, st := range s.Streams {
			st.ssrc, st.firstFrame = rec.StreamIDs[i].SSRC, rec.StreamIDs[i].FirstFrame
		}
	}
	if len(rec.CSSSRC) == len(s.CryptoSessions) {
		for i, cs := range s.CryptoSessions {
			cs.ssrc = rec.CSSSRC[i]
		}
	}
	return s, nil
}

// Close removes the spool's files; nothing can be listed or loaded after.
func (sp *SessionSpool) Close() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.f == nil {
		return nil
	}
	err := sp.f.Close()
	sp.rowsF.Close()
	sp.ixF.Close()
	sp.f, sp.rowsF, sp.ixF = nil, nil, nil
	return err
}

// RetiredRows is the list of the sessions a snapshot found retired to a
// spool: rows 0..Len()-1, in the order they were retired, read from the
// disk on demand. The zero value lists nothing.
type RetiredRows struct {
	sp *SessionSpool
	n  int
}

// Len is the number of rows.
func (r RetiredRows) Len() int { return r.n }

// Rows returns rows [from, to) (cut to Len) as compact rows.
func (r RetiredRows) Rows(from, to int) ([]*Session, error) {
	to = min(to, r.n)
	if r.sp == nil || from >= to {
		return nil, nil
	}
	return r.sp.RowsRange(from, to)
}

// Scan calls fn with rows [from, to) (cut to Len) in order, read in runs
// of 1,024, each as a compact row that fn must not keep: the same Session
// is reused for the next row. It makes little garbage a row (its free
// text) where Rows makes a Session.
func (r RetiredRows) Scan(from, to int, fn func(*Session)) error {
	to = min(to, r.n)
	if r.sp == nil {
		return nil
	}
	s := &Session{Retired: &RetiredRow{}}
	codes := s.Retired.Codes
	for ; from < to; from += rowsChunk {
		err := r.sp.readRange(from, min(from+rowsChunk, to), func(i int, row *spoolRow, text []byte, values []string) {
			s.Retired.Codes = codes
			fillRow(s, i, row, text, values)
			if s.Retired.Codes != nil {
				codes = s.Retired.Codes
			}
			fn(s)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// RowsAt returns the rows of the given indices (each below Len), in that
// order.
func (r RetiredRows) RowsAt(idx []int) ([]*Session, error) {
	for _, i := range idx {
		if i < 0 || i >= r.n {
			return nil, fmt.Errorf("session spool: no row %d", i)
		}
	}
	if r.sp == nil || len(idx) == 0 {
		return nil, nil
	}
	return r.sp.RowsAt(idx)
}

// Load reads the full model of row i's session.
func (r RetiredRows) Load(i int) (*Session, error) {
	if r.sp == nil || i < 0 || i >= r.n {
		return nil, fmt.Errorf("session spool: no row %d", i)
	}
	return r.sp.LoadAt(i)
}

// Same reports whether r and o list the same spool (o may list more of it).
func (r RetiredRows) Same(o RetiredRows) bool { return r.sp == o.sp }

// RowsRead is the spool's count of rows read back (0 without a spool).
func (r RetiredRows) RowsRead() int64 {
	if r.sp == nil {
		return 0
	}
	return r.sp.RowsRead()
}

// RetiredRowsOf lists the first n rows of sp (tests and benchmarks build
// lists of their own).
func RetiredRowsOf(sp *SessionSpool, n int) RetiredRows {
	return RetiredRows{sp: sp, n: min(n, sp.Len())}
}

// mergeByID merges two lists of sessions, each in ID order, by ID.
func mergeByID(a, b []*Session) []*Session {
	if len(b) == 0 {
		return a
	}
	out := make([]*Session, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
