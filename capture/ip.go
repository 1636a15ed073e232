package capture

import (
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers / IPv6 next-header values (IANA protocol-numbers).
const (
	protoHopByHop = 0
	protoTCP      = 6
	protoUDP      = 17
	protoRouting  = 43
	protoFragment = 44
	protoESP      = 50
	protoAH       = 51
	protoNoNext   = 59
	protoDestOpts = 60
	protoMobility = 135
	protoHIP      = 139
	protoShim6    = 140
	maxIPv6Ext    = 16
)

// decodeIPv4 decodes an IPv4 header (RFC 791 §3.1); b starts at the header,
// off is its offset in the frame.
func (d *Decoder) decodeIPv4(b []byte, off int) {
	if len(b) < 20 {
		d.short(off, "IPv4 header needs 20 bytes")
		return
	}
	if b[0]>>4 != 4 {
		d.malformed(off, "IPv4 header with another version")
		return
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 {
		d.malformed(off, "IPv4 header length below 20")
		return
	}
	if len(b) < ihl {
		d.short(off, "IPv4 options beyond captured bytes")
		return
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total == 0 && len(b) > ihl {
		// Segmentation offload seen on the sending host: the NIC fills
		// the length in later. Take the captured length.
		total = len(b)
	}
	if total < ihl {
		d.malformed(off+2, "IPv4 total length below header length")
		return
	}
	if total > len(b) {
		d.short(off+2, "IPv4 total length beyond captured bytes")
		return
	}
	b = b[:total] // drop link-layer padding
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	flags := binary.BigEndian.Uint16(b[6:])
	more := flags&0x2000 != 0
	fragOff := int(flags&0x1fff) * 8
	proto := b[9]
	if more || fragOff != 0 {
		key := fragKey{src: src, dst: dst, id: uint32(binary.BigEndian.Uint16(b[4:])), proto: proto}
		d.frag.add(key, fragOff, more, proto, b[ihl:], off+ihl)
		return
	}
	d.decodeTransport(proto, src, dst, b[ihl:], off+ihl, false)
}

// decodeIPv6 decodes an IPv6 header (RFC 8200 §3); b starts at the header.
func (d *Decoder) decodeIPv6(b []byte, off int) {
	if len(b) < 40 {
		d.short(off, "IPv6 header needs 40 bytes")
		return
	}
	if b[0]>>4 != 6 {
		d.malformed(off, "IPv6 header with another version")
		return
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	if plen == 0 {
		plen = len(b) - 40 // jumbogram or segmentation offload
	}
	if 40+plen > len(b) {
		d.short(off+4, "IPv6 payload length beyond captured bytes")
		return
	}
	b = b[:40+plen]
	src := netip.AddrFrom16([16]byte(b[8:24]))
	dst := netip.AddrFrom16([16]byte(b[24:40]))
	d.decodeIPv6Chain(b[6], src, dst, b[40:], off+40, false)
}

// decodeIPv6Chain walks IPv6 extension headers (RFC 8200 §4) starting with
// next header nh at b, then decodes the transport header. The Fragment
// header (§4.5) hands the packet to the defragmenter; reassembled datagrams
// come back here with reassembled=true.
func (d *Decoder) decodeIPv6Chain(nh uint8, src, dst netip.Addr, b []byte, off int, reassembled bool) {
	pos := 0
	for range maxIPv6Ext {
		switch nh {
		case protoHopByHop, protoRouting, protoDestOpts, protoMobility, protoHIP, protoShim6, protoAH:
			if len(b) < pos+2 {
				d.short(off+pos, "IPv6 extension header needs 2 bytes")
				return
			}
			n := (int(b[pos+1]) + 1) * 8
			if nh == protoAH {
				n = (int(b[pos+1]) + 2) * 4 // RFC 4302 §2.2
			}
			if len(b) < pos+n {
				d.short(off+pos, "IPv6 extension header beyond captured bytes")
				return
			}
			nh = b[pos]
			pos += n
		case protoFragment:
			if reassembled {
				d.malformed(off+pos, "IPv6 Fragment header inside a reassembled datagram")
				return
			}
			if len(b) < pos+8 {
				d.short(off+pos, "IPv6 Fragment header needs 8 bytes")
				return
			}
			fo := binary.BigEndian.Uint16(b[pos+2:])
			more := fo&1 != 0
			fragOff := int(fo &^ 7)
			next := b[pos]
			if fragOff == 0 && !more {
				// Atomic fragment (RFC 6946 §4): process as unfragmented.
				nh = next
				pos += 8
				continue
			}
			key := fragKey{src: src, dst: dst, id: binary.BigEndian.Uint32(b[pos+4:]), v6: true}
			d.frag.add(key, fragOff, more, next, b[pos+8:], off+pos+8)
			return
		case protoESP, protoNoNext:
			return
		default:
			d.decodeTransport(nh, src, dst, b[pos:], off+pos, reassembled)
			return
		}
	}
	d.malformed(off+pos, "too many IPv6 extension headers")
}
