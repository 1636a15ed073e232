package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/tlsdec"
)

// DecryptedName is the file WriteDecrypted writes in the export directory.
const DecryptedName = "decrypted.pcapng"

// DecryptedOptions tell WriteDecrypted what to read again.
type DecryptedOptions struct {
	// Inputs are the capture files the analysis read, in the same order.
	Inputs []string
	// TLSKeyLog decrypts RTSPS/SIPS signalling, as for the analysis.
	TLSKeyLog *tlsdec.KeyLog
}

// DecryptedStats counts what the decrypted capture holds.
type DecryptedStats struct {
	Frames     int // frames written
	Decrypted  int // SRTP/SRTCP packets replaced by their plaintext
	Signalling int // SIP/RTSP messages rewritten
	Rebuilt    int // frames written from rebuilt headers (rewritten UDP, TCP connections)
	// Unplaced counts decrypted packets not found again in the capture
	// (left as they were); 0 unless the capture changed in between.
	Unplaced int
}

// connKey names a TCP connection whatever the direction.
type connKey [2]netip.AddrPort

func keyOf(a, b netip.AddrPort) connKey {
	if b.Addr().Less(a.Addr()) || (a.Addr() == b.Addr() && b.Port() < a.Port()) {
		a, b = b, a
	}
	return connKey{a, b}
}

// WriteDecrypted reads the inputs again and writes DIR/decrypted.pcapng:
// every frame in its order and timing, each decrypted SRTP/SRTCP packet
// replaced by its plain RTP/RTCP, and the signalling rewritten to describe
// plain RTP (see rewriter), so that Wireshark decodes the streams with no
// options. UDP datagrams that change are written in rebuilt Ethernet/IP/UDP
// frames (lengths and checksums computed; a tunnel or VLAN around them is
// not kept; a fragmented one is written whole in place of its last
// fragment); TCP connections that carry SIP or RTSP (and RTSPS/SIPS whose
// TLS decrypts) are written as rebuilt segments with their own consistent
// sequence numbers, TLS replaced by its application data. Call it after
// the analysis pass that fed Hook, before Close.
func (e *Exporter) WriteDecrypted(ctx context.Context, opts DecryptedOptions) (File, DecryptedStats, error) {
	var st DecryptedStats
	path := filepath.Join(e.Dir, DecryptedName)
	if e.spool == nil {
		return File{}, st, fmt.Errorf("export: no analysis pass fed the exporter")
	}
	if len(opts.Inputs) == 0 {
		return File{}, st, fmt.Errorf("export: the decrypted capture needs capture files")
	}
	// First pass: which TCP connections carry signalling.
	conns, err := scanConns(ctx, opts)
	if err != nil {
		return File{}, st, err
	}
	sr, err := e.spool.rewind()
	if err != nil {
		return File{}, st, err
	}
	f, err := os.Create(path)
	if err != nil {
		return File{}, st, fmt.Errorf("export: %w", err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	w, err := newDecryptedWriter(bw, e.spool, sr, conns)
	if err == nil {
		err = w.run(ctx, opts)
	}
	if ferr := bw.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	if ferr := f.Close(); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return File{}, st, fmt.Errorf("export: %s: %w", DecryptedName, err)
	}
	st = w.stats
	st.Unplaced += sr.unplaced + sr.held
	if sr.err != nil {
		return File{}, st, fmt.Errorf("export: spool: %w", sr.err)
	}
	return File{Path: path, Kind: "pcapng", SSRC: "*", Packets: st.Frames}, st, nil
}

// scanHandler classifies TCP connections by their first data.
type scanHandler struct {
	conns map[connKey]bool // true: signalling, rewritten
}

func (h *scanHandler) Datagram(*capture.Datagram) {}
func (h *scanHandler) Problem(*capture.Problem)   {}
func (h *scanHandler) Segment(s *capture.Segment) {
	k := keyOf(s.Src, s.Dst)
	if _, ok := h.conns[k]; ok || len(s.Payload) == 0 {
		return
	}
	if len(h.conns) < 1<<20 {
		h.conns[k] = s.Payload[0] == '$' || looksLikeMessage(s.Payload)
	}
}

func scanConns(ctx context.Context, opts DecryptedOptions) (map[connKey]bool, error) {
	h := &scanHandler{conns: map[connKey]bool{}}
	err := readAll(ctx, opts, analysis.NewTLSHandler(h, opts.TLSKeyLog, nil), nil, func(*capture.Packet, *capture.Decoder) error { return nil })
	return h.conns, err
}

// readAll runs the inputs through a decoder reporting to h, calling each
// for every frame after the decoder has seen it.
func readAll(ctx context.Context, opts DecryptedOptions, h capture.Handler, tcpHdr func(src, dst netip.AddrPort, seq uint32, flags uint8, n int), each func(*capture.Packet, *capture.Decoder) error) error {
	src, err := capture.OpenFiles(opts.Inputs...)
	if err != nil {
		return err
	}
	defer src.Close()
	dec := capture.NewDecoder(h, capture.DecoderOptions{TCPHeader: tcpHdr})
	var p capture.Packet
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := src.Next(&p)
		if err == io.EOF {
			break
		}
		if err != nil {
			break // a damaged file: written up to the damage, as analysed
		}
		dec.Packet(&p)
		if err := each(&p, dec); err != nil {
			return err
		}
	}
	dec.Flush()
	return each(nil, dec)
}

