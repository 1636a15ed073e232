package export

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/netip"
	"os"

	"github.com/mikeyscope/mikeyscope/dissect"
)

// spool keeps the plaintext of every decrypted packet in a temporary file
// until the decrypted capture is written: a record per packet with its
// frame, the hash of its protected bytes (which tells it apart from the
// other packets of the frame) and the plaintext. The analysis hands the
// packets over in capture order; the writer reads them back in that order,
// so memory holds only a window of them, never the capture's media.
type spool struct {
	f    *os.File
	w    *bufio.Writer
	seed maphash.Seed
	n    int
	err  error
	// endpoints and addrs are the transport addresses and hosts of the
	// decrypted packets: the signalling describing them is rewritten.
	endpoints map[netip.AddrPort]bool
	addrs     map[netip.Addr]bool
	hdr       [spoolHeaderLen]byte
}

// spoolHeaderLen: frame (8), hash (8), kind (1), plaintext length (4).
const spoolHeaderLen = 21

// maxSpoolPlain bounds a record's plaintext: a media packet is at most an
// IP datagram (64 KiB); a record claiming more is corrupted.
const maxSpoolPlain = 1 << 20

// maxSpoolEndpoints bounds the addresses remembered (a hostile capture
// with millions of flows); past it signalling is rewritten by host only.
const maxSpoolEndpoints = 1 << 16

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, ".decrypted-spool-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 64<<10), seed: maphash.MakeSeed(),
		endpoints: map[netip.AddrPort]bool{}, addrs: map[netip.Addr]bool{}}, nil
}

func (s *spool) hash(b []byte) uint64 { return maphash.Bytes(s.seed, b) }

// add records one decrypted packet.
func (s *spool) add(p *dissect.MediaPacket, plain []byte) {
	if s.err != nil {
		return
	}
	if len(plain) > maxSpoolPlain {
		s.err = fmt.Errorf("frame %d: a decrypted packet of %d bytes", p.Frame, len(plain))
		return
	}
	h := &s.hdr
	binary.LittleEndian.PutUint64(h[0:], p.Frame)
	binary.LittleEndian.PutUint64(h[8:], s.hash(p.Data))
	h[16] = byte(p.Kind)
	binary.LittleEndian.PutUint32(h[17:], uint32(len(plain)))
	if _, err := s.w.Write(h[:]); err != nil {
		s.err = err
		return
	}
	if _, err := s.w.Write(plain); err != nil {
		s.err = err
		return
	}
	s.n++
	for _, ap := range [2]netip.AddrPort{p.Src, p.Dst} {
		if len(s.endpoints) < maxSpoolEndpoints {
			s.endpoints[ap] = true
		}
		if len(s.addrs) < maxSpoolEndpoints {
			s.addrs[ap.Addr()] = true
		}
	}
}

// rewind ends writing and returns a reader of the records.
func (s *spool) rewind() (*spoolReader, error) {
	if s.err != nil {
		return nil, fmt.Errorf("export: spool: %w", s.err)
	}
	if err := s.w.Flush(); err != nil {
		return nil, fmt.Errorf("export: spool: %w", err)
	}
	size, err := s.f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, fmt.Errorf("export: spool: %w", err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("export: spool: %w", err)
	}
	return newSpoolReader(bufio.NewReaderSize(s.f, 64<<10), size), nil
}

// newSpoolReader reads size bytes of records from r.
func newSpoolReader(r io.Reader, size int64) *spoolReader {
	return &spoolReader{r: r, left: size, pending: map[uint64][]spoolRec{}}
}

func (s *spool) close() {
	name := s.f.Name()
	s.f.Close()
	os.Remove(name)
}

type spoolRec struct {
	hash  uint64
	kind  dissect.Kind
	plain []byte
}

// spoolReader hands out the records by frame. It reads ahead up to
// spoolReadAhead records past the frame asked for, so that a hook called
// slightly out of capture order still finds its packets.
type spoolReader struct {
	r        io.Reader
	left     int64 // bytes of the file not read yet
	pending  map[uint64][]spoolRec
	held     int
	next     *spoolRec // a record read but beyond the window
	nextF    uint64
	eof      bool
	err      error
	unplaced int // records whose packet was not found again
}

const spoolReadAhead = 256

// fill reads records up to frame (and up to the read-ahead beyond it).
func (r *spoolReader) fill(frame uint64) {
	for !r.eof && r.err == nil {
		if r.next == nil {
			if r.left == 0 {
				r.eof = true
				return
			}
			var h [spoolHeaderLen]byte
			if r.left < spoolHeaderLen {
				r.err = fmt.Errorf("corrupted: %d bytes left, less than a record header", r.left)
			} else if _, err := io.ReadFull(r.r, h[:]); err != nil {
				r.err = err
			}
			if r.err != nil {
				if errors.Is(r.err, io.EOF) {
					r.err = io.ErrUnexpectedEOF
				}
				r.eof = true
				return
			}
			r.left -= spoolHeaderLen
			// The length is checked against the bound and the bytes left
			// before anything is allocated.
			n := int64(binary.LittleEndian.Uint32(h[17:]))
			if n > maxSpoolPlain || n > r.left {
				r.err = fmt.Errorf("corrupted: a record of %d bytes with %d bytes left", n, r.left)
				r.eof = true
				return
			}
			r.left -= n
			plain := make([]byte, n)
			if _, err := io.ReadFull(r.r, plain); err != nil {
				r.err, r.eof = err, true
				return
			}
			r.next = &spoolRec{hash: binary.LittleEndian.Uint64(h[8:]), kind: dissect.Kind(h[16]), plain: plain}
			r.nextF = binary.LittleEndian.Uint64(h[0:])
		}
		if r.nextF > frame && r.held >= spoolReadAhead {
			return
		}
		r.pending[r.nextF] = append(r.pending[r.nextF], *r.next)
		r.held++
		r.next = nil
		if r.nextF > frame && r.held >= spoolReadAhead {
			return
		}
	}
}

// take returns the plaintext of the packet of frame whose protected bytes
// are pkt, and forgets it.
func (r *spoolReader) take(frame uint64, h uint64) ([]byte, dissect.Kind, bool) {
	r.fill(frame)
	recs := r.pending[frame]
	for i, rec := range recs {
		if rec.hash == h {
			recs = append(recs[:i], recs[i+1:]...)
			r.held--
			if len(recs) == 0 {
				delete(r.pending, frame)
			} else {
				r.pending[frame] = recs
			}
			return rec.plain, rec.kind, true
		}
	}
	return nil, 0, false
}

// done forgets the records of frames before frame: their packets were not
// found again in the capture (should not happen; counted).
func (r *spoolReader) done(frame uint64) {
	if r.held == 0 {
		return
	}
	for f, recs := range r.pending {
		if f < frame {
			r.unplaced += len(recs)
			r.held -= len(recs)
			delete(r.pending, f)
		}
	}
}
