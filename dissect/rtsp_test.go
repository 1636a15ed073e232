package dissect

import (
	"bytes"
	"encoding/base64"
	"testing"
)

const (
	rtspClient = "192.168.1.10:50000"
	rtspServer = "192.168.1.20:554"
)

// rtspConversation is a DESCRIBE/SETUP/PLAY/SET_PARAMETER exchange with SRTP
// over interleaved TCP, built from the gortsplib and ONVIF carriers.
func rtspConversation(v map[string]vector) (toServer, toClient []string, rtp, rtcp []byte) {
	km := v["gortsplib-keymgmt-rtsps"].B64
	sdp := crlf("v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=Stream", "c=IN IP4 0.0.0.0", "t=0 0",
		"a=key-mgmt:mikey "+km,
		"m=video 0 RTP/SAVP 96", "a=rtpmap:96 H264/90000", "a=control:trackID=0", "a=key-mgmt:mikey "+km,
		"m=audio 0 RTP/SAVP 97", "a=rtpmap:97 MPEG4-GENERIC/48000/2", "a=control:trackID=1")
	param := "mikey: " + v["onvif-omnicast-set-parameter-rekey"].B64 + "\r\n"
	toServer = []string{
		crlf("DESCRIBE rtsp://cam.example/stream RTSP/1.0", "CSeq: 1", "Accept: application/sdp", "User-Agent: OmnicastRTSPClient/1.0") + "\r\n",
		crlf("SETUP rtsp://cam.example/stream/trackID=0 RTSP/1.0", "CSeq: 2",
			"Transport: RTP/SAVP/TCP;unicast;interleaved=0-1",
			`KeyMgmt: prot=mikey;uri="rtsp://cam.example/stream/trackID=0";data="`+v["onvif-omnicast-setup-keymgmt"].B64+`"`) + "\r\n",
		crlf("PLAY rtsp://cam.example/stream/ RTSP/1.0", "CSeq: 3", "Session: 12345678") + "\r\n",
		withBody([]string{"SET_PARAMETER rtsp://cam.example/stream/ RTSP/1.0", "CSeq: 4", "Session: 12345678"}, "text/parameters", param),
	}
	rtp = rtpPacket(96, true, 4711, 90000, 0xc20f551c, bytes.Repeat([]byte{0xab}, 40))
	rtcp = rtcpSR(0xc20f551c)
	frame := func(ch byte, p []byte) string {
		return string(append([]byte{'$', ch, byte(len(p) >> 8), byte(len(p))}, p...))
	}
	toClient = []string{
		withBody([]string{"RTSP/1.0 200 OK", "CSeq: 1", "Content-Base: rtsp://cam.example/stream/"}, "application/sdp", sdp),
		crlf("RTSP/1.0 200 OK", "CSeq: 2", "Session: 12345678;timeout=60",
			"Transport: RTP/SAVP/TCP;unicast;interleaved=0-1;ssrc=C20F551C;mode=play") + "\r\n",
		crlf("RTSP/1.0 200 OK", "CSeq: 3", "Session: 12345678") + "\r\n" + frame(0, rtp) + frame(1, rtcp) + frame(0, rtp),
		crlf("RTSP/1.0 200 OK", "CSeq: 4", "Session: 12345678") + "\r\n",
	}
	return toServer, toClient, rtp, rtcp
}