// tcpEvent is one TCP header of the frame being written.
type tcpEvent struct {
	src, dst netip.AddrPort
	seq      uint32
	flags    uint8
}

// dgEvent is one UDP datagram delivered by the frame being written.
type dgEvent struct {
	frame    uint64
	src, dst netip.AddrPort
	payload  []byte
}

// segEvent is one run of TCP (or TLS application) bytes delivered.
type segEvent struct {
	frame    uint64
	src, dst netip.AddrPort
	payload  []byte
	gap      int
}

// tcpOut is a rewritten TCP connection.
type tcpOut struct {
	ends    [2]netip.AddrPort // direction 0 is ends[0] -> ends[1]
	next    [2]uint32
	started [2]bool
	fin     [2]bool
	buf     [2][]byte // bytes not yet forming a whole message or frame
}

func (t *tcpOut) dir(src netip.AddrPort) int {
	if src == t.ends[0] {
		return 0
	}
	return 1
}

type decryptedWriter struct {
	out   *pcapngWriter
	sp    *spool
	sr    *spoolReader
	rw    rewriter
	conns map[connKey]bool
	tcp   map[connKey]*tcpOut
	b     framebuild.Builder

	ifaces  map[[2]int]int // (input, interface) -> output interface
	rebuilt int            // output interface of rebuilt frames, -1 before
	stats   DecryptedStats

	tcpEv []tcpEvent
	dgEv  []dgEvent
	segEv []segEvent
	frame []byte
	tmp   []byte
	now   capture.Packet // time of the frame being written
}

func newDecryptedWriter(w io.Writer, sp *spool, sr *spoolReader, conns map[connKey]bool) (*decryptedWriter, error) {
	out, err := newPcapngWriter(w, "mikeyscope export (SRTP decrypted, signalling rewritten for plain RTP)")
	if err != nil {
		return nil, err
	}
	return &decryptedWriter{out: out, sp: sp, sr: sr, rw: rewriter{endpoints: sp.endpoints, addrs: sp.addrs},
		conns: conns, tcp: map[connKey]*tcpOut{}, ifaces: map[[2]int]int{}, rebuilt: -1}, nil
}

// Handler side: the decoder (through the TLS stage) reports here.
func (w *decryptedWriter) Datagram(d *capture.Datagram) {
	w.dgEv = append(w.dgEv, dgEvent{frame: d.Frame, src: d.Src, dst: d.Dst, payload: append([]byte(nil), d.Payload...)})
}

