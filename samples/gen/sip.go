package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
)

// start is the time of the first frame of every sample.
var start = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// randBytes returns n bytes from a deterministic generator.
func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// callSpec returns the SIP call of the SIP samples: alice calls bob, MIKEY-PSK
// in the SDP offer and the verification message in the answer.
func callSpec(seed uint64, transport string, caller, callee netip.AddrPort, callerRTP, calleeRTP netip.AddrPort, packets int) scenario.SIPCallSpec {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), 's', 'i', 'p'}))
	ssrcA, ssrcB := r.Uint32(), r.Uint32()
	return scenario.SIPCallSpec{
		Call: scenario.Call{
			CallID: fmt.Sprintf("%s@pc33.example.com", hex.EncodeToString(randBytes(r, 8))), Transport: transport,
			Caller: caller, Callee: callee, CallerUser: "alice", CalleeUser: "bob", Domain: "example.com",
			FromTag: hex.EncodeToString(randBytes(r, 4)), ToTag: hex.EncodeToString(randBytes(r, 4)),
			Branch:    "z9hG4bK" + hex.EncodeToString(randBytes(r, 6)),
			CallerRTP: callerRTP, CalleeRTP: calleeRTP, SessionID: 2890844526, InviteCSeq: 314159, ByeSeq: 231,
		},
		Exchange: scenario.PSKExchange{
			CSBID: r.Uint32(), Time: start, Rand: randBytes(r, 16),
			IDi: "sip:alice@example.com", IDr: "sip:bob@example.com",
			SSRCs: []uint32{ssrcA, ssrcB}, PSK: randBytes(r, 20), TGK: randBytes(r, 16),
		},
		Start:       start,
		Packets:     packets,
		SREvery:     50,
		FirstSeq:    [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())},
		FirstTS:     [2]uint32{r.Uint32(), r.Uint32()},
		CallerCNAME: "alice@192.0.2.10",
		CalleeCNAME: "bob@198.51.100.20",
	}
}

// sipSample wires a call into a sample: manifest, streams and keys file.
func sipSample(spec scenario.SIPCallSpec, desc string, notes ...string) (*built, error) {
	return sipSampleKeys(spec, nil, 0, desc, notes...)
}

// sipSampleKeys is sipSample with a wrong PSK put in the keys file when
// wrongPSK is not nil (the cross-check SRTP keys stay right) and every frame
// tagged with 802.1Q VLAN vlan when it is not 0.
func sipSampleKeys(spec scenario.SIPCallSpec, wrongPSK []byte, vlan uint16, desc string, notes ...string) (*built, error) {
	b := &framebuild.Builder{VLAN: vlan}
	g, err := scenario.NewSIPCallGen(spec, b)
	if err != nil {
		return nil, err
	}
	t := &Truth{Description: desc, Notes: notes,
		Payloads: "payload of packet (ssrc, seq) = scenario.Payload(ssrc, seq): 160 bytes of PCMU, a 1 kHz tone " +
			"with amplitude scenario.ToneAmplitude(seq) and phase scenario.TonePhase(ssrc, seq); SRTCP carries SR+SDES CNAME"}
	c, x := &spec.Call, &spec.Exchange
	for d := 0; d < 2; d++ {
		src, dst := c.CallerRTP, c.CalleeRTP
		if d == 1 {
			src, dst = dst, src
		}
		if spec.RejectSet {
			break
		}
		from := "TGK of the MIKEY-PSK exchange, RFC 3830 §4.1.3"
		if spec.DH != nil {
			from = "TGK g^(xi*xr) of the DHHMAC exchange, RFC 4650 §3 and RFC 3830 §4.1.3"
		}
		st := newStream(x.SSRCs[d], src, dst, "udp", scenario.PayloadPCMU, spec.FirstSeq[d], spec.FirstTS[d],
			d+1, from, g.Keys[d][0], g.Keys[d][1], nil,
			"scenario.Payload(ssrc, seq)", "pcmu", scenario.FrameSamples)
		st.Policy = x.Suite.Name()
		if d < len(x.ROCs) {
			st.FirstROC = x.ROCs[d]
		}
		t.Streams = append(t.Streams, st)
	}
	rec := record(t, "SIP", func(f *scenario.Frame) (string, [][]byte) {
		if strings.HasPrefix(f.Message, "INVITE") {
			return "sdp-session", [][]byte{g.Offer}
		}
		return "sdp-session", [][]byte{g.Answer}
	})
	var k strings.Builder
	fmt.Fprintf(&k, "# mikeyscope keys for the sample %s\n%s\n", desc, mskeys.PublicMarker)
	fmt.Fprintf(&k, "# MIKEY-PSK pre-shared key of %s and %s (RFC 3830 §3.1).\n", x.IDi, x.IDr)
	if wrongPSK != nil {
		k.WriteString("# DELIBERATELY WRONG: this is not the key the call used, so the KEMAC MAC\n")
		fmt.Fprintf(&k, "# and the V MAC fail to verify. The right key has fingerprint %s.\n", mikey.Fingerprint(x.PSK))
		fmt.Fprintf(&k, "psk %s\n", hex.EncodeToString(wrongPSK))
	} else {
		fmt.Fprintf(&k, "psk %s\n", hex.EncodeToString(x.PSK))
	}
	k.WriteString("# The same key bound to the initiator's identity:\n")
	fmt.Fprintf(&k, "# psk %s=%s\n", x.IDi, hex.EncodeToString(x.PSK))
	k.WriteString("# For cross-checks only; mikeyscope derives these from the exchange:\n")
	if spec.DH != nil {
		k.WriteString("# DHHMAC: the initiator's Diffie-Hellman private value xi, from which\n")
		k.WriteString("# mikeyscope computes the TGK g^(xi*xr) with the responder's DHr:\n")
		fmt.Fprintf(&k, "dh-key %s\n", hex.EncodeToString(spec.DH.XI))
	}
	fmt.Fprintf(&k, "# tgk %s\n", hex.EncodeToString(g.TGK))
	for d := 0; d < 2; d++ {
		fmt.Fprintf(&k, "# srtp 0x%08x=%s:%s\n", x.SSRCs[d], hex.EncodeToString(g.Keys[d][0]), hex.EncodeToString(g.Keys[d][1]))
	}
	return &built{gens: []scenario.Generator{g}, truth: t, record: rec, keys: k.String(), builder: b}, nil
}

