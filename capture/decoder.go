package capture

import (
	"net/netip"
	"time"
)

// DecoderOptions bounds the state the Decoder keeps. Zero fields take the
// defaults shown.
type DecoderOptions struct {
	// FragmentTimeout is how long, in capture time, an incomplete IP
	// datagram waits for its missing fragments (default 30 s, as Linux).
	FragmentTimeout time.Duration
	// MaxFragmentDatagrams bounds incomplete datagrams held at once (1024).
	MaxFragmentDatagrams int
	// MaxFragmentBytes bounds the bytes held for incomplete datagrams (8 MiB).
	MaxFragmentBytes int
	// MaxTCPConnections bounds tracked TCP connections; the least recently
	// active one is evicted beyond it (65536).
	MaxTCPConnections int
	// TCPGapBytes is how much data may wait beyond a hole in one direction
	// of a TCP connection before the hole is declared lost (256 KiB).
	TCPGapBytes int
	// TCPGapTimeout is how long, in capture time, data may wait beyond a
	// hole before the hole is declared lost (10 s).
	TCPGapTimeout time.Duration
	// MaxTCPBufferedBytes bounds out-of-order bytes over all connections
	// (64 MiB).
	MaxTCPBufferedBytes int
	// TCPHeader, when set, is called for every TCP header decoded, before
	// its payload goes to reassembly: the direction, sequence number, flags
	// (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10) and payload length. A
	// consumer that rewrites TCP connections (export's decrypted capture)
	// learns from it which frames belong to which connection.
	TCPHeader func(src, dst netip.AddrPort, seq uint32, flags uint8, payloadLen int)
}

func (o DecoderOptions) withDefaults() DecoderOptions {
	if o.FragmentTimeout <= 0 {
		o.FragmentTimeout = 30 * time.Second
	}
	if o.MaxFragmentDatagrams <= 0 {
		o.MaxFragmentDatagrams = 1024
	}
	if o.MaxFragmentBytes <= 0 {
		o.MaxFragmentBytes = 8 << 20
	}
	if o.MaxTCPConnections <= 0 {
		o.MaxTCPConnections = 65536
	}
	if o.TCPGapBytes <= 0 {
		o.TCPGapBytes = 256 << 10
	}
	if o.TCPGapTimeout <= 0 {
		o.TCPGapTimeout = 10 * time.Second
	}
	if o.MaxTCPBufferedBytes <= 0 {
		o.MaxTCPBufferedBytes = 64 << 20
	}
	return o
}

// Decoder is the network layer: it decodes link, IPv4/IPv6 (with extension
// headers), UDP and TCP headers by hand with bounds checks, reassembles IP
// fragments and TCP streams, and reports Datagram, Segment and Problem
// events to its Handler. It is not safe for concurrent use; the steady path
// (unfragmented UDP, in-order TCP) does not allocate.
type Decoder struct {
	h    Handler
	opts DecoderOptions

	pkt       *Packet   // packet being decoded
	frame     uint64    // frame number of the latest packet
	now       time.Time // capture time of the latest packet
	truncated bool      // latest packet is shorter than on the wire

	dg   Datagram
	seg  Segment
	prob Problem

	frag defragmenter
	tcp  reassembler

	tunnelDepth int // tunnels entered to reach the packet being decoded

	badLinks map[LinkType]bool // unsupported link types already reported
}

// NewDecoder returns a Decoder that reports to h.
func NewDecoder(h Handler, opts DecoderOptions) *Decoder {
	d := &Decoder{h: h, opts: opts.withDefaults()}
	d.frag.init(d)
	d.tcp.init(d)
	return d
}

// Packet decodes one captured frame. Frames should arrive in capture order.
func (d *Decoder) Packet(p *Packet) {
	d.pkt = p
	d.frame = p.Frame
	d.now = p.Time
	d.truncated = p.OrigLen > len(p.Data)
	if p.BadTime {
		d.malformed(0, "capture timestamp outside years 0000-9999 (a damaged block, or a wrong if_tsresol or if_tsoffset); the previous frame's time is used")
	}
	d.frag.expire(p.Time)
	d.tcp.sweep(p.Time)
	d.decodeLink(p.LinkType, p.Data)
}

// Flush ends the input: incomplete datagrams are reported as
// ProblemFragmentLost and data waiting behind TCP holes is delivered with
// GapBefore set and a ProblemTCPGap.
func (d *Decoder) Flush() {
	d.frag.flush()
	d.tcp.flush()
}

// problem reports a Problem at the current frame.
func (d *Decoder) problem(kind ProblemKind, src, dst netip.AddrPort, off int, detail string) {
	d.problemAt(d.frame, d.now, kind, src, dst, off, detail)
}

func (d *Decoder) problemAt(frame uint64, t time.Time, kind ProblemKind, src, dst netip.AddrPort, off int, detail string) {
	d.prob = Problem{Frame: frame, Time: t, Kind: kind, Src: src, Dst: dst, Offset: off, Detail: detail}
	d.h.Problem(&d.prob)
}

// short reports a header that needs more bytes than the frame holds: a
// snaplen truncation when the frame was cut, otherwise a malformed frame.
func (d *Decoder) short(off int, detail string) {
	kind := ProblemMalformed
	if d.truncated {
		kind = ProblemTruncated
	}
	d.problem(kind, netip.AddrPort{}, netip.AddrPort{}, off, detail)
}

// malformed reports an invalid header field.
func (d *Decoder) malformed(off int, detail string) {
	d.problem(ProblemMalformed, netip.AddrPort{}, netip.AddrPort{}, off, detail)
}