func (w *decryptedWriter) Segment(s *capture.Segment) {
	if !w.conns[keyOf(s.Src, s.Dst)] {
		return
	}
	w.segEv = append(w.segEv, segEvent{frame: s.Frame, src: s.Src, dst: s.Dst, payload: append([]byte(nil), s.Payload...), gap: s.GapBefore})
}

func (w *decryptedWriter) Problem(*capture.Problem) {}

func (w *decryptedWriter) tcpHeader(src, dst netip.AddrPort, seq uint32, flags uint8, _ int) {
	if w.conns[keyOf(src, dst)] {
		w.tcpEv = append(w.tcpEv, tcpEvent{src: src, dst: dst, seq: seq, flags: flags})
	}
}

func (w *decryptedWriter) run(ctx context.Context, opts DecryptedOptions) error {
	h := analysis.NewTLSHandler(w, opts.TLSKeyLog, nil)
	return readAll(ctx, opts, h, w.tcpHeader, w.each)
}

// each writes what frame p became (p nil: the end of the input).
func (w *decryptedWriter) each(p *capture.Packet, _ *capture.Decoder) error {
	defer func() {
		w.tcpEv, w.dgEv, w.segEv = w.tcpEv[:0], w.dgEv[:0], w.segEv[:0]
	}()
	if p == nil {
		for _, s := range w.segEv {
			if err := w.segment(s); err != nil {
				return err
			}
		}
		for k, t := range w.tcp {
			for d := range 2 {
				if err := w.flushRaw(t, d); err != nil {
					return err
				}
			}
			delete(w.tcp, k)
		}
		return nil
	}
	w.now = *p
	w.now.Data = nil
	drop := len(w.tcpEv) > 0
	type repl struct {
		ev      dgEvent
		payload []byte
		comment string
	}
	var repls []repl
	for _, d := range w.dgEv {
		if plain, _, ok := w.sr.take(d.frame, w.sp.hash(d.payload)); ok {
			w.stats.Decrypted++
			// No comment per media packet: a capture's worth of them would
			// add ~44 bytes a packet and flood Wireshark's expert info; the
			// interface ("mikeyscope") says the frame was rebuilt.
			repls = append(repls, repl{d, plain, ""})
			continue
		}
		if looksLikeMessage(d.payload) {
			if m, ok := w.rw.message(d.payload, d.src, d.dst); ok {
				w.stats.Signalling++
				repls = append(repls, repl{d, m, "mikeyscope: signalling rewritten for plain RTP (SRTP profile and keys removed)"})
				continue
			}
		}
		repls = append(repls, repl{d, nil, ""})
	}
	changedUDP := false
	for _, r := range repls {
		changedUDP = changedUDP || r.payload != nil
	}
	if !drop && !changedUDP {
		if err := w.raw(p); err != nil {
			return err
		}
	}
	if changedUDP {
		for _, r := range repls {
			pl := r.payload
			if pl == nil {
				pl = r.ev.payload
			}
			fr, err := w.b.AppendUDP(w.frame[:0], r.ev.src, r.ev.dst, pl)
			if err != nil {
				return fmt.Errorf("frame %d: %w", p.Frame, err)
			}
			w.frame = fr
			if err := w.writeRebuilt(fr, r.comment); err != nil {
				return err
			}
		}
	}
	// TCP: connection openings, then the data delivered, then closings.
	for _, ev := range w.tcpEv {
		if err := w.tcpOpen(ev); err != nil {
			return err
		}
	}
	for _, s := range w.segEv {
		if err := w.segment(s); err != nil {
			return err
		}
	}
	for _, ev := range w.tcpEv {
		if err := w.tcpClose(ev); err != nil {
			return err
		}
	}
	w.sr.done(p.Frame)
	return nil
}

