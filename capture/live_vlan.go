package capture

import "encoding/binary"

// Linux packet(7) auxiliary data (struct tpacket_auxdata) flags.
const (
	tpStatusVLANValid     = 0x10 // TP_STATUS_VLAN_VALID
	tpStatusVLANTPIDValid = 0x40 // TP_STATUS_VLAN_TPID_VALID
	tpacketAuxdataLen     = 20   // sizeof(struct tpacket_auxdata)
)

// vlanFromAuxdata reads the VLAN tag that the kernel removed from a frame
// out of a PACKET_AUXDATA control message (native byte order).
func vlanFromAuxdata(b []byte) (tpid, tci uint16, ok bool) {
	if len(b) < tpacketAuxdataLen {
		return 0, 0, false
	}
	status := binary.NativeEndian.Uint32(b)
	tci = binary.NativeEndian.Uint16(b[16:])
	if status&tpStatusVLANValid == 0 && tci == 0 {
		return 0, 0, false
	}
	tpid = etherVLAN
	if status&tpStatusVLANTPIDValid != 0 {
		tpid = binary.NativeEndian.Uint16(b[18:])
	}
	return tpid, tci, true
}

// insertVLAN puts an 802.1Q tag back after the two MAC addresses of the
// Ethernet frame at buf[start:end], using 4 bytes of headroom before start,
// as libpcap does, so live frames look like the frames on the wire. It
// returns the new start.
func insertVLAN(buf []byte, start, end int, tpid, tci uint16) int {
	if start < 4 || end-start < 12 {
		return start
	}
	copy(buf[start-4:start+8], buf[start:start+12])
	binary.BigEndian.PutUint16(buf[start+8:], tpid)
	binary.BigEndian.PutUint16(buf[start+10:], tci)
	return start - 4
}
