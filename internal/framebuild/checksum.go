package framebuild

import "net/netip"

// sum16 adds b to the running one's-complement sum s as big-endian 16-bit
// words (RFC 1071 §4.1); an odd trailing byte is padded with zero.
func sum16(s uint32, b []byte) uint32 {
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)&1 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	return s
}

// fold reduces a running sum to the 16-bit one's-complement checksum.
func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

// pseudoHeaderSum is the sum of the IPv4 (RFC 768) or IPv6 (RFC 8200 §8.1)
// pseudo-header used by the UDP and TCP checksums.
func pseudoHeaderSum(src, dst netip.Addr, proto uint8, length int) uint32 {
	var s uint32
	if src.Is4() {
		a, b := src.As4(), dst.As4()
		s = sum16(s, a[:])
		s = sum16(s, b[:])
	} else {
		a, b := src.As16(), dst.As16()
		s = sum16(s, a[:])
		s = sum16(s, b[:])
	}
	s += uint32(proto)
	s += uint32(length>>16) + uint32(length&0xffff)
	return s
}

// Checksum returns the Internet checksum (RFC 1071) of b. A header or segment
// whose checksum field is correct sums to zero, so Checksum over it returns 0.
func Checksum(b []byte) uint16 { return fold(sum16(0, b)) }

// TransportChecksum returns the UDP or TCP checksum over seg (header and data,
// with its checksum field included as it stands) and the pseudo-header. For a
// segment whose checksum field is correct it returns 0.
func TransportChecksum(src, dst netip.Addr, proto uint8, seg []byte) uint16 {
	return fold(sum16(pseudoHeaderSum(src, dst, proto, len(seg)), seg))
}
