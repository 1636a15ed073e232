package dissect

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func sipInvite(v map[string]vector, callID string, cseq string, port string) string {
	sdp := crlf(
		"v=0",
		"o=alice 2891092738 2891092738 IN IP4 10.0.0.1",
		"s=Cool stuff",
		"c=IN IP4 10.0.0.1",
		"t=0 0",
		"a=key-mgmt:mikey "+v["rfc4567-5.1-offer"].B64,
		"m=audio "+port+" RTP/SAVP 98",
		"a=rtpmap:98 AMR/8000",
		"m=video 52230 RTP/SAVP 31",
		"a=rtpmap:31 H261/90000",
	)
	return withBody([]string{
		"INVITE sip:bob@example.com SIP/2.0",
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds",
		"From: Alice <sip:alice@example.com>;tag=1928301774",
		"To: Bob <sip:bob@example.com>",
		"Call-ID: " + callID,
		"CSeq: " + cseq + " INVITE",
		"User-Agent: test/1",
		"Contact: <sip:alice@10.0.0.1>",
	}, "application/sdp", sdp)
}

func TestSIPUDPInvite(t *testing.T) {
	v := loadVectors(t)
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Datagram(dgram(7, "10.0.0.1:5060", "10.0.0.2:5060", []byte(sipInvite(v, "a84b4c76e66710", "314159", "49000"))))
	if len(rec.sig) != 1 {
		t.Fatalf("got %d messages, problems %v", len(rec.sig), rec.probs)
	}
	m := rec.sig[0]
	want := v["rfc4567-5.1-offer"]
	wantData, _ := base64.StdEncoding.DecodeString(want.B64)
	checks := []struct {
		name      string
		got, want any
	}{
		{"frame", m.Frame, uint64(7)},
		{"carrier", m.Carrier, CarrierSIP},
		{"transport", m.Transport, "udp"},
		{"request", m.Request, true},
		{"method", m.Method, "INVITE"},
		{"uri", m.URI, "sip:bob@example.com"},
		{"cseq", m.CSeq, uint32(314159)},
		{"cseq method", m.CSeqMethod, "INVITE"},
		{"from tag", m.FromTag, "1928301774"},
		{"to tag", m.ToTag, ""},
		{"session key", m.SessionKey, "a84b4c76e66710"},
		{"user agent", m.UserAgent, "test/1"},
		{"bodies", len(m.Bodies), 1},
		{"keymgmt items", len(m.KeyMgmt), 1},
		{"sdp media", len(m.SDP.Media), 2},
		{"conn", m.Conn, "udp:10.0.0.1:5060-10.0.0.2:5060"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	km := m.KeyMgmt[0]
	if km.Where != WhereSDPSession || km.MediaIndex != -1 || !bytes.Equal(km.Data, wantData) || km.Err != nil {
		t.Errorf("keymgmt = %+v", km)
	}
	if got := string(m.Raw[km.Offset : km.Offset+len(want.B64)]); got != want.B64 {
		t.Errorf("offset %d points at %q", km.Offset, got[:10])
	}
	for i, md := range m.SDP.Media {
		if md.KeyMgmtItem != 0 {
			t.Errorf("media %d key item %d, want 0 (session level applies)", i, md.KeyMgmtItem)
		}
	}
	if len(rec.probs) != 0 {
		t.Errorf("unexpected problems %+v", rec.probs[0])
	}
}

// TestSIPTCPFraming drives the same two messages through every way of
// cutting the stream into segments at one or two points.
func TestSIPTCPFraming(t *testing.T) {
	v := loadVectors(t)
	msg1 := sipInvite(v, "call-1", "1", "49000")
	msg2 := crlf("SIP/2.0 100 Trying",
		"Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK776asdhds",
		"From: Alice <sip:alice@example.com>;tag=1928301774",
		"To: Bob <sip:bob@example.com>",
		"Call-ID: call-1",
		"CSeq: 1 INVITE",
		"Content-Length: 0") + "\r\n"
	stream := []byte(msg1 + msg2)
	check := func(t *testing.T, rec *recSink, label string) {
		t.Helper()
		if len(rec.sig) != 2 {
			t.Fatalf("%s: got %d messages (problems %v)", label, len(rec.sig), rec.problemKinds())
		}
		if string(rec.sig[0].Raw) != msg1 || string(rec.sig[1].Raw) != msg2 {
			t.Fatalf("%s: raw mismatch", label)
		}
		if rec.sig[1].Status != 100 || rec.sig[1].Reason != "Trying" || rec.sig[1].Request {
			t.Fatalf("%s: response fields %+v", label, rec.sig[1])
		}
		if len(rec.sig[0].KeyMgmt) != 1 || rec.sig[0].KeyMgmt[0].Err != nil {
			t.Fatalf("%s: keymgmt %+v", label, rec.sig[0].KeyMgmt)
		}
		if len(rec.probs) != 0 {
			t.Fatalf("%s: problems %+v", label, rec.probs[0])
		}
	}
	// one segment holding both messages
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", stream, 0))
	check(t, rec, "one segment")
	if rec.sig[0].Transport != "tcp" || rec.sig[0].Conn != "tcp:10.0.0.1:40000-10.0.0.2:5060" {
		t.Errorf("conn %q transport %q", rec.sig[0].Conn, rec.sig[0].Transport)
	}
	// every single cut point, and cut pairs on a stride
	for i := 1; i < len(stream); i++ {
		rec := &recSink{}
		e := NewEngine(rec, Options{})
		e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", stream[:i], 0))
		e.Segment(seg(2, "10.0.0.1:40000", "10.0.0.2:5060", stream[i:], 0))
		check(t, rec, "cut at "+itoa(i))
		if i < len(msg1) && rec.sig[0].Frame != 2 {
			t.Fatalf("cut %d: first message frame %d, want 2", i, rec.sig[0].Frame)
		}
		for j := i + 1; j < len(stream); j += 61 {
			rec := &recSink{}
			e := NewEngine(rec, Options{})
			e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", stream[:i], 0))
			e.Segment(seg(2, "10.0.0.1:40000", "10.0.0.2:5060", stream[i:j], 0))
			e.Segment(seg(3, "10.0.0.1:40000", "10.0.0.2:5060", stream[j:], 0))
			check(t, rec, "cut at "+itoa(i)+","+itoa(j))
		}
	}
}

func TestSIPCompactHeaders(t *testing.T) {
	body := crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/SAVP 0", "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2")
	msg := crlf(
		"INVITE sip:bob@biloxi.com SIP/2.0",
		"v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8",
		"f: <sip:alice@atlanta.com>;tag=88sja8x",
		"t: <sip:bob@biloxi.com>;tag=a6c85cf",
		"i: compact-call@atlanta.com",
		"CSeq: 2 INVITE",
		"m: <sip:alice@pc33.atlanta.com>",
		"k: 100rel",
		"s: urgent",
		"e: identity",
		"c: application/sdp",
		"l: "+itoa(len(body)),
	) + "\r\n" + body
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Segment(seg(3, "192.0.2.1:5061", "192.0.2.2:33000", []byte(msg+msg), 0))
	if len(rec.sig) != 2 {
		t.Fatalf("got %d messages, problems %v", len(rec.sig), rec.problemKinds())
	}
	m := rec.sig[0]
	want := []struct{ Name, Value string }{
		{"Via", "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8"},
		{"From", "<sip:alice@atlanta.com>;tag=88sja8x"},
		{"To", "<sip:bob@biloxi.com>;tag=a6c85cf"},
		{"Call-ID", "compact-call@atlanta.com"},
		{"CSeq", "2 INVITE"},
		{"Contact", "<sip:alice@pc33.atlanta.com>"},
		{"Supported", "100rel"},
		{"Subject", "urgent"},
		{"Content-Encoding", "identity"},
		{"Content-Type", "application/sdp"},
		{"Content-Length", itoa(len(body))},
	}
	if len(m.Headers) != len(want) {
		t.Fatalf("headers %v", m.Headers)
	}
	for i := range want {
		if m.Headers[i].Name != want[i].Name || m.Headers[i].Value != want[i].Value {
			t.Errorf("header %d = %v, want %v", i, m.Headers[i], want[i])
		}
	}
	if h := m.Headers[3]; string(m.Raw[h.Offset:h.Offset+3]) != "i: " {
		t.Errorf("Call-ID header offset %d", h.Offset)
	}
	if m.SessionKey != "compact-call@atlanta.com" || m.FromTag != "88sja8x" || m.ToTag != "a6c85cf" {
		t.Errorf("key %q tags %q %q", m.SessionKey, m.FromTag, m.ToTag)
	}
	if m.SDP == nil || len(m.KeyMgmt) != 1 || m.KeyMgmt[0].Where != WhereSDPMedia || m.KeyMgmt[0].MediaIndex != 0 {
		t.Errorf("sdp %v keymgmt %+v", m.SDP, m.KeyMgmt)
	}
	// the client is the receiver of the first request? no: the request's sender
	if m.Conn != "tcp:192.0.2.1:5061-192.0.2.2:33000" {
		t.Errorf("conn %q", m.Conn)
	}
}

func TestSIPMultipartMIKEY(t *testing.T) {
	v := loadVectors(t)
	mk, _ := base64.StdEncoding.DecodeString(v["rfc4567-5.1-offer"].B64)
	sdp := crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/SAVP 0")
	for _, tc := range []struct {
		name, cte string
		part      []byte
	}{
		{"binary", "binary", mk},
		{"no-encoding-binary", "", mk},
		{"base64", "base64", []byte(v["rfc4567-5.1-offer"].B64[:40] + "\r\n" + v["rfc4567-5.1-offer"].B64[40:])},
		{"undeclared-base64", "", []byte(v["rfc4567-5.1-offer"].B64)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			b.WriteString("preamble\r\n--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\n")
			b.WriteString(sdp)
			b.WriteString("\r\n--unique-boundary-1\r\nContent-Type: application/mikey\r\n")
			if tc.cte != "" {
				b.WriteString("Content-Transfer-Encoding: " + tc.cte + "\r\n")
			}
			b.WriteString("\r\n")
			partOff := b.Len()
			b.Write(tc.part)
			b.WriteString("\r\n--unique-boundary-1--\r\n")
			msg := withBody([]string{
				"INVITE sip:bob@example.com SIP/2.0",
				"From: <sip:alice@example.com>;tag=1",
				"To: <sip:bob@example.com>",
				"Call-ID: mp-1",
				"CSeq: 1 INVITE",
			}, `multipart/mixed;boundary="unique-boundary-1"`, b.String())
			rec := &recSink{}
			NewEngine(rec, Options{}).Datagram(dgram(1, "192.0.2.1:5060", "192.0.2.2:5060", []byte(msg)))
			if len(rec.sig) != 1 {
				t.Fatalf("no message; problems %v", rec.problemKinds())
			}
			m := rec.sig[0]
			if len(m.Bodies) != 2 || m.Bodies[0].ContentType != "application/sdp" || m.Bodies[1].ContentType != "application/mikey" {
				t.Fatalf("bodies %+v", m.Bodies)
			}
			if string(m.Bodies[0].Data) != sdp {
				t.Errorf("sdp part %q", m.Bodies[0].Data)
			}
			if m.SDP == nil || len(m.SDP.Media) != 1 {
				t.Errorf("sdp not parsed")
			}
			if len(m.KeyMgmt) != 1 || m.KeyMgmt[0].Where != WhereMIKEYBody || !bytes.Equal(m.KeyMgmt[0].Data, mk) {
				t.Fatalf("keymgmt %+v", m.KeyMgmt)
			}
			bodyStart := len(m.Raw) - b.Len()
			if m.KeyMgmt[0].Offset != bodyStart+partOff {
				t.Errorf("offset %d, want %d", m.KeyMgmt[0].Offset, bodyStart+partOff)
			}
			if len(rec.probs) != 0 {
				t.Errorf("problems %+v", rec.probs[0])
			}
		})
	}
}

func TestSIPGapResync(t *testing.T) {
	v := loadVectors(t)
	msg1 := sipInvite(v, "gap-1", "1", "49000")
	msg2 := sipInvite(v, "gap-2", "1", "49002")
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	// the first half of msg1, a gap, the tail of something and msg2
	e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", []byte(msg1[:200]), 0))
	tail := "a=rtpmap:31 H261/90000\r\n"
	e.Segment(seg(5, "10.0.0.1:40000", "10.0.0.2:5060", []byte(tail+msg2), 120))
	e.Flush()
	if len(rec.sig) != 1 || rec.sig[0].CallID != "gap-2" || rec.sig[0].Frame != 5 {
		t.Fatalf("messages %d (problems %+v)", len(rec.sig), rec.probs)
	}
	var resync *Problem
	for _, p := range rec.probs {
		if p.Kind == ProblemResync {
			resync = p
		}
	}
	if resync == nil || resync.Frame != 5 || resync.Detail != "skipped "+itoa(len(tail))+" bytes (from frame 5) to reach the next message start" {
		t.Fatalf("resync problem %+v", resync)
	}
	// A mid-stream start on the SIP port: the first bytes are skipped.
	rec = &recSink{}
	e = NewEngine(rec, Options{})
	e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", []byte(msg1[100:]+msg2), 0))
	if len(rec.sig) != 1 || rec.sig[0].CallID != "gap-2" {
		t.Fatalf("mid-stream: %d messages", len(rec.sig))
	}
}

func TestSIPOversizeAndTruncated(t *testing.T) {
	v := loadVectors(t)
	msg := sipInvite(v, "big", "1", "49000")
	rec := &recSink{}
	e := NewEngine(rec, Options{MaxMessageSize: 300})
	e.Segment(seg(1, "10.0.0.1:40000", "10.0.0.2:5060", []byte(msg+msg), 0))
	if len(rec.sig) != 0 {
		t.Fatalf("oversize message delivered")
	}
	limits := 0
	for _, p := range rec.probs {
		if p.Kind == ProblemLimit {
			limits++
		}
	}
	if limits != 2 {
		for _, p := range rec.probs {
			t.Log(p.Kind, p.Offset, p.Detail)
		}
		t.Fatalf("want 2 limit problems, got %v", rec.problemKinds())
	}
	// a UDP message whose Content-Length exceeds the datagram
	rec = &recSink{}
	NewEngine(rec, Options{}).Datagram(dgram(2, "10.0.0.1:5060", "10.0.0.2:5060", []byte(msg[:len(msg)-10])))
	if len(rec.sig) != 1 || len(rec.probs) == 0 || rec.probs[0].Kind != ProblemTruncated {
		t.Fatalf("truncated: sig %d problems %v", len(rec.sig), rec.problemKinds())
	}
}

func TestFlushIncompleteMessage(t *testing.T) {
	v := loadVectors(t)
	msg := sipInvite(v, "cut", "1", "49000")
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Segment(seg(4, "10.0.0.1:40000", "10.0.0.2:5060", []byte(msg[:len(msg)-7]), 0))
	if len(rec.probs) != 0 {
		t.Fatalf("problem before Flush: %+v", rec.probs[0])
	}
	e.Flush()
	if len(rec.sig) != 0 || len(rec.probs) != 1 || rec.probs[0].Kind != ProblemTruncated || rec.probs[0].Carrier != CarrierSIP || rec.probs[0].Frame != 4 {
		t.Fatalf("sig %d problems %+v", len(rec.sig), rec.probs)
	}
}

// TestProblemsDoNotQuoteKeyMaterial wraps a MIKEY-NULL message (keys in
// clear) over lines the way RFC 4567 prints it, which breaks the header and
// SDP syntax; the problems must not quote the wrapped base64.
func TestProblemsDoNotQuoteKeyMaterial(t *testing.T) {
	v := loadVectors(t)
	b64 := v["onvif-omnicast-setup-keymgmt"].B64
	sdp := crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
		"a=key-mgmt:mikey "+b64[:50], b64[50:], "m=audio 4000 RTP/SAVP 0")
	msg := withBody([]string{"ANNOUNCE rtsp://h/s RTSP/1.0", "CSeq: 1", `KeyMgmt: prot=mikey;data="` + b64[:60], b64[60:] + `"`}, "application/sdp", sdp)
	rec := &recSink{}
	NewEngine(rec, Options{}).Segment(seg(1, "10.0.0.1:50000", "10.0.0.2:554", []byte(msg), 0))
	if len(rec.probs) < 2 {
		t.Fatalf("want problems for the broken header and SDP line, got %v", rec.problemKinds())
	}
	for _, p := range rec.probs {
		if strings.Contains(p.Detail, b64[50:66]) || strings.Contains(p.Detail, b64[60:76]) {
			t.Errorf("problem quotes key material: %s", p.Detail)
		}
	}
}
