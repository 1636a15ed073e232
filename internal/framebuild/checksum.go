package framebuild

import (
	"encoding/binary"
	"net/netip"
)

// sum16 adds b to the running one's-complement sum s as big-endian 16-bit
// words (RFC 1071 §4.1); an odd trailing byte is padded with zero. It adds
// 32-bit words into a 64-bit sum and folds that back (RFC 1071 §2(C):
// the one's-complement sum is the same in any word size), so the result
// is congruent modulo 0xffff to the sum of the 16-bit words and zero only
// when they all are: fold gives the same checksum.
func sum16(s uint32, b []byte) uint32 {
	acc := uint64(s)
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return uint32(acc)
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
