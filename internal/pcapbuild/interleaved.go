package pcapbuild

import (
	"encoding/binary"
	"fmt"
)

// AppendInterleaved appends one RTSP interleaved binary frame (RFC 2326
// §10.12): '$', the channel identifier, a 16-bit big-endian length and the
// RTP or RTCP packet.
func AppendInterleaved(dst []byte, channel uint8, packet []byte) ([]byte, error) {
	if len(packet) > 0xffff {
		return dst, fmt.Errorf("pcapbuild: interleaved packet of %d bytes exceeds 65535", len(packet))
	}
	dst = append(dst, '$', channel, 0, 0)
	binary.BigEndian.PutUint16(dst[len(dst)-2:], uint16(len(packet)))
	return append(dst, packet...), nil
}
