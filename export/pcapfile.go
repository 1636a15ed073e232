package export

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// pcapSnaplen is the snapshot length written in the file header.
const pcapSnaplen = 262144

// pcapWriter writes the classic libpcap format (microsecond timestamps,
// LINKTYPE_ETHERNET, little-endian): the format every capture tool opens.
// The package writes it itself; a pcap writer library (gopacket/pcapgo)
// brings gopacket's protocol tables, about 10 MB of memory, into every run
// of mikeyscope. The generators of the samples use pcapgo, so the readers'
// tests still read files written by another program.
type pcapWriter struct {
	w   io.Writer
	rec [16]byte
	n   int
}

// newPcapWriter writes the file header (pcap-savefile(5)) to w.
func newPcapWriter(w io.Writer) (*pcapWriter, error) {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4) // magic: microsecond timestamps
	binary.LittleEndian.PutUint16(h[4:], 2)          // version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	// thiszone and sigfigs are zero
	binary.LittleEndian.PutUint32(h[16:], pcapSnaplen)
	binary.LittleEndian.PutUint32(h[20:], 1) // LINKTYPE_ETHERNET
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	return &pcapWriter{w: w}, nil
}

// writeFrame writes one Ethernet frame captured in full at t.
func (p *pcapWriter) writeFrame(t time.Time, frame []byte) error {
	sec := t.Unix()
	if sec < 0 || sec > 1<<32-1 {
		return fmt.Errorf("pcap frame %d: time %v outside the pcap range (1970-2106)", p.n+1, t)
	}
	if len(frame) > pcapSnaplen {
		return fmt.Errorf("pcap frame %d: %d bytes exceed the snapshot length %d", p.n+1, len(frame), pcapSnaplen)
	}
	binary.LittleEndian.PutUint32(p.rec[0:], uint32(sec))
	binary.LittleEndian.PutUint32(p.rec[4:], uint32(t.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(p.rec[8:], uint32(len(frame)))
	binary.LittleEndian.PutUint32(p.rec[12:], uint32(len(frame)))
	if _, err := p.w.Write(p.rec[:]); err != nil {
		return fmt.Errorf("pcap frame %d: %w", p.n+1, err)
	}
	if _, err := p.w.Write(frame); err != nil {
		return fmt.Errorf("pcap frame %d: %w", p.n+1, err)
	}
	p.n++
	return nil
}
