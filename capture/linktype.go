package capture

import "github.com/google/gopacket/layers"

// Link-layer header type values (LINKTYPE_*, tcpdump.org/linktypes.html)
// that mikeyscope decodes and that layers.LinkType does not name or cannot
// hold (layers.LinkType is a uint8 in gopacket v1.1.19).
const (
	linkNull      = 0   // LINKTYPE_NULL: 4-byte host-order address family
	linkEthernet  = 1   // LINKTYPE_ETHERNET
	linkRawOpen   = 12  // DLT_RAW on most BSDs / Linux (raw IP, seen in files)
	linkRawOpenBS = 14  // DLT_RAW on OpenBSD
	linkRaw       = 101 // LINKTYPE_RAW
	linkLoop      = 108 // LINKTYPE_LOOP (OpenBSD): 4-byte network-order family
	linkLinuxSLL  = 113 // LINKTYPE_LINUX_SLL: Linux cooked capture v1
	linkIPv4      = 228 // LINKTYPE_IPV4
	linkIPv6      = 229 // LINKTYPE_IPV6
	linkLinuxSLL2 = 276 // LINKTYPE_LINUX_SLL2: Linux cooked capture v2
)

// LinkTypeOverflow is stored in Packet.LinkType when the file's link type
// does not fit in a layers.LinkType; Packet.LinkTypeCode then holds the
// real LINKTYPE_ value (for example 276, LINKTYPE_LINUX_SLL2).
const LinkTypeOverflow layers.LinkType = 255

// LinkTypeLinuxSLL2 is LINKTYPE_LINUX_SLL2 as found in Packet.LinkTypeCode.
const LinkTypeLinuxSLL2 uint16 = linkLinuxSLL2

// setLinkType stores a LINKTYPE_ value in p, using LinkTypeCode for values
// that do not fit layers.LinkType.
func setLinkType(p *Packet, code uint16) {
	if code > 0xff {
		p.LinkType = LinkTypeOverflow
		p.LinkTypeCode = code
		return
	}
	p.LinkType = layers.LinkType(code)
	p.LinkTypeCode = 0
}

// linkCode returns the LINKTYPE_ value of p, honouring LinkTypeCode.
func linkCode(p *Packet) uint16 {
	if p.LinkTypeCode != 0 {
		return p.LinkTypeCode
	}
	return uint16(p.LinkType)
}

// supportedLink reports whether the Decoder understands a link type.
func supportedLink(code uint16) bool {
	switch code {
	case linkNull, linkEthernet, linkRawOpen, linkRawOpenBS, linkRaw, linkLoop,
		linkLinuxSLL, linkIPv4, linkIPv6, linkLinuxSLL2:
		return true
	}
	return false
}
