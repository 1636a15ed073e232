// Package framebuild builds Ethernet frames: IPv4 (RFC 791) or IPv6
// (RFC 8200) packets carrying UDP (RFC 768) or TCP (RFC 9293), with correct
// checksums (RFC 1071) and an optional 802.1Q tag, and IP fragments of a
// UDP datagram. It is the one home of building these headers: export
// rebuilds the frames of decrypted.pcapng and the per-stream pcaps with
// it, and internal/pcapbuild (TCP connections, RTSP interleaving and
// GTP-U for the sample generators and tests) builds on it.
//
// Builders append to a caller-supplied slice so that a writer of hundreds
// of megabytes can reuse one buffer per frame.
package framebuild

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// IP protocol numbers and EtherTypes used by the builders.
const (
	ProtoTCP      = 6
	ProtoUDP      = 17
	ProtoIPv6Frag = 44

	EtherTypeIPv4 = 0x0800
	EtherTypeIPv6 = 0x86dd
	EtherTypeVLAN = 0x8100
)

// Header sizes in bytes.
const (
	EthernetLen = 14
	VLANTagLen  = 4
	IPv4Len     = 20
	IPv6Len     = 40
	IPv6FragLen = 8
	UDPLen      = 8
	TCPLen      = 20
)

// ErrAddressFamily is returned when source and destination are not both IPv4
// or both IPv6.
var ErrAddressFamily = errors.New("framebuild: source and destination address families differ")

// Builder builds frames. The zero value builds untagged frames with TTL 64.
// A Builder numbers IPv4 identification fields (and IPv6 fragment
// identifications) from a counter, so a given sequence of calls always yields
// the same bytes. It is not safe for concurrent use.
type Builder struct {
	VLAN uint16 // 802.1Q VLAN ID (1-4094); 0 means untagged
	TTL  uint8  // IPv4 TTL and IPv6 hop limit; 64 when 0
	id   uint32 // last identification used
}

// MAC returns the locally administered MAC address the builders use for a
// host: 02:00 followed by the last four bytes of its IP address.
func MAC(a netip.Addr) [6]byte {
	b := a.As16()
	return [6]byte{0x02, 0x00, b[12], b[13], b[14], b[15]}
}

func (b *Builder) ttl() uint8 {
	if b.TTL == 0 {
		return 64
	}
	return b.TTL
}

func (b *Builder) nextID() uint32 {
	b.id++
	return b.id
}

// grow returns dst extended by n bytes and the offset where they start.
func grow(dst []byte, n int) ([]byte, int) {
	off := len(dst)
	if cap(dst)-off < n {
		nb := make([]byte, off, 2*cap(dst)+n)
		copy(nb, dst)
		dst = nb
	}
	return dst[:off+n], off
}

// appendEthernet appends the Ethernet header (and VLAN tag) for a frame from
// src to dst carrying etherType.
func (b *Builder) appendEthernet(dst []byte, src, to netip.Addr, etherType uint16) []byte {
	n := EthernetLen
	if b.VLAN != 0 {
		n += VLANTagLen
	}
	dst, o := grow(dst, n)
	dm, sm := MAC(to), MAC(src)
	copy(dst[o:], dm[:])
	copy(dst[o+6:], sm[:])
	if b.VLAN != 0 {
		binary.BigEndian.PutUint16(dst[o+12:], EtherTypeVLAN)
		binary.BigEndian.PutUint16(dst[o+14:], b.VLAN&0x0fff)
		o += VLANTagLen
	}
	binary.BigEndian.PutUint16(dst[o+12:], etherType)
	return dst
}

// appendIPv4 appends an IPv4 header (RFC 791 §3.1) for a packet whose payload
// is payloadLen bytes. fragOff is in bytes and must be a multiple of 8.
func (b *Builder) appendIPv4(dst []byte, src, to netip.Addr, proto uint8, payloadLen int, id uint16, df, mf bool, fragOff int) []byte {
	dst, o := grow(dst, IPv4Len)
	h := dst[o : o+IPv4Len]
	h[0] = 0x45
	h[1] = 0
	binary.BigEndian.PutUint16(h[2:], uint16(IPv4Len+payloadLen))
	binary.BigEndian.PutUint16(h[4:], id)
	ff := uint16(fragOff / 8)
	if df {
		ff |= 0x4000
	}
	if mf {
		ff |= 0x2000
	}
	binary.BigEndian.PutUint16(h[6:], ff)
	h[8] = b.ttl()
	h[9] = proto
	h[10], h[11] = 0, 0
	s, d := src.As4(), to.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	binary.BigEndian.PutUint16(h[10:], Checksum(h))
	return dst
}

// appendIPv6 appends an IPv6 header (RFC 8200 §3).
func (b *Builder) appendIPv6(dst []byte, src, to netip.Addr, next uint8, payloadLen int) []byte {
	dst, o := grow(dst, IPv6Len)
	h := dst[o : o+IPv6Len]
	h[0], h[1], h[2], h[3] = 0x60, 0, 0, 0
	binary.BigEndian.PutUint16(h[4:], uint16(payloadLen))
	h[6] = next
	h[7] = b.ttl()
	s, d := src.As16(), to.As16()
	copy(h[8:], s[:])
	copy(h[24:], d[:])
	return dst
}

