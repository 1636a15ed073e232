// Package hep decodes the Homer Encapsulation Protocol (HEP, also called
// EEP): the way SIP servers and capture agents (Kamailio siptrace, OpenSIPS
// proto_hep, FreeSWITCH, Asterisk res_hep, rtpengine, heplify, captagent,
// sngrep -H) mirror the signalling they handle, already decrypted, to a
// collector. Version 3 is a list of chunks (the HEP3 specification,
// github.com/sipcapture/HEP); versions 1 and 2 are fixed headers.
//
// The package knows nothing of packets or files: Parse reads one HEP
// packet, Framer cuts a TCP byte stream into packets, an Inflater inflates
// a compressed payload within a bound. Parse and Framer do not allocate;
// every slice of a parsed Packet points into the input.
package hep

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// Chunk types of vendor 0 (generic), HEP3 specification §2.
const (
	ChunkIPFamily      = 0x0001 // uint8: 2 IPv4, 10 IPv6
	ChunkIPProto       = 0x0002 // uint8: IP protocol number (17 UDP, 6 TCP, 132 SCTP)
	ChunkIPv4Src       = 0x0003
	ChunkIPv4Dst       = 0x0004
	ChunkIPv6Src       = 0x0005
	ChunkIPv6Dst       = 0x0006
	ChunkSrcPort       = 0x0007 // uint16
	ChunkDstPort       = 0x0008 // uint16
	ChunkTimeSec       = 0x0009 // uint32, Unix seconds
	ChunkTimeUsec      = 0x000a // uint32, microseconds
	ChunkProtoType     = 0x000b // uint8, see ProtoSIP...
	ChunkAgentID       = 0x000c // uint32 capture agent id
	ChunkKeepAlive     = 0x000d // uint16
	ChunkAuthKey       = 0x000e // octets
	ChunkPayload       = 0x000f // octets
	ChunkPayloadZipped = 0x0010 // octets, compressed payload (zlib, gzip or raw deflate: see Inflate)
	ChunkCorrelationID = 0x0011 // octets
	ChunkVLAN          = 0x0012 // uint16
	ChunkNodeName      = 0x0013 // octets
)

// Protocol types (chunk 0x000b) of the HEP3 specification.
const (
	ProtoSIP      = 1
	ProtoXMPP     = 2
	ProtoSDP      = 3
	ProtoRTP      = 4
	ProtoRTCPJSON = 5
	ProtoMGCP     = 6
	ProtoMEGACO   = 7
	ProtoM2UA     = 8
	ProtoM3UA     = 9
	ProtoIAX      = 10
	ProtoH322     = 11
	ProtoH321     = 12
	ProtoM2PA     = 13
	ProtoMOSFull  = 34
	ProtoMOSShort = 35
	ProtoSIPJSON  = 50
	ProtoDNSJSON  = 53
	ProtoM3UAJSON = 54
	ProtoRTSP     = 55
	ProtoDiameter = 56
	ProtoGSMMAP   = 57
	ProtoLog      = 100
)

var protoNames = map[uint8]string{
	ProtoSIP: "sip", ProtoXMPP: "xmpp", ProtoSDP: "sdp", ProtoRTP: "rtp",
	ProtoRTCPJSON: "rtcp-json", ProtoMGCP: "mgcp", ProtoMEGACO: "megaco",
	ProtoM2UA: "m2ua", ProtoM3UA: "m3ua", ProtoIAX: "iax", ProtoH322: "h322",
	ProtoH321: "h321", ProtoM2PA: "m2pa", ProtoMOSFull: "mos-full",
	ProtoMOSShort: "mos-short", ProtoSIPJSON: "sip-json", ProtoDNSJSON: "dns-json",
	ProtoM3UAJSON: "m3ua-json", ProtoRTSP: "rtsp", ProtoDiameter: "diameter",
	ProtoGSMMAP: "gsm-map", ProtoLog: "log",
}

// ProtoName names a protocol type ("sip", "rtcp-json"), or gives its
// number ("type-77").
func ProtoName(t uint8) string {
	if n, ok := protoNames[t]; ok {
		return n
	}
	return fmt.Sprintf("type-%d", t)
}

// MinLen is the smallest HEP3 packet: "HEP3" and the total length.
const MinLen = 6

