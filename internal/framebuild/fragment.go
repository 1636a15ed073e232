package framebuild

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// UDPFragments returns the Ethernet frames of one UDP datagram from src to dst
// split into n IP fragments, in offset order (callers may reorder them). For
// IPv4 the fragments share an identification and use the MF flag and fragment
// offset (RFC 791 §2.3); for IPv6 each carries a Fragment header (RFC 8200
// §4.5). Every fragment but the last carries a multiple of 8 bytes of the
// UDP datagram, whose checksum covers the whole datagram.
func (b *Builder) UDPFragments(src, to netip.AddrPort, payload []byte, n int) ([][]byte, error) {
	if !sameFamily(src, to) {
		return nil, ErrAddressFamily
	}
	total := UDPLen + len(payload)
	if total > 65535 || (src.Addr().Is4() && total > MaxUDPPayload+UDPLen) {
		return nil, ErrTooLong
	}
	if n < 1 || n > (total+7)/8 {
		return nil, fmt.Errorf("framebuild: cannot split a %d-byte datagram into %d fragments", total, n)
	}
	dgram := make([]byte, total)
	putUDP(dgram, src, to, total)
	copy(dgram[UDPLen:], payload)
	binary.BigEndian.PutUint16(dgram[6:], udpChecksum(src.Addr(), to.Addr(), dgram))

	chunk := (total + n - 1) / n
	chunk = (chunk + 7) &^ 7
	id := b.nextID()
	out := make([][]byte, 0, n)
	for off := 0; off < total; off += chunk {
		end := min(off+chunk, total)
		more := end < total
		piece := dgram[off:end]
		var f []byte
		if src.Addr().Is4() {
			f = b.appendEthernet(make([]byte, 0, EthernetLen+VLANTagLen+IPv4Len+len(piece)), src.Addr(), to.Addr(), EtherTypeIPv4)
			f = b.appendIPv4(f, src.Addr(), to.Addr(), ProtoUDP, len(piece), uint16(id), false, more, off)
		} else {
			f = b.appendEthernet(make([]byte, 0, EthernetLen+VLANTagLen+IPv6Len+IPv6FragLen+len(piece)), src.Addr(), to.Addr(), EtherTypeIPv6)
			f = b.appendIPv6(f, src.Addr(), to.Addr(), ProtoIPv6Frag, IPv6FragLen+len(piece))
			var fh [IPv6FragLen]byte
			fh[0] = ProtoUDP
			fo := uint16(off/8) << 3
			if more {
				fo |= 1
			}
			binary.BigEndian.PutUint16(fh[2:], fo)
			binary.BigEndian.PutUint32(fh[4:], id)
			f = append(f, fh[:]...)
		}
		out = append(out, append(f, piece...))
	}
	return out, nil
}
