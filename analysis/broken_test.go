package analysis_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

// This file damages every sample capture the way real captures get damaged
// (cut short by an interrupted copy or a killed capture) and the way
// Wireshark's fuzz testing damages them (editcap -E: random errors in packet
// bytes at a per-byte probability), and checks that the pipeline neither
// panics nor hangs, names the frame where reading stopped, and still
// reports everything that lies before the damage exactly as it reports it
// from the intact file.

// pipelineDeadline bounds one pipeline run over a damaged sample. The
// samples take milliseconds; the bound only tells a hang from a slow
// machine.
const pipelineDeadline = 2 * time.Minute

// editcapErrProb is the per-byte error probability of Wireshark's
// tools/fuzz-test.sh (editcap -E 0.02).
const editcapErrProb = 0.02

// record is one block of a capture file: a pcap record or a pcapng block.
type record struct {
	start, end         int  // the whole record or block
	dataStart, dataEnd int  // its packet bytes (frames only)
	frame              bool // a packet record (pcap record, pcapng EPB/SPB/PB)
}

// captureLayout splits a pcap or pcapng file into its file header end and
// records. It is an independent reading of the formats (pcap: 24-byte file
// header, 16-byte record headers; pcapng: type/length-framed blocks,
// draft-ietf-opsawg-pcapng §3.1), used to know where each frame lies.
func captureLayout(data []byte) (hdrEnd int, recs []record, err error) {
	if len(data) < 24 {
		return 0, nil, fmt.Errorf("file of %d bytes", len(data))
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		return pcapLayout(data, binary.LittleEndian)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		return pcapLayout(data, binary.BigEndian)
	case 0x0a0d0d0a:
		return pcapngLayout(data)
	}
	return 0, nil, fmt.Errorf("unknown magic % x", data[:4])
}

func pcapLayout(data []byte, bo binary.ByteOrder) (int, []record, error) {
	var recs []record
	off := 24
	for off < len(data) {
		if len(data)-off < 16 {
			return 0, nil, fmt.Errorf("record header cut at offset %d", off)
		}
		n := int(bo.Uint32(data[off+8:]))
		if off+16+n > len(data) {
			return 0, nil, fmt.Errorf("record data cut at offset %d", off)
		}
		recs = append(recs, record{start: off, end: off + 16 + n, dataStart: off + 16, dataEnd: off + 16 + n, frame: true})
		off += 16 + n
	}
	return 24, recs, nil
}

func pcapngLayout(data []byte) (int, []record, error) {
	var bo binary.ByteOrder = binary.LittleEndian
	if binary.BigEndian.Uint32(data[8:]) == 0x1a2b3c4d {
		bo = binary.BigEndian
	}
	var recs []record
	hdrEnd := 0
	off := 0
	for off < len(data) {
		if len(data)-off < 12 {
			return 0, nil, fmt.Errorf("block header cut at offset %d", off)
		}
		typ, n := bo.Uint32(data[off:]), int(bo.Uint32(data[off+4:]))
		if n < 12 || off+n > len(data) {
			return 0, nil, fmt.Errorf("block length %d at offset %d", n, off)
		}
		r := record{start: off, end: off + n}
		switch typ {
		case 6: // Enhanced Packet Block
			r.frame, r.dataStart = true, off+28
			r.dataEnd = r.dataStart + int(bo.Uint32(data[off+20:]))
		case 3: // Simple Packet Block
			r.frame, r.dataStart = true, off+12
			r.dataEnd = min(r.dataStart+int(bo.Uint32(data[off+8:])), off+n-4)
		case 2: // obsolete Packet Block
			r.frame, r.dataStart = true, off+28
			r.dataEnd = r.dataStart + int(bo.Uint32(data[off+20:]))
		}
		if r.frame && (r.dataEnd > off+n-4 || r.dataEnd < r.dataStart) {
			return 0, nil, fmt.Errorf("packet length in block at offset %d", off)
		}
		if typ == 0x0a0d0d0a || typ == 1 {
			if len(recs) == 0 {
				hdrEnd = off + n // section and interface headers before the first record
				off += n
				continue
			}
		}
		recs = append(recs, r)
		off += n
	}
	return hdrEnd, recs, nil
}

// sampleCaptures lists every samples/**/*.pcap* file.
func sampleCaptures(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join("..", "samples"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.Contains(filepath.Base(p), ".pcap") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d sample captures under samples/", len(out))
	}
	return out
}

