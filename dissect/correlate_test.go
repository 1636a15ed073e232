package dissect

import (
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
)

func sipSDP(addr, port, extra string) string {
	s := crlf("v=0", "o=- 1 1 IN IP4 "+addr, "s=-", "c=IN IP4 "+addr, "t=0 0",
		"a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2",
		"m=audio "+port+" RTP/SAVP 0")
	if extra != "" {
		s += extra + "\r\n"
	}
	return s
}

func sipMsg(start, callID, cseq, fromTag, toTag, ctype, body string) []byte {
	to := "<sip:bob@b.example>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	return []byte(withBody([]string{start, "Via: SIP/2.0/UDP x;branch=z9hG4bK1", "From: <sip:alice@a.example>;tag=" + fromTag,
		"To: " + to, "Call-ID: " + callID, "CSeq: " + cseq}, ctype, body))
}

// TestSIPDialogCorrelation runs INVITE (offer), 200 (answer), ACK, RTP both
// ways, a re-INVITE moving Bob's media with rtcp-mux, and RTP/RTCP on the
// new port.
func TestSIPDialogCorrelation(t *testing.T) {
	const alice, bob = "10.0.0.1:5060", "10.0.0.2:5060"
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Datagram(dgram(1, alice, bob, sipMsg("INVITE sip:bob@b.example SIP/2.0", "dlg-1", "1 INVITE", "a1", "", "application/sdp", sipSDP("10.0.0.1", "20000", ""))))
	e.Datagram(dgram(2, bob, alice, sipMsg("SIP/2.0 200 OK", "dlg-1", "1 INVITE", "a1", "b1", "application/sdp", sipSDP("10.0.0.2", "30000", ""))))
	e.Datagram(dgram(3, alice, bob, sipMsg("ACK sip:bob@b.example SIP/2.0", "dlg-1", "1 ACK", "a1", "b1", "", "")))
	e.Datagram(dgram(4, "10.0.0.1:20000", "10.0.0.2:30000", rtpPacket(0, false, 1, 160, 0x1111, make([]byte, 20))))
	e.Datagram(dgram(5, "10.0.0.2:30000", "10.0.0.1:20000", rtpPacket(0, false, 9, 320, 0x2222, make([]byte, 20))))
	e.Datagram(dgram(6, "10.0.0.2:30001", "10.0.0.1:20001", rtcpSR(0x2222)))
	// re-INVITE from Bob: new port with rtcp-mux
	e.Datagram(dgram(7, bob, alice, sipMsg("INVITE sip:alice@a.example SIP/2.0", "dlg-1", "2 INVITE", "b1", "a1", "application/sdp", sipSDP("10.0.0.2", "30002", "a=rtcp-mux"))))
	e.Datagram(dgram(8, alice, bob, sipMsg("SIP/2.0 200 OK", "dlg-1", "2 INVITE", "b1", "a1", "application/sdp", sipSDP("10.0.0.1", "20000", ""))))
	e.Datagram(dgram(9, "10.0.0.1:20000", "10.0.0.2:30002", rtpPacket(0, false, 2, 320, 0x1111, make([]byte, 20))))
	e.Datagram(dgram(10, "10.0.0.1:20000", "10.0.0.2:30002", rtcpSR(0x1111)))
	// another call's RTP on an unknown port: heuristic
	e.Datagram(dgram(11, "10.9.9.9:40000", "10.0.0.1:40002", rtpPacket(8, false, 5, 800, 0x3333, make([]byte, 20))))
	if len(rec.probs) != 0 {
		t.Fatalf("problems %+v", rec.probs[0])
	}
	if len(rec.sig) != 5 {
		t.Fatalf("%d messages", len(rec.sig))
	}
	for _, m := range rec.sig {
		if m.SessionKey != "dlg-1" {
			t.Errorf("frame %d key %q", m.Frame, m.SessionKey)
		}
	}
	if rec.sig[1].ToTag != "b1" || rec.sig[1].CSeqMethod != "INVITE" || rec.sig[2].CSeqMethod != "ACK" {
		t.Errorf("tags/cseq wrong")
	}
	want := []struct {
		frame  uint64
		kind   Kind
		ssrc   uint32
		learnt bool
		media  int
	}{
		{4, KindRTP, 0x1111, true, 0},
		{5, KindRTP, 0x2222, true, 0},
		{6, KindRTCP, 0x2222, true, 0},
		{9, KindRTP, 0x1111, true, 0},
		{10, KindRTCP, 0x1111, true, 0},
		{11, KindRTP, 0x3333, false, -1},
	}
	if len(rec.media) != len(want) {
		t.Fatalf("%d media packets, want %d", len(rec.media), len(want))
	}
	for i, w := range want {
		p := rec.media[i]
		key := "dlg-1"
		if !w.learnt {
			key = ""
		}
		if p.Frame != w.frame || p.Kind != w.kind || p.SSRC != w.ssrc || p.Learnt != w.learnt || p.MediaIndex != w.media || p.SessionKey != key {
			t.Errorf("packet %d = frame %d %v ssrc %x learnt %v media %d key %q", i, p.Frame, p.Kind, p.SSRC, p.Learnt, p.MediaIndex, p.SessionKey)
		}
	}
}

