package main

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// The HEP sample: the signalling of the sip-udp-psk call mirrored by a
// capture agent to a HEP collector, the media captured on the wire.
var (
	hepAgent     = netip.MustParseAddrPort("10.30.0.1:41234")
	hepCollector = netip.MustParseAddrPort("10.30.0.9:9060")
)

// hepAgentID is sngrep 1.6's default capture agent id (eep.send.id).
const hepAgentID = 2002

func sipHEP() (*built, error) {
	// The sip-udp-psk call, frame for frame: its SIP packets are the HEP
	// payloads sngrep sends when it reads sip-udp-psk.pcap.
	spec := callSpec(1, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49170), ap(bobV4, 50170), 100)
	b, err := sipSample(spec, "sip-hep-psk: the sip-udp-psk call with its SIP mirrored as HEP3 (UDP 10.30.0.1:41234 -> 10.30.0.9:9060) by a capture agent, as `sngrep -I sip-udp-psk.pcap -H udp:10.30.0.9:9060` sends it (agent id 2002 written as sngrep 1.6 does, the SIP packet's own time and addresses in the chunks), and its SRTP/SRTCP captured on the wire",
		"every SIP frame of sip-udp-psk is replaced by one HEP3 datagram carrying the same SIP bytes; the media frames are unchanged",
		"a test sends sip-udp-psk.pcap through sngrep -H and compares sngrep's datagrams with this sample's HEP payloads byte for byte")
	if err != nil {
		return nil, err
	}
	for i, g := range b.gens {
		b.gens[i] = &hepGen{g: g}
	}
	return b, nil
}

// hepGen replaces every SIP frame of g by a HEP3 datagram carrying it.
type hepGen struct {
	g   scenario.Generator
	out framebuild.Builder
}

func (w *hepGen) PeekTime() (time.Time, bool) { return w.g.PeekTime() }

func (w *hepGen) Next() (*scenario.Frame, bool, error) {
	f, ok, err := w.g.Next()
	if !ok || err != nil || f.Kind != scenario.KindSignal {
		return f, ok, err
	}
	src, dst, payload, err := udpOfFrame(f.Data)
	if err != nil {
		return nil, false, err
	}
	p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Src: src, Dst: dst, Time: f.Time,
		Agent: hepAgentID, HasAgent: true, AgentQuirk: true, Payload: payload}
	h, err := hep.Append(nil, &p)
	if err != nil {
		return nil, false, err
	}
	data, err := w.out.UDP(hepAgent, hepCollector, h)
	if err != nil {
		return nil, false, err
	}
	g := *f
	g.Data = data
	return &g, true, nil
}

// udpOfFrame returns the addresses and payload of an unfragmented
// Ethernet/IPv4/UDP frame.
func udpOfFrame(frame []byte) (src, dst netip.AddrPort, payload []byte, err error) {
	ip := pcapbuild.IPPacket(frame)
	if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != 17 {
		return src, dst, nil, fmt.Errorf("hep sample: not an IPv4/UDP frame")
	}
	ihl := int(ip[0]&15) * 4
	u := ip[ihl:]
	n := int(binary.BigEndian.Uint16(u[4:]))
	src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[12:16])), binary.BigEndian.Uint16(u))
	dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[16:20])), binary.BigEndian.Uint16(u[2:]))
	return src, dst, u[8:n], nil
}
