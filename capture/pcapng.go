package capture

import (
	"encoding/binary"
	"math/bits"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// Limits and defaults of the reader (the format's numbers are in
// internal/pcapng).
const (
	ngMaxInterfaces   = 1 << 16
	ngDefaultUnitsSec = 1_000_000 // no if_tsresol: microseconds (§4.2)
)

func isPcapngMagic(b []byte) bool {
	return binary.LittleEndian.Uint32(b) == pcapng.BlockSectionHeader
}

// ngInterface is what an Interface Description Block says about the packets
// of one interface (§4.2): link type, snap length and timestamp units.
type ngInterface struct {
	link        LinkType
	snapLen     uint32
	unitsPerSec uint64 // if_tsresol: timestamp units per second
	offsetSec   int64  // if_tsoffset
	// drops is what the latest Interface Statistics Block of the
	// interface counts as dropped (isb_ifdrop + isb_osdrop).
	drops uint64
}

// pcapngReader reads the blocks of a pcapng file, section by section.
type pcapngReader struct {
	order  binary.ByteOrder
	ifaces []ngInterface
	// sectionDrops sums the recorded drops of the sections before.
	sectionDrops uint64
}

func (f *pcapngReader) next(r *fileReader, p *Packet) error {
	for {
		r.recOff = r.off
		h, err := r.readN(8)
		if len(h) == 0 && err != nil {
			if f.order == nil {
				return truncatedErrorf("missing section header block")
			}
			return err // clean end at a block boundary
		}
		if err != nil {
			return truncatedErrorf("block header: %d of 8 bytes", len(h))
		}
		typ := binary.LittleEndian.Uint32(h)
		if typ == pcapng.BlockSectionHeader {
			if err := f.readSectionHeader(r, h); err != nil {
				return err
			}
			continue
		}
		if f.order == nil {
			return formatErrorf("first block is type %#x, not a section header", typ)
		}
		typ = f.order.Uint32(h)
		total := f.order.Uint32(h[4:])
		if total < 12 || total > maxRecordLen {
			return formatErrorf("block type %#x has invalid length %d", typ, total)
		}
		switch typ {
		case pcapng.BlockInterfaceDescription, pcapng.BlockEnhancedPacket, pcapng.BlockSimplePacket, pcapng.BlockPacketObsolete, pcapng.BlockInterfaceStatistics:
		default:
			if err := r.skip(int(total) - 8); err != nil {
				return truncatedErrorf("block type %#x: body shorter than %d bytes", typ, total)
			}
			continue
		}
		// In place in the read buffer (valid until this file is read again);
		// nothing below keeps a reference to it past the packet's delivery.
		b, err := r.viewN(int(total) - 8)
		if err != nil {
			return truncatedErrorf("block type %#x: %d of %d body bytes", typ, len(b), total-8)
		}
		if trailer := f.order.Uint32(b[len(b)-4:]); trailer != total {
			return formatErrorf("block type %#x: trailing length %d differs from %d", typ, trailer, total)
		}
		body := b[:len(b)-4]
		switch typ {
		case pcapng.BlockInterfaceDescription:
			if err := f.readInterface(body); err != nil {
				return err
			}
		case pcapng.BlockEnhancedPacket:
			return f.readEnhanced(r, p, body)
		case pcapng.BlockPacketObsolete:
			return f.readObsolete(r, p, body)
		case pcapng.BlockSimplePacket:
			return f.readSimple(r, p, body)
		case pcapng.BlockInterfaceStatistics:
			f.readStats(body)
		}
	}
}

// readSectionHeader reads a Section Header Block (§4.1) whose first 8 bytes
// are h; a new section forgets the interfaces of the previous one.
func (f *pcapngReader) readSectionHeader(r *fileReader, h []byte) error {
	rest, err := r.readN(4)
	if err != nil {
		return truncatedErrorf("section header: byte-order magic missing")
	}
	switch uint32(pcapng.ByteOrderMagic) {
	case binary.LittleEndian.Uint32(rest):
		f.order = binary.LittleEndian
	case binary.BigEndian.Uint32(rest):
		f.order = binary.BigEndian
	default:
		return formatErrorf("section header: bad byte-order magic % x", rest)
	}
	total := f.order.Uint32(h[4:])
	if total < 28 || total > maxRecordLen {
		return formatErrorf("section header has invalid length %d", total)
	}
	b, err := r.readN(int(total) - 12)
	if err != nil {
		return truncatedErrorf("section header: %d of %d bytes", len(b)+12, total)
	}
	if major := f.order.Uint16(b); major != 1 {
		return formatErrorf("pcapng version %d not supported", major)
	}
	if trailer := f.order.Uint32(b[len(b)-4:]); trailer != total {
		return formatErrorf("section header: trailing length %d differs from %d", trailer, total)
	}
	f.sectionDrops = satAdd(f.sectionDrops, f.currentDrops())
	f.ifaces = f.ifaces[:0]
	return nil
}

// readStats reads an Interface Statistics Block body (§4.6): the counters
// are cumulative, so the latest block of an interface holds its drops. A
// block that names no described interface or has damaged options is
// ignored: the statistics are advice, not packets.
func (f *pcapngReader) readStats(body []byte) {
	if len(body) < 12 {
		return
	}
	id := f.order.Uint32(body)
	if int64(id) >= int64(len(f.ifaces)) {
		return
	}
	var drops uint64
	seen := false
	opts := body[12:]
	for len(opts) >= 4 {
		code := f.order.Uint16(opts)
		n := int(f.order.Uint16(opts[2:]))
		if code == pcapng.OptEndOfOpt || 4+n > len(opts) {
			break
		}
		if (code == pcapng.OptIsbIfDrop || code == pcapng.OptIsbOsDrop) && n == 8 {
			v := f.order.Uint64(opts[4:])
			drops = satAdd(drops, v)
			seen = true
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):]
	}
	if seen {
		f.ifaces[id].drops = drops
	}
}

