package dissect

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/mcvectors"
)

// checkMessage asserts the invariants every delivered message must hold.
func checkMessage(t *testing.T, m *SignalMessage) {
	t.Helper()
	for _, it := range m.KeyMgmt {
		if it.Offset < -1 || it.Offset > len(m.Raw) {
			t.Fatalf("key-mgmt offset %d outside message of %d bytes", it.Offset, len(m.Raw))
		}
		if it.B64 != "" && it.Offset >= 0 && it.Where != WhereMIKEYBody && !bytes.HasPrefix(m.Raw[it.Offset:], []byte(it.B64[:1])) {
			t.Fatalf("key-mgmt offset %d does not point at its base64", it.Offset)
		}
	}
	for _, b := range m.Bodies {
		if b.Offset < 0 || b.Offset > len(m.Raw) {
			t.Fatalf("body offset %d outside message", b.Offset)
		}
	}
	if m.SDP != nil {
		for _, md := range m.SDP.Media {
			if md.KeyMgmtItem < -1 || md.KeyMgmtItem >= len(m.KeyMgmt) {
				t.Fatalf("media key item %d of %d", md.KeyMgmtItem, len(m.KeyMgmt))
			}
		}
	}
}

func sipSeeds(f *testing.F) {
	v := loadVectors(f)
	f.Add([]byte(sipInvite(v, "seed", "1", "4000")))
	f.Add(sipMsg("INVITE sip:b SIP/2.0", "x", "1 INVITE", "t", "", `multipart/mixed;boundary=b`,
		"--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nm=audio 1 RTP/SAVP 0\r\n--b\r\nContent-Type: application/mikey\r\nContent-Transfer-Encoding: base64\r\n\r\nAQAFgM0X\r\n--b--\r\n"))
	f.Add([]byte("SIP/2.0 200 OK\r\ni: x\r\nl: 5\r\nc: application/sdp\r\n\r\nv=0\r\n"))
	// An MC XML body with the start of a published GMK I_MESSAGE
	// (internal/mcvectors).
	f.Add(sipMsg("MESSAGE sip:b SIP/2.0", "x", "1 MESSAGE", "t", "", "application/vnd.3gpp.mcptt-info+xml",
		"<mcpttinfo><mcptt-Params><mcptt-calling-user-id>sip:a@b</mcptt-calling-user-id><m>"+mcvectors.GMK.Base64[:60]+"</m></mcptt-Params></mcpttinfo>"))
	f.Add([]byte("OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n"))
}

// FuzzSIP feeds arbitrary bytes as a UDP datagram and as a TCP stream, whole
// and cut in two: framing must not depend on where segments end.
func FuzzSIP(f *testing.F) {
	sipSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := &recSink{}
		NewEngine(rec, Options{MaxMessageSize: 4096}).Datagram(dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", data))
		for _, m := range rec.sig {
			checkMessage(t, m)
		}
		whole := &recSink{}
		e := NewEngine(whole, Options{MaxMessageSize: 4096})
		e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", data, 0))
		e.Flush()
		for _, m := range whole.sig {
			checkMessage(t, m)
		}
		if len(data) < 2 {
			return
		}
		cut := int(data[0]) % len(data)
		split := &recSink{}
		e = NewEngine(split, Options{MaxMessageSize: 4096})
		e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", data[:cut], 0))
		e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", data[cut:], 0))
		e.Flush()
		if len(split.sig) != len(whole.sig) {
			t.Fatalf("cut at %d: %d messages, whole %d", cut, len(split.sig), len(whole.sig))
		}
		for i := range split.sig {
			if !bytes.Equal(split.sig[i].Raw, whole.sig[i].Raw) {
				t.Fatalf("cut at %d: message %d differs", cut, i)
			}
		}
	})
}

// FuzzRTSP drives arbitrary bytes as the server side of an RTSP connection
// whose SETUP asked for interleaved channels 0-1, cut into segments at
// points taken from the input; messages and frames must not depend on the
// cuts.
func FuzzRTSP(f *testing.F) {
	v := loadVectors(f)
	_, toClient, rtp, _ := rtspConversation(v)
	for _, s := range toClient {
		f.Add([]byte(s), uint16(7), uint16(300))
	}
	f.Add(append([]byte("$\x00\x00\x0c"), rtp[:12]...), uint16(1), uint16(2))
	f.Add([]byte("RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: text/parameters\r\nContent-Length: 16\r\n\r\nmikey: AQAFgM0X\r\n"), uint16(30), uint16(31))
	f.Fuzz(func(t *testing.T, data []byte, c1, c2 uint16) {
		setup := []byte(crlf("SETUP rtsp://h/s/trackID=0 RTSP/1.0", "CSeq: 2", "Transport: RTP/SAVP/TCP;unicast;interleaved=0-1") + "\r\n")
		run := func(cuts ...int) (*recSink, []MediaPacket) {
			rec := &recSink{}
			e := NewEngine(rec, Options{MaxMessageSize: 4096})
			e.Segment(seg(1, rtspClient, rtspServer, setup, 0))
			prev := 0
			for _, c := range append(cuts, len(data)) {
				e.Segment(seg(2, rtspServer, rtspClient, data[prev:c], 0))
				prev = c
			}
			e.Flush()
			for _, m := range rec.sig {
				checkMessage(t, m)
			}
			return rec, rec.media
		}
		whole, wm := run()
		a, b := 0, 0
		if len(data) > 0 {
			a, b = int(c1)%len(data), int(c2)%len(data)
		}
		if a > b {
			a, b = b, a
		}
		split, sm := run(a, b)
		if len(split.sig) != len(whole.sig) || len(sm) != len(wm) {
			t.Fatalf("cuts %d,%d: %d messages %d media; whole %d, %d", a, b, len(split.sig), len(sm), len(whole.sig), len(wm))
		}
		for i := range sm {
			if !bytes.Equal(sm[i].Data, wm[i].Data) || sm[i].Interleaved != wm[i].Interleaved {
				t.Fatalf("media %d differs", i)
			}
		}
	})
}

