// Package fuzzcap is shared by the fuzz targets that feed whole captures
// to the pipeline (analysis's FuzzPipeline and FuzzCapture, report's
// FuzzWriteJSON): packets held in memory as a capture.Source, the byte
// framing a fuzz input uses for them, and a keys store with the samples'
// keys, so that fuzzed MIKEY messages reach MAC checks and KEMAC
// decryption. The tests that replay a sample (the live tests of analysis
// and the command, retirement on a quiet live capture) read its packets
// into memory with ReadPackets.
package fuzzcap

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/keys"
)

// SliceSource is a capture.Source over packets held in memory, all of link
// type Link, 20 ms apart from 2027-01-15T08:00:00Z.
type SliceSource struct {
	Pkts [][]byte
	Link capture.LinkType
	next int
}

// Next implements capture.Source.
func (s *SliceSource) Next(p *capture.Packet) error {
	if s.next == len(s.Pkts) {
		return io.EOF
	}
	d := s.Pkts[s.next]
	s.next++
	*p = capture.Packet{Frame: uint64(s.next), Time: time.Unix(1800000000, 0).Add(time.Duration(s.next) * 20 * time.Millisecond),
		Data: d, OrigLen: len(d), LinkType: s.Link}
	return nil
}

// Close implements capture.Source.
func (s *SliceSource) Close() error { return nil }

// ReadPackets reads every packet of the capture files, their bytes copied.
func ReadPackets(paths ...string) ([]capture.Packet, error) {
	src, err := capture.OpenFiles(paths...)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var out []capture.Packet
	var p capture.Packet
	for {
		if err := src.Next(&p); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		c := p
		c.Data = append([]byte(nil), p.Data...)
		out = append(out, c)
	}
}

// ReadFrames is ReadPackets' frame bytes.
func ReadFrames(paths ...string) ([][]byte, error) {
	pkts, err := ReadPackets(paths...)
	frames := make([][]byte, len(pkts))
	for i := range pkts {
		frames[i] = pkts[i].Data
	}
	return frames, err
}

// Split reads packets framed as a 16-bit big-endian length and the bytes; a
// final short remainder is one more packet.
func Split(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			out = append(out, data)
			break
		}
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		n = min(n, len(data))
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

// Join is the inverse of Split.
func Join(pkts [][]byte) []byte {
	var out []byte
	for _, p := range pkts {
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
		out = append(out, p...)
	}
	return out
}

// SampleKeys returns a keys store with the PSKs and SRTP keys of the
// samples under dir (the repository's samples directory).
func SampleKeys(dir string) (*keys.Store, error) {
	var text []byte
	for _, name := range []string{"sip-udp-psk", "sip-udp-dhhmac", "sip-udp-gcm", "rtsp-rekey"} {
		b, err := os.ReadFile(filepath.Join(dir, name+".keys"))
		if err != nil {
			return nil, err
		}
		text = append(append(text, b...), '\n')
	}
	st, _, err := keys.Parse(text, "samples keys", dir)
	return st, err
}
