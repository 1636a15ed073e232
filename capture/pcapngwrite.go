package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// RingOptions are dumpcap's ring buffer options (-b KEY:VALUE): a new file
// is started when one of the limits is reached, and only the last Files
// files are kept. The zero value writes one file.
type RingOptions struct {
	FileSize int64         // filesize:kB, in bytes (dumpcap's kB are 1000 bytes)
	Duration time.Duration // duration:seconds
	Packets  int64         // packets:N
	Files    int           // files:N, the number of files kept (0: all)
	// Interval (interval:seconds) starts a new file when the wall clock
	// reaches a multiple of it (since the Unix epoch, as dumpcap counts:
	// interval:3600 switches on the hour), even when no packet came.
	Interval time.Duration
	// PrintName (printname:FILE) is where the name of each file is
	// printed, one a line, once the file is closed: a path, or "stdout"
	// (also "-") or "stderr".
	PrintName string
}

// active reports whether the options ask for several files. As in
// dumpcap, any -b option does (the files are then named FILE_NNNNN_...).
func (o RingOptions) active() bool {
	return o.FileSize > 0 || o.Duration > 0 || o.Packets > 0 || o.Files > 0 || o.Interval > 0 || o.PrintName != ""
}

// ParseRingOption adds one -b option ("filesize:102400", "files:10",
// "duration:60", "packets:1000", "interval:3600", "printname:stdout") to
// o, in dumpcap's spelling and units.
func ParseRingOption(s string, o *RingOptions) error {
	key, val, ok := strings.Cut(s, ":")
	if key == "printname" && ok {
		if val == "" {
			return fmt.Errorf("-b %q: printname needs a file name (or stdout, stderr)", s)
		}
		o.PrintName = val
		return nil
	}
	n, err := strconv.ParseInt(val, 10, 64)
	if !ok || err != nil || n <= 0 {
		return fmt.Errorf("-b %q: want KEY:N with N > 0 (filesize:kB, files:N, duration:s, packets:N, interval:s) or printname:FILE", s)
	}
	switch key {
	case "filesize":
		if n > 1<<40 {
			return fmt.Errorf("-b %q: file size above 1 PB", s)
		}
		o.FileSize = n * 1000
	case "files":
		if n > 1<<20 {
			return fmt.Errorf("-b %q: too many files", s)
		}
		o.Files = int(n)
	case "duration":
		if n > 1<<31 {
			return fmt.Errorf("-b %q: duration too long", s)
		}
		o.Duration = time.Duration(n) * time.Second
	case "interval":
		if n > 1<<31 {
			return fmt.Errorf("-b %q: interval too long", s)
		}
		o.Interval = time.Duration(n) * time.Second
	case "packets":
		o.Packets = n
	default:
		return fmt.Errorf("-b %q: unknown ring buffer option %q (filesize, files, duration, packets, interval, printname)", s, key)
	}
	return nil
}

// KeyLogSecrets are the TLS key log secrets of one connection
// (tlsdec.Secrets): AppendKeyLog appends them as NSS key log lines.
type KeyLogSecrets interface {
	AppendKeyLog(b []byte) []byte
}

// secretsEntry is a connection's secrets, the last file that got them and
// the last file the connection had traffic in.
type secretsEntry struct {
	s       KeyLogSecrets
	written int // seq of the last file holding them (0: none)
	active  int // seq of the last file UseSecrets was called in
}