var (
	aliceV4 = netip.MustParseAddr("192.0.2.10")
	bobV4   = netip.MustParseAddr("198.51.100.20")
	aliceV6 = netip.MustParseAddr("2001:db8:a::10")
	bobV6   = netip.MustParseAddr("2001:db8:b::20")
)

func ap(a netip.Addr, port uint16) netip.AddrPort { return netip.AddrPortFrom(a, port) }

func sipUDPPSK() (*built, error) {
	spec := callSpec(1, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49170), ap(bobV4, 50170), 100)
	return sipSample(spec, "sip-udp-psk: SIP over UDP, MIKEY-PSK (AES-CM-128 KEMAC, HMAC-SHA-1) with verification, SRTP AES_CM_128_HMAC_SHA1_80 both ways",
		"MIKEY init (HDR,T,RAND,IDi,IDr,SP,KEMAC; V flag set; CS map: CS 1 = caller SSRC, CS 2 = callee SSRC) in the INVITE SDP, verification (HDR,T,IDr,V) in the 200 OK SDP",
		"V MAC input: verification message up to the MAC field || IDi || IDr || T (64-bit NTP-UTC value of the initiator), RFC 3830 §5.2")
}

func sipTCPPSK() (*built, error) {
	spec := callSpec(2, "TCP", ap(aliceV4, 50712), ap(bobV4, 5060), ap(aliceV4, 49180), ap(bobV4, 50180), 100)
	spec.TCPCuts = []int{400, 800}
	spec.SegmentOrder = []int{0, 2, 1}
	return sipSample(spec, "sip-tcp-psk: the SIP/MIKEY-PSK call over TCP; the INVITE is split into 3 segments (cuts at bytes 400 and 800) written in the order 1, 3, 2",
		"the INVITE completes at the frame of its second segment (written last)")
}

// multipartInvite wraps the SDP offer in a multipart/mixed body with extra
// SDP lines and a resource list so that the INVITE exceeds the MTU.
func multipartInvite(offer []byte) (string, []byte) {
	var b strings.Builder
	const boundary = "boundary42mikeyscope"
	b.WriteString("--" + boundary + "\r\nContent-Type: application/sdp\r\n\r\n")
	b.Write(offer)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "a=x-padding-%02d:this attribute line makes the SDP long enough to need IP fragmentation\r\n", i)
	}
	b.WriteString("\r\n--" + boundary + "\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n")
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">\r\n<list>\r\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "<entry uri=\"sip:member%02d@example.com\"/>\r\n", i)
	}
	b.WriteString("</list>\r\n</resource-lists>\r\n--" + boundary + "--\r\n")
	return "multipart/mixed;boundary=" + boundary, []byte(b.String())
}