// currentDrops sums the drops of the current section's interfaces.
func (f *pcapngReader) currentDrops() uint64 {
	var n uint64
	for i := range f.ifaces {
		n = satAdd(n, f.ifaces[i].drops)
	}
	return n
}

// satAdd adds without wrapping (a damaged file's counters can be anything).
func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return ^uint64(0)
}

// recordedDrops is what the file's statistics blocks count as dropped.
func (f *pcapngReader) recordedDrops() uint64 { return satAdd(f.sectionDrops, f.currentDrops()) }

// readInterface reads an Interface Description Block body (§4.2).
func (f *pcapngReader) readInterface(body []byte) error {
	if len(body) < 8 {
		return formatErrorf("interface description: body of %d bytes", len(body))
	}
	if len(f.ifaces) >= ngMaxInterfaces {
		return formatErrorf("more than %d interfaces", ngMaxInterfaces)
	}
	ifc := ngInterface{
		link:        LinkType(f.order.Uint16(body)),
		snapLen:     f.order.Uint32(body[4:]),
		unitsPerSec: ngDefaultUnitsSec,
	}
	opts := body[8:]
	for len(opts) >= 4 {
		code := f.order.Uint16(opts)
		n := int(f.order.Uint16(opts[2:]))
		if code == pcapng.OptEndOfOpt {
			break
		}
		if 4+n > len(opts) {
			return formatErrorf("interface description: option %d length %d beyond block", code, n)
		}
		val := opts[4 : 4+n]
		switch {
		case code == pcapng.OptIfTsresol && n == 1:
			ups, ok := tsUnitsPerSecond(val[0])
			if !ok {
				return formatErrorf("interface description: unsupported if_tsresol %#x", val[0])
			}
			ifc.unitsPerSec = ups
		case code == pcapng.OptIfTsoffset && n == 8:
			ifc.offsetSec = int64(f.order.Uint64(val))
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):]
	}
	f.ifaces = append(f.ifaces, ifc)
	return nil
}

// tsUnitsPerSecond decodes if_tsresol (§4.2): a power of ten, or of two when
// the high bit is set.
func tsUnitsPerSecond(v byte) (uint64, bool) {
	if v&0x80 != 0 {
		if v&0x7f > 63 {
			return 0, false
		}
		return 1 << (v & 0x7f), true
	}
	if v > 19 {
		return 0, false
	}
	u := uint64(1)
	for range v {
		u *= 10
	}
	return u, true
}

// Packet times lie in years 0000 to 9999, the years an RFC 3339 time (and
// so the JSON report) can write. A 64-bit pcapng timestamp read with a
// coarse if_tsresol or a large if_tsoffset reaches far beyond, and a
// damaged one almost always does.
const (
	minUnixSec = -62167219200 // 0000-01-01T00:00:00Z
	maxUnixSec = 253402300799 // 9999-12-31T23:59:59Z
)

