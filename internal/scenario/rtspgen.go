package scenario

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/pion/srtp/v3"
)

// RTSPSpec describes an RTSP session (RFC 2326) with SRTP media keyed by
// MIKEY-NULL messages (RFC 4567): the server's key for its video stream in
// the DESCRIBE reply SDP at media level, the client's key for its back
// channel audio in a KeyMgmt header of SETUP. Video goes over UDP; audio is
// interleaved on the RTSP connection ('$' framing, RFC 2326 §10.12).
type RTSPSpec struct {
	Client, Server     netip.AddrPort // RTSP TCP endpoints
	URL                string         // presentation URL, rtsp://server/...
	Session            string
	Start              time.Time
	VideoClientRTP     netip.AddrPort // RTCP on the next port
	VideoServerRTP     netip.AddrPort
	Video, Audio       NullKey // SSRC, key, salt, MKI of each stream
	VideoCSBID         uint32
	AudioCSBID         uint32
	VideoRand          []byte
	AudioRand          []byte
	VideoPackets       int // SRTP packets of the video stream
	VideoPacketsPerFrm int // packets per 40 ms video frame (same timestamp, marker on the last)
	VideoPayload       int // bytes of video payload per packet
	AudioPackets       int // SRTP packets of the interleaved audio stream (20 ms apart)
	FirstSeq           [2]uint16
	FirstTS            [2]uint32
	// VideoKeyInSetup moves the video MIKEY message from the DESCRIBE
	// reply SDP to a KeyMgmt header of the video SETUP (the client
	// initiates the exchange, RFC 4567 §4.2).
	VideoKeyInSetup bool
	// Rekey, when not nil, makes the client send a new video key in a
	// SET_PARAMETER "mikey:" parameter (ONVIF client re-keying) and the
	// server switch to it, with its new MKI, at video packet Rekey.At.
	Rekey *RTSPRekey
	// ClientRTCPSSRC, when not zero, makes the client send an SRTCP
	// receiver report about the video from its video RTCP port to the
	// server's, 2 ms after each video sender report, from this SSRC and
	// under the video keys (the receiver's SRTCP uses the stream's crypto
	// session, as GStreamer's rtspsrc does).
	ClientRTCPSSRC uint32
	// NATDummies makes the client send, 1 ms after PLAY, the datagrams
	// GStreamer's rtspsrc sends to open a NAT pinhole (nat-method=dummy):
	// five of 200 bytes of random data (fakesrc filltype=random,
	// sizetype=fixed, sizemax=200, num-buffers=5) from its video RTP port
	// to the server's; the bytes are scenario.VideoPayload(ssrc, i, 200)
	// for i 0..4, ssrc being NATDummySeed.
	NATDummies   bool
	NATDummySeed uint32
}

// RTSPRekey is a re-key of the video stream: a MIKEY-NULL message with the
// new key (same SSRC, new MKI of the same length) carried in a
// SET_PARAMETER text/parameters body, and the packet index from which the
// server uses it.
type RTSPRekey struct {
	At    int
	Key   NullKey
	CSBID uint32
	Rand  []byte
}

// RTSPGen yields the frames of an RTSP session in time order.
type RTSPGen struct {
	spec     RTSPSpec
	b        *framebuild.Builder
	tcp      *pcapbuild.TCPConn
	pre      []Frame
	post     []Frame
	video    *Sender
	audio    *Sender
	media0   time.Time
	vSent    int
	vSR      int
	aSent    int
	aSR      int
	buf, pay []byte
	il       []byte
	frame    Frame
	// teardown and teardownOK are sent after the media; their frames are
	// built then, once the interleaved audio has advanced the TCP sequence.
	teardown, teardownOK []byte
	postBuilt            bool
	postErr              error
	// rekeyMsgs are the SET_PARAMETER exchange, built when due.
	rekeyMsgs []rekeyMsg
	// RekeyMIKEY is the MIKEY message of the SET_PARAMETER re-key.
	RekeyMIKEY []byte
	// VideoMIKEY and AudioMIKEY are the MIKEY-NULL messages of the SDP and
	// of the SETUP KeyMgmt header.
	VideoMIKEY, AudioMIKEY []byte
	// client sends the client's receiver reports (ClientRTCPSSRC); rrSent
	// counts them, srTimes holds the times of the video sender reports.
	client  *Sender
	rrSent  int
	srTimes []time.Time
}

