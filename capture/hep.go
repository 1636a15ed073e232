package capture

import (
	"crypto/subtle"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/mikeyscope/mikeyscope/hep"
)

// HEP (Homer Encapsulation Protocol, package hep) carries signalling that
// SIP servers and capture agents mirror to a collector. A HEPHandler sits
// between the Decoder and the next Handler: UDP datagrams and TCP streams
// on the HEP ports (9060 and HEPOptions.Ports) that hold HEP packets are
// opened, and the SIP inside each is passed on as a Datagram with the
// addresses and time the agent recorded and a HEPOrigin naming the agent.
// Other HEP payloads (RTCP reports as JSON, logs...) are counted in
// HEPStats and never reach the media path. Everything else passes through.

// HEPPort is the port HEP collectors listen on by default.
const HEPPort = 9060

// HEPOrigin is where a datagram decoded from HEP came from.
type HEPOrigin struct {
	Version     int            // HEP version: 1, 2 or 3
	Agent       uint32         // capture agent id
	HasAgent    bool           // the packet carried an agent id
	Node        string         // node name chunk; "" when absent
	Correlation string         // correlation id chunk; "" when absent
	Sender      netip.AddrPort // the address the HEP packet came from
	IPProto     uint8          // protocol the message was carried over (17 UDP, 6 TCP, 132 SCTP)
	// Received is the time of the frame that carried the HEP packet: the
	// capture's own clock, where the Datagram's Time is the agent's.
	Received time.Time
}

// Name names the agent: "agent 2002", "agent 7 (sbc-east)", or the
// sender's address when the packet carried neither id nor node name.
func (o *HEPOrigin) Name() string {
	switch {
	case o.HasAgent && o.Node != "":
		return "agent " + strconv.FormatUint(uint64(o.Agent), 10) + " (" + o.Node + ")"
	case o.HasAgent:
		return "agent " + strconv.FormatUint(uint64(o.Agent), 10)
	case o.Node != "":
		return "node " + o.Node
	}
	return "sender " + o.Sender.String()
}

// HEPOptions configures HEP decoding.
type HEPOptions struct {
	// Ports are decoded as HEP besides HEPPort.
	Ports []uint16
	// AuthKey, when not empty, must equal a packet's auth key chunk; other
	// packets are counted and rejected.
	AuthKey []byte
	// Stats receives the counts; nil: a private one.
	Stats *HEPStats
}

// maxHEPText bounds the node name and correlation id kept from a HEP
// packet: they name every message that agent sent (Signal.Via, the
// duplicate check, the agents' counts), and a chunk may hold 65 KB.
const maxHEPText = 128

// hepText is a node name or correlation id as kept: at most maxHEPText
// bytes, then "...".
func hepText(b []byte) string {
	if len(b) > maxHEPText {
		return string(b[:maxHEPText]) + "..."
	}
	return string(b)
}

// maxHEPAgents bounds the agents counted one by one; more are counted
// together under "other".
const maxHEPAgents = 1024

// maxHEPStreams bounds the TCP directions that hold part of a HEP packet
// at once (each holds less than hep.MaxPacket bytes).
const maxHEPStreams = 1024

// HEPAgentKey names an agent in the statistics.
type HEPAgentKey struct {
	ID   string // agent id in decimal, "" when not sent, "other" past the limit
	Node string // node name
}

// HEPStats counts what the HEP decoder and listeners saw. It is safe for
// concurrent use: the pipeline writes, the report and /metrics read.
type HEPStats struct {
	mu sync.Mutex
	s  HEPCounts
}