// raw writes the frame as captured, on an interface like its own.
func (w *decryptedWriter) raw(p *capture.Packet) error {
	k := [2]int{p.Input, p.Interface}
	id, ok := w.ifaces[k]
	if !ok {
		var err error
		id, err = w.out.addInterface(uint16(p.LinkType), fmt.Sprintf("input %d interface %d", p.Input, p.Interface), "as captured")
		if err != nil {
			return err
		}
		w.ifaces[k] = id
	}
	w.stats.Frames++
	return w.out.writePacket(id, p.Time, p.Data, p.OrigLen, "")
}

func (w *decryptedWriter) writeRebuilt(frame []byte, comment string) error {
	if w.rebuilt < 0 {
		id, err := w.out.addInterface(1, "mikeyscope", "frames rebuilt by mikeyscope: decrypted media, rewritten signalling, TCP connections carrying them")
		if err != nil {
			return err
		}
		w.rebuilt = id
	}
	w.stats.Frames++
	w.stats.Rebuilt++
	return w.out.writePacket(w.rebuilt, w.now.Time, frame, len(frame), comment)
}

func (w *decryptedWriter) conn(src, dst netip.AddrPort) *tcpOut {
	k := keyOf(src, dst)
	t := w.tcp[k]
	if t == nil {
		if len(w.tcp) >= 1<<16 {
			return nil
		}
		t = &tcpOut{ends: [2]netip.AddrPort{src, dst}}
		w.tcp[k] = t
	}
	return t
}

func (w *decryptedWriter) tcpSegment(t *tcpOut, d int, flags framebuild.TCPFlags, payload []byte, comment string) error {
	hdr := framebuild.TCPHeader{Seq: t.next[d], Flags: flags}
	if t.started[1-d] {
		hdr.Ack = t.next[1-d]
		hdr.Flags |= framebuild.FlagACK
	}
	if flags&framebuild.FlagSYN != 0 {
		hdr.MSS = 1460
	}
	fr, err := w.b.AppendTCP(w.frame[:0], t.ends[d], t.ends[1-d], hdr, payload)
	if err != nil {
		return err
	}
	w.frame = fr
	t.next[d] += uint32(len(payload))
	if flags&(framebuild.FlagSYN|framebuild.FlagFIN) != 0 {
		t.next[d]++
	}
	return w.writeRebuilt(fr, comment)
}

// tcpOpen starts a direction at its first header: a SYN is written again,
// a connection seen mid-stream starts at the captured sequence number.
func (w *decryptedWriter) tcpOpen(ev tcpEvent) error {
	t := w.conn(ev.src, ev.dst)
	if t == nil {
		return nil
	}
	d := t.dir(ev.src)
	if t.started[d] {
		return nil
	}
	t.started[d] = true
	t.next[d] = ev.seq
	if ev.flags&0x02 != 0 {
		return w.tcpSegment(t, d, framebuild.FlagSYN, nil, "")
	}
	return nil
}

func (w *decryptedWriter) tcpClose(ev tcpEvent) error {
	k := keyOf(ev.src, ev.dst)
	t := w.tcp[k]
	if t == nil {
		return nil
	}
	d := t.dir(ev.src)
	switch {
	case ev.flags&0x04 != 0: // RST
		if err := w.flushRaw(t, 0); err != nil {
			return err
		}
		if err := w.flushRaw(t, 1); err != nil {
			return err
		}
		delete(w.tcp, k)
		return w.tcpSegment(t, d, framebuild.FlagRST, nil, "")
	case ev.flags&0x01 != 0 && !t.fin[d]: // FIN
		if err := w.flushRaw(t, d); err != nil {
			return err
		}
		t.fin[d] = true
		if err := w.tcpSegment(t, d, framebuild.FlagFIN, nil, ""); err != nil {
			return err
		}
		if t.fin[1-d] {
			delete(w.tcp, k)
		}
	}
	return nil
}

// maxSegment is the most data written in one rebuilt TCP segment.
const maxSegment = 32000

// maxPending bounds the bytes of one direction waiting for a message end.
const maxPending = 1 << 20

