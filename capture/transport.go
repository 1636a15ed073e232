package capture

import (
	"encoding/binary"
	"net/netip"
)

// TCP header flags (RFC 9293 §3.1).
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// decodeTransport decodes a UDP (RFC 768) or TCP (RFC 9293 §3.1) header at
// b, or the packet inside a tunnel (tunnel.go); other protocols are
// ignored.
func (d *Decoder) decodeTransport(proto uint8, src, dst netip.Addr, b []byte, off int, fragmented bool) {
	switch proto {
	case protoUDP:
		if len(b) < 8 {
			d.short(off, "UDP header needs 8 bytes")
			return
		}
		sp := netip.AddrPortFrom(src, binary.BigEndian.Uint16(b))
		dp := netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:]))
		n := int(binary.BigEndian.Uint16(b[4:]))
		if n == 0 && len(b) > 0xffff {
			n = len(b) // IPv6 jumbogram (RFC 2675 §4)
		}
		if n < 8 {
			d.problem(ProblemMalformed, sp, dp, off+4, "UDP length below 8")
			return
		}
		if n > len(b) {
			kind := ProblemMalformed
			if d.truncated {
				kind = ProblemTruncated
			}
			d.problem(kind, sp, dp, off+4, "UDP length beyond IP payload")
			return
		}
		if sp.Port() == portGTPU || dp.Port() == portGTPU || dp.Port() == portVXLAN {
			if d.decodeUDPTunnel(sp.Port(), dp.Port(), b[8:n], off+8) {
				return
			}
		}
		// Field by field: assigning a composite literal builds it on the
		// stack and copies it, a tenth of the decoding cost.
		dg := &d.dg
		dg.Frame, dg.Time, dg.Src, dg.Dst, dg.Payload, dg.Fragmented = d.frame, d.now, sp, dp, b[8:n], fragmented
		d.h.Datagram(&d.dg)
	case protoTCP:
		if len(b) < 20 {
			d.short(off, "TCP header needs 20 bytes")
			return
		}
		sp := netip.AddrPortFrom(src, binary.BigEndian.Uint16(b))
		dp := netip.AddrPortFrom(dst, binary.BigEndian.Uint16(b[2:]))
		hl := int(b[12]>>4) * 4
		if hl < 20 {
			d.problem(ProblemMalformed, sp, dp, off+12, "TCP data offset below 20")
			return
		}
		if hl > len(b) {
			kind := ProblemMalformed
			if d.truncated {
				kind = ProblemTruncated
			}
			d.problem(kind, sp, dp, off+12, "TCP header beyond captured bytes")
			return
		}
		if d.opts.TCPHeader != nil {
			d.opts.TCPHeader(sp, dp, binary.BigEndian.Uint32(b[4:]), b[13], len(b)-hl)
		}
		d.tcp.segment(sp, dp, binary.BigEndian.Uint32(b[4:]), b[13], b[hl:])
	case protoGRE:
		d.decodeGRE(b, off)
	}
}