// PcapngWriter writes packets to pcapng files (draft-ietf-opsawg-pcapng) as
// they are captured, in one file or a ring of files named as dumpcap names
// them: -w DIR/live.pcapng with ring options writes
// DIR/live_00001_20261207101500.pcapng, DIR/live_00002_..., keeping the
// last RingOptions.Files. Each file starts with a Section Header Block and
// an Interface Description Block per link type, so any part opens alone
// in mikeyscope, Wireshark or tshark. When a stats function is given, the
// last file ends with an Interface Statistics Block holding the kernel's
// received and dropped counts (isb_ifrecv, isb_ifdrop).
//
// UseSecrets adds TLS key log secrets to the files as Decryption Secrets
// Blocks (pcapng §4.7, secrets type TLS key log, as editcap
// --inject-secrets writes them): see there for which file gets which.
type PcapngWriter struct {
	// mu orders the writing goroutine's calls with a Close from another
	// (a cancelled capture closes its source from a context callback).
	mu    sync.Mutex
	path  string
	ring  RingOptions
	stats func() LiveStats
	now   func() time.Time // the wall clock (tests set it)

	printTo    io.Writer // printname
	printClose io.Closer // printname's file, when not stdout or stderr
	nextSwitch time.Time // interval: the next multiple of the interval

	secrets map[[32]byte]*secretsEntry
	order   []*secretsEntry // the entries in the order they were told
	pending []*secretsEntry // secrets to write before the next packet

	f       *os.File
	name    string
	seq     int
	kept    []string
	packets int64
	opened  time.Time
	ifaces  map[LinkType]uint32
	// buf holds whole blocks not yet written to f; ends marks where each
	// ends and which frame an Enhanced Packet Block holds (0: another
	// block), so that a write that fails part-way cuts the file back to
	// its last whole block and knows the first frame lost.
	buf        []byte
	ends       []blockEnd
	bufPackets uint64    // Enhanced Packet Blocks in buf
	committed  int64     // bytes of the current file written
	lastOut    time.Time // capture time of the last write to the file
	lastFrame  uint64    // the last frame WritePacket was given
	cur        uint64    // the frame WritePacket is writing (0: none)
	err        error
	closed     bool
	cerr       error

	failure    *WriteFailure
	written    atomic.Uint64 // frames in the files
	notWritten atomic.Uint64 // frames lost to a write failure
}

// blockEnd is the end of a block in PcapngWriter.buf.
type blockEnd struct {
	off   int
	frame uint64 // the frame of an Enhanced Packet Block, 0 for another
}

// flushEvery and flushSize bound how long captured packets wait in the
// writer's buffer (capture time between writes) and how much it holds:
// a write failure shows within a second of the packets it loses, and the
// files can be read while the capture runs.
const (
	flushEvery = time.Second
	flushSize  = 256 << 10
)

// WriteFailure is the first failure of a PcapngWriter: writing stops
// there (see WritePacket) and the capture goes on.
type WriteFailure struct {
	// File is the file that could not be written or created.
	File string
	// Op is "write" (a write to File failed; File is cut back to its last
	// whole block and closed: a valid pcapng file) or "create" (the next
	// file of the ring could not be created).
	Op  string
	Err error
	// Frame is the first frame not written (Packet.Frame); every later
	// frame of the written input is not written either. 0 when no frame
	// was lost (only the closing statistics block was not written).
	Frame uint64
}

// Error names the file and the error, as the report's stderr line does.
func (f *WriteFailure) Error() string {
	err := f.Err
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the file is named once
	}
	if f.Op == "create" {
		return fmt.Sprintf("-w: cannot create %s: %v", f.File, err)
	}
	return fmt.Sprintf("-w %s: %v", f.File, err)
}

// Unwrap returns the system error (syscall.ENOSPC, syscall.EIO...).
func (f *WriteFailure) Unwrap() error { return f.Err }

// WriteStats counts what a PcapngWriter wrote and lost.
type WriteStats struct {
	Written    uint64        // frames written to the files
	NotWritten uint64        // frames not written after the failure
	Failure    *WriteFailure // nil while writing works
}

// Stats returns the counts so far (safe from any goroutine).
func (w *PcapngWriter) Stats() WriteStats {
	st := WriteStats{Written: w.written.Load(), NotWritten: w.notWritten.Load()}
	w.mu.Lock()
	if w.failure != nil {
		f := *w.failure
		st.Failure = &f
	}
	w.mu.Unlock()
	return st
}

// CreatePcapng creates the first file. stats may be nil.
func CreatePcapng(path string, ring RingOptions, stats func() LiveStats) (*PcapngWriter, error) {
	w := &PcapngWriter{path: path, ring: ring, stats: stats, now: time.Now}
	if err := w.openPrintName(); err != nil {
		return nil, err
	}
	if err := w.next(); err != nil {
		if w.printClose != nil {
			w.printClose.Close()
		}
		return nil, err
	}
	return w, nil
}

