package framebuild

import (
	"encoding/binary"
	"net/netip"
)

// TCPFlags are the TCP control bits (RFC 9293 §3.1).
type TCPFlags uint8

// TCP control bits.
const (
	FlagFIN TCPFlags = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
)

// TCPHeader holds the TCP header fields a caller chooses.
type TCPHeader struct {
	Seq, Ack uint32
	Flags    TCPFlags
	Window   uint16 // 65535 when 0
	MSS      uint16 // when non-zero, an MSS option is added (normally on SYN)
}

// AppendTCP appends to dst one Ethernet frame carrying a TCP segment
// (RFC 9293 §3.1) from src to dst with the given header fields and payload.
// IPv4 packets carry the DF bit as TCP stacks send them.
func (b *Builder) AppendTCP(dst []byte, src, to netip.AddrPort, h TCPHeader, payload []byte) ([]byte, error) {
	if !sameFamily(src, to) {
		return dst, ErrAddressFamily
	}
	hl := TCPLen
	if h.MSS != 0 {
		hl += 4
	}
	if len(payload) > 65535-IPv4Len-hl {
		return dst, ErrTooLong
	}
	n := hl + len(payload)
	dst = b.appendIP(dst, src.Addr(), to.Addr(), ProtoTCP, n, true)
	dst, o := grow(dst, n)
	seg := dst[o:]
	binary.BigEndian.PutUint16(seg[0:], src.Port())
	binary.BigEndian.PutUint16(seg[2:], to.Port())
	binary.BigEndian.PutUint32(seg[4:], h.Seq)
	binary.BigEndian.PutUint32(seg[8:], h.Ack)
	seg[12] = byte(hl/4) << 4
	seg[13] = byte(h.Flags)
	w := h.Window
	if w == 0 {
		w = 65535
	}
	binary.BigEndian.PutUint16(seg[14:], w)
	seg[16], seg[17], seg[18], seg[19] = 0, 0, 0, 0
	if h.MSS != 0 {
		seg[20], seg[21] = 2, 4
		binary.BigEndian.PutUint16(seg[22:], h.MSS)
	}
	copy(seg[hl:], payload)
	binary.BigEndian.PutUint16(seg[16:], TransportChecksum(src.Addr(), to.Addr(), ProtoTCP, seg))
	return dst, nil
}

// TCP returns one Ethernet frame carrying a TCP segment.
func (b *Builder) TCP(src, to netip.AddrPort, h TCPHeader, payload []byte) ([]byte, error) {
	return b.AppendTCP(make([]byte, 0, EthernetLen+VLANTagLen+IPv6Len+TCPLen+4+len(payload)), src, to, h, payload)
}