// FuzzSDP parses arbitrary descriptions.
func FuzzSDP(f *testing.F) {
	v := loadVectors(f)
	f.Add([]byte(sipSDP("192.0.2.1", "4000", "a=rtcp-mux")))
	f.Add([]byte(crlf("v=0", "o=- 1 1 IN IP4 h", "s=-", "t=0 0", "c=IN IP6 ::1/3", "a=key-mgmt:mikey "+v["tsitle-announce-sdp-media"].B64,
		"m=video 65535/987 RTP/SAVP 112 113 114", "a=rtcp:9 IN IP4 1.2.3.4", "a=ssrc:1 x", "a=rtpmap:112 H264/90000/1", "a=key-mgmt:foo bar")))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, items, _ := parseSDP(data, 10)
		for _, it := range items {
			if it.Offset == -1 {
				continue // carrier too odd to point into
			}
			if it.Offset < 10 || it.Offset >= 10+len(data) || it.B64 == "" || data[it.Offset-10] != it.B64[0] {
				t.Fatalf("offset %d does not point at the base64 in the body", it.Offset)
			}
		}
		for _, m := range info.Media {
			if m.KeyMgmtItem < -1 || m.KeyMgmtItem >= len(items) {
				t.Fatalf("media key item %d of %d", m.KeyMgmtItem, len(items))
			}
			if m.KeyMgmt && m.KeyMgmtItem >= 0 && items[m.KeyMgmtItem].MediaIndex != m.Index && isMIKEY(items[m.KeyMgmtItem].Prot) {
				// media-level key-mgmt must win when it is mikey
				for _, it := range items {
					if it.Where == WhereSDPMedia && it.MediaIndex == m.Index && isMIKEY(it.Prot) {
						t.Fatalf("media %d: session item chosen over its own", m.Index)
					}
				}
			}
		}
	})
}

// FuzzEngine interprets the input as a sequence of events among a few
// endpoints: [op][len16][payload]... op bit 0: datagram or segment; bits
// 1-3: endpoint pair; bit 4: gap before.
func FuzzEngine(f *testing.F) {
	v := loadVectors(f)
	enc := func(ops ...any) []byte {
		var b []byte
		for i := 0; i < len(ops); i += 2 {
			p := ops[i+1].([]byte)
			b = append(b, ops[i].(byte))
			b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
			b = append(b, p...)
		}
		return b
	}
	toServer, toClient, rtp, rtcp := rtspConversation(v)
	f.Add(enc(byte(1), []byte(toServer[0]), byte(3), []byte(toClient[0]), byte(1), []byte(toServer[1]), byte(3), []byte(toClient[1]), byte(3), []byte(toClient[2])))
	f.Add(enc(byte(0), []byte(sipInvite(v, "e", "1", "4000")), byte(4), rtp, byte(4), rtcp, byte(0x11), []byte(toServer[3])))
	pairs := [8][2]string{
		{"10.0.0.1:5060", "10.0.0.2:5060"}, {rtspClient, rtspServer}, {"10.0.0.2:5060", "10.0.0.1:5060"}, {rtspServer, rtspClient},
		{"10.0.0.2:4000", "10.0.0.1:4000"}, {"[2001:db8::1]:5060", "[2001:db8::2]:5060"}, {"10.0.0.1:4001", "10.0.0.2:4001"}, {"10.0.0.9:40000", "10.0.0.8:40000"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := &recSink{}
		e := NewEngine(rec, Options{MaxMessageSize: 2048, MaxSessions: 4, MaxFlows: 8, MaxConns: 3})
		frame := uint64(0)
		for len(data) >= 3 {
			op := data[0]
			n := int(binary.BigEndian.Uint16(data[1:3]))
			data = data[3:]
			n = min(n, len(data))
			p := data[:n]
			data = data[n:]
			frame++
			pr := pairs[(op>>1)&7]
			if op&1 == 0 {
				e.Datagram(dgram(frame, pr[0], pr[1], p))
			} else {
				gap := 0
				if op&0x10 != 0 {
					gap = 10
				}
				e.Segment(seg(frame, pr[0], pr[1], p, gap))
			}
		}
		e.Flush()
		for _, m := range rec.sig {
			checkMessage(t, m)
		}
		if len(e.sessions) > 4 || e.flows.len() > 8 || len(e.conns) > 3 {
			t.Fatalf("limits exceeded: %d %d %d", len(e.sessions), e.flows.len(), len(e.conns))
		}
		for _, c := range e.conns {
			for _, st := range c.dir {
				if len(st.buf) > 0 {
					t.Fatalf("buffer kept after Flush")
				}
			}
		}
	})
}
