package srtp

import "encoding/binary"

// RTPHeader is the fixed RTP header, its CSRC list and the location of its
// header extension (RFC 3550 §5.1, §5.3.1). It is a plain value: parsing
// does not allocate.
type RTPHeader struct {
	Version        uint8
	Padding        bool
	Extension      bool
	Marker         bool
	CSRCCount      uint8
	PayloadType    uint8
	SequenceNumber uint16
	Timestamp      uint32
	SSRC           uint32
	CSRC           [15]uint32 // the first CSRCCount entries are valid

	// ExtensionProfile is the 16-bit "defined by profile" field (0xBEDE for
	// RFC 8285 one-byte elements, 0x100x for two-byte elements).
	ExtensionProfile uint16
	// ExtensionOffset is the offset of the extension data (after the 4-byte
	// extension header); ExtensionLen its length in bytes.
	ExtensionOffset int
	ExtensionLen    int

	// HeaderLen is the length of the whole header, including CSRCs and the
	// extension: the payload starts here.
	HeaderLen int
}

// ParseRTPHeader parses the RTP header at the start of b (RFC 3550 §5.1).
// It checks the version and that the CSRC list and extension fit in b. It
// does not look at the padding, which may be encrypted; use Payload on the
// plaintext for that.
func ParseRTPHeader(b []byte) (RTPHeader, error) {
	var h RTPHeader
	if len(b) < 12 {
		return h, shortErr("RTP fixed header", 0, 12, len(b))
	}
	h.Version = b[0] >> 6
	if h.Version != 2 {
		return h, &PacketError{Err: ErrBadVersion, Offset: 0, Field: "RTP version"}
	}
	h.Padding = b[0]&0x20 != 0
	h.Extension = b[0]&0x10 != 0
	h.CSRCCount = b[0] & 0x0f
	h.Marker = b[1]&0x80 != 0
	h.PayloadType = b[1] & 0x7f
	h.SequenceNumber = binary.BigEndian.Uint16(b[2:])
	h.Timestamp = binary.BigEndian.Uint32(b[4:])
	h.SSRC = binary.BigEndian.Uint32(b[8:])
	n := 12
	if need := int(h.CSRCCount) * 4; len(b)-n < need {
		return h, shortErr("RTP CSRC list", n, need, len(b)-n)
	}
	for i := 0; i < int(h.CSRCCount); i++ {
		h.CSRC[i] = binary.BigEndian.Uint32(b[n:])
		n += 4
	}
	if h.Extension {
		if len(b)-n < 4 {
			return h, shortErr("RTP header extension header", n, 4, len(b)-n)
		}
		h.ExtensionProfile = binary.BigEndian.Uint16(b[n:])
		extLen := int(binary.BigEndian.Uint16(b[n+2:])) * 4
		n += 4
		if len(b)-n < extLen {
			return h, shortErr("RTP header extension", n, extLen, len(b)-n)
		}
		h.ExtensionOffset = n
		h.ExtensionLen = extLen
		n += extLen
	}
	h.HeaderLen = n
	return h, nil
}

// Payload returns the payload of the (plaintext) RTP packet pkt whose header
// is h, without the padding (RFC 3550 §5.1: the last octet of the padding
// counts the padding octets, itself included).
func (h *RTPHeader) Payload(pkt []byte) ([]byte, error) {
	if h.HeaderLen > len(pkt) {
		return nil, shortErr("RTP payload", h.HeaderLen, 0, len(pkt)-h.HeaderLen)
	}
	p := pkt[h.HeaderLen:]
	if !h.Padding {
		return p, nil
	}
	if len(p) == 0 {
		return nil, shortErr("RTP padding count", h.HeaderLen, 1, 0)
	}
	pad := int(p[len(p)-1])
	if pad == 0 || pad > len(p) {
		return nil, headerErr("RTP padding count", len(pkt)-1)
	}
	return p[:len(p)-pad], nil
}

// RTCPHeader is the common header of one RTCP packet (RFC 3550 §6.4.1).
type RTCPHeader struct {
	Version    uint8
	Padding    bool
	Count      uint8  // reception report count, source count or FMT
	PacketType uint8  // 200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP, 205/206 feedback
	Length     uint16 // the length field: 32-bit words minus one
	SSRC       uint32 // sender SSRC (first word after the header); 0 if Length == 0
	// PacketLen is the length of this RTCP packet in bytes, (Length+1)*4.
	PacketLen int
}

// ParseRTCPHeader parses the first RTCP packet header at the start of b and
// checks that the packet announced by the length field fits in b. The SSRC
// is read when the packet has one (Length >= 1).
func ParseRTCPHeader(b []byte) (RTCPHeader, error) {
	var h RTCPHeader
	if len(b) < 4 {
		return h, shortErr("RTCP header", 0, 4, len(b))
	}
	h.Version = b[0] >> 6
	if h.Version != 2 {
		return h, &PacketError{Err: ErrBadVersion, Offset: 0, Field: "RTCP version"}
	}
	h.Padding = b[0]&0x20 != 0
	h.Count = b[0] & 0x1f
	h.PacketType = b[1]
	h.Length = binary.BigEndian.Uint16(b[2:])
	h.PacketLen = (int(h.Length) + 1) * 4
	if len(b) < h.PacketLen {
		return h, shortErr("RTCP packet", 0, h.PacketLen, len(b))
	}
	if h.Length >= 1 {
		h.SSRC = binary.BigEndian.Uint32(b[4:])
	}
	if h.Padding {
		pad := int(b[h.PacketLen-1])
		if pad == 0 || pad > h.PacketLen-4 {
			return h, headerErr("RTCP padding count", h.PacketLen-1)
		}
	}
	return h, nil
}

// NextRTCP splits the compound RTCP packet b into its first packet and the
// rest (RFC 3550 §6.1). It returns an error when b does not start with a
// well-formed RTCP header.
func NextRTCP(b []byte) (h RTCPHeader, first, rest []byte, err error) {
	h, err = ParseRTCPHeader(b)
	if err != nil {
		return h, nil, b, err
	}
	return h, b[:h.PacketLen], b[h.PacketLen:], nil
}
