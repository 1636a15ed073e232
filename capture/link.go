package capture

import (
	"encoding/binary"
	"fmt"
)

// EtherTypes and address families the link decoder follows.
const (
	etherIPv4   = 0x0800
	etherIPv6   = 0x86DD
	etherVLAN   = 0x8100 // IEEE 802.1Q
	etherQinQ   = 0x88A8 // IEEE 802.1ad service tag
	etherQinQv1 = 0x9100 // pre-standard QinQ
	maxVLANTags = 4
)

// decodeLink strips the link header of the given LINKTYPE_ and hands the
// network-layer bytes on. Non-IP frames (ARP, LLDP, ...) are ignored.
func (d *Decoder) decodeLink(code LinkType, b []byte) {
	switch code {
	case linkEthernet:
		if len(b) < 14 {
			d.short(0, "Ethernet header needs 14 bytes")
			return
		}
		d.decodeEtherType(binary.BigEndian.Uint16(b[12:]), b, 14)
	case linkLinuxSLL:
		if len(b) < 16 {
			d.short(0, "Linux cooked (SLL) header needs 16 bytes")
			return
		}
		d.decodeEtherType(binary.BigEndian.Uint16(b[14:]), b, 16)
	case linkLinuxSLL2:
		if len(b) < 20 {
			d.short(0, "Linux cooked v2 (SLL2) header needs 20 bytes")
			return
		}
		d.decodeEtherType(binary.BigEndian.Uint16(b), b, 20)
	case linkNull, linkLoop:
		if len(b) < 4 {
			d.short(0, "loopback header needs 4 bytes")
			return
		}
		// DLT_NULL is in the writer's byte order; DLT_LOOP is big-endian.
		fam := binary.BigEndian.Uint32(b)
		if code == linkNull && fam > 0xffff {
			fam = binary.LittleEndian.Uint32(b)
		}
		switch fam {
		case 2: // AF_INET everywhere
			d.decodeIP(4, b, 4)
		case 10, 24, 28, 30: // AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, macOS
			d.decodeIP(6, b, 4)
		}
	case linkRaw, linkRawOpen, linkRawOpenBS:
		if len(b) < 1 {
			d.short(0, "empty raw IP frame")
			return
		}
		d.decodeIP(int(b[0]>>4), b, 0)
	case linkIPv4:
		d.decodeIP(4, b, 0)
	case linkIPv6:
		d.decodeIP(6, b, 0)
	default:
		d.unsupportedLink(code)
	}
}

// unsupportedLink reports the first frame of a link type the decoder does
// not know; later frames of that type are ignored silently.
func (d *Decoder) unsupportedLink(code LinkType) {
	if d.badLinks == nil {
		d.badLinks = make(map[LinkType]bool)
	}
	if d.badLinks[code] {
		return
	}
	d.badLinks[code] = true
	d.malformed(0, fmt.Sprintf("link type %d is not supported; its frames are ignored", code))
}

// decodeEtherType follows 802.1Q/802.1ad tags to an IP payload at off.
func (d *Decoder) decodeEtherType(et uint16, b []byte, off int) {
	for range maxVLANTags {
		if et != etherVLAN && et != etherQinQ && et != etherQinQv1 {
			break
		}
		if len(b) < off+4 {
			d.short(off, "VLAN tag needs 4 bytes")
			return
		}
		et = binary.BigEndian.Uint16(b[off+2:])
		off += 4
	}
	switch et {
	case etherIPv4:
		d.decodeIP(4, b, off)
	case etherIPv6:
		d.decodeIP(6, b, off)
	}
}

// decodeIP dispatches on the IP version; b[off:] is the IP packet.
func (d *Decoder) decodeIP(version int, b []byte, off int) {
	switch version {
	case 4:
		d.decodeIPv4(b[off:], off)
	case 6:
		d.decodeIPv6(b[off:], off)
	default:
		d.malformed(off, "raw frame is neither IPv4 nor IPv6")
	}
}