// HEPCounts is a copy of the counts.
type HEPCounts struct {
	Packets    uint64 // HEP packets decoded (any protocol type)
	Bytes      uint64 // their bytes
	SIP        uint64 // SIP payloads passed on
	KeepAlives uint64 // packets without payload
	Malformed  uint64 // packets that did not decode (bad chunk lengths, truncations)
	AuthFailed uint64 // packets without the expected auth key
	Oversized  uint64 // datagrams or TCP frames over the listener's limit
	Flood      uint64 // packets dropped because one sender sent too many
	Overrun    uint64 // packets dropped because the pipeline was behind
	Skipped    uint64 // TCP bytes skipped to find the next HEP3 header
	// Inflated counts the SIP payloads (chunk 0x0010) and whole packets
	// (heplify 2's gzipped datagrams, "packet-gzip") that arrived
	// compressed and were inflated, by format; a compressed payload that
	// does not inflate within hep.MaxInflated is Malformed instead.
	Inflated map[string]uint64
	ByType   map[string]uint64
	Agents   map[HEPAgentKey]uint64
}

// Counts returns a copy of the counts.
func (s *HEPStats) Counts() HEPCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.s
	c.ByType = make(map[string]uint64, len(s.s.ByType))
	for k, v := range s.s.ByType {
		c.ByType[k] = v
	}
	c.Agents = make(map[HEPAgentKey]uint64, len(s.s.Agents))
	for k, v := range s.s.Agents {
		c.Agents[k] = v
	}
	c.Inflated = make(map[string]uint64, len(s.s.Inflated))
	for k, v := range s.s.Inflated {
		c.Inflated[k] = v
	}
	return c
}

// Add increases the counters of the drops seen by a listener.
func (s *HEPStats) add(f func(c *HEPCounts)) {
	s.mu.Lock()
	f(&s.s)
	s.mu.Unlock()
}

// inflated counts a payload or packet inflated from format.
func (s *HEPStats) inflated(format string) {
	s.mu.Lock()
	if s.s.Inflated == nil {
		s.s.Inflated = make(map[string]uint64)
	}
	s.s.Inflated[format]++
	s.mu.Unlock()
}

func (s *HEPStats) packet(p *hep.Packet, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.s
	c.Packets++
	c.Bytes += uint64(n)
	if c.ByType == nil {
		c.ByType = make(map[string]uint64)
		c.Agents = make(map[HEPAgentKey]uint64)
	}
	c.ByType[hep.ProtoName(p.ProtoType)]++
	k := HEPAgentKey{Node: hepText(p.NodeName)}
	if p.HasAgent {
		k.ID = strconv.FormatUint(uint64(p.Agent), 10)
	}
	if _, ok := c.Agents[k]; !ok && len(c.Agents) >= maxHEPAgents {
		k = HEPAgentKey{ID: "other"}
	}
	c.Agents[k]++
}

// HEPHandler decodes HEP on its ports and passes everything to next.
type HEPHandler struct {
	next    Handler
	ports   []uint16
	portSet [1024]uint64 // ports as a bitmap: the per-datagram test is two loads
	auth    []byte
	stats   *HEPStats
	// framers are the TCP directions holding part of a packet; a
	// direction between packets needs no state and has no entry.
	framers map[[2]netip.AddrPort]*hepStream
	spare   *hepStream // a framer with nothing buffered, for reuse
	limited bool       // the maxHEPStreams problem was reported
	dg      Datagram
	prob    Problem
	pkt     hep.Packet
	// inflater inflates compressed SIP payloads, whole inflates heplify
	// 2's gzipped packets (two buffers: a payload of an inflated packet
	// is inflated while the packet is held).
	inflater, whole hep.Inflater
}

// NewHEPHandler returns a Handler that decodes HEP before next.
func NewHEPHandler(next Handler, o HEPOptions) *HEPHandler {
	h := &HEPHandler{next: next, ports: []uint16{HEPPort}, auth: o.AuthKey, stats: o.Stats}
	for _, p := range o.Ports {
		if !slices.Contains(h.ports, p) {
			h.ports = append(h.ports, p)
		}
	}
	for _, p := range h.ports {
		h.portSet[p>>6] |= 1 << (p & 63)
	}
	if h.stats == nil {
		h.stats = new(HEPStats)
	}
	h.framers = make(map[[2]netip.AddrPort]*hepStream)
	return h
}

