package scenario

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func testCall(transport string) SIPCallSpec {
	x := testExchange()
	x.Time = t0
	caller, callee := netip.MustParseAddrPort("192.0.2.10:5060"), netip.MustParseAddrPort("198.51.100.20:5060")
	return SIPCallSpec{
		Call: Call{CallID: "c1@example.com", Transport: transport, Caller: caller, Callee: callee,
			CallerUser: "alice", CalleeUser: "bob", Domain: "example.com", FromTag: "f1", ToTag: "t1", Branch: "z9hG4bKb1",
			CallerRTP: netip.MustParseAddrPort("192.0.2.10:40000"), CalleeRTP: netip.MustParseAddrPort("198.51.100.20:50000"),
			SessionID: 1, InviteCSeq: 1, ByeSeq: 1},
		Exchange: x, Start: t0, Packets: 60, SREvery: 25, FirstSeq: [2]uint16{65530, 100}, FirstTS: [2]uint32{1, 2},
	}
}

// drain runs a generator to the end and returns copies of its frames.
func drain(t *testing.T, g Generator) []Frame {
	t.Helper()
	var out []Frame
	var last time.Time
	for {
		f, ok, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		if f.Time.Before(last) {
			t.Fatalf("frame %d at %v goes back in time (previous %v)", len(out)+1, f.Time, last)
		}
		last = f.Time
		c := *f
		c.Data = append([]byte(nil), f.Data...)
		out = append(out, c)
	}
}