const (
	videoSREvery = 250 // video packets between SRTCP sender reports
	audioSREvery = 50
)

// NewRTSPGen prepares the session; media frames are built lazily by Next.
func NewRTSPGen(spec RTSPSpec, b *framebuild.Builder) (*RTSPGen, error) {
	g := &RTSPGen{spec: spec, b: b, buf: make([]byte, 0, 1600), pay: make([]byte, 0, 1500), il: make([]byte, 0, 400)}
	var err error
	if g.VideoMIKEY, err = NullMessage(spec.VideoCSBID, spec.Start, spec.VideoRand, []NullKey{spec.Video}); err != nil {
		return nil, err
	}
	if g.AudioMIKEY, err = NullMessage(spec.AudioCSBID, spec.Start, spec.AudioRand, []NullKey{spec.Audio}); err != nil {
		return nil, err
	}
	if g.video, err = NewSender(StreamParams{SSRC: spec.Video.SSRC, PayloadType: PayloadVideo, FirstSeq: spec.FirstSeq[0],
		FirstTS: spec.FirstTS[0], TSStep: 3600, CNAME: "camera", Profile: srtp.ProtectionProfileAes128CmHmacSha1_80,
		Key: spec.Video.Key, Salt: spec.Video.Salt, MKI: spec.Video.MKI}); err != nil {
		return nil, err
	}
	if g.audio, err = NewSender(StreamParams{SSRC: spec.Audio.SSRC, PayloadType: PayloadAudio, FirstSeq: spec.FirstSeq[1],
		FirstTS: spec.FirstTS[1], TSStep: FrameSamples, CNAME: "client", Profile: srtp.ProtectionProfileAes128CmHmacSha1_80,
		Key: spec.Audio.Key, Salt: spec.Audio.Salt, MKI: spec.Audio.MKI}); err != nil {
		return nil, err
	}
	if spec.ClientRTCPSSRC != 0 {
		if g.client, err = NewSender(StreamParams{SSRC: spec.ClientRTCPSSRC, CNAME: "client@" + spec.Client.Addr().String(),
			Profile: srtp.ProtectionProfileAes128CmHmacSha1_80, Key: spec.Video.Key, Salt: spec.Video.Salt, MKI: spec.Video.MKI}); err != nil {
			return nil, err
		}
	}
	g.tcp = pcapbuild.NewTCPConn(b, spec.Client, spec.Server, 0x31000000, 0x52000000)
	t := spec.Start
	hs, err := g.tcp.Handshake()
	if err != nil {
		return nil, err
	}
	for i, f := range hs {
		g.pre = append(g.pre, Frame{Time: t.Add(time.Duration(i) * time.Millisecond), Data: f, Kind: KindTCP})
	}
	url := spec.URL
	track1, track2 := url+"/trackID=1", url+"/trackID=2"
	videoB64 := base64.StdEncoding.EncodeToString(g.VideoMIKEY)
	sdpKey, sdpMIKEY, setupMIKEY := videoB64, 1, 0
	setup1 := []string{"Transport: RTP/SAVP;unicast;client_port=" + strconv.Itoa(int(spec.VideoClientRTP.Port())) + "-" + strconv.Itoa(int(spec.VideoClientRTP.Port()+1))}
	if spec.VideoKeyInSetup {
		sdpKey, sdpMIKEY, setupMIKEY = "", 0, 1
		setup1 = append(setup1, `KeyMgmt: prot=mikey; uri="`+track1+`"; data="`+videoB64+`"`)
	}
	sdp := CameraSDP(spec.Server.Addr(), 1700000000, url, sdpKey)
	sess := "Session: " + spec.Session
	hex8 := func(v uint32) string { return fmt.Sprintf("%08X", v) }
	vc, vs := spec.VideoClientRTP.Port(), spec.VideoServerRTP.Port()
	keyMgmt := `KeyMgmt: prot=mikey; uri="` + track2 + `"; data="` + base64.StdEncoding.EncodeToString(g.AudioMIKEY) + `"`
	msgs := []struct {
		at     time.Duration
		client bool
		name   string
		mikey  int
		data   []byte
	}{
		{10, true, "DESCRIBE", 0, RTSPRequest("DESCRIBE", url, 1, []string{"Accept: application/sdp"}, "", nil)},
		{25, false, "200 OK (DESCRIBE)", sdpMIKEY, RTSPResponse(200, "OK", 1, []string{"Content-Base: " + url + "/"}, "application/sdp", sdp)},
		{40, true, "SETUP", setupMIKEY, RTSPRequest("SETUP", track1, 2, setup1, "", nil)},
		{55, false, "200 OK (SETUP)", 0, RTSPResponse(200, "OK", 2, []string{sess + ";timeout=60",
			"Transport: RTP/SAVP;unicast;client_port=" + strconv.Itoa(int(vc)) + "-" + strconv.Itoa(int(vc+1)) +
				";server_port=" + strconv.Itoa(int(vs)) + "-" + strconv.Itoa(int(vs+1)) + ";ssrc=" + hex8(spec.Video.SSRC)}, "", nil)},
		{70, true, "SETUP", 1, RTSPRequest("SETUP", track2, 3, []string{sess, "Require: www.onvif.org/ver20/backchannel",
			"Transport: RTP/SAVP/TCP;unicast;interleaved=0-1;ssrc=" + hex8(spec.Audio.SSRC), keyMgmt}, "", nil)},
		{85, false, "200 OK (SETUP)", 0, RTSPResponse(200, "OK", 3, []string{sess + ";timeout=60",
			"Transport: RTP/SAVP/TCP;unicast;interleaved=0-1;ssrc=" + hex8(spec.Audio.SSRC)}, "", nil)},
		{100, true, "PLAY", 0, RTSPRequest("PLAY", url, 4, []string{sess, "Range: npt=0.000-", "Require: www.onvif.org/ver20/backchannel"}, "", nil)},
		{115, false, "200 OK (PLAY)", 0, RTSPResponse(200, "OK", 4, []string{sess, "Range: npt=0.000-",
			"RTP-Info: url=" + track1 + ";seq=" + strconv.Itoa(int(spec.FirstSeq[0])) + ";rtptime=" + strconv.FormatUint(uint64(spec.FirstTS[0]), 10)}, "", nil)},
	}
	for _, m := range msgs {
		if err := g.signal(&g.pre, t.Add(m.at*time.Millisecond), m.client, m.data, m.name, m.mikey); err != nil {
			return nil, err
		}
	}
	if spec.NATDummies {
		for i := 0; i < 5; i++ {
			f, err := b.UDP(spec.VideoClientRTP, spec.VideoServerRTP, VideoPayload(spec.NATDummySeed, uint16(i), 200))
			if err != nil {
				return nil, err
			}
			g.pre = append(g.pre, Frame{Time: t.Add(100*time.Millisecond + time.Duration(i+1)*time.Millisecond), Data: f, Kind: KindNATDummy})
		}
		sort.SliceStable(g.pre, func(i, j int) bool { return g.pre[i].Time.Before(g.pre[j].Time) })
	}
	g.media0 = t.Add(140 * time.Millisecond)
	teardownCSeq := 5
	if r := spec.Rekey; r != nil {
		if r.At <= 0 || r.At >= spec.VideoPackets {
			return nil, fmt.Errorf("scenario: re-key at video packet %d outside (0, %d)", r.At, spec.VideoPackets)
		}
		if g.RekeyMIKEY, err = NullMessage(r.CSBID, spec.Start, r.Rand, []NullKey{r.Key}); err != nil {
			return nil, err
		}
		body := []byte("mikey: " + base64.StdEncoding.EncodeToString(g.RekeyMIKEY) + "\r\n")
		at := g.videoTime(r.At)
		g.rekeyMsgs = []rekeyMsg{
			{at.Add(-60 * time.Millisecond), true, "SET_PARAMETER", 1,
				RTSPRequest("SET_PARAMETER", url, 5, []string{sess}, "text/parameters", body)},
			{at.Add(-45 * time.Millisecond), false, "200 OK (SET_PARAMETER)", 0,
				RTSPResponse(200, "OK", 5, []string{sess}, "", nil)},
		}
		teardownCSeq = 6
	}
	g.teardown = RTSPRequest("TEARDOWN", url, teardownCSeq, []string{sess}, "", nil)
	g.teardownOK = RTSPResponse(200, "OK", teardownCSeq, []string{sess}, "", nil)
	return g, nil
}

