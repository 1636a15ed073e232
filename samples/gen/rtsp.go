package main

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
	mskeys "github.com/mikeyscope/mikeyscope/keys"
	"github.com/mikeyscope/mikeyscope/mikey"
	"github.com/mikeyscope/mikeyscope/samples"
)

// rtspSpec returns the RTSP camera session of the RTSP sample.
func rtspSpec(seed uint64, videoPackets, perFrame, payload, audioPackets int) scenario.RTSPSpec {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), 'r', 't', 's', 'p'}))
	client, camera := netip.MustParseAddr("192.0.2.30"), netip.MustParseAddr("203.0.113.5")
	return scenario.RTSPSpec{
		Client: ap(client, 51034), Server: ap(camera, 554),
		URL: "rtsp://203.0.113.5/onvif/media/profile1", Session: strings.ToUpper(hex.EncodeToString(randBytes(r, 6))),
		Start:          start,
		VideoClientRTP: ap(client, 50002), VideoServerRTP: ap(camera, 6970),
		Video:      scenario.NullKey{SSRC: r.Uint32(), Key: randBytes(r, 16), Salt: randBytes(r, 14), MKI: []byte{0, 0, 0, 1}},
		Audio:      scenario.NullKey{SSRC: r.Uint32(), Key: randBytes(r, 16), Salt: randBytes(r, 14), MKI: []byte{0, 0, 0, 2}, Combined: true},
		VideoCSBID: r.Uint32(), AudioCSBID: r.Uint32(), VideoRand: randBytes(r, 16), AudioRand: randBytes(r, 16),
		VideoPackets: videoPackets, VideoPacketsPerFrm: perFrame, VideoPayload: payload, AudioPackets: audioPackets,
		FirstSeq: [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())}, FirstTS: [2]uint32{r.Uint32(), r.Uint32()},
	}
}

func rtspNullMIKEY() (*built, error) {
	spec := rtspSpec(1, 100, 4, 1000, 100)
	b := &framebuild.Builder{}
	g, err := scenario.NewRTSPGen(spec, b)
	if err != nil {
		return nil, err
	}
	t := &Truth{
		Description: "rtsp-null-mikey: RTSP camera session; MIKEY-NULL (no KEMAC encryption, no MAC) in the DESCRIBE reply SDP at video media level (TEK+SALT, KV=SPI MKI 00000001) and in the back-channel SETUP KeyMgmt header (30-byte TEK key||salt, KV=SPI MKI 00000002); video over UDP, audio interleaved on the RTSP connection; every SRTP/SRTCP packet carries its 4-byte MKI",
		Payloads: "video packet (ssrc, seq) payload = scenario.VideoPayload(ssrc, seq, 1000), 4 packets per 40 ms frame (marker on the last); " +
			"audio packet payload = scenario.Payload(ssrc, seq) (PCMU, payload type 97); SRTCP carries SR+SDES CNAME",
		Notes: []string{"RTSP runs over plain TCP here; real cameras use RTSPS, which is why MIKEY-NULL is acceptable there",
			"audio (ONVIF back channel) is sent by the client on interleaved channel 0, its SRTCP on channel 1"},
	}
	t.Streams = []*samples.Stream{
		newStream(spec.Video.SSRC, spec.VideoServerRTP, spec.VideoClientRTP, "udp", scenario.PayloadVideo, spec.FirstSeq[0], spec.FirstTS[0],
			1, "MIKEY-NULL in the DESCRIBE reply SDP (a=key-mgmt at media level)", spec.Video.Key, spec.Video.Salt, spec.Video.MKI,
			"scenario.VideoPayload(ssrc, seq, 1000)", "video", 1000),
		newStream(spec.Audio.SSRC, spec.Client, spec.Server, "rtsp-interleaved", scenario.PayloadAudio, spec.FirstSeq[1], spec.FirstTS[1],
			1, "MIKEY-NULL in the SETUP KeyMgmt header", spec.Audio.Key, spec.Audio.Salt, spec.Audio.MKI, "scenario.Payload(ssrc, seq)", "pcmu", scenario.FrameSamples),
	}
	rec := record(t, "RTSP", func(f *scenario.Frame) (string, [][]byte) {
		if f.Message == "SETUP" {
			return "rtsp-keymgmt", [][]byte{g.AudioMIKEY}
		}
		return "sdp-media", [][]byte{g.VideoMIKEY}
	})
	var k strings.Builder
	k.WriteString("# mikeyscope keys for the sample rtsp-null-mikey.pcap\n" + mskeys.PublicMarker + "\n")
	k.WriteString("# No secret is needed: both MIKEY messages are MIKEY-NULL (KEMAC encryption NULL,\n")
	k.WriteString("# MAC NULL), so the SRTP master keys are carried in the clear in the DESCRIBE\n")
	k.WriteString("# reply SDP and in the SETUP KeyMgmt header. Real cameras rely on RTSPS (TLS).\n")
	k.WriteString("# For cross-checks only:\n")
	for _, nk := range []scenario.NullKey{spec.Video, spec.Audio} {
		fmt.Fprintf(&k, "# srtp 0x%08x=%s:%s\n", nk.SSRC, hex.EncodeToString(nk.Key), hex.EncodeToString(nk.Salt))
	}
	return &built{gens: []scenario.Generator{g}, truth: t, record: rec, keys: k.String(), builder: b}, nil
}

