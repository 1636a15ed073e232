// Package capture reads packets from capture files and live interfaces and
// turns them into transport-level events: UDP datagrams (after IPv4/IPv6
// defragmentation) and in-order TCP stream bytes (after reassembly), each tied
// to the 1-based frame number of the packet that completed it, as Wireshark
// numbers frames.
//
// The types in this file are the contract between capture/ and dissect/.
package capture

import (
	"net/netip"
	"time"
)

// Packet is one captured frame as read from a Source.
type Packet struct {
	Frame     uint64    // 1-based frame number across all merged inputs
	Time      time.Time // capture timestamp
	LinkType  LinkType  // link type of the interface the frame came from
	Data      []byte    // captured bytes; valid only until the next call to Next
	OrigLen   int       // original length on the wire (may exceed len(Data))
	Interface int       // interface index within its file (pcapng)
	Input     int       // index of the input file when several are merged
	// BadTime is set when the file's timestamp for the frame lies outside
	// years 0000-9999 (a damaged block, or a wrong if_tsresol or
	// if_tsoffset): Time is then the previous frame's. The Decoder reports
	// it as a malformed frame.
	BadTime bool
}

// Source yields packets in capture order. Next fills p and returns io.EOF at
// the end of the input. The Data slice is reused by the next call.
type Source interface {
	Next(p *Packet) error
	Close() error
}

// Datagram is one UDP payload, reassembled from IP fragments when needed.
// Payload is valid only during the Handler callback; copy what must outlive it.
type Datagram struct {
	Frame      uint64 // frame that completed the datagram (last fragment)
	Time       time.Time
	Src, Dst   netip.AddrPort
	Payload    []byte
	Fragmented bool // true when reassembled from IP fragments
	// HEP is set when the payload came inside a HEP packet (hep.go): Src,
	// Dst and Time are then the ones the capture agent recorded.
	HEP *HEPOrigin
}

// Segment is a run of in-order bytes of one direction of a TCP connection,
// delivered after reassembly (out-of-order segments buffered, retransmissions
// dropped). Payload is valid only during the Handler callback.
type Segment struct {
	Frame    uint64 // frame whose data made these bytes deliverable
	Time     time.Time
	Src, Dst netip.AddrPort // direction of these bytes
	Payload  []byte
	// GapBefore is the number of bytes known to be missing from the stream
	// just before Payload (a lost segment); 0 when the stream is contiguous.
	// Consumers must resynchronise after a gap rather than splice the bytes.
	GapBefore int
}

// ProblemKind classifies an anomaly found below the application layer.
type ProblemKind uint8

const (
	ProblemMalformed    ProblemKind = iota + 1 // a frame could not be decoded (link, IP, UDP, TCP)
	ProblemTruncated                           // captured length shorter than the headers need (snaplen)
	ProblemFragmentLost                        // an IP datagram whose fragments never completed
	ProblemTCPGap                              // missing TCP bytes (lost segment)
	ProblemLimit                               // a resource limit was hit (fragments, streams, buffer)
	ProblemReadError                           // the capture file itself is damaged
	ProblemMidStream                           // TCP data seen without the start of the connection
	ProblemHEPAuth                             // a HEP packet without the expected auth key (hep.go)
)

// Problem is something wrong with the capture at the network layer. It is a
// finding about the traffic, never a reason to stop the pass.
type Problem struct {
	Frame    uint64
	Time     time.Time
	Kind     ProblemKind
	Src, Dst netip.AddrPort // zero when not known
	Offset   int            // byte offset in the frame, when meaningful
	Detail   string
}

// Handler receives the network-layer events of a capture, in capture order,
// on the goroutine that drives the decoder.
type Handler interface {
	Datagram(d *Datagram)
	Segment(s *Segment)
	Problem(p *Problem)
}