// TestSIPOverTCPAnyPort detects SIP by its start line on a port that is not
// 5060, and ignores other TCP traffic.
func TestSIPOverTCPAnyPort(t *testing.T) {
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Segment(seg(1, "10.0.0.1:41000", "10.0.0.2:7000", sipMsg("OPTIONS sip:x@y SIP/2.0", "o-1", "1 OPTIONS", "t", "", "", ""), 0))
	e.Segment(seg(2, "10.0.0.1:41001", "10.0.0.2:80", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0))
	e.Segment(seg(3, "10.0.0.1:41002", "10.0.0.2:7001", []byte{0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5}, 0))
	if len(rec.sig) != 1 || rec.sig[0].Method != "OPTIONS" || len(e.conns) != 1 || len(rec.probs) != 0 {
		t.Fatalf("sig %d conns %d problems %v", len(rec.sig), len(e.conns), rec.problemKinds())
	}
}

func TestLimits(t *testing.T) {
	rec := &recSink{}
	e := NewEngine(rec, Options{MaxSessions: 2, MaxFlows: 3, MaxConns: 1})
	for i, id := range []string{"c1", "c2", "c3", "c4"} {
		port := itoa(20000 + 2*i)
		e.Datagram(dgram(uint64(i+1), "10.0.0.1:5060", "10.0.0.2:5060", sipMsg("INVITE sip:b SIP/2.0", id, "1 INVITE", "t", "", "application/sdp", sipSDP("10.0.0.1", port, ""))))
	}
	opt := string(sipMsg("OPTIONS sip:x SIP/2.0", "c4", "2 OPTIONS", "t", "", "", ""))
	e.Segment(seg(10, "10.0.0.1:41000", "10.0.0.2:5060", []byte(opt), 0))
	e.Segment(seg(11, "10.0.0.1:41001", "10.0.0.2:5060", []byte(opt), 0))
	if len(e.sessions) != 2 || e.flows.len() != 3 || len(e.conns) != 1 {
		t.Fatalf("sessions %d flows %d conns %d", len(e.sessions), e.flows.len(), len(e.conns))
	}
	// the most recent sessions and connection are the ones kept
	if e.sessions["c3"] == nil || e.sessions["c4"] == nil {
		t.Errorf("sessions kept: %v", e.sessions)
	}
	if _, ok := e.conns[connKey{ap("10.0.0.1:41001"), ap("10.0.0.2:5060")}]; !ok {
		t.Errorf("latest connection not kept")
	}
	// c4's flows are learnt; c1's (evicted) are gone
	if f, ok := e.flows.get(ap("10.0.0.1:20006")); !ok || f.sess.key != "c4" {
		t.Errorf("c4 RTP flow missing")
	}
	if _, ok := e.flows.get(ap("10.0.0.1:20000")); ok {
		t.Errorf("evicted session's flow kept")
	}
	if len(rec.sig) != 6 {
		t.Fatalf("messages must still be delivered: %d", len(rec.sig))
	}
	limits := 0
	for _, p := range rec.probs {
		if p.Kind == ProblemLimit {
			limits++
		}
	}
	if limits != 3 {
		t.Fatalf("want one limit problem each for flows, sessions, conns: %v", rec.problemKinds())
	}
}

