package dissect

// RTP/RTCP recognition from the fixed headers only (RFC 3550 §5.1, §6.4),
// allocation free. RTP and RTCP sharing a port are told apart by the second
// byte as RFC 5761 §4 prescribes: RTCP packet types 192-223 fall where the
// RTP marker bit plus payload types 64-95 would be, so a second byte in
// 192..223 is RTCP.

// rtcpByteMin and rtcpByteMax bound the RTCP packet types that can share a
// port with RTP (RFC 5761 §4).
const (
	rtcpByteMin = 192
	rtcpByteMax = 223
)

// isRTCPType reports whether the second byte of a version-2 packet makes it
// RTCP (RFC 5761 §4).
func isRTCPType(b1 byte) bool { return b1 >= rtcpByteMin && b1 <= rtcpByteMax }

// fillRTP decodes the fixed RTP header of b into p and reports whether b is
// a well-formed version-2 RTP packet: CSRC list, header extension and
// padding all within the packet (RFC 3550 §5.1, §5.3.1).
func fillRTP(p *MediaPacket, b []byte) bool {
	if len(b) < 12 || b[0]>>6 != 2 {
		return false
	}
	hl := 12 + 4*int(b[0]&0x0f)
	if len(b) < hl {
		return false
	}
	if b[0]&0x10 != 0 { // extension: 16-bit profile, 16-bit length in words
		if len(b) < hl+4 {
			return false
		}
		hl += 4 + 4*(int(b[hl+2])<<8|int(b[hl+3]))
		if len(b) < hl {
			return false
		}
	}
	if b[0]&0x20 != 0 { // padding: last byte counts itself
		pad := int(b[len(b)-1])
		if pad == 0 || hl+pad > len(b) {
			return false
		}
	}
	p.Kind = KindRTP
	p.Marker = b[1]&0x80 != 0
	p.PT = b[1] & 0x7f
	p.Seq = uint16(b[2])<<8 | uint16(b[3])
	p.Timestamp = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	p.SSRC = uint32(b[8])<<24 | uint32(b[9])<<16 | uint32(b[10])<<8 | uint32(b[11])
	return true
}

// fillRTCP decodes the first RTCP header of b (RFC 3550 §6.4) into p and
// reports whether b is plausibly a version-2 RTCP (or SRTCP) compound
// packet: the first packet's length fits. SRTCP appends an index and tag
// after the compound packet, so only the first length is checked.
func fillRTCP(p *MediaPacket, b []byte) bool {
	if len(b) < 8 || b[0]>>6 != 2 || !isRTCPType(b[1]) {
		return false
	}
	n := 4 * (int(b[2])<<8 | int(b[3]) + 1)
	if n > len(b) {
		return false
	}
	p.Kind = KindRTCP
	p.Marker = false
	p.PT = b[1]
	p.Seq = 0
	p.Timestamp = 0
	p.SSRC = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	return true
}

// fillMedia decodes b as RTCP when its second byte is an RTCP type, else as
// RTP, and reports whether it is well formed.
func fillMedia(p *MediaPacket, b []byte) bool {
	if len(b) >= 2 && isRTCPType(b[1]) {
		return fillRTCP(p, b)
	}
	return fillRTP(p, b)
}

// plausibleHeuristic tightens the check for packets on flows that were not
// learnt: RTCP must start with a sender or receiver report (or SDES, BYE,
// APP, RTPFB, PSFB, XR: 200-207) as every compound packet does in practice
// (RFC 3550 §6.1), and RTP payload types must not be 0 with an all-zero
// header, which random binary protocols produce often.
func plausibleHeuristic(p *MediaPacket) bool {
	if p.Kind == KindRTCP {
		return p.PT >= 200 && p.PT <= 207
	}
	// An RTP packet with SSRC 0, seq 0 and timestamp 0 is almost always
	// something else that happens to start with 0x80.
	return p.SSRC != 0 || p.Seq != 0 || p.Timestamp != 0
}