// appendIPHeader appends the IP header of an unfragmented packet: IPv4
// with the next identification, or IPv6.
func (b *Builder) appendIPHeader(dst []byte, src, to netip.Addr, proto uint8, payloadLen int, df bool) []byte {
	if src.Is4() {
		return b.appendIPv4(dst, src, to, proto, payloadLen, uint16(b.nextID()), df, false, 0)
	}
	return b.appendIPv6(dst, src, to, proto, payloadLen)
}

// appendIP appends Ethernet and IP headers for an unfragmented packet.
func (b *Builder) appendIP(dst []byte, src, to netip.Addr, proto uint8, payloadLen int, df bool) []byte {
	etherType := uint16(EtherTypeIPv6)
	if src.Is4() {
		etherType = EtherTypeIPv4
	}
	dst = b.appendEthernet(dst, src, to, etherType)
	return b.appendIPHeader(dst, src, to, proto, payloadLen, df)
}

func sameFamily(src, dst netip.AddrPort) bool {
	return src.Addr().Is4() == dst.Addr().Is4() && src.Addr().IsValid() && dst.Addr().IsValid()
}

// putUDP writes a UDP header (RFC 768) into h (8 bytes) for a datagram of
// total length udpLen, without the checksum.
func putUDP(h []byte, src, dst netip.AddrPort, udpLen int) {
	binary.BigEndian.PutUint16(h[0:], src.Port())
	binary.BigEndian.PutUint16(h[2:], dst.Port())
	binary.BigEndian.PutUint16(h[4:], uint16(udpLen))
	h[6], h[7] = 0, 0
}

// udpChecksum computes the UDP checksum of seg (header with zero checksum
// followed by the data); a computed 0 is sent as 0xffff (RFC 768).
func udpChecksum(src, dst netip.Addr, seg []byte) uint16 {
	c := TransportChecksum(src, dst, ProtoUDP, seg)
	if c == 0 {
		c = 0xffff
	}
	return c
}

// MaxUDPPayload is the largest payload AppendUDP accepts (the UDP and IPv4
// length fields are 16 bits).
const MaxUDPPayload = 65535 - IPv4Len - UDPLen

// ErrTooLong is returned when a payload does not fit the length fields.
var ErrTooLong = errors.New("framebuild: payload too long")

// checkUDP says why a datagram from src to to with payload cannot be
// built, or nil.
func checkUDP(src, to netip.AddrPort, payload []byte) error {
	if !sameFamily(src, to) {
		return ErrAddressFamily
	}
	if len(payload) > MaxUDPPayload {
		return ErrTooLong
	}
	return nil
}

// appendUDPDatagram appends the UDP header (with its checksum) and payload.
func appendUDPDatagram(dst []byte, src, to netip.AddrPort, payload []byte) []byte {
	n := UDPLen + len(payload)
	dst, o := grow(dst, n)
	seg := dst[o:]
	putUDP(seg, src, to, n)
	copy(seg[UDPLen:], payload)
	binary.BigEndian.PutUint16(seg[6:], udpChecksum(src.Addr(), to.Addr(), seg))
	return dst
}

// AppendUDP appends to dst one Ethernet frame carrying a UDP datagram from src
// to dst with the given payload, and returns the extended slice.
func (b *Builder) AppendUDP(dst []byte, src, to netip.AddrPort, payload []byte) ([]byte, error) {
	if err := checkUDP(src, to, payload); err != nil {
		return dst, err
	}
	dst = b.appendIP(dst, src.Addr(), to.Addr(), ProtoUDP, UDPLen+len(payload), false)
	return appendUDPDatagram(dst, src, to, payload), nil
}

// AppendIPUDP appends to dst one IP packet without a link-layer header
// (LINKTYPE_RAW) carrying a UDP datagram from src to dst with the given
// payload, and returns the extended slice: AppendUDP without the Ethernet
// header. The 802.1Q tag (VLAN) does not apply.
func (b *Builder) AppendIPUDP(dst []byte, src, to netip.AddrPort, payload []byte) ([]byte, error) {
	if err := checkUDP(src, to, payload); err != nil {
		return dst, err
	}
	dst = b.appendIPHeader(dst, src.Addr(), to.Addr(), ProtoUDP, UDPLen+len(payload), false)
	return appendUDPDatagram(dst, src, to, payload), nil
}

// UDP returns one Ethernet frame carrying a UDP datagram.
func (b *Builder) UDP(src, to netip.AddrPort, payload []byte) ([]byte, error) {
	return b.AppendUDP(make([]byte, 0, EthernetLen+VLANTagLen+IPv6Len+UDPLen+len(payload)), src, to, payload)
}