func TestRTSPInterleavedSession(t *testing.T) {
	v := loadVectors(t)
	toServer, toClient, rtp, rtcp := rtspConversation(v)
	setupKM, _ := base64.StdEncoding.DecodeString(v["onvif-omnicast-setup-keymgmt"].B64)
	rekey, _ := base64.StdEncoding.DecodeString(v["onvif-omnicast-set-parameter-rekey"].B64)
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	var frame uint64
	for i := range toServer {
		frame++
		e.Segment(seg(frame, rtspClient, rtspServer, []byte(toServer[i]), 0))
		// the reply, cut in two at an awkward place (inside the frames for PLAY)
		r := []byte(toClient[i])
		cut := len(r) * 2 / 3
		frame++
		e.Segment(seg(frame, rtspServer, rtspClient, r[:cut], 0))
		frame++
		e.Segment(seg(frame, rtspServer, rtspClient, r[cut:], 0))
	}
	if len(rec.probs) != 0 {
		t.Fatalf("problems: %+v", rec.probs[0])
	}
	if len(rec.sig) != 8 {
		t.Fatalf("%d messages", len(rec.sig))
	}
	conn := "tcp:" + rtspClient + "-" + rtspServer
	desc, descReply, setup, setupReply := rec.sig[0], rec.sig[1], rec.sig[2], rec.sig[3]
	if desc.SessionKey != conn || descReply.SessionKey != conn || descReply.Method != "DESCRIBE" {
		t.Errorf("describe keys %q %q method %q", desc.SessionKey, descReply.SessionKey, descReply.Method)
	}
	if descReply.SDP == nil || len(descReply.KeyMgmt) != 2 || descReply.SDP.Media[0].KeyMgmtItem != 1 || descReply.SDP.Media[1].KeyMgmtItem != 0 {
		t.Errorf("describe SDP %+v keymgmt %d", descReply.SDP, len(descReply.KeyMgmt))
	}
	if setup.MediaIndex != 0 || len(setup.KeyMgmt) != 1 || setup.KeyMgmt[0].Where != WhereRTSPHeader ||
		setup.KeyMgmt[0].MediaIndex != 0 || !bytes.Equal(setup.KeyMgmt[0].Data, setupKM) {
		t.Errorf("setup media %d keymgmt %+v", setup.MediaIndex, setup.KeyMgmt)
	}
	if km := setup.KeyMgmt[0]; string(setup.Raw[km.Offset:km.Offset+len(km.B64)]) != km.B64 {
		t.Errorf("KeyMgmt offset %d wrong", km.Offset)
	}
	tr := setup.Transports
	if len(tr) != 1 || tr[0].Profile != "RTP/SAVP" || tr[0].Lower != "TCP" || !tr[0].Unicast || tr[0].Interleaved != [2]int{0, 1} {
		t.Errorf("setup transport %+v", tr)
	}
	if setupReply.SessionKey != "12345678" || setupReply.SessionAlias != conn || setupReply.Method != "SETUP" || setupReply.MediaIndex != 0 {
		t.Errorf("setup reply key %q alias %q method %q media %d", setupReply.SessionKey, setupReply.SessionAlias, setupReply.Method, setupReply.MediaIndex)
	}
	if tr := setupReply.Transports; len(tr) != 1 || !tr[0].HasSSRC || tr[0].SSRC != 0xc20f551c || tr[0].Mode != "play" {
		t.Errorf("reply transport %+v", tr)
	}
	setParam := rec.sig[6]
	if setParam.Method != "SET_PARAMETER" || len(setParam.KeyMgmt) != 1 || setParam.KeyMgmt[0].Where != WhereRTSPParameter ||
		!bytes.Equal(setParam.KeyMgmt[0].Data, rekey) || setParam.SessionKey != "12345678" {
		t.Errorf("set_parameter %+v", setParam.KeyMgmt)
	}
	if km := setParam.KeyMgmt[0]; string(setParam.Raw[km.Offset:km.Offset+len(km.B64)]) != km.B64 {
		t.Errorf("parameter offset %d wrong", km.Offset)
	}
	if len(rec.media) != 3 {
		t.Fatalf("%d media packets", len(rec.media))
	}
	want := []struct {
		kind Kind
		ch   int
		data []byte
	}{{KindRTP, 0, rtp}, {KindRTCP, 1, rtcp}, {KindRTP, 0, rtp}}
	for i, w := range want {
		p := rec.media[i]
		if p.Kind != w.kind || p.Interleaved != w.ch || !p.Learnt || p.SessionKey != "12345678" || p.MediaIndex != 0 ||
			p.SSRC != 0xc20f551c || !bytes.Equal(p.Data, w.data) {
			t.Errorf("media %d = %+v", i, p)
		}
	}
	if p := rec.media[0]; p.Seq != 4711 || p.Timestamp != 90000 || p.PT != 96 || !p.Marker {
		t.Errorf("rtp header %+v", p)
	}
}