func sipUDPFragmented() (*built, error) {
	spec := callSpec(3, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49190), ap(bobV4, 50190), 50)
	spec.InviteBody = multipartInvite
	spec.InviteFragments = 3
	spec.FragmentOrder = []int{0, 2, 1}
	return sipSample(spec, "sip-udp-fragmented: a multipart/mixed INVITE (SDP with MIKEY-PSK plus a resource list) over UDP/IPv4, split into 3 IP fragments written in the order 1, 3, 2",
		"the INVITE completes at its second fragment (written last)")
}

func sipIPv6Fragmented() (*built, error) {
	spec := callSpec(4, "UDP", ap(aliceV6, 5060), ap(bobV6, 5060), ap(aliceV6, 49200), ap(bobV6, 50200), 25)
	spec.InviteBody = multipartInvite
	spec.InviteFragments = 3
	spec.FragmentOrder = []int{2, 0, 1}
	spec.CallerCNAME, spec.CalleeCNAME = "alice@2001:db8:a::10", "bob@2001:db8:b::20"
	return sipSample(spec, "sip-ipv6-fragmented: the multipart INVITE over UDP/IPv6 in 3 fragments (Fragment header) written in the order 3, 1, 2; pcapng format",
		"the INVITE completes at its second fragment (written last)")
}

func sipUDPGCM() (*built, error) {
	spec := callSpec(5, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49210), ap(bobV4, 50210), 50)
	spec.Exchange.Suite = scenario.SuiteAEADAES128GCM
	return sipSample(spec, "sip-udp-gcm: the SIP/MIKEY-PSK call with an AEAD_AES_128_GCM security policy (RFC 7714 §14.3: SP encryption algorithm 6, key 16, salt 12, AEAD tag length 16 as SP type 20) and SRTP/SRTCP protected with AES-GCM",
		"the SRTP master salt is 12 bytes, derived from the TGK with the salt constant (RFC 3830 §4.1.3) at length 12")
}

func brokenWrongPSK() (*built, error) {
	spec := callSpec(6, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49220), ap(bobV4, 50220), 25)
	wrong := bytes.Repeat([]byte{0x5a}, 20)
	return sipSampleKeys(spec, wrong, 0, "broken/wrong-psk: a correct MIKEY-PSK call, but the keys file holds a wrong PSK",
		"expected: the KEMAC MAC of frame 1 and the V MAC of frame 4 fail to verify with the supplied PSK, so no SRTP key is found and the streams stay encrypted",
		"the # srtp lines of the keys file are the right keys, for cross-checks")
}

func brokenErrorAnswer() (*built, error) {
	spec := callSpec(7, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49230), ap(bobV4, 50230), 0)
	spec.RejectSet, spec.Reject = true, 0 // Auth failure
	return sipSample(spec, "broken/err-auth-failure: the callee cannot authenticate the MIKEY-PSK offer and answers 488 Not Acceptable Here whose SDP carries a MIKEY error message (data type 6: HDR,T,ERR Auth failure), RFC 4567 §4.1.2; no media",
		"expected: the offer verifies with the supplied PSK (the callee had another key); the answer is an unauthenticated MIKEY error: Auth failure (0)")
}

func brokenClockSkew() (*built, error) {
	spec := callSpec(8, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49240), ap(bobV4, 50240), 25)
	spec.Exchange.Time = start.Add(-3 * time.Hour)
	return sipSample(spec, "broken/clock-skew: a correct MIKEY-PSK call whose initiator clock is 3 hours slow: the T payload says 07:00:00Z while the capture runs at 10:00:00Z",
		"expected: a clock-skew finding on frame 1 (RFC 3830 §5.4: the timestamp is outside the allowed skew); keys still verify and media decrypts")
}

func sipUDPDHHMAC() (*built, error) {
	spec := callSpec(9, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49250), ap(bobV4, 50250), 50)
	r := rand.New(rand.NewChaCha8([32]byte{'d', 'h'}))
	spec.DH = &scenario.DHParams{Group: mikey.DHOakley5, XI: randBytes(r, 32), XR: randBytes(r, 32)}
	return sipSampleKeys(spec, nil, 42, "sip-udp-dhhmac: a SIP call on 802.1Q VLAN 42 keyed by MIKEY DHHMAC (RFC 4650): INVITE with HDR,T,RAND,IDi,IDr,SP,DHi,KEMAC (data type 7, OAKLEY 5), 200 OK with HDR,T,IDr,IDi,DHr,DHi,KEMAC (data type 8); both KEMACs carry only an HMAC-SHA-1 MAC under the PSK's auth_key",
		"KEMAC algorithm numbers follow RFC 3830 (encryption NULL = 0, HMAC-SHA-1 = 1), not RFC 4650 Table 4.2.a",
		"the TGK is g^(xi*xr) (192 bytes); the keys file gives the PSK (for the MACs) and xi (dh-key)")
}