// openPrintName opens the printname target.
func (w *PcapngWriter) openPrintName() error {
	switch w.ring.PrintName {
	case "":
	case "stdout", "-":
		w.printTo = os.Stdout
	case "stderr":
		w.printTo = os.Stderr
	default:
		f, err := os.OpenFile(w.ring.PrintName, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("capture: -b printname: %w", err)
		}
		w.printTo, w.printClose = f, f
	}
	return nil
}

// Files returns the names of the files written and kept so far.
func (w *PcapngWriter) Files() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.kept...)
}

// fileName is the name of file number seq: the path itself for a single
// file, else prefix_NNNNN_YYYYMMDDhhmmss.ext as dumpcap names ring files.
func (w *PcapngWriter) fileName(seq int, now time.Time) string {
	if !w.ring.active() {
		return w.path
	}
	ext := filepath.Ext(w.path)
	prefix := strings.TrimSuffix(w.path, ext)
	return fmt.Sprintf("%s_%05d_%s%s", prefix, seq, now.Format("20060102150405"), ext)
}

// next closes the current file and opens the next one.
func (w *PcapngWriter) next() error {
	if err := w.closeFile(false); err != nil {
		return err
	}
	now := w.now()
	prev := w.seq
	w.seq++
	name := w.fileName(w.seq, now)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		w.fail("create", name, err, w.nextFrame())
		return w.err
	}
	w.f, w.name = f, name
	w.packets, w.opened, w.committed = 0, now, 0
	w.ifaces = map[LinkType]uint32{}
	w.kept = append(w.kept, name)
	if n := w.ring.Files; n > 0 && len(w.kept) > n {
		for _, old := range w.kept[:len(w.kept)-n] {
			os.Remove(old)
		}
		w.kept = append(w.kept[:0], w.kept[len(w.kept)-n:]...)
	}
	w.sectionHeader()
	if iv := int64(w.ring.Interval / time.Second); iv > 0 {
		sec := now.Unix()
		w.nextSwitch = time.Unix(sec-sec%iv+iv, 0)
	}
	// The secrets of the connections that had traffic in the previous
	// file (most likely still open) start the new one, so that a part of
	// the ring opened alone has them; a connection that was quiet
	// through a whole file gets them again with its next packet.
	w.pending = w.pending[:0]
	if prev > 0 {
		for _, e := range w.order {
			if e.active == prev {
				e.written = w.seq
				w.pending = append(w.pending, e)
			}
		}
	}
	w.writeSecrets()
	return w.err
}

// UseSecrets says that the packets being written belong to a TLS
// connection decrypted with s (id: its client random). The first time a
// file is told, the secrets are written into it as a Decryption Secrets
// Block before the next packet: tell it when the ClientHello is read, and
// the block precedes the ServerHello and every record the secrets
// decrypt. A new file of the ring starts with the secrets of the
// connections that had traffic in the previous file; a connection that
// was quiet through a whole file gets them again after its next packet.
// Only the secrets told are written, never a whole key log. The writer
// keeps the entries told (s itself, not a copy), so its memory is bounded
// by the key log the secrets come from.
func (w *PcapngWriter) UseSecrets(id [32]byte, s KeyLogSecrets) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if w.secrets == nil {
		w.secrets = map[[32]byte]*secretsEntry{}
	}
	e := w.secrets[id]
	if e == nil {
		e = &secretsEntry{s: s}
		w.secrets[id] = e
		w.order = append(w.order, e)
	}
	e.active = w.seq
	if e.written != w.seq {
		e.written = w.seq
		w.pending = append(w.pending, e)
	}
}

// writeSecrets appends a Decryption Secrets Block with the pending
// secrets to w.buf.
func (w *PcapngWriter) writeSecrets() {
	if len(w.pending) == 0 {
		return
	}
	keyLog := make([]byte, 0, 512)
	for _, e := range w.pending {
		keyLog = e.s.AppendKeyLog(keyLog)
	}
	w.pending = w.pending[:0]
	w.buf = pcapng.AppendDecryptionSecrets(w.buf, pcapng.SecretsTLSKeyLog, keyLog)
	w.endBlock(0)
}

