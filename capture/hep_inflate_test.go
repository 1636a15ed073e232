package capture

import (
	"bytes"
	"compress/zlib"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/heptest"
)

// hepSeed reads a HEP3 packet of hep's FuzzParse corpus: the compressed
// ones are python3's zlib output made as captagent (zlib) and OpenSIPS
// (gzip) compress (hep.TestFuzzParseCorpus ties them to python3). Their
// payload is the sngrep sample's INVITE, from 10.0.0.1:5061 to
// 10.0.0.2:5060, agent 16909060, node sbc-east.
func hepSeed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../hep/testdata/fuzz/FuzzParse/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSpace(strings.TrimPrefix(string(b), "go test fuzz v1\n"))
	q, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(s, "[]byte("), ")"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(q)
}

// compressedPacket is hepPacket with its payload zlib-compressed into
// chunk 0x0010.
func compressedPacket(t testing.TB, payload []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(payload)
	w.Close()
	p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Src: sipA, Dst: sipB, Time: hepT, Agent: 2002, HasAgent: true,
		NodeName: []byte("sbc-east"), Payload: buf.Bytes(), Compressed: true}
	b, err := hep.Append(nil, &p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func inviteOf(t testing.TB) string {
	t.Helper()
	var p hep.Packet
	if err := hep.Parse(hepSeed(t, "captagent-zlib"), &p); err != nil {
		t.Fatal(err)
	}
	var z hep.Inflater
	if err := p.Inflate(&z); err != nil {
		t.Fatal(err)
	}
	return string(p.Payload)
}

// TestHEPHandlerCompressed: compressed SIP payloads from files (UDP) are
// inflated and analysed with the agent's addresses, counted per agent and
// per format; a bomb, a truncated stream and a gzipped datagram that is not
// HEP are malformed with the reason; RTCP-JSON in chunk 0x0010 is counted
// by type and not inflated.
func TestHEPHandlerCompressed(t *testing.T) {
	invite := inviteOf(t)
	whole := hepPacket(t, hep.ProtoSIP, "OPTIONS sip:w SIP/2.0\r\n\r\n")
	rtcp := hep.Packet{ProtoType: hep.ProtoRTCPJSON, Src: sipA, Dst: sipB, Payload: []byte{0x78, 0x9c, 1, 2}, Compressed: true}
	rtcpB, _ := hep.Append(nil, &rtcp)
	frame := func(b []byte) []byte { return appendUDPFrame(&framebuild.Builder{}, nil, hepFrom, hepTo, b) }
	r, h := decodeRaw(HEPOptions{},
		frame(hepSeed(t, "captagent-zlib")),
		frame(hepSeed(t, "opensips-gzip")),
		frame(hepSeed(t, "raw-deflate")),
		frame(heptest.GzipPacket(whole)),
		frame(hepSeed(t, "bomb-zlib")),
		frame(hepSeed(t, "truncated-gzip")),
		frame(heptest.GzipPacket([]byte("not HEP at all"))),
		frame(heptest.GzipPacket(whole)[:30]),
		frame(rtcpB),
		frame(compressedPacket(t, make([]byte, hep.MaxInflated))),   // inflates to the bound exactly: not SIP
		frame(compressedPacket(t, make([]byte, hep.MaxInflated+1))), // one byte more: cut
	)
	got := r.of("udp")
	if len(got) != 4 {
		t.Fatalf("datagrams: %v", r.events)
	}
	for i := range 3 {
		if got[i].Payload != invite || got[i].Src != "10.0.0.1:5061" || got[i].Dst != "10.0.0.2:5060" || r.origins[i].Agent != 16909060 || r.origins[i].Node != "sbc-east" {
			t.Errorf("datagram %d: %.40q from %s origin %+v", i, got[i].Payload, got[i].Src, r.origins[i])
		}
	}
	if got[3].Payload != "OPTIONS sip:w SIP/2.0\r\n\r\n" || r.origins[3].Agent != 2002 || r.origins[3].Sender != hepFrom {
		t.Errorf("gzipped packet: %v %+v", got[3], r.origins[3])
	}
	var details []string
	for _, p := range r.problems(ProblemMalformed) {
		details = append(details, p.Detail)
	}
	for i, want := range []string{
		"HEP: compressed payload (zlib) inflates past 65507 bytes: cut there (a decompression bomb?)",
		"HEP: compressed payload (gzip) truncated after 200 bytes",
		"gzipped HEP packet: HEP: a gzipped datagram that does not hold a HEP packet",
		"gzipped HEP packet: HEP: compressed payload (gzip) truncated",
		"HEP SIP packet with a payload that does not start like a SIP message once inflated; ignored",
		"HEP: compressed payload (zlib) inflates past 65507 bytes",
	} {
		if i >= len(details) || !strings.HasPrefix(details[i], want) {
			t.Errorf("problem %d: want %q, have %q", i, want, details)
		}
	}
	c := h.Stats().Counts()
	if c.Packets != 9 || c.SIP != 4 || c.Malformed != 6 || c.ByType["rtcp-json"] != 1 || c.ByType["sip"] != 8 ||
		c.Inflated["zlib"] != 2 || c.Inflated["gzip"] != 1 || c.Inflated["deflate"] != 1 || c.Inflated["packet-gzip"] != 1 ||
		c.Agents[HEPAgentKey{"16909060", "sbc-east"}] != 5 || c.Agents[HEPAgentKey{"2002", "sbc-east"}] != 3 {
		t.Errorf("counts %+v", c)
	}
}

// TestHEPHandlerCompressedTCPSplits: HEP over TCP with compressed payloads
// (as captagent and OpenSIPS send over TCP), cut at every byte boundary,
// gives the same inflated messages.
func TestHEPHandlerCompressedTCPSplits(t *testing.T) {
	invite := inviteOf(t)
	var stream []byte
	for _, name := range []string{"captagent-zlib", "bomb-zlib", "opensips-gzip"} {
		stream = append(stream, hepSeed(t, name)...)
	}
	for cut := 0; cut <= len(stream); cut++ {
		r := &hepRecorder{}
		h := NewHEPHandler(r, HEPOptions{})
		for i, part := range [][]byte{stream[:cut], stream[cut:]} {
			h.Segment(&Segment{Frame: uint64(i + 1), Src: hepFrom, Dst: hepTo, Payload: part})
		}
		got := r.of("udp")
		c := h.Stats().Counts()
		if len(got) != 2 || got[0].Payload != invite || got[1].Payload != invite || c.Malformed != 1 || c.Inflated["zlib"] != 1 || c.Inflated["gzip"] != 1 {
			t.Fatalf("cut %d: %d messages, counts %+v", cut, len(got), c)
		}
	}
}

// TestHEPListenerCompressed: the live listener takes compressed payloads
// over UDP and TCP and heplify 2's gzipped packets over UDP, through the
// same HEPHandler as files.
func TestHEPListenerCompressed(t *testing.T) {
	invite := inviteOf(t)
	l := listen(t, HEPListenOptions{})
	udp, tcp := l.Addrs()[0].Addr, l.Addrs()[1].Addr
	uc, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(udp))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	uc.Write(hepSeed(t, "opensips-gzip"))
	uc.Write(heptest.GzipPacket(hepPacket(t, hep.ProtoSIP, "OPTIONS sip:w SIP/2.0\r\n\r\n")))
	r := nextDatagrams(t, l, 2)
	if e := r.of("udp"); len(e) != 2 || e[0].Payload != invite || e[1].Payload != "OPTIONS sip:w SIP/2.0\r\n\r\n" {
		t.Fatalf("UDP: %v", r.events)
	}
	tc, err := net.DialTCP("tcp", nil, net.TCPAddrFromAddrPort(tcp))
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	s := append(hepSeed(t, "captagent-zlib"), hepSeed(t, "raw-deflate")...)
	for i := 0; i < len(s); i += 100 {
		tc.Write(s[i:min(i+100, len(s))])
	}
	r = nextDatagrams(t, l, 2)
	if e := r.of("udp"); len(e) != 2 || e[0].Payload != invite || e[1].Payload != invite {
		t.Fatalf("TCP: %v", r.events)
	}
	if c := l.Stats().Counts(); c.SIP != 4 || c.Inflated["gzip"] != 1 || c.Inflated["packet-gzip"] != 1 || c.Inflated["zlib"] != 1 || c.Inflated["deflate"] != 1 {
		t.Errorf("counts %+v", c)
	}
}