// rekeyMsg is one message of the re-key exchange.
type rekeyMsg struct {
	at         time.Time
	fromClient bool
	name       string
	mikey      int
	data       []byte
}

// buildPost builds the TEARDOWN exchange and the connection close.
func (g *RTSPGen) buildPost() error {
	g.postBuilt = true
	end := g.lastMediaTime().Add(40 * time.Millisecond)
	if err := g.signal(&g.post, end, true, g.teardown, "TEARDOWN", 0); err != nil {
		return err
	}
	if err := g.signal(&g.post, end.Add(10*time.Millisecond), false, g.teardownOK, "200 OK (TEARDOWN)", 0); err != nil {
		return err
	}
	fin, err := g.tcp.Close(true)
	if err != nil {
		return err
	}
	for i, f := range fin {
		g.post = append(g.post, Frame{Time: end.Add(time.Duration(20+i) * time.Millisecond), Data: f, Kind: KindTCP})
	}
	return nil
}

func (g *RTSPGen) signal(dst *[]Frame, t time.Time, fromClient bool, msg []byte, name string, nMIKEY int) error {
	f, err := g.tcp.AppendData(nil, fromClient, msg)
	if err != nil {
		return fmt.Errorf("scenario: RTSP %s: %w", name, err)
	}
	*dst = append(*dst, Frame{Time: t, Data: f, Kind: KindSignal, Message: name, MIKEY: nMIKEY})
	return nil
}

