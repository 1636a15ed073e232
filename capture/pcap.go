package capture

import (
	"encoding/binary"
	"time"
)

// Classic pcap file format (draft-ietf-opsawg-pcap; libpcap savefile).
const (
	pcapMagicMicro    = 0xa1b2c3d4 // microsecond timestamps
	pcapMagicNano     = 0xa1b23c4d // nanosecond timestamps
	pcapMagicModified = 0xa1b2cd34 // Kuznetzov's patched libpcap: 24-byte record headers
	pcapHeaderLen     = 24
)

func isPcapMagic(b []byte) bool {
	for _, m := range [...]uint32{binary.LittleEndian.Uint32(b), binary.BigEndian.Uint32(b)} {
		switch m {
		case pcapMagicMicro, pcapMagicNano, pcapMagicModified:
			return true
		}
	}
	return false
}

// pcapReader reads the records of a classic pcap file.
type pcapReader struct {
	order     binary.ByteOrder
	little    bool  // order is little-endian
	nanoScale int64 // nanoseconds per fractional timestamp unit
	recHdrLen int   // 16, or 24 for the modified format
	link      LinkType
}

// openPcap reads the 24-byte global header.
func openPcap(r *fileReader) (*pcapReader, error) {
	h, err := r.readN(pcapHeaderLen)
	if err != nil {
		return nil, truncatedErrorf("pcap file header: %d of %d bytes", len(h), pcapHeaderLen)
	}
	f := &pcapReader{order: binary.LittleEndian, little: true, nanoScale: 1000, recHdrLen: 16}
	magic := binary.LittleEndian.Uint32(h)
	switch magic {
	case pcapMagicMicro, pcapMagicNano, pcapMagicModified:
	default:
		f.order, f.little = binary.BigEndian, false
		magic = binary.BigEndian.Uint32(h)
	}
	switch magic {
	case pcapMagicNano:
		f.nanoScale = 1
	case pcapMagicModified:
		f.recHdrLen = 24
	}
	if major := f.order.Uint16(h[4:]); major != 2 {
		return nil, formatErrorf("pcap version %d.%d not supported", major, f.order.Uint16(h[6:]))
	}
	// The low 16 bits carry the link type; the upper bits hold FCS
	// information that does not change how the frame is decoded here.
	f.link = LinkType(f.order.Uint32(h[20:]))
	return f, nil
}

func (f *pcapReader) next(r *fileReader, p *Packet) error {
	r.recOff = r.off
	h, err := r.viewN(f.recHdrLen)
	if len(h) == 0 && err != nil {
		return err // io.EOF at a record boundary: clean end
	}
	if err != nil {
		return truncatedErrorf("record header: %d of %d bytes", len(h), f.recHdrLen)
	}
	// The record header is read without the ByteOrder interface: four
	// dynamic calls per record that do not inline.
	var sec, frac, capLen, origLen uint32
	if f.little {
		sec, frac = binary.LittleEndian.Uint32(h[0:]), binary.LittleEndian.Uint32(h[4:])
		capLen, origLen = binary.LittleEndian.Uint32(h[8:]), binary.LittleEndian.Uint32(h[12:])
	} else {
		sec, frac = binary.BigEndian.Uint32(h[0:]), binary.BigEndian.Uint32(h[4:])
		capLen, origLen = binary.BigEndian.Uint32(h[8:]), binary.BigEndian.Uint32(h[12:])
	}
	if capLen > maxRecordLen {
		return formatErrorf("record captured length %d exceeds limit %d", capLen, maxRecordLen)
	}
	// In place in the read buffer: it stays valid until this file is read
	// again, which the merger does only on the Next after delivering it.
	data, err := r.viewN(int(capLen))
	if err != nil {
		return truncatedErrorf("record data: %d of %d bytes", len(data), capLen)
	}
	p.Time = time.Unix(int64(sec), int64(frac)*f.nanoScale).UTC()
	p.Data = data
	p.OrigLen = int(origLen)
	if p.OrigLen < len(data) {
		p.OrigLen = len(data)
	}
	p.Interface = 0
	p.BadTime = false // 32-bit seconds cannot leave the range
	p.LinkType = f.link
	return nil
}
