package hep

import (
	"encoding/binary"
	"errors"
)

// Append appends p encoded as a HEP3 packet to b, its chunks in the order
// sngrep 1.6 writes them (family, protocol, ports, time, protocol type,
// agent id, addresses, auth key, payload), then correlation id and node
// name when set; the payload goes in chunk 0x0010 when p.Compressed (the
// caller compressed it). With p.AgentQuirk the agent id is written as sngrep does
// (the 16-bit id in the chunk's first two bytes). Used by the sample
// generator and the tests; mikeyscope itself only reads HEP.
func Append(b []byte, p *Packet) ([]byte, error) {
	start := len(b)
	b = append(b, 'H', 'E', 'P', '3', 0, 0)
	u8 := func(t uint16, v uint8) { b = chunk(b, t, []byte{v}) }
	u16 := func(t uint16, v uint16) { b = chunk(b, t, binary.BigEndian.AppendUint16(nil, v)) }
	u32 := func(t uint16, v uint32) { b = chunk(b, t, binary.BigEndian.AppendUint32(nil, v)) }
	fam, s4 := uint8(10), p.Src.Addr().Is4()
	if s4 {
		fam = 2
	}
	u8(ChunkIPFamily, fam)
	u8(ChunkIPProto, p.IPProto)
	u16(ChunkSrcPort, p.Src.Port())
	u16(ChunkDstPort, p.Dst.Port())
	if !p.Time.IsZero() {
		u32(ChunkTimeSec, uint32(p.Time.Unix()))
		u32(ChunkTimeUsec, uint32(p.Time.Nanosecond()/1000))
	}
	u8(ChunkProtoType, p.ProtoType)
	if p.HasAgent {
		id := p.Agent
		if p.AgentQuirk {
			id <<= 16
		}
		u32(ChunkAgentID, id)
	}
	if s4 {
		s, d := p.Src.Addr().As4(), p.Dst.Addr().As4()
		b = chunk(b, ChunkIPv4Src, s[:])
		b = chunk(b, ChunkIPv4Dst, d[:])
	} else {
		s, d := p.Src.Addr().As16(), p.Dst.Addr().As16()
		b = chunk(b, ChunkIPv6Src, s[:])
		b = chunk(b, ChunkIPv6Dst, d[:])
	}
	if p.AuthKey != nil {
		b = chunk(b, ChunkAuthKey, p.AuthKey)
	}
	if p.Compressed {
		b = chunk(b, ChunkPayloadZipped, p.Payload) // already compressed by the caller
	} else {
		b = chunk(b, ChunkPayload, p.Payload)
	}
	if p.CorrelationID != nil {
		b = chunk(b, ChunkCorrelationID, p.CorrelationID)
	}
	if p.NodeName != nil {
		b = chunk(b, ChunkNodeName, p.NodeName)
	}
	n := len(b) - start
	if n > MaxPacket {
		return b[:start], errors.New("hep: packet longer than 65535 bytes")
	}
	binary.BigEndian.PutUint16(b[start+4:], uint16(n))
	return b, nil
}

func chunk(b []byte, typ uint16, v []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(6+len(v)))
	return append(b, v...)
}
