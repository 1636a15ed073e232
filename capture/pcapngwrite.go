package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// RingOptions are dumpcap's ring buffer options (-b KEY:VALUE): a new file
// is started when one of the limits is reached, and only the last Files
// files are kept. The zero value writes one file.
type RingOptions struct {
	FileSize int64         // filesize:kB, in bytes (dumpcap's kB are 1000 bytes)
	Duration time.Duration // duration:seconds
	Packets  int64         // packets:N
	Files    int           // files:N, the number of files kept (0: all)
}

// active reports whether the options ask for several files.
func (o RingOptions) active() bool {
	return o.FileSize > 0 || o.Duration > 0 || o.Packets > 0 || o.Files > 0
}

// ParseRingOption adds one -b option ("filesize:102400", "files:10",
// "duration:60", "packets:1000") to o, in dumpcap's spelling and units.
func ParseRingOption(s string, o *RingOptions) error {
	key, val, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(val, 10, 64)
	if !ok || err != nil || n <= 0 {
		return fmt.Errorf("-b %q: want KEY:N with N > 0 (filesize:kB, files:N, duration:s, packets:N)", s)
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
	case "packets":
		o.Packets = n
	default:
		return fmt.Errorf("-b %q: unknown ring buffer option %q (filesize, files, duration, packets)", s, key)
	}
	return nil
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
type PcapngWriter struct {
	path  string
	ring  RingOptions
	stats func() LiveStats

	f       *os.File
	bw      *bufio.Writer
	name    string
	seq     int
	kept    []string
	size    int64
	packets int64
	opened  time.Time
	ifaces  map[LinkType]uint32
	buf     []byte
	err     error
	closed  bool
	cerr    error
}

// CreatePcapng creates the first file. stats may be nil.
func CreatePcapng(path string, ring RingOptions, stats func() LiveStats) (*PcapngWriter, error) {
	w := &PcapngWriter{path: path, ring: ring, stats: stats}
	if err := w.next(); err != nil {
		return nil, err
	}
	return w, nil
}

// Files returns the names of the files written and kept so far.
func (w *PcapngWriter) Files() []string { return append([]string(nil), w.kept...) }

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
	now := time.Now()
	w.seq++
	name := w.fileName(w.seq, now)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("capture: -w: %w", err)
	}
	w.f, w.name, w.bw = f, name, bufio.NewWriterSize(f, 256<<10)
	w.size, w.packets, w.opened = 0, 0, now
	w.ifaces = map[LinkType]uint32{}
	w.kept = append(w.kept, name)
	if n := w.ring.Files; n > 0 && len(w.kept) > n {
		for _, old := range w.kept[:len(w.kept)-n] {
			os.Remove(old)
		}
		w.kept = append(w.kept[:0], w.kept[len(w.kept)-n:]...)
	}
	w.sectionHeader()
	return w.flushBuf()
}

// closeFile ends the current file; the last one gets the statistics.
func (w *PcapngWriter) closeFile(last bool) error {
	if w.f == nil {
		return nil
	}
	if last && w.stats != nil {
		st := w.stats()
		for _, id := range w.ifaces {
			w.interfaceStats(id, st)
		}
		w.flushBuf()
	}
	err := w.bw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if err != nil {
		return fmt.Errorf("capture: -w %s: %w", w.name, err)
	}
	return nil
}

// WritePacket appends one packet, starting a new file first when a ring
// limit is reached. After an error every call returns it.
func (w *PcapngWriter) WritePacket(p *Packet) error {
	if w.err != nil {
		return w.err
	}
	if w.ring.active() && w.packets > 0 &&
		(w.ring.FileSize > 0 && w.size+int64(len(p.Data))+32 > w.ring.FileSize ||
			w.ring.Packets > 0 && w.packets >= w.ring.Packets ||
			w.ring.Duration > 0 && time.Since(w.opened) >= w.ring.Duration) {
		if w.err = w.next(); w.err != nil {
			return w.err
		}
	}
	id, ok := w.ifaces[p.LinkType]
	if !ok {
		id = uint32(len(w.ifaces))
		w.ifaces[p.LinkType] = id
		w.interfaceDesc(p.LinkType)
	}
	ts := uint64(p.Time.UnixNano())
	pad := (4 - len(p.Data)%4) % 4
	total := 32 + len(p.Data) + pad
	b := w.buf // after an Interface Description Block, when one was added
	b = binary.LittleEndian.AppendUint32(b, ngEnhancedPacket)
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	b = binary.LittleEndian.AppendUint32(b, id)
	b = binary.LittleEndian.AppendUint32(b, uint32(ts>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(ts))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(p.Data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(max(p.OrigLen, len(p.Data))))
	w.buf = b
	if err := w.flushBuf(); err != nil {
		return err
	}
	if _, err := w.bw.Write(p.Data); err != nil {
		w.err = fmt.Errorf("capture: -w %s: %w", w.name, err)
		return w.err
	}
	w.buf = append(w.buf[:0], make([]byte, pad)...)
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(total))
	w.size += int64(len(p.Data))
	w.packets++
	return w.flushBuf()
}

