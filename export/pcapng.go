package export

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// pcapngWriter writes a pcapng file (draft-ietf-opsawg-pcapng): one
// Section Header Block, Interface Description Blocks added as frames need
// them, and Enhanced Packet Blocks with nanosecond timestamps and an
// optional comment. Little-endian, as the machines it runs on.
type pcapngWriter struct {
	w      io.Writer
	buf    []byte
	n      int // packets written
	ifaces int
}

const (
	pcapngSHB = 0x0A0D0D0A
	pcapngIDB = 0x00000001
	pcapngEPB = 0x00000006

	optEnd     = 0
	optComment = 1
	optIfName  = 2
	optIfDesc  = 3
	optTSResol = 9
	optUserApp = 4 // shb_userappl
)

func newPcapngWriter(w io.Writer, app string) (*pcapngWriter, error) {
	p := &pcapngWriter{w: w}
	b := p.buf[:0]
	b = le32(b, pcapngSHB)
	b = le32(b, 0) // length, patched by finish
	b = le32(b, 0x1A2B3C4D)
	b = le16(b, 1)
	b = le16(b, 0)
	b = le32(b, 0xffffffff) // section length unknown
	b = le32(b, 0xffffffff)
	b = appendOpt(b, optUserApp, []byte(app))
	b = le32(b, optEnd)
	if err := p.finish(b); err != nil {
		return nil, fmt.Errorf("pcapng section header: %w", err)
	}
	return p, nil
}

// addInterface writes an IDB and returns its interface ID.
func (p *pcapngWriter) addInterface(linkType uint16, name, desc string) (int, error) {
	b := p.buf[:0]
	b = le32(b, pcapngIDB)
	b = le32(b, 0)
	b = le16(b, linkType)
	b = le16(b, 0)
	b = le32(b, 0) // snaplen: no limit
	if name != "" {
		b = appendOpt(b, optIfName, []byte(name))
	}
	if desc != "" {
		b = appendOpt(b, optIfDesc, []byte(desc))
	}
	b = appendOpt(b, optTSResol, []byte{9}) // nanoseconds
	b = le32(b, optEnd)
	if err := p.finish(b); err != nil {
		return 0, fmt.Errorf("pcapng interface: %w", err)
	}
	p.ifaces++
	return p.ifaces - 1, nil
}

// writePacket writes an EPB: data captured at t on interface iface,
// origLen bytes long on the wire, with an optional comment.
func (p *pcapngWriter) writePacket(iface int, t time.Time, data []byte, origLen int, comment string) error {
	ns := t.UnixNano()
	if t.Before(time.Unix(0, 0)) || t.Year() > 2262 {
		return fmt.Errorf("pcapng packet %d: time %v outside 1970-2262", p.n+1, t)
	}
	if origLen < len(data) {
		origLen = len(data)
	}
	b := p.buf[:0]
	b = le32(b, pcapngEPB)
	b = le32(b, 0)
	b = le32(b, uint32(iface))
	b = le32(b, uint32(uint64(ns)>>32))
	b = le32(b, uint32(ns))
	b = le32(b, uint32(len(data)))
	b = le32(b, uint32(origLen))
	b = append(b, data...)
	b = pad4(b)
	if comment != "" {
		b = appendOpt(b, optComment, []byte(comment))
		b = le32(b, optEnd)
	}
	if err := p.finish(b); err != nil {
		return fmt.Errorf("pcapng packet %d: %w", p.n+1, err)
	}
	p.n++
	return nil
}

// finish sets the block's two length fields and writes it.
func (p *pcapngWriter) finish(b []byte) error {
	total := len(b) + 4
	binary.LittleEndian.PutUint32(b[4:], uint32(total))
	b = le32(b, uint32(total))
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }
func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func appendOpt(b []byte, code uint16, v []byte) []byte {
	if len(v) > 0xffff-4 {
		v = v[:0xffff-4]
	}
	b = le16(b, code)
	b = le16(b, uint16(len(v)))
	b = append(b, v...)
	return pad4(b)
}