// closeFile ends the current file; the last one gets the statistics.
func (w *PcapngWriter) closeFile(last bool) error {
	if w.f == nil {
		return w.err
	}
	if last && len(w.pending) > 0 {
		// Secrets told after the last packet: still of use to a reader
		// that gathers every block's secrets first (mikeyscope does).
		w.writeSecrets()
	}
	if last && w.stats != nil {
		st := w.stats()
		for _, id := range w.ifaces {
			w.interfaceStats(id, st)
		}
	}
	if w.writeOut() != nil {
		return w.err // writeOut closed the file
	}
	err := w.f.Close()
	w.f = nil
	if err != nil {
		w.fail("write", w.name, err, 0)
		return w.err
	}
	w.printName(last)
	return nil
}

// printName prints the name of a file closed (printname).
func (w *PcapngWriter) printName(last bool) {
	if w.printTo != nil {
		fmt.Fprintln(w.printTo, w.name)
	}
	if last && w.printClose != nil {
		w.printClose.Close()
		w.printTo, w.printClose = nil, nil
	}
}

// endBlock marks the end of a block appended to buf (frame: the frame an
// Enhanced Packet Block holds, 0 for another block).
func (w *PcapngWriter) endBlock(frame uint64) {
	w.ends = append(w.ends, blockEnd{off: len(w.buf), frame: frame})
}

// writeOut writes buf to the file. A write that fails (a full disk, an
// I/O error) ends the writing: the file is cut back to the end of its
// last whole block, so that it stays a valid pcapng file, and closed.
func (w *PcapngWriter) writeOut() error {
	if w.err != nil || w.f == nil || len(w.buf) == 0 {
		return w.err
	}
	n, err := w.f.Write(w.buf)
	if err == nil {
		w.committed += int64(n)
		w.written.Add(w.bufPackets)
		w.buf, w.ends, w.bufPackets = w.buf[:0], w.ends[:0], 0
		return nil
	}
	// The blocks that reached the file whole stay; the rest is lost.
	keep, kept, lost, first := 0, uint64(0), uint64(0), uint64(0)
	for _, e := range w.ends {
		switch {
		case e.off <= n:
			keep = e.off
			if e.frame != 0 {
				kept++
			}
		case e.frame != 0:
			if first == 0 {
				first = e.frame
			}
			lost++
		}
	}
	if fi, serr := w.f.Stat(); serr == nil && fi.Mode().IsRegular() {
		w.f.Truncate(w.committed + int64(keep))
	}
	w.f.Close()
	w.f = nil
	w.buf, w.ends, w.bufPackets = w.buf[:0], w.ends[:0], 0
	w.written.Add(kept)
	w.notWritten.Add(lost)
	if first == 0 && !w.closed {
		first = w.nextFrame() // nothing lost yet: from the next frame
	}
	w.fail("write", w.name, err, first)
	w.printName(w.closed)
	return w.err
}

// nextFrame is the first frame a failure now loses: the one being
// written, else the one after the last written.
func (w *PcapngWriter) nextFrame() uint64 {
	if w.cur != 0 {
		return w.cur
	}
	return w.lastFrame + 1
}

// fail records the first failure; writing stops there.
func (w *PcapngWriter) fail(op, name string, err error, frame uint64) {
	if w.failure != nil {
		return
	}
	w.failure = &WriteFailure{File: name, Op: op, Err: err, Frame: frame}
	w.err = fmt.Errorf("capture: %w", w.failure)
}

// WritePacket appends one packet, starting a new file first when a ring
// limit is reached. The blocks are written to the file when 256 KiB are
// buffered or a second of capture time has passed since the last write.
//
// After a failure (WriteFailure) every call returns it and the packet is
// counted as not written: writing does not resume, so a file never holds
// a gap that looks like lost traffic. The capture and its analysis go on.
func (w *PcapngWriter) WritePacket(p *Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.cerr
	}
	if w.err != nil {
		w.notWritten.Add(1)
		return w.err
	}
	w.cur = p.Frame
	err := w.writePacket(p)
	w.cur, w.lastFrame = 0, p.Frame
	return err
}