// sampleOptions returns the analysis options of a sample: its keys file
// (same base name, .keys) and TLS secrets when it has them.
func sampleOptions(t testing.TB, path string) analysis.Options {
	t.Helper()
	opts := analysis.Options{Trees: true}
	base := strings.TrimSuffix(strings.TrimSuffix(path, ".pcapng"), ".pcap")
	if _, err := os.Stat(base + ".keys"); err == nil {
		st, _, err := keys.ParseFile(base + ".keys")
		if err != nil {
			t.Fatalf("%s.keys: %v", base, err)
		}
		opts.Keys = st
	}
	kl, err := analysis.LoadTLSKeyLog(opts.Keys, []string{path})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	opts.TLSKeyLog = kl
	return opts
}

// runCaptureBytes runs the whole pipeline over a capture held in memory.
// It returns the error of opening the capture (a header too damaged to
// read), or the report. A run that outlives pipelineDeadline fails the test
// as a hang.
func runCaptureBytes(t testing.TB, name string, data []byte, opts analysis.Options) (*analysis.Report, error) {
	t.Helper()
	type result struct {
		r   *analysis.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		src, err := capture.OpenReader(name, bytes.NewReader(data))
		if err != nil {
			done <- result{err: err}
			return
		}
		defer src.Close()
		a := analysis.New(opts)
		a.SetInputs([]string{name})
		if err := analysis.Run(context.Background(), src, a, dissect.Options{}, nil); err != nil {
			done <- result{err: err}
			return
		}
		done <- result{r: a.Finish()}
	}()
	select {
	case res := <-done:
		return res.r, res.err
	case <-time.After(pipelineDeadline):
		t.Fatalf("%s: pipeline still running after %v (hang)", name, pipelineDeadline)
		return nil, nil
	}
}

// sessionView is what must survive damage after a session's frames: its
// identity and the signalling messages before the damage.
type sessionView struct {
	Carrier, Key, From, To, URL, Transport string
	Signals                                []analysis.Signal
}

// mikeyView is the decoded form of a MIKEY message (every field with its
// offsets) and the verdict of the supplied keys on it.
type mikeyView struct {
	Frame                               uint64
	Src, Dst, Where                     string
	Length                              int
	DataType, Role, CSBID, Error, KeyFP string
	Tree                                string
}

// viewBefore returns the sessions and MIKEY messages of r carried by frames
// up to last, keyed by carrier and session key.
func viewBefore(r *analysis.Report, last uint64) (map[string]sessionView, []mikeyView) {
	sessions := map[string]sessionView{}
	var msgs []mikeyView
	for _, s := range r.Sessions {
		v := sessionView{Carrier: s.Carrier, Key: s.Key, From: s.From, To: s.To, URL: s.URL, Transport: s.Transport}
		for _, sig := range s.Signals {
			if sig.Frame <= last {
				c := *sig
				c.Raw = nil
				v.Signals = append(v.Signals, c)
			}
		}
		if len(v.Signals) > 0 {
			// An RTSP session is known by its connection until a reply
			// names its Session id (RFC 2326 §12.37), so sessions are
			// matched by their first message, and an RTSP key compared
			// only once the damaged report has learnt it.
			sessions[fmt.Sprint(s.Carrier, " from frame ", v.Signals[0].Frame)] = v
		}
		for _, m := range s.MIKEY {
			if m.Frame > last {
				continue
			}
			tree, _ := json.Marshal(m.Tree)
			msgs = append(msgs, mikeyView{Frame: m.Frame, Src: m.Src, Dst: m.Dst, Where: m.Where, Length: m.Length,
				DataType: m.DataType, Role: m.Role, CSBID: m.CSBID, Error: m.Error, KeyFP: m.KeyFP, Tree: string(tree)})
		}
	}
	return sessions, msgs
}

// compareBefore checks that every session and MIKEY message of the intact
// report carried by frames up to last is in the damaged report, identical.
func compareBefore(t *testing.T, what string, intact, damaged *analysis.Report, last uint64) {
	t.Helper()
	ws, wm := viewBefore(intact, last)
	gs, gm := viewBefore(damaged, last)
	for k, w := range ws {
		g, ok := gs[k]
		if !ok {
			t.Errorf("%s: session %s (signals up to frame %d) missing", what, k, last)
			continue
		}
		// The session may be split off differently after the damage; what
		// came before must match message for message.
		if !reflect.DeepEqual(w.Signals, g.Signals[:min(len(g.Signals), len(w.Signals))]) || len(g.Signals) < len(w.Signals) {
			t.Errorf("%s: session %s signals differ:\n got  %+v\n want %+v", what, k, g.Signals, w.Signals)
		}
		w.Signals, g.Signals = nil, nil
		if w.Carrier == "rtsp" && g.Key != w.Key {
			g.Key = w.Key
		}
		if !reflect.DeepEqual(w, g) {
			t.Errorf("%s: session %s differs: got %+v, want %+v", what, k, g, w)
		}
	}
	byFrame := map[string]mikeyView{}
	for _, m := range gm {
		byFrame[fmt.Sprint(m.Frame, m.Where, m.Role, m.CSBID)] = m
	}
	for _, w := range wm {
		g, ok := byFrame[fmt.Sprint(w.Frame, w.Where, w.Role, w.CSBID)]
		if !ok {
			t.Errorf("%s: MIKEY %s at frame %d missing", what, w.DataType, w.Frame)
			continue
		}
		if g != w {
			t.Errorf("%s: MIKEY %s at frame %d differs:\n got  %+v\n want %+v", what, w.DataType, w.Frame, g, w)
		}
	}
}