// TestRTSPInterleavedEveryCut cuts the server's stream at every byte.
func TestRTSPInterleavedEveryCut(t *testing.T) {
	v := loadVectors(t)
	toServer, toClient, _, _ := rtspConversation(v)
	var all []byte
	for _, s := range toClient {
		all = append(all, s...)
	}
	for cut := 1; cut < len(all); cut++ {
		rec := &recSink{}
		e := NewEngine(rec, Options{})
		e.Segment(seg(1, rtspClient, rtspServer, []byte(toServer[0]+toServer[1]+toServer[2]), 0))
		e.Segment(seg(2, rtspServer, rtspClient, all[:cut], 0))
		e.Segment(seg(3, rtspServer, rtspClient, all[cut:], 0))
		if len(rec.sig) != 7 || len(rec.media) != 3 || len(rec.probs) != 0 {
			t.Fatalf("cut %d: %d messages, %d media, problems %v", cut, len(rec.sig), len(rec.media), rec.problemKinds())
		}
		for _, p := range rec.media {
			if !p.Learnt || p.MediaIndex != 0 {
				t.Fatalf("cut %d: media %+v", cut, p)
			}
		}
	}
}

// TestRTSPUDPTransport follows RFC 4567 §5.3: session-level key-mgmt in the
// DESCRIBE reply, a folded lower-case keymgmt header, and UDP ports learnt
// from the SETUP exchange.
func TestRTSPUDPTransport(t *testing.T) {
	v := loadVectors(t)
	km := v["rfc4567-5.1-offer"].B64
	sdp := crlf("v=0", "o=actionmovie 2891092738 2891092738 IN IP4 movie.example.com", "s=Action Movie",
		"e=action@movie.example.com", "t=0 0", "c=IN IP4 movie.example.com",
		"a=control:rtsp://movie.example.com/action", "a=key-mgmt:mikey "+km,
		"m=audio 0 RTP/SAVP 98", "a=rtpmap:98 AMR/8000", "a=control:rtsp://movie.example.com/action/audio",
		"m=video 0 RTP/SAVP 31", "a=rtpmap:31 H261/90000", "a=control:rtsp://movie.example.com/action/video")
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	c, s := "10.1.1.1:40001", "10.1.1.2:554"
	e.Segment(seg(1, c, s, []byte(crlf("DESCRIBE rtsp://movie.example.com/action RTSP/1.0", "CSeq: 312", "Accept: application/sdp")+"\r\n"), 0))
	e.Segment(seg(2, s, c, []byte(withBody([]string{"RTSP/1.0 200 OK", "CSeq: 312", "Date: 23 Jan 1997 15:35:06 GMT"}, "application/sdp", sdp)), 0))
	e.Segment(seg(3, c, s, []byte(crlf("SETUP rtsp://movie.example.com/action/video RTSP/1.0", "CSeq: 313",
		"Transport: RTP/SAVP/UDP;unicast;client_port=3056-3057",
		`keymgmt: prot=mikey; uri="rtsp://movie.example.com/action";`,
		`         data="`+km+`"`)+"\r\n"), 0))
	e.Segment(seg(4, s, c, []byte(crlf("RTSP/1.0 200 OK", "CSeq: 313", "Session: 12345678",
		"Transport: RTP/SAVP/UDP;unicast;client_port=3056-3057;",
		"                      server_port=5000-5001")+"\r\n"), 0))
	e.Datagram(dgram(5, "10.1.1.2:5000", "10.1.1.1:3056", rtpPacket(31, false, 1, 2, 3, []byte{1, 2, 3, 4})))
	e.Datagram(dgram(6, "10.1.1.1:3057", "10.1.1.2:5001", rtcpSR(9)))
	// The RFC's own example puts t= before c=, against RFC 4566 §5: pion
	// rejects it, the scanner reads it, one ProblemSDP says so.
	if len(rec.probs) != 1 || rec.probs[0].Kind != ProblemSDP || rec.probs[0].Frame != 2 {
		t.Fatalf("problems %v", rec.problemKinds())
	}
	if d := rec.sig[1]; d.SDP == nil || d.SDP.Strict || len(d.KeyMgmt) != 1 || d.KeyMgmt[0].Err != nil {
		t.Fatalf("describe reply sdp %+v", d.SDP)
	}
	setup := rec.sig[2]
	if setup.MediaIndex != 1 || len(setup.KeyMgmt) != 1 || setup.KeyMgmt[0].URI != "rtsp://movie.example.com/action" ||
		setup.KeyMgmt[0].MediaIndex != 1 || setup.KeyMgmt[0].Err != nil {
		t.Errorf("setup media %d keymgmt %+v", setup.MediaIndex, setup.KeyMgmt)
	}
	if km := setup.KeyMgmt[0]; string(setup.Raw[km.Offset:km.Offset+len(km.B64)]) != km.B64 {
		t.Errorf("folded KeyMgmt offset %d wrong", km.Offset)
	}
	if tr := rec.sig[3].Transports; len(tr) != 1 || tr[0].ClientPorts != [2]uint16{3056, 3057} || tr[0].ServerPorts != [2]uint16{5000, 5001} {
		t.Errorf("transport %+v", tr)
	}
	if len(rec.media) != 2 {
		t.Fatalf("%d media", len(rec.media))
	}
	for i, k := range []Kind{KindRTP, KindRTCP} {
		p := rec.media[i]
		if p.Kind != k || !p.Learnt || p.SessionKey != "12345678" || p.MediaIndex != 1 || p.Interleaved != -1 {
			t.Errorf("media %d %+v", i, p)
		}
	}
}