// writePacket is WritePacket once writing works; w.cur is p's frame.
func (w *PcapngWriter) writePacket(p *Packet) error {
	if w.ring.active() && (w.packets > 0 &&
		(w.ring.FileSize > 0 && w.committed+int64(len(w.buf))+int64(len(p.Data))+32 > w.ring.FileSize ||
			w.ring.Packets > 0 && w.packets >= w.ring.Packets ||
			w.ring.Duration > 0 && w.now().Sub(w.opened) >= w.ring.Duration) ||
		w.intervalDue()) {
		if w.next() != nil {
			w.notWritten.Add(1) // this packet; those lost with the old file are counted
			return w.err
		}
	}
	w.writeSecrets()
	id, ok := w.ifaces[p.LinkType]
	if !ok {
		id = uint32(len(w.ifaces))
		w.ifaces[p.LinkType] = id
		w.interfaceDesc(p.LinkType)
	}
	ts := uint64(p.Time.UnixNano())
	w.buf = pcapng.AppendEnhancedPacket(w.buf, id, ts, p.Data, p.OrigLen, nil)
	w.endBlock(p.Frame)
	w.bufPackets++
	w.packets++
	if len(w.buf) >= flushSize || p.Time.Sub(w.lastOut) >= flushEvery || p.Time.Before(w.lastOut) {
		w.lastOut = p.Time
		return w.writeOut()
	}
	return nil
}

// intervalDue reports whether the wall clock reached the next multiple
// of the interval.
func (w *PcapngWriter) intervalDue() bool {
	return w.ring.Interval > 0 && !w.now().Before(w.nextSwitch)
}

// tick starts the next file when the interval is due while no packet
// comes (dumpcap switches on the clock, not on the next packet).
func (w *PcapngWriter) tick() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.err == nil && w.intervalDue() {
		w.next()
	}
	// A quiet capture: what is buffered goes to the file now.
	return w.writeOut()
}

// Flush writes the buffered blocks to the file; a failure is recorded
// as in WritePacket and returned.
func (w *PcapngWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.cerr
	}
	return w.writeOut()
}

// sectionHeader appends the Section Header Block that starts each file.
func (w *PcapngWriter) sectionHeader() {
	w.buf = pcapng.AppendSectionHeader(w.buf, pcapng.AppendOption(nil, pcapng.OptSHBUserAppl, []byte("mikeyscope")))
	w.endBlock(0)
}

// interfaceDesc appends the Interface Description Block of the link type:
// the live capture's snapshot length, nanosecond timestamps.
func (w *PcapngWriter) interfaceDesc(link LinkType) {
	w.buf = pcapng.AppendInterfaceDescription(w.buf, uint16(link), DefaultSnaplen,
		pcapng.AppendOption(nil, pcapng.OptIfTsresol, []byte{pcapng.TsresolNanoseconds}))
	w.endBlock(0)
}

// interfaceStats appends the Interface Statistics Block of interface id:
// the kernel's received and dropped counts, now.
func (w *PcapngWriter) interfaceStats(id uint32, st LiveStats) {
	opts := pcapng.AppendOption(nil, pcapng.OptIsbIfRecv, binary.LittleEndian.AppendUint64(nil, st.Received))
	opts = pcapng.AppendOption(opts, pcapng.OptIsbIfDrop, binary.LittleEndian.AppendUint64(nil, st.Dropped))
	w.buf = pcapng.AppendInterfaceStatistics(w.buf, id, uint64(w.now().UnixNano()), opts)
	w.endBlock(0)
}

// Close ends the last file (with the statistics) and returns the first
// error met while writing.
func (w *PcapngWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.cerr
	}
	w.closed = true
	w.cerr = w.closeFile(true)
	if w.err != nil {
		w.cerr = w.err
	}
	if w.printClose != nil { // after a failure: printname's file is still open
		w.printClose.Close()
		w.printTo, w.printClose = nil, nil
	}
	w.buf, w.ends = nil, nil
	return w.cerr
}