// truncationOffsets chooses where to cut a file: inside the file header,
// at, just after and inside each of the first records (record headers and
// packet data), at the last record, and at random points.
func truncationOffsets(rng *rand.Rand, size, hdrEnd int, recs []record, random int) []int {
	seen := map[int]bool{}
	var out []int
	add := func(o int) {
		if o > 0 && o < size && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	add(hdrEnd / 2)
	add(hdrEnd - 1)
	for i, r := range recs {
		if i >= 6 && i != len(recs)-1 {
			continue
		}
		add(r.start)
		add(r.start + 1)
		add(r.start + 9)
		add((r.start + r.end) / 2)
		add(r.end - 1)
	}
	for i := 0; i < random; i++ {
		add(hdrEnd + rng.IntN(size-hdrEnd))
	}
	return out
}

// TestTruncatedSamples cuts every sample at many offsets: the pipeline must
// report a read error naming the frame whose record was cut (a
// capture.file-damaged finding at that frame), count exactly the frames
// before it, and report the sessions and MIKEY messages of those frames as
// it does from the intact file.
func TestTruncatedSamples(t *testing.T) {
	random := 16
	if testing.Short() {
		random = 4
	}
	eachSample(t, func(t *testing.T, s *intactSample) {
		rng := rand.New(rand.NewPCG(1, uint64(len(s.data))))
		for _, off := range truncationOffsets(rng, len(s.data), s.hdrEnd, s.recs, random) {
			checkTruncation(t, s.name, s.data, off, s.hdrEnd, s.recs, s.opts, s.intact)
		}
	})
}

// intactSample is a sample capture as the damage tests start from: its
// bytes, their record layout, its options and its report from the intact
// file.
type intactSample struct {
	name   string
	data   []byte
	hdrEnd int
	recs   []record
	opts   analysis.Options
	intact *analysis.Report
}

// eachSample runs f in a subtest for every sample capture, the intact
// report checked to have no read error.
func eachSample(t *testing.T, f func(t *testing.T, s *intactSample)) {
	for _, path := range sampleCaptures(t) {
		name, _ := filepath.Rel(filepath.Join("..", "samples"), path)
		t.Run(name, func(t *testing.T) {
			s := &intactSample{name: name}
			var err error
			if s.data, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
			if s.hdrEnd, s.recs, err = captureLayout(s.data); err != nil {
				t.Fatalf("layout: %v", err)
			}
			s.opts = sampleOptions(t, path)
			if s.intact, err = runCaptureBytes(t, name, s.data, s.opts); err != nil {
				t.Fatal(err)
			}
			if s.intact.Summary.ReadError != "" {
				t.Fatalf("intact sample has a read error: %s", s.intact.Summary.ReadError)
			}
			f(t, s)
		})
	}
}

func checkTruncation(t *testing.T, name string, data []byte, off, hdrEnd int, recs []record, opts analysis.Options, intact *analysis.Report) {
	t.Helper()
	what := fmt.Sprintf("%s cut at %d", name, off)
	var frames uint64 // complete frame records before the cut
	onBoundary := off == hdrEnd
	cutFrame := false // the cut falls inside a packet record
	for _, r := range recs {
		if r.end <= off {
			if r.frame {
				frames++
			}
			onBoundary = onBoundary || r.end == off
		} else if r.start < off {
			cutFrame = r.frame
		}
	}
	r, err := runCaptureBytes(t, what, data[:off], opts)
	if off < hdrEnd {
		// The file header itself is cut: opening may fail; if it does not,
		// reading must stop with an error before any frame.
		if err == nil && (r.Summary.ReadError == "" || r.Summary.Frames != 0) {
			t.Errorf("%s (inside the file header): frames %d, read error %q", what, r.Summary.Frames, r.Summary.ReadError)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if r.Summary.Frames != frames {
		t.Errorf("%s: %d frames read, want the %d complete ones", what, r.Summary.Frames, frames)
	}
	damaged := findingsOf(r, "capture.file-damaged")
	switch {
	case onBoundary:
		if r.Summary.ReadError != "" || len(damaged) != 0 {
			t.Errorf("%s (a record boundary): read error %q, %d file-damaged findings", what, r.Summary.ReadError, len(damaged))
		}
	default:
		if r.Summary.ReadError == "" || len(damaged) != 1 {
			t.Errorf("%s: read error %q, %d file-damaged findings; want one of each", what, r.Summary.ReadError, len(damaged))
			break
		}
		if cutFrame {
			want := fmt.Sprintf("frame %d ", frames+1)
			if !strings.Contains(r.Summary.ReadError, want) || damaged[0].Frame != frames+1 {
				t.Errorf("%s: read error %q at finding frame %d; want it to name frame %d", what, r.Summary.ReadError, damaged[0].Frame, frames+1)
			}
		}
	}
	compareBefore(t, what, intact, r, frames)
}

func findingsOf(r *analysis.Report, code string) []*analysis.Finding {
	var out []*analysis.Finding
	for _, f := range r.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// editcapCorrupt damages the packet bytes of the records at per-byte
// probability prob with the error kinds of editcap -E (editcap.c): a flipped
// bit, a random byte, a random alphanumeric, a "%s" format string, or the
// rest of the packet filled with 0xAA. File and record headers stay intact,
// so the file still reads to its end. It returns the 1-based number of the
// first damaged frame (0 when none).
func editcapCorrupt(rng *rand.Rand, data []byte, recs []record, prob float64) uint64 {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var first, frame uint64
	for _, r := range recs {
		if !r.frame {
			continue
		}
		frame++
		pkt := data[r.dataStart:r.dataEnd]
		for i := 0; i < len(pkt); i++ {
			if rng.Float64() >= prob {
				continue
			}
			if first == 0 {
				first = frame
			}
			switch w := rng.IntN(18); {
			case w < 5:
				pkt[i] ^= 1 << rng.IntN(8)
			case w < 10:
				pkt[i] = byte(rng.IntN(256))
			case w < 15:
				pkt[i] = alnum[rng.IntN(len(alnum))]
			case w < 17:
				i += copy(pkt[i:], "%s") - 1
			default:
				for ; i < len(pkt); i++ {
					pkt[i] = 0xaa
				}
			}
		}
	}
	return first
}

// TestCorruptedSamples damages the packet bytes of every sample as editcap
// -E 0.02 does (fixed seeds): no panic, no hang, every frame still read, and
// the sessions and MIKEY messages before the first damaged frame reported
// as from the intact file. It then damages whole files, headers included,
// at a lower rate: the pipeline must stop cleanly, naming where.
func TestCorruptedSamples(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	eachSample(t, func(t *testing.T, s *intactSample) {
		name, data, recs, opts, intact := s.name, s.data, s.recs, s.opts, s.intact
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			rng := rand.New(rand.NewPCG(seed, 0xed17ca9))
			buf := bytes.Clone(data)
			first := editcapCorrupt(rng, buf, recs, editcapErrProb)
			what := fmt.Sprintf("%s editcap seed %d (first damaged frame %d)", name, seed, first)
			r, err := runCaptureBytes(t, what, buf, opts)
			if err != nil {
				t.Errorf("%s: %v", what, err)
				continue
			}
			if r.Summary.Frames != intact.Summary.Frames || r.Summary.ReadError != "" {
				t.Errorf("%s: %d frames (want %d), read error %q", what, r.Summary.Frames, intact.Summary.Frames, r.Summary.ReadError)
			}
			if first > 1 {
				compareBefore(t, what, intact, r, first-1)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("%s: report does not marshal: %v", what, err)
			}
		}
		for seed := uint64(1); seed <= uint64(seeds); seed++ {
			rng := rand.New(rand.NewPCG(seed, 0xf11e))
			buf := bytes.Clone(data)
			for i := range buf {
				if rng.Float64() < editcapErrProb/10 {
					buf[i] ^= 1 << rng.IntN(8)
				}
			}
			what := fmt.Sprintf("%s file bit flips seed %d", name, seed)
			r, err := runCaptureBytes(t, what, buf, opts)
			if err != nil {
				continue // header damaged: refused at open, which is an error value
			}
			damaged := findingsOf(r, "capture.file-damaged")
			if (r.Summary.ReadError != "") != (len(damaged) == 1) {
				t.Errorf("%s: read error %q with %d file-damaged findings", what, r.Summary.ReadError, len(damaged))
			}
			if len(damaged) == 1 && damaged[0].Frame != r.Summary.Frames+1 {
				t.Errorf("%s: file-damaged at frame %d after %d frames read", what, damaged[0].Frame, r.Summary.Frames)
			}
		}
	})
}
