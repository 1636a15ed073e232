package capture

import "encoding/binary"

// Tunnels. Captures taken in a mobile core, on an overlay network or from a
// mirror port carry the calls encapsulated. The decoder takes the inner
// packet out of
//
//   - GTP-U G-PDUs (3GPP TS 29.281 §5, UDP port 2152): the user plane of
//     LTE and 5G, where VoLTE, IMS and mission-critical calls travel
//     between the base station and the core;
//   - VXLAN (RFC 7348 §5, UDP port 4789): overlay networks;
//   - GRE (RFC 2784, with RFC 2890's key and sequence number; IP protocol
//     47) carrying IPv4, IPv6, Ethernet (transparent Ethernet bridging,
//     0x6558) or ERSPAN mirrored frames (0x88BE type I and II, 0x22EB type
//     III);
//
// and decodes it as part of the same frame, so the SIP, RTSP and media
// inside are found. A datagram on the GTP-U or VXLAN port that does not
// parse as such is delivered as it is. Offsets of problems inside an inner
// Ethernet frame count from the start of the tunnel's payload.

const (
	portGTPU  = 2152
	portVXLAN = 4789
	protoGRE  = 47

	// maxTunnelDepth bounds tunnels nested in tunnels.
	maxTunnelDepth = 4
)

// EtherTypes of GRE payloads.
const (
	etherTEB     = 0x6558 // transparent Ethernet bridging (RFC 1701)
	etherERSPAN2 = 0x88BE // ERSPAN type II (and type I, without GRE sequence numbers)
	etherERSPAN3 = 0x22EB // ERSPAN type III
)

// GTP-U (3GPP TS 29.281 §5.1).
const (
	gtpVersion1   = 1
	gtpTypeGPDU   = 255
	gtpHeaderLen  = 8 // mandatory part
	gtpOptionsLen = 4 // sequence number, N-PDU number, next extension header type
)

// decodeUDPTunnel decodes the packet inside the UDP payload b (at offset
// off) when it is a GTP-U or VXLAN packet on its port, and reports whether
// the payload was a tunnel's (false: deliver it as a datagram).
func (d *Decoder) decodeUDPTunnel(sport, dport uint16, b []byte, off int) bool {
	if d.tunnelDepth >= maxTunnelDepth {
		return false
	}
	switch {
	case sport == portGTPU || dport == portGTPU:
		inner, n, user, ok := gtpuPayload(b)
		if !ok {
			return false
		}
		if user {
			d.tunnelDepth++
			d.decodeInnerIP(inner, off+n)
			d.tunnelDepth--
		}
		return true // signalling messages (echo, end marker...) carry no user data
	case dport == portVXLAN:
		inner, ok := vxlanPayload(b)
		if !ok {
			return false
		}
		d.tunnelDepth++
		d.decodeInnerEthernet(inner)
		d.tunnelDepth--
		return true
	}
	return false
}

// gtpuPayload returns the T-PDU of a GTP-U version 1 packet and its offset
// in b; user is false for the messages that carry none (echo, error
// indication, end marker). ok is false when b is not GTP-U.
func gtpuPayload(b []byte) (inner []byte, off int, user, ok bool) {
	if len(b) < gtpHeaderLen || b[0]>>5 != gtpVersion1 || b[0]&0x10 == 0 { // version 1, protocol type GTP
		return nil, 0, false, false
	}
	end := gtpHeaderLen + int(binary.BigEndian.Uint16(b[2:]))
	if end > len(b) {
		return nil, 0, false, false
	}
	n := gtpHeaderLen
	if b[0]&0x07 != 0 { // E, S or PN: the optional fields are all present
		n += gtpOptionsLen
		if n > end {
			return nil, 0, false, false
		}
		// Extension headers (§5.2): a length in 4-byte units, content, and
		// the type of the next one in the last byte; 0 ends the chain.
		for next := b[n-1]; b[0]&0x04 != 0 && next != 0; {
			if n >= end || b[n] == 0 {
				return nil, 0, false, false
			}
			n += 4 * int(b[n])
			if n > end {
				return nil, 0, false, false
			}
			next = b[n-1]
		}
	}
	if b[1] != gtpTypeGPDU {
		return nil, 0, false, true
	}
	return b[n:end], n, true, true
}

// vxlanPayload returns the Ethernet frame inside a VXLAN packet (RFC 7348
// §5: 8 bytes, the I flag set for a valid VNI).
func vxlanPayload(b []byte) ([]byte, bool) {
	if len(b) < 8+14 || b[0]&0x08 == 0 {
		return nil, false
	}
	return b[8:], true
}

// decodeGRE decodes the packet inside a GRE packet b at offset off (RFC
// 2784 §2, RFC 2890 §2: checksum, key and sequence number when flagged;
// version 0 only: version 1 is PPTP's enhanced GRE).
func (d *Decoder) decodeGRE(b []byte, off int) {
	if d.tunnelDepth >= maxTunnelDepth {
		return
	}
	if len(b) < 4 {
		d.short(off, "GRE header needs 4 bytes")
		return
	}
	flags, et := b[0], binary.BigEndian.Uint16(b[2:])
	if b[1]&0x07 != 0 || flags&0x40 != 0 { // version 1, or RFC 1701 routing
		return
	}
	n := 4
	for _, bit := range []byte{0x80, 0x20, 0x10} { // checksum, key, sequence number
		if flags&bit != 0 {
			n += 4
		}
	}
	if len(b) < n {
		d.short(off, "GRE header shorter than its flags say")
		return
	}
	p := b[n:]
	d.tunnelDepth++
	defer func() { d.tunnelDepth-- }()
	switch et {
	case etherIPv4, etherIPv6:
		d.decodeInnerIP(p, off+n)
	case etherTEB:
		d.decodeInnerEthernet(p)
	case etherERSPAN2:
		if flags&0x10 == 0 { // type I: no ERSPAN header, no GRE sequence number
			d.decodeInnerEthernet(p)
			return
		}
		if len(p) < 8 || p[0]>>4 != 1 { // type II header, version 1
			d.malformed(off+n, "ERSPAN type II header malformed")
			return
		}
		d.decodeInnerEthernet(p[8:])
	case etherERSPAN3:
		if len(p) < 12 || p[0]>>4 != 2 { // type III header, version 2
			d.malformed(off+n, "ERSPAN type III header malformed")
			return
		}
		h := 12
		if p[11]&0x01 != 0 { // O flag: platform-specific subheader
			h += 8
		}
		if len(p) < h {
			d.short(off+n, "ERSPAN type III subheader needs 8 bytes")
			return
		}
		d.decodeInnerEthernet(p[h:])
	}
}

// decodeInnerIP decodes an inner IP packet b at offset off, by its version.
func (d *Decoder) decodeInnerIP(b []byte, off int) {
	if len(b) == 0 {
		return
	}
	switch b[0] >> 4 {
	case 4:
		d.decodeIPv4(b, off)
	case 6:
		d.decodeIPv6(b, off)
	}
}

// decodeInnerEthernet decodes an inner Ethernet frame (VXLAN, GRE bridging,
// ERSPAN); offsets count from its start.
func (d *Decoder) decodeInnerEthernet(b []byte) {
	if len(b) < 14 {
		return
	}
	d.decodeEtherType(binary.BigEndian.Uint16(b[12:]), b, 14)
}
