package capture

import (
	"encoding/binary"
	"net/netip"
)

// filterHeaders is what the filter knows about a frame.
type filterHeaders struct {
	vlans        int
	vlanIDs      [maxVLANTags]uint16
	version      int // 4, 6 or 0 when not IP
	src, dst     netip.Addr
	proto        uint8
	hasPorts     bool
	sport, dport uint16
}

// decode fills h from a frame; it never fails, leaving fields unknown.
func (h *filterHeaders) decode(code LinkType, b []byte) {
	*h = filterHeaders{}
	et, off := uint16(0), 0
	switch code {
	case linkEthernet:
		if len(b) < 14 {
			return
		}
		et, off = binary.BigEndian.Uint16(b[12:]), 14
	case linkLinuxSLL:
		if len(b) < 16 {
			return
		}
		et, off = binary.BigEndian.Uint16(b[14:]), 16
	case linkLinuxSLL2:
		if len(b) < 20 {
			return
		}
		et, off = binary.BigEndian.Uint16(b), 20
	case linkNull, linkLoop:
		if len(b) < 4 {
			return
		}
		fam := binary.BigEndian.Uint32(b)
		if code == linkNull && fam > 0xffff {
			fam = binary.LittleEndian.Uint32(b)
		}
		switch fam {
		case 2:
			et = etherIPv4
		case 10, 24, 28, 30:
			et = etherIPv6
		}
		off = 4
	case linkRaw, linkRawOpen, linkRawOpenBS, linkIPv4, linkIPv6:
		if len(b) < 1 {
			return
		}
		et = etherIPv4
		if b[0]>>4 == 6 {
			et = etherIPv6
		}
	}
	for (et == etherVLAN || et == etherQinQ || et == etherQinQv1) && len(b) >= off+4 && h.vlans < maxVLANTags {
		h.vlanIDs[h.vlans] = binary.BigEndian.Uint16(b[off:]) & 0x0fff
		h.vlans++
		et = binary.BigEndian.Uint16(b[off+2:])
		off += 4
	}
	switch et {
	case etherIPv4:
		h.decodeIPv4(b[off:])
	case etherIPv6:
		h.decodeIPv6(b[off:])
	}
}

func (h *filterHeaders) decodeIPv4(b []byte) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return
	}
	h.version = 4
	h.src = netip.AddrFrom4([4]byte(b[12:16]))
	h.dst = netip.AddrFrom4([4]byte(b[16:20]))
	h.proto = b[9]
	if binary.BigEndian.Uint16(b[6:])&0x1fff != 0 {
		return // non-initial fragment: no transport header
	}
	h.ports(b[ihl:])
}

func (h *filterHeaders) decodeIPv6(b []byte) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return
	}
	h.version = 6
	h.src = netip.AddrFrom16([16]byte(b[8:24]))
	h.dst = netip.AddrFrom16([16]byte(b[24:40]))
	nh, pos := b[6], 40
	for range maxIPv6Ext {
		switch nh {
		case protoHopByHop, protoRouting, protoDestOpts, protoMobility, protoHIP, protoShim6, protoAH:
			if len(b) < pos+2 {
				h.proto = nh
				return
			}
			n := (int(b[pos+1]) + 1) * 8
			if nh == protoAH {
				n = (int(b[pos+1]) + 2) * 4
			}
			nh = b[pos]
			pos += n
		case protoFragment:
			if len(b) < pos+8 {
				h.proto = nh
				return
			}
			nh = b[pos]
			if binary.BigEndian.Uint16(b[pos+2:])&^7 != 0 {
				h.proto = nh
				return // non-initial fragment
			}
			pos += 8
		default:
			h.proto = nh
			if pos <= len(b) {
				h.ports(b[pos:])
			}
			return
		}
	}
}

func (h *filterHeaders) ports(b []byte) {
	if (h.proto == protoUDP || h.proto == protoTCP) && len(b) >= 4 {
		h.hasPorts = true
		h.sport = binary.BigEndian.Uint16(b)
		h.dport = binary.BigEndian.Uint16(b[2:])
	}
}