func TestRTSPGetParameterResponse(t *testing.T) {
	v := loadVectors(t)
	want, _ := base64.StdEncoding.DecodeString(v["onvif-get-parameter-response"].B64)
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	c, s := "10.2.0.1:41000", "10.2.0.2:322"
	e.Segment(seg(1, c, s, []byte(withBody([]string{"GET_PARAMETER rtsp://cam/ RTSP/1.0", "CSeq: 4", "Session: 15405670", "User-Agent: OmnicastRTSPClient/1.0"}, "text/parameters", "mikey\r\n")), 0))
	e.Segment(seg(2, s, c, []byte(withBody([]string{"RTSP/1.0 200 OK", "CSeq: 4"}, "text/parameters", "mikey: "+v["onvif-get-parameter-response"].B64+"\r\n")), 0))
	if len(rec.sig) != 2 || len(rec.probs) != 0 {
		t.Fatalf("sig %d problems %v", len(rec.sig), rec.problemKinds())
	}
	if len(rec.sig[0].KeyMgmt) != 0 {
		t.Errorf("request naming the parameter produced an item")
	}
	r := rec.sig[1]
	if r.Method != "GET_PARAMETER" || len(r.KeyMgmt) != 1 || !bytes.Equal(r.KeyMgmt[0].Data, want) || r.SessionKey != "15405670" {
		t.Errorf("response %q %+v key %q", r.Method, r.KeyMgmt, r.SessionKey)
	}
}

func TestParseTransport(t *testing.T) {
	tests := []struct {
		in   string
		want RTSPTransport
		bad  bool
	}{
		{"RTP/SAVP;unicast;client_port=15000-15001", RTSPTransport{Profile: "RTP/SAVP", Lower: "UDP", Unicast: true, ClientPorts: [2]uint16{15000, 15001}, Interleaved: [2]int{-1, -1}}, false},
		{"RTP/SAVPF/TCP;interleaved=4", RTSPTransport{Profile: "RTP/SAVPF", Lower: "TCP", Interleaved: [2]int{4, 5}}, false},
		{"RTP/AVP;multicast;destination=232.1.1.1;port=5000-5001;ttl=3", RTSPTransport{Profile: "RTP/AVP", Lower: "UDP", Multicast: true, Destination: "232.1.1.1", Ports: [2]uint16{5000, 5001}, Interleaved: [2]int{-1, -1}}, false},
		{"RTP/SAVP;unicast;client_port=x", RTSPTransport{Profile: "RTP/SAVP", Lower: "UDP", Unicast: true, Interleaved: [2]int{-1, -1}}, true},
		{"RTP/SAVP/TCP;interleaved=300-301", RTSPTransport{Profile: "RTP/SAVP", Lower: "TCP", Interleaved: [2]int{-1, -1}}, true},
	}
	for _, tc := range tests {
		got, complaint := parseTransport(tc.in)
		if (complaint != "") != tc.bad || len(got) != 1 {
			t.Errorf("%q: complaint %q, %d specs", tc.in, complaint, len(got))
			continue
		}
		tc.want.Spec = tc.in
		if got[0] != tc.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.in, got[0], tc.want)
		}
	}
}
