package capture

import "strconv"

// LinkType is a link-layer header type: a LINKTYPE_ value as pcap and
// pcapng files record it (tcpdump.org/linktypes.html). It is 16 bits wide,
// so values such as 276 (Linux cooked capture v2) fit; gopacket's
// layers.LinkType is a uint8, and importing its package costs every run of
// mikeyscope ~10 MB of memory for its protocol tables.
type LinkType uint16

// Link types mikeyscope decodes.
const (
	LinkTypeNull       LinkType = 0   // LINKTYPE_NULL: 4-byte host-order address family
	LinkTypeEthernet   LinkType = 1   // LINKTYPE_ETHERNET
	LinkTypeRawOpen    LinkType = 12  // DLT_RAW on most BSDs and Linux (raw IP, seen in files)
	LinkTypeRawOpenBSD LinkType = 14  // DLT_RAW on OpenBSD
	LinkTypeRaw        LinkType = 101 // LINKTYPE_RAW: raw IPv4 or IPv6
	LinkTypeLoop       LinkType = 108 // LINKTYPE_LOOP (OpenBSD): 4-byte network-order family
	LinkTypeLinuxSLL   LinkType = 113 // LINKTYPE_LINUX_SLL: Linux cooked capture v1
	LinkTypeIPv4       LinkType = 228 // LINKTYPE_IPV4
	LinkTypeIPv6       LinkType = 229 // LINKTYPE_IPV6
	LinkTypeLinuxSLL2  LinkType = 276 // LINKTYPE_LINUX_SLL2: Linux cooked capture v2
)

// Short names used inside the package.
const (
	linkNull      = LinkTypeNull
	linkEthernet  = LinkTypeEthernet
	linkRawOpen   = LinkTypeRawOpen
	linkRawOpenBS = LinkTypeRawOpenBSD
	linkRaw       = LinkTypeRaw
	linkLoop      = LinkTypeLoop
	linkLinuxSLL  = LinkTypeLinuxSLL
	linkIPv4      = LinkTypeIPv4
	linkIPv6      = LinkTypeIPv6
	linkLinuxSLL2 = LinkTypeLinuxSLL2
)

var linkTypeNames = map[LinkType]string{
	LinkTypeNull: "Null", LinkTypeEthernet: "Ethernet", LinkTypeRawOpen: "Raw",
	LinkTypeRawOpenBSD: "Raw", LinkTypeRaw: "Raw", LinkTypeLoop: "Loop",
	LinkTypeLinuxSLL: "Linux SLL", LinkTypeIPv4: "IPv4", LinkTypeIPv6: "IPv6",
	LinkTypeLinuxSLL2: "Linux SLL2",
}

// String names the link type ("Ethernet", "Linux SLL2"), or gives its
// number ("LINKTYPE_147").
func (t LinkType) String() string {
	if n, ok := linkTypeNames[t]; ok {
		return n
	}
	return "LINKTYPE_" + strconv.Itoa(int(t))
}

// supportedLink reports whether the Decoder understands a link type.
func supportedLink(code LinkType) bool {
	switch code {
	case linkNull, linkEthernet, linkRawOpen, linkRawOpenBS, linkRaw, linkLoop,
		linkLinuxSLL, linkIPv4, linkIPv6, linkLinuxSLL2:
		return true
	}
	return false
}