func (w *decryptedWriter) writeData(t *tcpOut, d int, data []byte, comment string) error {
	for len(data) > 0 {
		n := min(len(data), maxSegment)
		if err := w.tcpSegment(t, d, framebuild.FlagPSH, data[:n], comment); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// flushRaw writes the bytes of a direction still waiting, unchanged.
func (w *decryptedWriter) flushRaw(t *tcpOut, d int) error {
	b := t.buf[d]
	t.buf[d] = nil
	return w.writeData(t, d, b, "")
}

// segment takes delivered bytes of a rewritten connection: whole messages
// and interleaved frames are rewritten and written at once.
func (w *decryptedWriter) segment(s segEvent) error {
	t := w.conn(s.src, s.dst)
	if t == nil {
		return nil
	}
	d := t.dir(s.src)
	if !t.started[d] {
		t.started[d] = true // TLS data with no header seen: start anywhere
		t.next[d] = 1
	}
	if s.gap > 0 {
		if err := w.flushRaw(t, d); err != nil {
			return err
		}
		t.next[d] += uint32(s.gap)
	}
	t.buf[d] = append(t.buf[d], s.payload...)
	out := w.tmp[:0]
	decrypted, rewritten := 0, 0
	b := t.buf[d]
	for len(b) > 0 {
		if b[0] == '$' {
			if len(b) < 4 {
				break
			}
			n := int(binary.BigEndian.Uint16(b[2:]))
			if len(b) < 4+n {
				break
			}
			pkt := b[4 : 4+n]
			if plain, _, ok := w.sr.take(s.frame, w.sp.hash(pkt)); ok && len(plain) <= 0xffff {
				out = append(out, '$', b[1], byte(len(plain)>>8), byte(len(plain)))
				out = append(out, plain...)
				decrypted++
			} else {
				out = append(out, b[:4+n]...)
			}
			b = b[4+n:]
			continue
		}
		if !looksLikeMessage(b) {
			// Not a message start: pass bytes on up to the next '$' or
			// line start that may begin one.
			i := bytes.IndexAny(b[1:], "$\n")
			if i < 0 {
				out = append(out, b...)
				b = nil
				break
			}
			// A line feed ends the bytes passed on; a '$' begins what
			// follows.
			if b[i+1] == '\n' {
				i++
			}
			out = append(out, b[:i+1]...)
			b = b[i+1:]
			continue
		}
		he := headerEnd(b)
		if he < 0 {
			if len(b) > maxPending {
				out = append(out, b...)
				b = nil
			}
			break
		}
		cl := contentLength(b[:he-4], bytes.Contains(b[:bytes.IndexByte(b, '\n')+1], []byte("SIP/2.0")))
		if cl < 0 {
			cl = 0
		}
		if cl > len(b)-he { // not he+cl > len(b): that overflows for a huge Content-Length
			if len(b) > maxPending {
				out = append(out, b...)
				b = nil
			}
			break
		}
		m, ok := w.rw.message(b[:he+cl], s.src, s.dst)
		if ok {
			rewritten++
		}
		out = append(out, m...)
		b = b[he+cl:]
	}
	t.buf[d] = append(t.buf[d][:0], b...)
	w.tmp = out
	w.stats.Decrypted += decrypted
	w.stats.Signalling += rewritten
	comment := "mikeyscope: TCP segment rebuilt"
	switch {
	case decrypted > 0 && rewritten > 0:
		comment = fmt.Sprintf("mikeyscope: %d interleaved packets decrypted, signalling rewritten for plain RTP", decrypted)
	case decrypted > 0:
		comment = fmt.Sprintf("mikeyscope: %d interleaved SRTP/SRTCP packets decrypted", decrypted)
	case rewritten > 0:
		comment = "mikeyscope: signalling rewritten for plain RTP (SRTP profile and keys removed)"
	}
	return w.writeData(t, d, out, comment)
}