// flushBuf writes w.buf to the file buffer.
func (w *PcapngWriter) flushBuf() error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.bw.Write(w.buf); err != nil {
		w.err = fmt.Errorf("capture: -w %s: %w", w.name, err)
	}
	w.size += int64(len(w.buf))
	w.buf = w.buf[:0]
	return w.err
}

// option appends a pcapng option with its padding.
func option(b []byte, code uint16, val []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	return append(b, make([]byte, (4-len(val)%4)%4)...)
}

// block appends a block of type typ with body.
func block(b []byte, typ uint32, body []byte) []byte {
	total := uint32(12 + len(body))
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, total)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, total)
}

func (w *PcapngWriter) sectionHeader() {
	var body []byte
	body = binary.LittleEndian.AppendUint32(body, ngByteOrderMagic)
	body = binary.LittleEndian.AppendUint16(body, 1) // version 1.0
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = binary.LittleEndian.AppendUint64(body, ^uint64(0)) // section length unknown
	body = option(body, 4, []byte("mikeyscope"))              // shb_userappl
	body = option(body, ngOptEnd, nil)
	w.buf = block(w.buf, ngSectionHeader, body)
}

func (w *PcapngWriter) interfaceDesc(link LinkType) {
	var body []byte
	body = binary.LittleEndian.AppendUint16(body, uint16(link))
	body = binary.LittleEndian.AppendUint16(body, 0)
	body = binary.LittleEndian.AppendUint32(body, 262144)
	body = option(body, ngOptIfTsresol, []byte{9}) // nanoseconds
	body = option(body, ngOptEnd, nil)
	w.buf = block(w.buf, ngInterfaceDesc, body)
}

func (w *PcapngWriter) interfaceStats(id uint32, st LiveStats) {
	ts := uint64(time.Now().UnixNano())
	var body []byte
	body = binary.LittleEndian.AppendUint32(body, id)
	body = binary.LittleEndian.AppendUint32(body, uint32(ts>>32))
	body = binary.LittleEndian.AppendUint32(body, uint32(ts))
	body = option(body, 4, binary.LittleEndian.AppendUint64(nil, st.Received)) // isb_ifrecv
	body = option(body, ngOptIsbIfdrop, binary.LittleEndian.AppendUint64(nil, st.Dropped))
	body = option(body, ngOptEnd, nil)
	w.buf = block(w.buf, ngInterfaceStats, body)
}

// Close ends the last file (with the statistics) and returns the first
// error met while writing.
func (w *PcapngWriter) Close() error {
	if w.closed {
		return w.cerr
	}
	w.closed = true
	w.cerr = w.closeFile(true)
	if w.err != nil {
		w.cerr = w.err
	}
	return w.cerr
}

// Tee returns a Source that writes every packet src delivers to w, the
// live counters and idle reports of src passed through. A write error
// stops the writing (w.Close returns it), not the capture. Closing it
// closes src, then w (so the statistics are src's final ones).
func Tee(src Source, w *PcapngWriter) Source {
	t := &teeSource{Source: src, w: w}
	if _, ok := src.(StatsReporter); ok {
		return &teeLive{t}
	}
	return t
}

type teeSource struct {
	Source
	w *PcapngWriter
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
	if err == nil {
		t.w.WritePacket(p)
	}
	return err
}

// ReportIdle implements IdleReporter when src does.
func (t *teeSource) ReportIdle(d time.Duration) {
	if ir, ok := t.Source.(IdleReporter); ok {
		ir.ReportIdle(d)
	}
}

type teeLive struct{ *teeSource }

func (t *teeLive) Stats() LiveStats { return t.Source.(StatsReporter).Stats() }