func sipUDPROC() (*built, error) {
	spec := callSpec(10, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49260), ap(bobV4, 50260), 60)
	spec.FirstSeq = [2]uint16{65500, 65510}
	spec.Exchange.ROCs = []uint32{0, 7}
	return sipSample(spec, "sip-udp-roc: sequence numbers wrap in both directions; the caller starts at seq 65500 with ROC 0 (wraps to ROC 1 after 36 packets), the callee at seq 65510 with ROC 7, which the MIKEY CS map announces (RFC 3830 §6.1.1), wrapping to ROC 8 after 26 packets",
		"a decoder that ignores the ROC of the CS map fails to authenticate every callee packet")
}

// The GTP-U tunnel of sipGTPU: alice is a handset whose packets travel
// between the base station (eNodeB) and the serving gateway in GTP-U.
var (
	eNodeB     = netip.MustParseAddr("10.20.0.1")
	sgw        = netip.MustParseAddr("10.20.0.2")
	teidUplink = uint32(0x0100_0001)
	teidDown   = uint32(0x0200_0002)
)

func sipGTPU() (*built, error) {
	spec := callSpec(11, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49270), ap(bobV4, 50270), 50)
	b, err := sipSample(spec, "sip-gtpu-psk: the SIP/MIKEY-PSK call as captured on an LTE S1-U link: every frame is the IP packet of the call inside GTP-U (3GPP TS 29.281, UDP port 2152) between the eNodeB 10.20.0.1 and the serving gateway 10.20.0.2, TEID 0x01000001 uplink (from alice) and 0x02000002 downlink",
		"the frames, messages and streams are those of the untunnelled call, one GTP-U frame per packet")
	if err != nil {
		return nil, err
	}
	for i, g := range b.gens {
		b.gens[i] = &gtpuGen{g: g}
	}
	return b, nil
}

// gtpuGen wraps every frame of g in GTP-U.
type gtpuGen struct {
	g   scenario.Generator
	out framebuild.Builder
}

func (w *gtpuGen) PeekTime() (time.Time, bool) { return w.g.PeekTime() }

func (w *gtpuGen) Next() (*scenario.Frame, bool, error) {
	f, ok, err := w.g.Next()
	if !ok || err != nil {
		return f, ok, err
	}
	ip := pcapbuild.IPPacket(f.Data)
	src, dst, teid := eNodeB, sgw, teidUplink
	if len(ip) < 20 || netip.AddrFrom4([4]byte(ip[12:16])) != aliceV4 {
		src, dst, teid = sgw, eNodeB, teidDown
	}
	data, err := w.out.UDP(netip.AddrPortFrom(src, pcapbuild.GTPUPort), netip.AddrPortFrom(dst, pcapbuild.GTPUPort), pcapbuild.AppendGTPU(nil, teid, ip))
	if err != nil {
		return nil, false, err
	}
	g := *f
	g.Data = data
	return &g, true, nil
}

// proxyV4 is the SIP proxy of sipUDPProxied.
var proxyV4 = netip.MustParseAddr("203.0.113.50")

func sipUDPProxied() (*built, error) {
	spec := callSpec(12, "UDP", ap(aliceV4, 5060), ap(bobV4, 5060), ap(aliceV4, 49280), ap(bobV4, 50280), 50)
	b, err := sipSample(spec, "sip-udp-proxied: the SIP/MIKEY-PSK call through a stateful SIP proxy at 203.0.113.50:5060, captured beside the proxy: every SIP message twice, received on one leg and forwarded on the other (same Call-ID, CSeq and body; a request gains the proxy's Via and, on the INVITE, a Record-Route; a response loses the proxy's Via); the proxy sends its own 100 Trying and absorbs bob's; media flows directly between alice and bob",
		"the MIKEY offer and answer each appear twice, byte for byte the same: the copies on the second leg are relays, not replays",
		"the proxy's branch is z9hG4bKpx followed by the branch of the Via it received")
	if err != nil {
		return nil, err
	}
	b.gens[0] = scenario.NewProxyGen(b.gens[0], spec.Call, ap(proxyV4, 5060), b.builder)
	return b, nil
}