// Packet is one decoded HEP packet. Byte slices point into the input.
type Packet struct {
	Version  int   // 1, 2 or 3
	Family   uint8 // 2 IPv4, 10 IPv6 (as the sender wrote it)
	IPProto  uint8 // 17 UDP, 6 TCP, 132 SCTP...
	Src, Dst netip.AddrPort
	// Time is the capture time the agent recorded; zero when the packet
	// carries none (HEP v1, or a HEP3 packet without time chunks).
	Time      time.Time
	ProtoType uint8 // ProtoSIP...; HEP v1/v2 carry SIP only
	// Agent is the capture agent id; HasAgent tells whether one was sent.
	Agent    uint32
	HasAgent bool
	// AgentQuirk is set when the agent id chunk held a 16-bit id in its
	// first two bytes and zeros after (sngrep 1.6 stores htons(id) in the
	// 32-bit field): Agent is then that 16-bit id.
	AgentQuirk bool
	KeepAlive  uint16
	AuthKey    []byte
	Payload    []byte
	// Compressed: the payload came in the compressed-payload chunk
	// (0x0010). Parse leaves it compressed (Format FormatNone);
	// Packet.Inflate inflates it and sets Format.
	Compressed    bool
	Format        Format
	PayloadOffset int // where the payload starts in the packet (for errors)
	CorrelationID []byte
	NodeName      []byte
	VLAN          uint16
	Chunks        int // chunks read (HEP3)
	Unknown       int // chunks of other vendors or unknown types, skipped
}

// Error is a HEP packet that cannot be decoded, with the byte offset of the
// problem.
type Error struct {
	Offset int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("HEP: %s (offset %d)", e.Msg, e.Offset) }