// Stats returns the handler's counters.
func (h *HEPHandler) Stats() *HEPStats { return h.stats }

func (h *HEPHandler) isPort(src, dst netip.AddrPort) bool {
	s, d := src.Port(), dst.Port()
	return h.portSet[s>>6]&(1<<(s&63)) != 0 || h.portSet[d>>6]&(1<<(d&63)) != 0
}

// Datagram implements Handler.
func (h *HEPHandler) Datagram(d *Datagram) {
	if !h.isPort(d.Src, d.Dst) {
		h.next.Datagram(d)
		return
	}
	if hep.IsGzip(d.Payload) {
		h.decodeGzip(d.Payload, d.Frame, d.Time, d.Src, d.Dst)
		return
	}
	if !hep.IsHEP(d.Payload) {
		h.next.Datagram(d)
		return
	}
	h.decode(d.Payload, d.Frame, d.Time, d.Src, d.Dst)
}

// decodeGzip handles a datagram on a HEP port that is a gzip member:
// heplify 2 with payload_zip gzips each whole HEP packet. It is inflated
// to at most hep.MaxPacket bytes and decoded as HEP; what does not inflate,
// or inflates to something else than HEP, is malformed.
func (h *HEPHandler) decodeGzip(b []byte, frame uint64, t time.Time, src, dst netip.AddrPort) {
	pkt, err := h.whole.InflatePacket(b)
	if err == nil && !hep.IsHEP(pkt) {
		err = fmt.Errorf("HEP: a gzipped datagram that does not hold a HEP packet")
	}
	if err != nil {
		h.stats.add(func(c *HEPCounts) { c.Malformed++ })
		h.problem(ProblemMalformed, frame, t, src, dst, "gzipped HEP packet: "+err.Error())
		return
	}
	h.stats.inflated("packet-gzip")
	h.decode(pkt, frame, t, src, dst)
}

// Segment implements Handler: a direction of a TCP connection on a HEP
// port is cut into HEP packets by their length field (bytes before the
// first "HEP3" are skipped and reported).
func (h *HEPHandler) Segment(s *Segment) {
	if !h.isPort(s.Src, s.Dst) {
		h.next.Segment(s)
		return
	}
	k := [2]netip.AddrPort{s.Src, s.Dst}
	f := h.framers[k]
	if f == nil && len(s.Payload) == 0 {
		return // nothing buffered, nothing new
	}
	held := f != nil
	if f == nil {
		// A stream on a HEP port is HEP: the framer finds the first
		// "HEP3" when the capture starts in the middle of the stream.
		f, h.spare = h.spare, nil
		if f == nil {
			f = new(hepStream)
		}
	}
	if s.GapBefore > 0 {
		f.Reset()
	}
	before := f.Skipped
	f.Write(s.Payload, func(b []byte) { h.decode(b, s.Frame, s.Time, s.Src, s.Dst) })
	if n := f.Skipped - before; n > 0 {
		h.stats.add(func(c *HEPCounts) { c.Skipped += n })
		h.problem(ProblemMalformed, s.Frame, s.Time, s.Src, s.Dst, fmt.Sprintf("HEP over TCP: %d bytes that are not a HEP3 packet skipped", n))
	}
	switch {
	case f.Buffered() == 0:
		// Between packets: forget the direction (memory follows the
		// packets in progress, not the connections seen).
		if held {
			delete(h.framers, k)
		}
		if f.Skipped = 0; h.spare == nil && f.Cap() <= 4<<10 {
			h.spare = f
		}
	case !held:
		if len(h.framers) >= maxHEPStreams {
			h.evictStream(s)
		}
		h.framers[k] = f
	}
	f.last = s.Frame
}

// hepStream is a TCP direction holding part of a HEP packet.
type hepStream struct {
	hep.Framer
	last uint64 // frame of its last segment
}

