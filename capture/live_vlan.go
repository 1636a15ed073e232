package capture

import "encoding/binary"

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