func TestSIPCallGenUDP(t *testing.T) {
	spec := testCall("UDP")
	g, err := NewSIPCallGen(spec, &framebuild.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	frames := drain(t, g)
	var msgs []string
	rtpCount, rtcpCount := map[uint32]int{}, map[uint32]int{}
	for _, f := range frames {
		if f.Message != "" {
			msgs = append(msgs, f.Message)
		}
		switch f.Kind {
		case KindRTP:
			rtpCount[f.SSRC]++
		case KindRTCP:
			rtcpCount[f.SSRC]++
		}
	}
	want := "INVITE,100 Trying,180 Ringing,200 OK (INVITE),ACK,BYE,200 OK (BYE)"
	if strings.Join(msgs, ",") != want {
		t.Fatalf("messages %v", msgs)
	}
	for _, ssrc := range spec.Exchange.SSRCs {
		// SRs after packets 25, 50 and the last (60).
		if rtpCount[ssrc] != 60 || rtcpCount[ssrc] != 3 {
			t.Fatalf("SSRC %#x: %d RTP, %d RTCP", ssrc, rtpCount[ssrc], rtcpCount[ssrc])
		}
	}
	if len(frames) != 7+2*63 {
		t.Fatalf("%d frames", len(frames))
	}
	// Decrypt the caller's stream with a fresh pion context: sequence
	// numbers wrap from 65535 to 0 (ROC 1) and payloads match.
	ctx, err := srtp.CreateContext(g.Keys[0][0], g.Keys[0][1], srtp.ProtectionProfileAes128CmHmacSha1_80)
	if err != nil {
		t.Fatal(err)
	}
	seq := spec.FirstSeq[0]
	for _, f := range frames {
		if f.Kind != KindRTP || f.SSRC != spec.Exchange.SSRCs[0] {
			continue
		}
		p := gopacket.NewPacket(f.Data, layers.LayerTypeEthernet, gopacket.Default)
		udp := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
		var h rtp.Header
		out, err := ctx.DecryptRTP(nil, udp.Payload, &h)
		if err != nil {
			t.Fatalf("seq %d: %v", h.SequenceNumber, err)
		}
		if h.SequenceNumber != seq || h.PayloadType != PayloadPCMU || !bytes.Equal(out[h.MarshalSize():], Payload(h.SSRC, seq)) {
			t.Fatalf("packet seq %d (want %d) PT %d: payload differs", h.SequenceNumber, seq, h.PayloadType)
		}
		seq++
	}
	if roc, _ := ctx.ROC(spec.Exchange.SSRCs[0]); roc != 1 {
		t.Fatalf("ROC %d after the wrap, want 1", roc)
	}
}

func TestSIPCallGenTCPOutOfOrder(t *testing.T) {
	spec := testCall("TCP")
	spec.Call.Caller = netip.MustParseAddrPort("192.0.2.10:50123")
	spec.TCPCuts = []int{100, 200}
	spec.SegmentOrder = []int{0, 2, 1}
	spec.Packets = 2
	g, err := NewSIPCallGen(spec, &framebuild.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	frames := drain(t, g)
	// SYN, SYN-ACK, ACK, then the INVITE segments 0, 2, 1.
	var seqs []uint32
	for _, f := range frames[3:6] {
		tcp := gopacket.NewPacket(f.Data, layers.LayerTypeEthernet, gopacket.Default).Layer(layers.LayerTypeTCP).(*layers.TCP)
		seqs = append(seqs, tcp.Seq)
	}
	if !(seqs[0] < seqs[2] && seqs[2] < seqs[1]) {
		t.Fatalf("segment sequence numbers %v are not written 1, 3, 2", seqs)
	}
	if frames[5].Message != "INVITE" || frames[3].Message != "" || frames[4].Message != "" {
		t.Fatal("INVITE must complete at the last written segment")
	}
	last := frames[len(frames)-1]
	tcp := gopacket.NewPacket(last.Data, layers.LayerTypeEthernet, gopacket.Default).Layer(layers.LayerTypeTCP).(*layers.TCP)
	if !tcp.ACK || tcp.FIN || last.Kind != KindTCP {
		t.Fatal("the call must end with the final ACK of the close")
	}
}

func TestSenderReportLayout(t *testing.T) {
	b := AppendSenderReport(nil, 0x11223344, t0, 1234, 50, 8000, "alice@192.0.2.10")
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	sr, ok := pkts[0].(*rtcp.SenderReport)
	if !ok || sr.SSRC != 0x11223344 || sr.RTPTime != 1234 || sr.PacketCount != 50 || sr.OctetCount != 8000 || sr.NTPTime != NTP(t0) {
		t.Fatalf("SR %+v", pkts[0])
	}
	sdes, ok := pkts[1].(*rtcp.SourceDescription)
	if !ok || len(sdes.Chunks) != 1 || sdes.Chunks[0].Items[0].Text != "alice@192.0.2.10" {
		t.Fatalf("SDES %+v", pkts[1])
	}
	// NTP of 2026-11-02T10:00:00Z: seconds since 1900 = Unix + 2208988800.
	if NTP(t0)>>32 != uint64(t0.Unix()+2208988800) || NTP(t0.Add(500*time.Millisecond))&0xffffffff != 1<<31 {
		t.Fatal("NTP conversion")
	}
}

func TestRTSPGen(t *testing.T) {
	key := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	spec := RTSPSpec{
		Client: netip.MustParseAddrPort("192.0.2.30:51000"), Server: netip.MustParseAddrPort("203.0.113.5:554"),
		URL: "rtsp://203.0.113.5/s", Session: "ABCDEF", Start: t0,
		VideoClientRTP: netip.MustParseAddrPort("192.0.2.30:50002"), VideoServerRTP: netip.MustParseAddrPort("203.0.113.5:6970"),
		Video:      NullKey{SSRC: 0x1111, Key: key(1, 16), Salt: key(2, 14), MKI: []byte{0, 0, 0, 1}},
		Audio:      NullKey{SSRC: 0x2222, Key: key(3, 16), Salt: key(4, 14), MKI: []byte{0, 0, 0, 2}, Combined: true},
		VideoCSBID: 1, AudioCSBID: 2, VideoRand: key(5, 16), AudioRand: key(6, 16),
		VideoPackets: 12, VideoPacketsPerFrm: 3, VideoPayload: 500, AudioPackets: 7,
	}
	for _, inSetup := range []bool{false, true} {
		spec.VideoKeyInSetup = inSetup
		g, err := NewRTSPGen(spec, &framebuild.Builder{})
		if err != nil {
			t.Fatal(err)
		}
		frames := drain(t, g)
		var msgs []string
		var setupKey, sdpKey bool
		nextSeq := map[bool]uint32{}
		audio := 0
		for _, f := range frames {
			if f.Message != "" {
				msgs = append(msgs, f.Message)
			}
			p := gopacket.NewPacket(f.Data, layers.LayerTypeEthernet, gopacket.Default)
			tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
			if tcp == nil {
				continue
			}
			fromClient := tcp.SrcPort == 51000
			if n, ok := nextSeq[fromClient]; ok && len(tcp.Payload) > 0 && tcp.Seq != n {
				t.Fatalf("TCP sequence gap: %d, want %d", tcp.Seq, n)
			}
			nextSeq[fromClient] = tcp.Seq + uint32(len(tcp.Payload))
			if tcp.SYN || tcp.FIN {
				nextSeq[fromClient]++
			}
			if bytes.HasPrefix(tcp.Payload, []byte("SETUP rtsp://203.0.113.5/s/trackID=1")) && bytes.Contains(tcp.Payload, []byte("KeyMgmt: prot=mikey")) {
				setupKey = true
			}
			if bytes.Contains(tcp.Payload, []byte("a=key-mgmt:mikey")) {
				sdpKey = true
			}
			if len(tcp.Payload) > 0 && tcp.Payload[0] == '$' && tcp.Payload[1] == 0 {
				audio++
			}
		}
		if setupKey != inSetup || sdpKey == inSetup {
			t.Fatalf("VideoKeyInSetup=%v: key in SETUP %v, in SDP %v", inSetup, setupKey, sdpKey)
		}
		want := "DESCRIBE,200 OK (DESCRIBE),SETUP,200 OK (SETUP),SETUP,200 OK (SETUP),PLAY,200 OK (PLAY),TEARDOWN,200 OK (TEARDOWN)"
		if strings.Join(msgs, ",") != want || audio != 7 {
			t.Fatalf("messages %v, %d interleaved audio packets", msgs, audio)
		}
	}
}

func BenchmarkSIPCallGen(b *testing.B) {
	spec := testCall("UDP")
	spec.Packets = 250
	b.ReportAllocs()
	var frames, bytes int64
	for b.Loop() {
		g, err := NewSIPCallGen(spec, &framebuild.Builder{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			f, ok, err := g.Next()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
			frames++
			bytes += int64(len(f.Data))
		}
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(bytes)/1e6/b.Elapsed().Seconds(), "MB/s")
}

func BenchmarkSenderNext(b *testing.B) {
	s, err := NewSender(StreamParams{SSRC: 1, PayloadType: PayloadPCMU, TSStep: FrameSamples,
		Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Key: make([]byte, 16), Salt: make([]byte, 14)})
	if err != nil {
		b.Fatal(err)
	}
	payload := Payload(1, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := s.Next(payload, false, false); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSenderRekeySwitchesMKI(t *testing.T) {
	k1, s1, k2, s2 := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 14), bytes.Repeat([]byte{3}, 16), bytes.Repeat([]byte{4}, 14)
	mki1, mki2 := []byte{0, 0, 0, 1}, []byte{0, 0, 0, 9}
	s, err := NewSender(StreamParams{SSRC: 7, PayloadType: PayloadPCMU, FirstSeq: 65534, TSStep: FrameSamples,
		Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Key: k1, Salt: s1, MKI: mki1})
	if err != nil {
		t.Fatal(err)
	}
	// The receiver knows only the second key: packets before the switch
	// must fail, those after it (across the sequence wrap) must decrypt.
	rx, err := srtp.CreateContext(k2, s2, srtp.ProtectionProfileAes128CmHmacSha1_80, srtp.MasterKeyIndicator(mki2))
	if err != nil {
		t.Fatal(err)
	}
	// Its first packet is seq 1 after the wrap: the ROC continues across
	// the re-key, so the receiver must start at ROC 1.
	rx.SetROC(7, 1)
	for i := 0; i < 6; i++ {
		if i == 3 {
			if err := s.Rekey(mki2, k2, s2); err != nil {
				t.Fatal(err)
			}
		}
		seq := s.Seq()
		p, err := s.Next(Payload(7, seq), false, false)
		if err != nil {
			t.Fatal(err)
		}
		wantMKI := mki1
		if i >= 3 {
			wantMKI = mki2
		}
		if got := p[len(p)-10-4 : len(p)-10]; !bytes.Equal(got, wantMKI) {
			t.Fatalf("packet %d carries MKI %x, want %x", i, got, wantMKI)
		}
		if i < 3 {
			continue
		}
		var h rtp.Header
		out, err := rx.DecryptRTP(nil, p, &h)
		if err != nil || !bytes.Equal(out[h.MarshalSize():], Payload(7, seq)) {
			t.Fatalf("packet %d (seq %d) after the re-key: %v", i, seq, err)
		}
	}
	if err := s.Rekey(mki2, k2, s2); err == nil {
		t.Fatal("re-key with an MKI already in use accepted")
	}
}