// timestamp converts a 64-bit timestamp in interface units to a time; ok
// is false when it falls outside years 0000-9999 (the seconds with the
// offset are checked before they could overflow).
func (ifc *ngInterface) timestamp(ts uint64) (t time.Time, ok bool) {
	sec := ts / ifc.unitsPerSec
	if sec > maxUnixSec-minUnixSec { // beyond any offset's reach into the range
		return time.Time{}, false
	}
	s := int64(sec) + ifc.offsetSec
	if ifc.offsetSec > maxUnixSec || s < minUnixSec || s > maxUnixSec {
		return time.Time{}, false
	}
	rem := ts % ifc.unitsPerSec
	hi, lo := bits.Mul64(rem, 1e9)
	nsec, _ := bits.Div64(hi, lo, ifc.unitsPerSec)
	return time.Unix(s, int64(nsec)).UTC(), true
}

// packetTime is the time of a packet with timestamp ts: the previous
// packet's, with bad set, when ts is out of range.
func (ifc *ngInterface) packetTime(r *fileReader, ts uint64) (t time.Time, bad bool) {
	t, ok := ifc.timestamp(ts)
	if !ok {
		return r.lastTime, true
	}
	return t, false
}

func (f *pcapngReader) iface(id uint32) (*ngInterface, error) {
	if int64(id) >= int64(len(f.ifaces)) {
		return nil, formatErrorf("packet names interface %d, only %d described", id, len(f.ifaces))
	}
	return &f.ifaces[id], nil
}

// readEnhanced reads an Enhanced Packet Block body (§4.3).
func (f *pcapngReader) readEnhanced(r *fileReader, p *Packet, body []byte) error {
	if len(body) < 20 {
		return formatErrorf("enhanced packet: body of %d bytes", len(body))
	}
	id := f.order.Uint32(body)
	ifc, err := f.iface(id)
	if err != nil {
		return err
	}
	ts := uint64(f.order.Uint32(body[4:]))<<32 | uint64(f.order.Uint32(body[8:]))
	capLen := f.order.Uint32(body[12:])
	if uint64(capLen) > uint64(len(body)-20) {
		return formatErrorf("enhanced packet: captured length %d beyond block (%d)", capLen, len(body)-20)
	}
	t, bad := ifc.packetTime(r, ts)
	err = f.fill(r, p, ifc, int(id), t, body[20:20+capLen], f.order.Uint32(body[16:]))
	p.BadTime = bad
	return err
}

// readObsolete reads a (deprecated) Packet Block body (§A.1).
func (f *pcapngReader) readObsolete(r *fileReader, p *Packet, body []byte) error {
	if len(body) < 20 {
		return formatErrorf("packet block: body of %d bytes", len(body))
	}
	id := uint32(f.order.Uint16(body))
	ifc, err := f.iface(id)
	if err != nil {
		return err
	}
	ts := uint64(f.order.Uint32(body[4:]))<<32 | uint64(f.order.Uint32(body[8:]))
	capLen := f.order.Uint32(body[12:])
	if uint64(capLen) > uint64(len(body)-20) {
		return formatErrorf("packet block: captured length %d beyond block (%d)", capLen, len(body)-20)
	}
	t, bad := ifc.packetTime(r, ts)
	err = f.fill(r, p, ifc, int(id), t, body[20:20+capLen], f.order.Uint32(body[16:]))
	p.BadTime = bad
	return err
}

// readSimple reads a Simple Packet Block body (§4.4): interface 0, no
// timestamp (the previous packet's time is used to keep merge order).
func (f *pcapngReader) readSimple(r *fileReader, p *Packet, body []byte) error {
	if len(body) < 4 {
		return formatErrorf("simple packet: body of %d bytes", len(body))
	}
	ifc, err := f.iface(0)
	if err != nil {
		return err
	}
	orig := f.order.Uint32(body)
	n := uint64(len(body) - 4)
	n = min(n, uint64(orig))
	if ifc.snapLen != 0 {
		n = min(n, uint64(ifc.snapLen))
	}
	return f.fill(r, p, ifc, 0, r.lastTime, body[4:4+n], orig)
}

func (f *pcapngReader) fill(r *fileReader, p *Packet, ifc *ngInterface, id int, t time.Time, data []byte, orig uint32) error {
	p.Time, p.BadTime = t, false
	r.lastTime = t
	p.Data = data
	p.OrigLen = max(int(orig), len(data))
	p.Interface = id
	p.LinkType = ifc.link
	return nil
}