// rtspRekey is a camera session keyed by the client (ONVIF): the video key
// in the SETUP KeyMgmt header, then a new key in SET_PARAMETER, which the
// camera starts using (new MKI) at video packet 100.
func rtspRekey() (*built, error) {
	spec := rtspSpec(2, 200, 4, 800, 0)
	spec.VideoKeyInSetup = true
	r := rand.New(rand.NewChaCha8([32]byte{'r', 'e', 'k', 'e', 'y'}))
	spec.Rekey = &scenario.RTSPRekey{At: 100, CSBID: r.Uint32(), Rand: randBytes(r, 16),
		Key: scenario.NullKey{SSRC: spec.Video.SSRC, Key: randBytes(r, 16), Salt: randBytes(r, 14), MKI: []byte{0, 0, 0, 3}}}
	b := &framebuild.Builder{}
	g, err := scenario.NewRTSPGen(spec, b)
	if err != nil {
		return nil, err
	}
	t := &Truth{
		Description: "rtsp-rekey: RTSP camera session keyed by the client (ONVIF): MIKEY-NULL for the video in the KeyMgmt header of the video SETUP (MKI 00000001), then a SET_PARAMETER whose text/parameters body carries \"mikey: <base64>\" with a new key (MKI 00000003); the camera switches to it at video packet 100 (ROC and SRTCP index continue)",
		Payloads:    "video packet (ssrc, seq) payload = scenario.VideoPayload(ssrc, seq, 800), 4 packets per 40 ms frame",
		Notes: []string{"the back-channel SETUP still carries the audio key in its KeyMgmt header, but no audio is sent",
			"SRTCP reports before the switch use MKI 00000001, after it 00000003"},
	}
	vs := newStream(spec.Video.SSRC, spec.VideoServerRTP, spec.VideoClientRTP, "udp", scenario.PayloadVideo, spec.FirstSeq[0], spec.FirstTS[0],
		1, "MIKEY-NULL in the video SETUP KeyMgmt header", spec.Video.Key, spec.Video.Salt, spec.Video.MKI,
		"scenario.VideoPayload(ssrc, seq, 800)", "video", 800)
	rk := spec.Rekey
	vs.Rekeys = []samples.Rekey{{FromSeq: int(spec.FirstSeq[0] + uint16(rk.At)), MKI: hex.EncodeToString(rk.Key.MKI),
		MasterKeyFP: mikey.Fingerprint(rk.Key.Key), MasterSaltFP: mikey.Fingerprint(rk.Key.Salt)}}
	t.Streams = []*samples.Stream{vs}
	inner := record(t, "RTSP", func(f *scenario.Frame) (string, [][]byte) {
		switch f.Message {
		case "SET_PARAMETER":
			return "rtsp-parameter", [][]byte{g.RekeyMIKEY}
		case "SETUP":
			if len(t.MIKEY) == 0 {
				return "rtsp-keymgmt", [][]byte{g.VideoMIKEY}
			}
			return "rtsp-keymgmt", [][]byte{g.AudioMIKEY}
		}
		return "", nil
	})
	rec := func(n int, f *scenario.Frame) error {
		if f.Message == "SET_PARAMETER" {
			vs.Rekeys[0].MIKEYFrame = n
		}
		if f.Kind == scenario.KindRTP && int(f.Seq) == vs.Rekeys[0].FromSeq && vs.Rekeys[0].FromFrame == 0 {
			vs.Rekeys[0].FromFrame = n
		}
		return inner(n, f)
	}
	var k strings.Builder
	k.WriteString("# mikeyscope keys for the sample rtsp-rekey.pcap\n" + mskeys.PublicMarker + "\n")
	k.WriteString("# No secret is needed: all MIKEY messages are MIKEY-NULL (keys in the clear).\n")
	k.WriteString("# For cross-checks only: the first key, then the re-key (MKI 00000003).\n")
	fmt.Fprintf(&k, "# srtp 0x%08x=%s:%s\n", spec.Video.SSRC, hex.EncodeToString(spec.Video.Key), hex.EncodeToString(spec.Video.Salt))
	fmt.Fprintf(&k, "# srtp-rekey 0x%08x=%s:%s:%s\n", spec.Video.SSRC, hex.EncodeToString(rk.Key.MKI), hex.EncodeToString(rk.Key.Key), hex.EncodeToString(rk.Key.Salt))
	return &built{gens: []scenario.Generator{g}, truth: t, record: rec, keys: k.String(), builder: b}, nil
}