func (g *RTSPGen) ppf() int { return max(1, g.spec.VideoPacketsPerFrm) }

// videoTime is the send time of video packet k: frames every 40 ms, the
// packets of a frame 200 µs apart.
func (g *RTSPGen) videoTime(k int) time.Time {
	return g.media0.Add(time.Duration(k/g.ppf())*40*time.Millisecond + time.Duration(k%g.ppf())*200*time.Microsecond)
}

// audioTime is the send time of audio packet k: every 20 ms, offset 3 ms.
func (g *RTSPGen) audioTime(k int) time.Time {
	return g.media0.Add(time.Duration(k)*20*time.Millisecond + 3*time.Millisecond)
}

func (g *RTSPGen) lastMediaTime() time.Time {
	t := g.media0
	if n := g.spec.VideoPackets; n > 0 {
		t = g.videoTime(n - 1)
	}
	if n := g.spec.AudioPackets; n > 0 && g.audioTime(n-1).After(t) {
		t = g.audioTime(n - 1)
	}
	return t.Add(time.Millisecond)
}

func (g *RTSPGen) vSRDue() bool {
	n := g.vSent
	return n > 0 && g.vSR != n && (n == g.spec.VideoPackets || n%videoSREvery == 0)
}

func (g *RTSPGen) aSRDue() bool {
	n := g.aSent
	return n > 0 && g.aSR != n && (n == g.spec.AudioPackets || n%audioSREvery == 0)
}

// event identifies the next frame: 0 pre, 1 video SR, 2 video, 3 audio SR,
// 4 audio, 5 post, 6 re-key message, 7 client RR, -1 end.
func (g *RTSPGen) event() (int, time.Time) {
	ev, best := -1, time.Time{}
	consider := func(e int, t time.Time) {
		if ev < 0 || t.Before(best) {
			ev, best = e, t
		}
	}
	if len(g.pre) > 0 {
		consider(0, g.pre[0].Time)
	}
	if len(g.rekeyMsgs) > 0 {
		consider(6, g.rekeyMsgs[0].at)
	}
	if g.vSRDue() {
		consider(1, g.videoTime(g.vSent-1).Add(100*time.Microsecond))
	} else if g.vSent < g.spec.VideoPackets {
		consider(2, g.videoTime(g.vSent))
	}
	if g.rrSent < len(g.srTimes) {
		consider(7, g.srTimes[g.rrSent].Add(2*time.Millisecond))
	}
	if g.aSRDue() {
		consider(3, g.audioTime(g.aSent-1).Add(time.Millisecond))
	} else if g.aSent < g.spec.AudioPackets {
		consider(4, g.audioTime(g.aSent))
	}
	if ev < 0 && !g.postBuilt {
		g.postErr = g.buildPost()
	}
	if ev < 0 && len(g.post) > 0 {
		consider(5, g.post[0].Time)
	}
	return ev, best
}