func TestNetworkProblemPassThrough(t *testing.T) {
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	e.Problem(&capture.Problem{Frame: 9, Kind: capture.ProblemTCPGap, Offset: 3, Detail: "lost 100 bytes"})
	if len(rec.probs) != 1 || rec.probs[0].Kind != ProblemNetwork || rec.probs[0].Network != capture.ProblemTCPGap || rec.probs[0].Frame != 9 {
		t.Fatalf("%+v", rec.probs)
	}
}

// TestSessionIdleExpiry: with Options.SessionIdle, a dialog, its media
// flows and a TCP connection that see no packet for that long of capture
// time are forgotten, while a dialog whose media goes on is kept; without
// it nothing is forgotten.
func TestSessionIdleExpiry(t *testing.T) {
	at := func(frame uint64, ms int, src, dst string, payload []byte) *capture.Datagram {
		d := dgram(frame, src, dst, payload)
		d.Time = t0.Add(time.Duration(ms) * time.Millisecond)
		return d
	}
	for _, idle := range []time.Duration{0, 60 * time.Second} {
		rec := &recSink{}
		e := NewEngine(rec, Options{SessionIdle: idle})
		e.Datagram(at(1, 0, "10.0.0.1:5060", "10.0.0.2:5060", sipMsg("INVITE sip:b SIP/2.0", "quiet", "1 INVITE", "t", "", "application/sdp", sipSDP("10.0.0.1", "20000", ""))))
		e.Datagram(at(2, 0, "10.0.0.3:5060", "10.0.0.4:5060", sipMsg("INVITE sip:b SIP/2.0", "talking", "1 INVITE", "t", "", "application/sdp", sipSDP("10.0.0.3", "22000", ""))))
		s := seg(3, "10.0.0.5:41000", "10.0.0.6:5060", sipMsg("OPTIONS sip:x SIP/2.0", "tcp", "1 OPTIONS", "t", "", "", ""), 0)
		s.Time = t0
		e.Segment(s)
		// The second call's media goes on for three minutes, a packet every
		// 200 ms; the first call and the connection say nothing more.
		frame := uint64(3)
		for ms := 200; ms <= 180000; ms += 200 {
			frame++
			e.Datagram(at(frame, ms, "10.0.0.4:30000", "10.0.0.3:22000", rtpPacket(0, false, uint16(frame), 160, 0x2222, make([]byte, 20))))
		}
		_, quietKept := e.sessions["quiet"]
		_, talkingKept := e.sessions["talking"]
		_, quietFlow := e.flows.get(ap("10.0.0.1:20000"))
		_, talkingFlow := e.flows.get(ap("10.0.0.3:22000"))
		if idle == 0 {
			if !quietKept || !talkingKept || !quietFlow || len(e.conns) != 1 {
				t.Errorf("without SessionIdle: quiet %v talking %v flow %v conns %d", quietKept, talkingKept, quietFlow, len(e.conns))
			}
			continue
		}
		if quietKept || quietFlow || len(e.conns) != 0 {
			t.Errorf("idle state kept: session %v flow %v conns %d", quietKept, quietFlow, len(e.conns))
		}
		if !talkingKept || !talkingFlow {
			t.Errorf("active dialog forgotten: session %v flow %v", talkingKept, talkingFlow)
		}
		if last := rec.media[len(rec.media)-1]; last.SessionKey != "talking" || !last.Learnt {
			t.Errorf("media of the active dialog: %+v", last)
		}
	}
}
