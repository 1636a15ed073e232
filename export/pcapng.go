package export

import (
	"fmt"
	"io"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// pcapngWriter writes a pcapng file (draft-ietf-opsawg-pcapng, encoded by
// internal/pcapng): one Section Header Block, Interface Description Blocks
// added as frames need them, and Enhanced Packet Blocks with nanosecond
// timestamps and an optional comment.
type pcapngWriter struct {
	w      io.Writer
	buf    []byte
	opts   []byte
	n      int // packets written
	ifaces int
}

func newPcapngWriter(w io.Writer, app string) (*pcapngWriter, error) {
	p := &pcapngWriter{w: w}
	p.buf = pcapng.AppendSectionHeader(p.buf[:0], pcapng.AppendOption(nil, pcapng.OptSHBUserAppl, []byte(app)))
	if _, err := p.w.Write(p.buf); err != nil {
		return nil, fmt.Errorf("pcapng section header: %w", err)
	}
	return p, nil
}

// addInterface writes an IDB (snapshot length: no limit; name and desc
// when not empty; nanosecond timestamps) and returns its interface ID.
func (p *pcapngWriter) addInterface(linkType uint16, name, desc string) (int, error) {
	opts := p.opts[:0]
	if name != "" {
		opts = pcapng.AppendOption(opts, pcapng.OptIfName, []byte(name))
	}
	if desc != "" {
		opts = pcapng.AppendOption(opts, pcapng.OptIfDescription, []byte(desc))
	}
	opts = pcapng.AppendOption(opts, pcapng.OptIfTsresol, []byte{pcapng.TsresolNanoseconds})
	p.opts = opts
	p.buf = pcapng.AppendInterfaceDescription(p.buf[:0], linkType, 0, opts)
	if _, err := p.w.Write(p.buf); err != nil {
		return 0, fmt.Errorf("pcapng interface: %w", err)
	}
	p.ifaces++
	return p.ifaces - 1, nil
}

// writePacket writes an EPB: data captured at t on interface iface,
// origLen bytes long on the wire, with an optional comment.
func (p *pcapngWriter) writePacket(iface int, t time.Time, data []byte, origLen int, comment string) error {
	if t.Before(time.Unix(0, 0)) || t.Year() > 2262 {
		return fmt.Errorf("pcapng packet %d: time %v outside 1970-2262", p.n+1, t)
	}
	opts := p.opts[:0]
	if comment != "" {
		opts = pcapng.AppendOption(opts, pcapng.OptComment, []byte(comment))
	}
	p.opts = opts
	p.buf = pcapng.AppendEnhancedPacket(p.buf[:0], uint32(iface), uint64(t.UnixNano()), data, origLen, opts)
	if _, err := p.w.Write(p.buf); err != nil {
		return fmt.Errorf("pcapng packet %d: %w", p.n+1, err)
	}
	p.n++
	return nil
}