func errAt(off int, format string, args ...any) error {
	return &Error{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// IsHEP reports whether b starts like a HEP packet of any version: "HEP3",
// or a version 1 or 2 header with a known address family.
func IsHEP(b []byte) bool {
	if len(b) >= 4 && string(b[:4]) == "HEP3" {
		return true
	}
	return len(b) >= 4 && (b[0] == 1 || b[0] == 2) && (b[2] == 2 || b[2] == 10)
}

// Parse decodes one HEP packet (version 1, 2 or 3) that is exactly b.
// Trailing bytes after a HEP3 packet's total length are an error; so are
// chunks whose length runs past the packet, fixed-size chunks of the wrong
// size, a family that disagrees with the addresses, and a packet without a
// payload (a keep-alive has none: ErrNoPayload).
func Parse(b []byte, p *Packet) error {
	*p = Packet{}
	if len(b) >= 4 && string(b[:4]) == "HEP3" {
		return parse3(b, p)
	}
	if len(b) >= 1 && (b[0] == 1 || b[0] == 2) {
		return parse12(b, p)
	}
	return errAt(0, "not a HEP packet (no HEP3 magic, no version 1 or 2 header)")
}

// ErrNoPayload is returned for a well-formed packet without a payload
// chunk (a keep-alive); p is filled.
var ErrNoPayload = &Error{Msg: "no payload chunk"}

func parse3(b []byte, p *Packet) error {
	p.Version = 3
	if len(b) < MinLen {
		return errAt(len(b), "HEP3 header needs 6 bytes, have %d", len(b))
	}
	total := int(binary.BigEndian.Uint16(b[4:]))
	if total < MinLen {
		return errAt(4, "HEP3 total length %d below 6", total)
	}
	if total != len(b) {
		return errAt(4, "HEP3 total length %d but the packet has %d bytes", total, len(b))
	}
	var src4, dst4, src6, dst6 []byte
	var sport, dport uint16
	var tsec, tusec uint32
	var hasSec, hasPayload bool
	for off := MinLen; off < total; {
		if total-off < 6 {
			return errAt(off, "chunk header needs 6 bytes, %d left", total-off)
		}
		vendor := binary.BigEndian.Uint16(b[off:])
		typ := binary.BigEndian.Uint16(b[off+2:])
		n := int(binary.BigEndian.Uint16(b[off+4:]))
		if n < 6 {
			return errAt(off+4, "chunk %d length %d below 6", typ, n)
		}
		if n > total-off {
			return errAt(off+4, "chunk %d length %d runs past the packet (%d bytes left)", typ, n, total-off)
		}
		v := b[off+6 : off+n]
		p.Chunks++
		if vendor != 0 {
			p.Unknown++
			off += n
			continue
		}
		want := 0
		switch typ {
		case ChunkIPFamily, ChunkIPProto, ChunkProtoType:
			want = 1
		case ChunkSrcPort, ChunkDstPort, ChunkKeepAlive, ChunkVLAN:
			want = 2
		case ChunkIPv4Src, ChunkIPv4Dst, ChunkTimeSec, ChunkTimeUsec, ChunkAgentID:
			want = 4
		case ChunkIPv6Src, ChunkIPv6Dst:
			want = 16
		}
		if want != 0 && len(v) != want {
			return errAt(off+4, "chunk %d holds %d bytes, the specification says %d", typ, len(v), want)
		}
		switch typ {
		case ChunkIPFamily:
			p.Family = v[0]
		case ChunkIPProto:
			p.IPProto = v[0]
		case ChunkIPv4Src:
			src4 = v
		case ChunkIPv4Dst:
			dst4 = v
		case ChunkIPv6Src:
			src6 = v
		case ChunkIPv6Dst:
			dst6 = v
		case ChunkSrcPort:
			sport = binary.BigEndian.Uint16(v)
		case ChunkDstPort:
			dport = binary.BigEndian.Uint16(v)
		case ChunkTimeSec:
			tsec, hasSec = binary.BigEndian.Uint32(v), true
		case ChunkTimeUsec:
			tusec = binary.BigEndian.Uint32(v)
		case ChunkProtoType:
			p.ProtoType = v[0]
		case ChunkAgentID:
			id := binary.BigEndian.Uint32(v)
			// sngrep 1.6 writes htons(id) into the 32-bit field. A later
			// agent id chunk replaces an earlier one, quirk included.
			quirk := id&0xffff == 0 && id>>16 != 0
			if quirk {
				id >>= 16
			}
			p.Agent, p.HasAgent, p.AgentQuirk = id, true, quirk
		case ChunkKeepAlive:
			p.KeepAlive = binary.BigEndian.Uint16(v)
		case ChunkAuthKey:
			p.AuthKey = v
		case ChunkPayload:
			p.Payload, p.Compressed, p.PayloadOffset, hasPayload = v, false, off+6, true
		case ChunkPayloadZipped:
			p.Payload, p.Compressed, p.PayloadOffset, hasPayload = v, true, off+6, true
		case ChunkCorrelationID:
			p.CorrelationID = v
		case ChunkVLAN:
			p.VLAN = binary.BigEndian.Uint16(v)
		case ChunkNodeName:
			p.NodeName = v
		default:
			p.Unknown++
		}
		off += n
	}
	if tusec >= 1e6 {
		return errAt(0, "timestamp microseconds %d not below 1000000", tusec)
	}
	if hasSec {
		p.Time = time.Unix(int64(tsec), int64(tusec)*1000).UTC()
	}
	if err := p.setAddrs(src4, dst4, src6, dst6, sport, dport); err != nil {
		return err
	}
	if !hasPayload {
		return ErrNoPayload
	}
	return nil
}

func (p *Packet) setAddrs(src4, dst4, src6, dst6 []byte, sport, dport uint16) error {
	var s, d netip.Addr
	switch {
	case src4 != nil && dst4 != nil && src6 == nil && dst6 == nil:
		s, d = netip.AddrFrom4([4]byte(src4)), netip.AddrFrom4([4]byte(dst4))
		if p.Family != 0 && p.Family != 2 {
			return errAt(0, "IP family %d but IPv4 addresses", p.Family)
		}
	case src6 != nil && dst6 != nil && src4 == nil && dst4 == nil:
		s, d = netip.AddrFrom16([16]byte(src6)), netip.AddrFrom16([16]byte(dst6))
		if p.Family != 0 && p.Family != 10 {
			return errAt(0, "IP family %d but IPv6 addresses", p.Family)
		}
	case src4 == nil && dst4 == nil && src6 == nil && dst6 == nil:
		return nil // a keep-alive or a report without addresses
	default:
		return errAt(0, "source and destination addresses missing or of different families")
	}
	p.Src, p.Dst = netip.AddrPortFrom(s, sport), netip.AddrPortFrom(d, dport)
	return nil
}

// HEP v1 and v2 (captagent 4, sngrep's eep.send.version 2): a fixed
// header. Ports are in network order. The v2 time and capture id are
// written in the sender's host order (little-endian on every sender seen),
// and the v2 time header is padded to 12 bytes; the length byte is not
// reliable (sngrep 1.6 writes 3), so the header length follows from the
// version and the family.
func parse12(b []byte, p *Packet) error {
	p.Version = int(b[0])
	p.ProtoType = ProtoSIP
	if len(b) < 4 {
		return errAt(len(b), "HEP v%d header needs 4 bytes, have %d", p.Version, len(b))
	}
	p.Family, p.IPProto = b[2], b[3]
	alen := 0
	switch p.Family {
	case 2:
		alen = 4
	case 10:
		alen = 16
	default:
		return errAt(2, "HEP v%d address family %d (want 2 or 10)", p.Version, p.Family)
	}
	hl := 8 + 2*alen
	if p.Version == 2 {
		hl += 12
	}
	if len(b) < hl {
		return errAt(len(b), "HEP v%d header needs %d bytes, have %d", p.Version, hl, len(b))
	}
	sport, dport := binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:])
	var s, d netip.Addr
	if alen == 4 {
		s, d = netip.AddrFrom4([4]byte(b[8:12])), netip.AddrFrom4([4]byte(b[12:16]))
	} else {
		s, d = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
	}
	p.Src, p.Dst = netip.AddrPortFrom(s, sport), netip.AddrPortFrom(d, dport)
	if p.Version == 2 {
		t := b[8+2*alen:]
		sec, usec := binary.LittleEndian.Uint32(t), binary.LittleEndian.Uint32(t[4:])
		if usec >= 1e6 {
			return errAt(8+2*alen+4, "HEP v2 microseconds %d not below 1000000", usec)
		}
		p.Time = time.Unix(int64(sec), int64(usec)*1000).UTC()
		p.Agent, p.HasAgent = uint32(binary.LittleEndian.Uint16(t[8:])), true
	}
	p.Payload, p.PayloadOffset = b[hl:], hl
	if len(p.Payload) == 0 {
		return ErrNoPayload
	}
	return nil
}
