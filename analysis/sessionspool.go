package analysis

import (
	"bufio"
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
	Streams    int // streams of the session
	Decrypting int // streams decrypting
	Failing    int // streams failing
	// Codes are the codes of the session's findings, each once, in the
	// order they were first made.
	Codes []string
}

// SessionSpool keeps retired sessions for an interactive view: each
// session's full model, JSON-encoded with what JSON leaves out (the
// signals' and MIKEY messages' raw bytes), in an unnamed temporary file,
// and in memory a compact row of it (a fixed record of 112 bytes without
// pointers and the row's free text: Call-ID, From, To, URL),
// enough to list, sort and filter the sessions. Add and the readers may run
// on different goroutines.
type SessionSpool struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	off int64
	// rows are in chunks of rowChunk, the rows' text in chunks of
	// textChunk bytes (a row's text is in one chunk): no slack of a
	// doubling slice, and nothing for the garbage collector to scan.
	rows  [][]spoolRow
	nrows int
	text  [][]byte
	// The fields of few values (carrier, transport, mode, keying, key
	// status, final status, finding codes) are interned, up to maxInterned
	// distinct values; further values go to the text.
	interned map[string]uint32
	values   []string
	buf      []byte
	err      error
	dirty    bool // w holds bytes not yet written to f
}

const (
	rowChunk    = 1024
	textChunk   = 64 << 10
	maxInterned = 4096
	isInterned  = 1 << 31 // in spoolRow.fields: an index into values, not a length
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

// spoolRow is a retired session's row: fixed-size, without pointers.
type spoolRow struct {
	start, end int64 // UnixNano, UTC; math.MinInt64 for a zero time
	off        int64 // of the full model in the file
	n          uint32
	id         int32
	// The row's text is text[textChunk][textOff:]; fields are the lengths
	// of the fields in it, in order, or (isInterned) their values' index.
	textChunk, textOff          uint32
	fields                      [rowFields]uint32
	errors, warnings, notes     int32
	streams, decrypting, failed int32
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
	f, err := os.CreateTemp("", "mikeyscope-sessions-*")
	if err != nil {
		return nil, fmt.Errorf("session spool: %w", err)
	}
	// Unnamed from the start: nothing is left behind, however the run ends.
	os.Remove(f.Name())
	return &SessionSpool{f: f, w: bufio.NewWriterSize(f, 128<<10)}, nil
}

// Add writes a retired session and keeps its row; codes are its finding
// codes.
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
	textLen := 0
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
		textLen += len(v)
	}
	// The text of the row, in the last chunk if it fits.
	last := len(sp.text) - 1
	if last < 0 || cap(sp.text[last])-len(sp.text[last]) < textLen {
		sp.text = append(sp.text, make([]byte, 0, max(textChunk, textLen)))
		last++
	}
	row.textChunk, row.textOff = uint32(last), uint32(len(sp.text[last]))
	for i, v := range vals {
		if row.fields[i]&isInterned == 0 {
			sp.text[last] = append(sp.text[last], v...)
			row.fields[i] = uint32(len(v))
		}
	}
	sp.off += int64(len(b))
	if sp.nrows%rowChunk == 0 {
		sp.rows = append(sp.rows, make([]spoolRow, 0, rowChunk))
	}
	sp.rows[len(sp.rows)-1] = append(sp.rows[len(sp.rows)-1], row)
	sp.nrows++
}

// maxRowText bounds each wire field (Call-ID, From, To, URL, reason
// phrase...) a retired session's row keeps in memory.
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

// row returns the i-th row.
func (sp *SessionSpool) row(i int) *spoolRow { return &sp.rows[i/rowChunk][i%rowChunk] }

// Err is the error that stopped the spool, if any (sessions retired after
// it are not listed).
func (sp *SessionSpool) Err() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.err
}

// Rows returns the first n sessions of the spool as compact rows (Session
// with Retired set), in the order they were retired.
func (sp *SessionSpool) Rows(n int) []*Session {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	n = min(n, sp.nrows)
	backing := make([]Session, n)
	extra := make([]RetiredRow, n)
	out := make([]*Session, n)
	for i := range n {
		r := sp.row(i)
		var f [rowFields]string
		text := sp.text[r.textChunk][r.textOff:]
		for k, v := range r.fields {
			if v&isInterned != 0 {
				f[k] = sp.values[v&^isInterned]
				continue
			}
			f[k] = string(text[:v])
			text = text[v:]
		}
		extra[i] = RetiredRow{Streams: int(r.streams), Decrypting: int(r.decrypting), Failing: int(r.failed)}
		if f[rowCodes] != "" {
			extra[i].Codes = strings.Fields(f[rowCodes])
		}
		backing[i] = Session{ID: int(r.id), Carrier: f[rowCarrier], Key: f[rowKey], Start: fromUnixNano(r.start), End: fromUnixNano(r.end),
			From: f[rowFrom], To: f[rowTo], URL: f[rowURL], Transport: f[rowTransport], Mode: f[rowMode], Keying: f[rowKeying],
			KeyStatus: KeyStatus(f[rowKeyStatus]), FinalStatus: f[rowFinalStatus],
			FindingCounts: FindingCounts{Errors: int(r.errors), Warnings: int(r.warnings), Notes: int(r.notes)},
			Retired:       &extra[i]}
		out[i] = &backing[i]
	}
	return out
}

// Load reads the full model of session id back from the spool (nil, nil
// when the spool does not hold it).
func (sp *SessionSpool) Load(id int) (*Session, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.err != nil {
		return nil, sp.err
	}
	if sp.f == nil {
		return nil, fmt.Errorf("session spool: closed")
	}
	var r *spoolRow
	for i := range sp.nrows { // retired in capture-time order: a scan
		if x := sp.row(i); int(x.id) == id {
			r = x
			break
		}
	}
	if r == nil {
		return nil, nil
	}
	if sp.dirty {
		if err := sp.w.Flush(); err != nil {
			sp.err = fmt.Errorf("session spool: %w", err)
			return nil, sp.err
		}
		sp.dirty = false
	}
	// The row is this process's own memory; a range past what was
	// written would still be a bug, not a length to trust.
	if r.off < 0 || r.off+int64(r.n) > sp.off {
		return nil, fmt.Errorf("session spool: session %d: record of %d bytes at %d beyond the %d bytes written", id, r.n, r.off, sp.off)
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
		return nil, fmt.Errorf("session spool: session %d: %v", id, err)
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

// Close removes the spool's file; the rows stay listed, Load fails.
func (sp *SessionSpool) Close() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.f == nil {
		return nil
	}
	err := sp.f.Close()
	sp.f = nil
	return err
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