// Tee returns a Source that writes every packet src delivers to w, the
// live counters and idle reports of src passed through. A write error
// stops the writing, not the capture: the Source implements
// WriteReporter, which tells the failure at once. Closing it closes src,
// then w (so the statistics are src's final ones).
func Tee(src Source, w *PcapngWriter) Source {
	return TeeInput(src, w, -1)
}

// WriteReporter is a Source that writes its packets to files (Tee): its
// handlers are told of the first write failure on the goroutine calling
// Next, when the failure happens (a write to the file, a ring file that
// cannot be created), or when FlushWrites finds it.
type WriteReporter interface {
	// OnWriteFailure adds a handler; call it before reading.
	OnWriteFailure(func(WriteFailure))
	// FlushWrites writes what is buffered (a failure goes to the
	// handlers); called by the reader when it stops reading.
	FlushWrites()
	// WriteStats counts the frames written and not written.
	WriteStats() WriteStats
}

// TeeInput is Tee writing only the packets of one input of src
// (Packet.Input: the interface of a MergeLive of an interface and HEP
// listeners). Placed after the merge, the writer and the analysis see the
// packets in one order on one goroutine, so that secrets the analysis
// tells the writer (UseSecrets) when it reads a ClientHello go into the
// file before the next packet. A merged source's statistics, kernel
// counters and per-source counters pass through.
func TeeInput(src Source, w *PcapngWriter, input int) Source {
	t := &teeSource{Source: src, w: w, input: input}
	if _, ok := src.(StatsReporter); ok {
		if _, ok := src.(SourceStatter); ok {
			return &teeMerged{teeLive{t}}
		}
		return &teeLive{t}
	}
	return t
}

type teeSource struct {
	Source
	w        *PcapngWriter
	input    int // write only the packets of this input (-1: all)
	handlers []func(WriteFailure)
	told     bool // the handlers were told of the failure
}

// Close closes src, then the writer (its error first).
func (t *teeSource) Close() error {
	err := t.Source.Close()
	if werr := t.w.Close(); werr != nil {
		return werr
	}
	return err
}

func (t *teeSource) Next(p *Packet) error {
	err := t.Source.Next(p)
	var werr error
	if err == nil && (t.input < 0 || p.Input == t.input) {
		werr = t.w.WritePacket(p)
	} else if err == ErrIdle {
		werr = t.w.tick()
	}
	if werr != nil && !t.told {
		t.tell()
	}
	return err
}

// tell passes the writer's failure to the handlers, once.
func (t *teeSource) tell() {
	st := t.w.Stats()
	if st.Failure == nil || t.told {
		return
	}
	t.told = true
	for _, h := range t.handlers {
		h(*st.Failure)
	}
}

// OnWriteFailure implements WriteReporter.
func (t *teeSource) OnWriteFailure(h func(WriteFailure)) { t.handlers = append(t.handlers, h) }

// FlushWrites implements WriteReporter.
func (t *teeSource) FlushWrites() {
	t.w.Flush()
	t.tell()
}

// WriteStats implements WriteReporter.
func (t *teeSource) WriteStats() WriteStats { return t.w.Stats() }

// ReportIdle implements IdleReporter when src does.
func (t *teeSource) ReportIdle(d time.Duration) {
	if ir, ok := t.Source.(IdleReporter); ok {
		ir.ReportIdle(d)
	}
}

type teeLive struct{ *teeSource }

func (t *teeLive) Stats() LiveStats { return t.Source.(StatsReporter).Stats() }

// teeMerged passes a merged live source's per-source counters and
// whether it has kernel counters through.
type teeMerged struct{ teeLive }

func (t *teeMerged) SourceStats() []SourceStat { return t.Source.(SourceStatter).SourceStats() }

func (t *teeMerged) HasKernelStats() bool {
	if k, ok := t.Source.(KernelStatsOptional); ok {
		return k.HasKernelStats()
	}
	return true
}
