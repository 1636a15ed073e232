package pcapbuild

import (
	"encoding/binary"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
)

// GTPUPort is the UDP port of GTP-U (3GPP TS 29.281 §4.4.2.3).
const GTPUPort = 2152

// AppendGTPU appends to dst a GTP-U version 1 G-PDU (3GPP TS 29.281 §5.1:
// flags 0x30, message type 255, length, TEID) carrying the IP packet ip,
// and returns the extended slice.
func AppendGTPU(dst []byte, teid uint32, ip []byte) []byte {
	dst = append(dst, 0x30, 0xff, 0, 0, 0, 0, 0, 0)
	h := dst[len(dst)-8:]
	binary.BigEndian.PutUint16(h[2:], uint16(len(ip)))
	binary.BigEndian.PutUint32(h[4:], teid)
	return append(dst, ip...)
}

// IPPacket returns the IP packet of an Ethernet frame built by a Builder
// (the frame without its Ethernet header and VLAN tag), for tunnelling it.
func IPPacket(frame []byte) []byte {
	if len(frame) >= framebuild.EthernetLen+framebuild.VLANTagLen && binary.BigEndian.Uint16(frame[12:]) == framebuild.EtherTypeVLAN {
		return frame[framebuild.EthernetLen+framebuild.VLANTagLen:]
	}
	if len(frame) < framebuild.EthernetLen {
		return nil
	}
	return frame[framebuild.EthernetLen:]
}
