package analysis_test

// Issue #17: verdicts that were not true on captures built by the sample
// generator (internal/scenario, internal/pcapbuild). Each test reproduces
// one situation through the whole pipeline (capture reader, decoder,
// dissector, analyzer) and asserts the verdict that is true.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// trustCall is a MIKEY-PSK call of packets packets each way, with SRTCP
// after every 10 packets of a stream.
func trustCall(packets int) scenario.SIPCallSpec {
	return scenario.SIPCallSpec{
		Call:     *caseCall("UDP"),
		Exchange: *pskExchange(casePSK),
		Start:    caseT0, Packets: packets, SREvery: 10,
		FirstSeq: [2]uint16{1000, 2000}, FirstTS: [2]uint32{160000, 320000},
		CallerCNAME: "alice@192.0.2.10", CalleeCNAME: "bob@198.51.100.20",
	}
}

// generate writes the frames of gens into an in-memory pcap.
func generate(t *testing.T, gens ...scenario.Generator) []byte {
	t.Helper()
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	if err := scenario.Write(w, gens, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// callCapture generates the capture of one call.
func callCapture(t *testing.T, spec scenario.SIPCallSpec) []byte {
	t.Helper()
	g, err := scenario.NewSIPCallGen(spec, &framebuild.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	return generate(t, g)
}

// streamLines describes every stream of a report, one per line.
func streamLines(r *analysis.Report) string {
	var b strings.Builder
	for _, s := range r.Sessions {
		for _, st := range s.Streams {
			fmt.Fprintf(&b, "session %d %s %s %s->%s packets %d auth %d failed %d [%s]\n", s.ID, st.Kind, st.SSRC, st.Src, st.Dst, st.Packets, st.Authenticated, st.AuthFailed, st.KeyStatus)
		}
	}
	for _, st := range r.Streams {
		fmt.Fprintf(&b, "unassociated %s %s %s->%s packets %d [%s]\n", st.Kind, st.SSRC, st.Src, st.Dst, st.Packets, st.KeyStatus)
	}
	return b.String()
}

// allStreamsDecrypt requires every stream of every session to authenticate
// every packet, and no unassociated stream.
func allStreamsDecrypt(t *testing.T, r *analysis.Report) {
	t.Helper()
	for _, s := range r.Sessions {
		for _, st := range s.Streams {
			if st.KeyStatus != "decrypting" || st.Authenticated != st.Packets || st.Packets == 0 {
				t.Errorf("session %d stream %s %s %s->%s: %d of %d packets authenticated [%s]", s.ID, st.Kind, st.SSRC, st.Src, st.Dst, st.Authenticated, st.Packets, st.KeyStatus)
			}
		}
	}
	if len(r.Streams) > 0 {
		t.Errorf("unassociated streams:\n%s", streamLines(r))
	}
}

// TestMIKEYInMultipartBodyKeys (#17 item 3): MIKEY carried as an
// application/mikey part of a multipart INVITE and 200 OK, with SDPs that
// have no a=key-mgmt line, keys the RTP/SAVP media: no
// sdp.savp-without-keying, and every stream decrypts.
func TestMIKEYInMultipartBodyKeys(t *testing.T) {
	spec := trustCall(20)
	spec.MIKEYBody = true
	r := runCapture(t, callCapture(t, spec), analysis.Options{Keys: pskStore(t, casePSK)})
	t.Log(describeFindings(r))
	if len(r.Sessions) != 1 {
		t.Fatalf("%d sessions, want 1", len(r.Sessions))
	}
	s := r.Sessions[0]
	if len(s.MIKEY) != 2 || s.MIKEY[0].Where != "mikey-body" || s.MIKEY[0].Auth != "verified" || s.MIKEY[1].Auth != "verified" {
		for _, m := range s.MIKEY {
			t.Logf("MIKEY frame %d in %s: %s", m.Frame, m.Where, m.Auth)
		}
		t.Fatalf("want the offer and the answer in mikey-body parts, both verified")
	}
	if len(s.Streams) != 4 {
		t.Errorf("%d streams, want 4 (RTP and SRTCP each way):\n%s", len(s.Streams), streamLines(r))
	}
	allStreamsDecrypt(t, r)
	if len(r.Findings) != 0 {
		t.Errorf("findings on a correct call: %s", describeFindings(r))
	}
}

// TestSSRCChangeMidCallSRTCP (#17 item 2): the callee changes its SSRC
// after 15 packets, under the keys of its crypto session. The new SSRC's
// RTP and its SRTCP (its own SRTCP index and replay state, RFC 3711 §3.2.3)
// authenticate with those keys: one srtp.unknown-ssrc (a warning, about the
// SSRC) saying which crypto session's keys it uses, no srtp.auth-failed.
func TestSSRCChangeMidCallSRTCP(t *testing.T) {
	const newSSRC = 0x5eed5eed
	spec := trustCall(40)
	spec.SSRCChangeAfter[1], spec.NewSSRC[1] = 15, newSSRC
	r := runCapture(t, callCapture(t, spec), analysis.Options{Keys: pskStore(t, casePSK)})
	t.Log(describeFindings(r))
	t.Log("\n" + streamLines(r))
	allStreamsDecrypt(t, r)
	if got := len(r.Sessions[0].Streams); got != 6 {
		t.Errorf("%d streams, want 6 (RTP and SRTCP of alice, of bob's old and of his new SSRC)", got)
	}
	if len(r.Findings) != 1 || r.Findings[0].Code != analysis.KindSRTPUnknownSSRC.Code {
		t.Fatalf("want exactly one srtp.unknown-ssrc; got %s", describeFindings(r))
	}
	if s := r.Findings[0].Summary; !strings.Contains(s, "rtp SSRC 0x5eed5eed") || !strings.Contains(s, "decrypts with the keys of crypto session 2") {
		t.Errorf("summary %q", s)
	}
}

// TestSSRCChangeWithPlaceholders (#17 item 2, the class): the CS ID map
// announces SSRC 0 for both crypto sessions (placeholders bound to the
// stream each keys), the callee's stream may start first, and the callee
// may change its SSRC mid-call. Every
// SRTCP stream must follow the keys of its RTP stream (the same SSRC), not
// the first placeholder of the session: all six streams decrypt.
func TestSSRCChangeWithPlaceholders(t *testing.T) {
	for _, c := range []struct{ change, calleeFirst bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		change := c.change
		t.Run(fmt.Sprintf("change=%v,callee first=%v", c.change, c.calleeFirst), func(t *testing.T) {
			spec := trustCall(40)
			spec.Exchange.MapSSRC0 = true
			if c.calleeFirst {
				// The placeholders are bound by which keys authenticate a
				// stream's packets, not by the order streams start.
				spec.MediaDelay[0] = 100 * time.Millisecond
			}
			want := 4
			if change {
				spec.SSRCChangeAfter[1], spec.NewSSRC[1] = 15, 0x5eed5eed
				want = 6
			}
			r := runCapture(t, callCapture(t, spec), analysis.Options{Keys: pskStore(t, casePSK)})
			t.Log(describeFindings(r))
			t.Log("\n" + streamLines(r))
			allStreamsDecrypt(t, r)
			if got := len(r.Sessions[0].Streams); got != want {
				t.Errorf("%d streams, want %d", got, want)
			}
			for _, f := range r.Findings {
				if f.Severity == analysis.SeverityError {
					t.Errorf("error finding %s: %s", f.Code, f.Summary)
				}
			}
		})
	}
}

// TestVWithoutIdentities (#17 item 5): a V payload computed over the
// verification message and T only (minisip style) is verified and the
// verdict says so, and mikey.nonstandard-mac says that a peer following
// RFC 3830 §5.2 rejects it: a warning when the messages carry ID payloads
// (the RFC then names the identities), a note when only the signalling
// names them. The RFC layout gives no such finding.
func TestVWithoutIdentities(t *testing.T) {
	cases := []struct {
		name           string
		noIDs, omitIDs bool
		severity       analysis.Severity // 0: no finding
		detail         string
	}{
		{"rfc", false, false, 0, "V verified with RFC 3830 §5.2: message || IDi || IDr || T"},
		{"minisip", true, false, analysis.SeverityWarning, "V verified with message || T (identities left out)"},
		{"minisip without ID payloads", true, true, analysis.SeverityNote, "V verified with message || T (identities left out)"},
		{"rfc without ID payloads", false, true, 0, "V verified with RFC 3830 §5.2: message || IDi || IDr || T"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := trustCall(5)
			spec.Exchange.VNoIDs, spec.Exchange.OmitIDs = c.noIDs, c.omitIDs
			r := runCapture(t, callCapture(t, spec), analysis.Options{Keys: pskStore(t, casePSK)})
			t.Log(describeFindings(r))
			allStreamsDecrypt(t, r)
			s := r.Sessions[0]
			if len(s.MIKEY) != 2 || s.MIKEY[1].Auth != "verified" || !strings.Contains(s.MIKEY[1].Detail, c.detail) {
				t.Fatalf("verification message: %+v", s.MIKEY[len(s.MIKEY)-1])
			}
			var got []*analysis.Finding
			for _, f := range r.Findings {
				if f.Code != analysis.KindNonStandardMAC.Code {
					t.Errorf("unexpected finding %s: %s", f.Code, f.Summary)
					continue
				}
				got = append(got, f)
			}
			if c.severity == 0 {
				if len(got) != 0 {
					t.Errorf("findings on the RFC layout: %s", describeFindings(r))
				}
				return
			}
			if len(got) != 1 || got[0].Severity != c.severity || got[0].Frame != 4 ||
				!strings.Contains(got[0].Summary, "message || T (identities left out)") || !strings.Contains(got[0].Summary, "reject") {
				t.Fatalf("want one %v mikey.nonstandard-mac at frame 4; got %s", c.severity, describeFindings(r))
			}
		})
	}
}

// trustFindingCases are the catalogue cases of the findings #17 added.
func trustFindingCases() []findingCase {
	return []findingCase{
		{name: "V without identities", code: analysis.KindNonStandardMAC.Code, frame: 4,
			run: func(t *testing.T) *analysis.Report {
				spec := trustCall(2)
				spec.Exchange.VNoIDs = true
				return runCapture(t, callCapture(t, spec), analysis.Options{Keys: pskStore(t, casePSK)})
			},
			summary: []string{"V payload of PSK ver msg verifies over message || T (identities left out), not RFC 3830 §5.2: message || IDi || IDr || T"}},
		{name: "GStreamer NAT dummies", code: analysis.KindNATDummy.Code, frame: 13,
			run: func(t *testing.T) *analysis.Report {
				spec := twoClientSpec(1)
				spec.NATDummies, spec.NATDummySeed = true, 7
				g, err := scenario.NewRTSPGen(spec, &framebuild.Builder{})
				if err != nil {
					t.Fatal(err)
				}
				return runCapture(t, generate(t, g), analysis.Options{})
			},
			summary: []string{"200-byte datagram(s) of random data 192.0.2.31:50002 -> 203.0.113.5:6970", "GStreamer rtspsrc's NAT dummy packets"},
			also:    []string{analysis.KindKeysInClear.Code, analysis.KindNoIntegrity.Code}},
	}
}

// twoClientSpec is an RTSP session of client n (1 or 2) with the camera
// 203.0.113.5: the camera uses the same server ports and the same video
// SSRC for both clients, each session with its own video key; the client
// sends SRTCP receiver reports from its own SSRC.
func twoClientSpec(n byte) scenario.RTSPSpec {
	client := netip.AddrFrom4([4]byte{192, 0, 2, 30 + n})
	camera := netip.MustParseAddr("203.0.113.5")
	key := func(b byte, mki byte) scenario.NullKey {
		return scenario.NullKey{SSRC: 0xcafe0001, Key: seq(b, 16), Salt: seq(b+0x40, 14), MKI: []byte{0, 0, 0, mki}}
	}
	audio := key(0x90+n, 2)
	audio.SSRC = 0xa0d10000 + uint32(n)
	return scenario.RTSPSpec{
		Client: netip.AddrPortFrom(client, 51000+uint16(n)), Server: netip.AddrPortFrom(camera, 554),
		URL: "rtsp://203.0.113.5/stream1", Session: fmt.Sprintf("SESSION%d", n), Start: caseT0.Add(time.Duration(n) * 7 * time.Millisecond),
		VideoClientRTP: netip.AddrPortFrom(client, 50002), VideoServerRTP: netip.AddrPortFrom(camera, 6970),
		Video: key(0x10*n, 1), Audio: audio,
		VideoCSBID: 0x1000 + uint32(n), AudioCSBID: 0x2000 + uint32(n), VideoRand: seq(n, 16), AudioRand: seq(n+1, 16),
		VideoPackets: 600, VideoPacketsPerFrm: 4, VideoPayload: 200, AudioPackets: 20,
		FirstSeq: [2]uint16{100 * uint16(n), 200 * uint16(n)}, FirstTS: [2]uint32{1000, 2000},
		ClientRTCPSSRC: 0xc1000000 + uint32(n),
	}
}

// TestTwoRTSPClientsShareServerSSRC (#17 item 4): two clients of one camera
// stream receive the same SSRC from the same server ports. Each client's
// SRTCP (sent to the camera's shared RTCP port) and the camera's SRTP and
// SRTCP to each client stay in that client's session, by address: every
// stream decrypts in its own session, none is an unknown SSRC.
func TestTwoRTSPClientsShareServerSSRC(t *testing.T) {
	b := &framebuild.Builder{}
	var gens []scenario.Generator
	for n := byte(1); n <= 2; n++ {
		g, err := scenario.NewRTSPGen(twoClientSpec(n), b)
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, g)
	}
	r := runCapture(t, generate(t, gens...), analysis.Options{})
	t.Log(describeFindings(r))
	t.Log("\n" + streamLines(r))
	if len(r.Sessions) != 2 {
		t.Fatalf("%d sessions, want 2", len(r.Sessions))
	}
	allStreamsDecrypt(t, r)
	for _, s := range r.Sessions {
		client := twoClientSpec(byte(s.ID)).Client.Addr().String()
		if s.Key != fmt.Sprintf("SESSION%d", s.ID) {
			t.Fatalf("session %d is %q", s.ID, s.Key)
		}
		kinds := map[string]int{}
		for _, st := range s.Streams {
			kinds[st.Kind+" "+st.SSRC]++
			if !strings.HasPrefix(st.Src, client+":") && !strings.HasPrefix(st.Dst, client+":") {
				t.Errorf("session %d has a stream of another client: %s %s %s -> %s", s.ID, st.Kind, st.SSRC, st.Src, st.Dst)
			}
		}
		rr := fmt.Sprintf("rtcp 0x%08x", 0xc1000000+s.ID)
		if kinds["rtp 0xcafe0001"] != 1 || kinds["rtcp 0xcafe0001"] != 1 || kinds[rr] != 1 {
			t.Errorf("session %d streams %v, want the camera's video RTP and SRTCP and the client's %s", s.ID, kinds, rr)
		}
	}
	for _, f := range r.Findings {
		if f.Severity != analysis.SeverityNote && f.Code != analysis.KindKeysInClear.Code && f.Code != analysis.KindNoIntegrity.Code {
			t.Errorf("finding %s: %s", f.Code, f.Summary)
		}
	}
}

// TestGStreamerNATDummies (#17 item 9): GStreamer's rtspsrc sends, at PLAY,
// five 200-byte datagrams of random data from the client's RTP port to the
// server's (gstrtspsrc.c: fakesrc filltype=3 num-buffers=5 sizetype=2
// sizemax=200, nat-method=dummy). Those that happen to start like RTP are
// recognised as such (one rtsp.nat-dummy note), not streams with an
// unknown SSRC; the session's media is unaffected.
func TestGStreamerNATDummies(t *testing.T) {
	spec := twoClientSpec(1)
	spec.NATDummies, spec.NATDummySeed = true, 7
	looksRTP := 0
	for i := 0; i < 5; i++ {
		if scenario.VideoPayload(7, uint16(i), 200)[0]>>6 == 2 {
			looksRTP++
		}
	}
	if looksRTP != 4 {
		t.Fatalf("%d of the dummies start with RTP version 2; the test wants 4", looksRTP)
	}
	g, err := scenario.NewRTSPGen(spec, &framebuild.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	r := runCapture(t, generate(t, g), analysis.Options{})
	t.Log(describeFindings(r))
	t.Log("\n" + streamLines(r))
	allStreamsDecrypt(t, r)
	if n := len(r.Sessions[0].Streams); n != 5 {
		t.Errorf("%d streams, want 5 (video RTP and SRTCP, the client's SRTCP, back channel RTP and SRTCP)", n)
	}
	var dummies []*analysis.Finding
	for _, f := range r.Findings {
		switch f.Code {
		case analysis.KindNATDummy.Code:
			dummies = append(dummies, f)
		case analysis.KindKeysInClear.Code, analysis.KindNoIntegrity.Code:
		default:
			t.Errorf("finding %s: %s", f.Code, f.Summary)
		}
	}
	// The dissector drops those whose RTP header does not fit the datagram
	// (random padding and CSRC counts); the others reach the analyzer.
	if len(dummies) != 1 || dummies[0].Count < 1 || dummies[0].Count > looksRTP || dummies[0].Severity != analysis.SeverityNote ||
		!strings.Contains(dummies[0].Summary, "192.0.2.31:50002 -> 203.0.113.5:6970") {
		t.Fatalf("want one rtsp.nat-dummy note counting up to %d datagrams; got %s", looksRTP, describeFindings(r))
	}
}

// caseProxy is the SIP proxy of the proxied-call cases.
var caseProxy = netip.MustParseAddrPort("203.0.113.50:5060")

// proxiedCall returns the generator of trustCall(packets) through a proxy.
func proxiedCall(t *testing.T, packets int) scenario.Generator {
	t.Helper()
	spec := trustCall(packets)
	b := &framebuild.Builder{}
	g, err := scenario.NewSIPCallGen(spec, b)
	if err != nil {
		t.Fatal(err)
	}
	return scenario.NewProxyGen(g, spec.Call, caseProxy, b)
}

// repeatGen yields the frames of g and, d after the n-th signalling frame
// (1-based), that frame again: a message that really comes again.
type repeatGen struct {
	g       scenario.Generator
	n, seen int
	d       time.Duration
	copy    *scenario.Frame
}

func (r *repeatGen) PeekTime() (time.Time, bool) {
	t, ok := r.g.PeekTime()
	if r.copy != nil && (!ok || r.copy.Time.Before(t)) {
		return r.copy.Time, true
	}
	return t, ok
}

func (r *repeatGen) Next() (*scenario.Frame, bool, error) {
	t, ok := r.g.PeekTime()
	if r.copy != nil && (!ok || r.copy.Time.Before(t)) {
		f := r.copy
		r.copy = nil
		return f, true, nil
	}
	f, ok, err := r.g.Next()
	if ok && f.Kind == scenario.KindSignal {
		if r.seen++; r.seen == r.n {
			c := *f
			c.Data = bytes.Clone(f.Data)
			c.Time = f.Time.Add(r.d)
			r.copy = &c
		}
	}
	return f, ok, err
}

// TestProxiedCallIsNotAReplay (#17 item 10): a call captured at a SIP
// proxy shows every message twice, on the incoming and the outgoing leg
// (same Call-ID and CSeq, one more Via, the SDP and its MIKEY unchanged).
// The relayed copies are not replays: no mikey.replay, the call is one
// session whose path names both legs, each relayed MIKEY message says
// which frame it relays and carries the verdict of the original, and the
// exchange is opened once. A message that really comes again on the same
// leg later keeps its replay warning.
func TestProxiedCallIsNotAReplay(t *testing.T) {
	r := runCapture(t, generate(t, proxiedCall(t, 20)), analysis.Options{Keys: pskStore(t, casePSK)})
	t.Log(describeFindings(r))
	if len(r.Findings) != 0 {
		t.Errorf("findings on a correct proxied call: %s", describeFindings(r))
	}
	if len(r.Sessions) != 1 {
		t.Fatalf("%d sessions, want 1", len(r.Sessions))
	}
	s := r.Sessions[0]
	allStreamsDecrypt(t, r)
	if got := strings.Join(s.Path, " -> "); got != "192.0.2.10:5060 -> 203.0.113.50:5060 -> 198.51.100.20:5060" {
		t.Errorf("path %q", got)
	}
	// INVITE leg 1, leg 2; 200 OK leg 1 (from bob), leg 2.
	want := []struct {
		src, dst string
		relayOf  int // index into s.MIKEY of the original, -1 none
	}{
		{"192.0.2.10:5060", "203.0.113.50:5060", -1},
		{"203.0.113.50:5060", "198.51.100.20:5060", 0},
		{"198.51.100.20:5060", "203.0.113.50:5060", -1},
		{"203.0.113.50:5060", "192.0.2.10:5060", 2},
	}
	if len(s.MIKEY) != len(want) {
		t.Fatalf("%d MIKEY messages, want %d", len(s.MIKEY), len(want))
	}
	for i, w := range want {
		m := s.MIKEY[i]
		var relayOf uint64
		if w.relayOf >= 0 {
			relayOf = s.MIKEY[w.relayOf].Frame
		}
		if m.Src != w.src || m.Dst != w.dst || m.RelayOf != relayOf || m.Auth != "verified" {
			t.Errorf("MIKEY %d: frame %d %s -> %s relay_of %d auth %s; want %s -> %s relay_of %d verified", i, m.Frame, m.Src, m.Dst, m.RelayOf, m.Auth, w.src, w.dst, relayOf)
		}
	}
	if n := len(s.CryptoSessions); n != 2 {
		t.Errorf("%d crypto sessions, want 2 (the exchange opened once)", n)
	}
	relayed := 0
	for _, sg := range s.Signals {
		if sg.RelayOf != 0 {
			relayed++
		}
	}
	// INVITE, 180, 200, ACK, BYE, 200 (BYE) are relayed; the 100 Trying of
	// each hop is not.
	if relayed != 6 {
		t.Errorf("%d relayed signals, want 6", relayed)
	}

	// The proxy's INVITE to bob sent again 2 s later on the same leg (a
	// retransmission, or a replay): mikey.replay stays, naming the first
	// frame the message was seen in.
	r = runCapture(t, generate(t, &repeatGen{g: proxiedCall(t, 20), n: 3, d: 2 * time.Second}), analysis.Options{Keys: pskStore(t, casePSK)})
	var replays []*analysis.Finding
	for _, f := range r.Findings {
		if f.Code == analysis.KindReplay.Code {
			replays = append(replays, f)
		}
	}
	if len(replays) != 1 || !strings.Contains(replays[0].Summary, "identical message seen before as frame 1") {
		t.Errorf("want one mikey.replay of frame 1; got %s", describeFindings(r))
	}
}

// TestProxiedSampleLikeSngrep: samples/sip-udp-proxied.pcap (a call through
// a proxy, made by samples/gen) is one session with both legs, its 14 SIP
// messages in the ladder, 6 of them relays, no finding; sngrep, when
// installed, also counts one dialog in it.
func TestProxiedSampleLikeSngrep(t *testing.T) {
	path := filepath.Join("..", "samples", "sip-udp-proxied.pcap")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := runCapture(t, data, sampleOptions(t, path))
	if len(r.Sessions) != 1 || len(r.Findings) != 0 {
		t.Fatalf("%d sessions, findings: %s", len(r.Sessions), describeFindings(r))
	}
	s := r.Sessions[0]
	relays := 0
	for _, sg := range s.Signals {
		if sg.RelayOf != 0 {
			relays++
		}
	}
	if len(s.Signals) != 14 || relays != 6 || len(s.Path) != 3 {
		t.Errorf("%d signals (%d relays), path %v; want 14, 6 and three hops", len(s.Signals), relays, s.Path)
	}
	allStreamsDecrypt(t, r)
	if _, err := exec.LookPath("sngrep"); err != nil {
		t.Skip("sngrep not installed (apt-get install sngrep): no cross-check of the dialog count")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sngrep", "-I", path, "-N").CombinedOutput()
	if err != nil {
		t.Fatalf("sngrep: %v\n%s", err, out)
	}
	// sngrep -N prints "Dialog count: N" as it reads; the last one counts.
	m := regexp.MustCompile(`Dialog count: (\d+)`).FindAllSubmatch(out, -1)
	if len(m) == 0 {
		t.Fatalf("sngrep output has no dialog count: %q", out)
	}
	if got := string(m[len(m)-1][1]); got != "1" {
		t.Errorf("sngrep counts %s dialogs, mikeyscope 1 session", got)
	}
}