// evictStream forgets the direction that waited longest for the rest of
// its packet, to make room for another.
func (h *HEPHandler) evictStream(s *Segment) {
	var victim [2]netip.AddrPort
	oldest := ^uint64(0)
	for k, f := range h.framers {
		if f.last < oldest {
			victim, oldest = k, f.last
		}
	}
	delete(h.framers, victim)
	if !h.limited {
		h.limited = true
		h.problem(ProblemLimit, s.Frame, s.Time, s.Src, s.Dst, fmt.Sprintf("more than %d HEP TCP streams in the middle of a packet: the one waiting longest is forgotten", maxHEPStreams))
	}
}

// Problem implements Handler.
func (h *HEPHandler) Problem(p *Problem) { h.next.Problem(p) }

func (h *HEPHandler) problem(kind ProblemKind, frame uint64, t time.Time, src, dst netip.AddrPort, detail string) {
	h.prob = Problem{Frame: frame, Time: t, Kind: kind, Src: src, Dst: dst, Detail: detail}
	h.next.Problem(&h.prob)
}

// decode handles one HEP packet b sent from src to dst.
func (h *HEPHandler) decode(b []byte, frame uint64, t time.Time, src, dst netip.AddrPort) {
	p := &h.pkt
	err := hep.Parse(b, p)
	switch {
	case err == hep.ErrNoPayload:
		h.stats.add(func(c *HEPCounts) { c.KeepAlives++ })
		return
	case err != nil:
		h.stats.add(func(c *HEPCounts) { c.Malformed++ })
		h.problem(ProblemMalformed, frame, t, src, dst, err.Error())
		return
	}
	if len(h.auth) > 0 && subtle.ConstantTimeCompare(h.auth, p.AuthKey) != 1 {
		h.stats.add(func(c *HEPCounts) { c.AuthFailed++ })
		what := "no auth key"
		if p.AuthKey != nil {
			what = "another auth key"
		}
		h.problem(ProblemHEPAuth, frame, t, src, dst, "HEP packet with "+what+" than --hep-auth; ignored")
		return
	}
	h.stats.packet(p, len(b))
	if p.ProtoType != hep.ProtoSIP {
		return // counted by type; never media
	}
	if p.Compressed {
		// Inflated here, after the auth key check and only for SIP: the
		// other protocol types are counted, never read.
		if err := p.Inflate(&h.inflater); err != nil {
			h.stats.add(func(c *HEPCounts) { c.Malformed++ })
			h.problem(ProblemMalformed, frame, t, src, dst, err.Error()+"; ignored")
			return
		}
		h.stats.inflated(p.Format.String())
	}
	if !p.Src.IsValid() || len(p.Payload) == 0 || p.Payload[0] < 'A' || p.Payload[0] > 'Z' {
		// The dissector reads a payload that does not start like a SIP
		// message as media: HEP SIP never goes there.
		why := "a payload that does not start like a SIP message"
		switch {
		case !p.Src.IsValid():
			why = "no addresses"
		case p.Compressed:
			why = "a payload that does not start like a SIP message once inflated"
		}
		h.stats.add(func(c *HEPCounts) { c.Malformed++ })
		h.problem(ProblemMalformed, frame, t, src, dst, "HEP SIP packet with "+why+"; ignored")
		return
	}
	h.stats.add(func(c *HEPCounts) { c.SIP++ })
	o := &HEPOrigin{Version: p.Version, Agent: p.Agent, HasAgent: p.HasAgent, Node: hepText(p.NodeName),
		Correlation: hepText(p.CorrelationID), Sender: src, IPProto: p.IPProto, Received: t}
	when := t
	if !p.Time.IsZero() && p.Time.Unix() != 0 { // a zero time means none (heplify reads it so too)
		when = p.Time
	}
	dg := &h.dg
	*dg = Datagram{Frame: frame, Time: when, Src: p.Src, Dst: p.Dst, Payload: p.Payload, HEP: o}
	h.next.Datagram(dg)
}