// PeekTime returns the time of the next frame; ok is false at the end.
func (g *RTSPGen) PeekTime() (time.Time, bool) {
	ev, t := g.event()
	return t, ev >= 0
}

// Next returns the next frame in time order; ok is false at the end. The
// frame and its Data are valid until the next call.
func (g *RTSPGen) Next() (*Frame, bool, error) {
	ev, t := g.event()
	if g.postErr != nil {
		return nil, false, g.postErr
	}
	var err error
	s := &g.spec
	switch ev {
	case -1:
		return nil, false, nil
	case 0:
		g.frame = g.pre[0]
		g.pre = g.pre[1:]
	case 5:
		g.frame = g.post[0]
		g.post = g.post[1:]
	case 6:
		m := g.rekeyMsgs[0]
		g.rekeyMsgs = g.rekeyMsgs[1:]
		g.buf, err = g.tcp.AppendData(g.buf[:0], m.fromClient, m.data)
		g.frame = Frame{Time: t, Data: g.buf, Kind: KindSignal, Message: m.name, MIKEY: m.mikey}
	case 1:
		p, err := g.video.SenderReport(t)
		if err != nil {
			return nil, false, err
		}
		g.vSR = g.vSent
		if g.client != nil {
			g.srTimes = append(g.srTimes, t)
		}
		g.buf, err = g.b.AppendUDP(g.buf[:0], rtcpPort(s.VideoServerRTP), rtcpPort(s.VideoClientRTP), p)
		g.frame = Frame{Time: t, Data: g.buf, Kind: KindRTCP, SSRC: s.Video.SSRC}
	case 7:
		p, err := g.client.ReceiverReport(s.Video.SSRC, uint32(g.video.Seq())-1)
		if err != nil {
			return nil, false, err
		}
		g.rrSent++
		g.buf, err = g.b.AppendUDP(g.buf[:0], rtcpPort(s.VideoClientRTP), rtcpPort(s.VideoServerRTP), p)
		g.frame = Frame{Time: t, Data: g.buf, Kind: KindRTCP, SSRC: s.ClientRTCPSSRC}
	case 2:
		if r := s.Rekey; r != nil && g.vSent == r.At {
			if err := g.video.Rekey(r.Key.MKI, r.Key.Key, r.Key.Salt); err != nil {
				return nil, false, err
			}
		}
		seq := g.video.Seq()
		g.pay = AppendVideo(g.pay[:0], s.Video.SSRC, seq, s.VideoPayload)
		last := g.vSent%g.ppf() == g.ppf()-1 || g.vSent == s.VideoPackets-1
		p, err := g.video.Next(g.pay, last, !last)
		if err != nil {
			return nil, false, err
		}
		g.vSent++
		g.buf, err = g.b.AppendUDP(g.buf[:0], s.VideoServerRTP, s.VideoClientRTP, p)
		g.frame = Frame{Time: t, Data: g.buf, Kind: KindRTP, SSRC: s.Video.SSRC, Seq: seq}
	case 3, 4:
		var p []byte
		var seq uint16
		ch := uint8(0)
		kind := KindRTP
		if ev == 3 {
			p, err = g.audio.SenderReport(t)
			g.aSR = g.aSent
			ch, kind = 1, KindRTCP
		} else {
			seq = g.audio.Seq()
			g.pay = AppendPCMU(g.pay[:0], s.Audio.SSRC, seq)
			p, err = g.audio.Next(g.pay, g.aSent == 0, false)
			g.aSent++
		}
		if err != nil {
			return nil, false, err
		}
		g.il, err = pcapbuild.AppendInterleaved(g.il[:0], ch, p)
		if err != nil {
			return nil, false, err
		}
		g.buf, err = g.tcp.AppendData(g.buf[:0], true, g.il)
		g.frame = Frame{Time: t, Data: g.buf, Kind: kind, SSRC: s.Audio.SSRC, Seq: seq, Interleaved: 1}
	}
	if err != nil {
		return nil, false, err
	}
	return &g.frame, true, nil
}
