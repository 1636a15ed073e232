package main

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/scenario"
)

// rtspPayload is the video payload per packet: with RTP header, 4-byte MKI
// and 10-byte tag a 1,472-byte pcap record, ~148 MB for 100,632 packets.
const rtspPayload = 1388

// rtspGen returns the generator of the big RTSP session and its keys file.
func rtspGen(packets int) (scenario.Generator, []byte, error) {
	r := rand.New(rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h', 'r', 't', 's', 'p'}))
	client, camera := netip.MustParseAddr("10.3.0.2"), netip.MustParseAddr("10.4.0.5")
	spec := scenario.RTSPSpec{
		Client: netip.AddrPortFrom(client, 52000), Server: netip.AddrPortFrom(camera, 554),
		URL: "rtsp://10.4.0.5/stream1", Session: strings.ToUpper(hex.EncodeToString(randBytes(r, 6))),
		Start:          start,
		VideoClientRTP: netip.AddrPortFrom(client, 50000), VideoServerRTP: netip.AddrPortFrom(camera, 6970),
		Video:      scenario.NullKey{SSRC: r.Uint32(), Key: randBytes(r, 16), Salt: randBytes(r, 14), MKI: []byte{0, 0, 0, 1}},
		Audio:      scenario.NullKey{SSRC: r.Uint32(), Key: randBytes(r, 16), Salt: randBytes(r, 14), MKI: []byte{0, 0, 0, 2}, Combined: true},
		VideoCSBID: r.Uint32(), AudioCSBID: r.Uint32(), VideoRand: randBytes(r, 16), AudioRand: randBytes(r, 16),
		VideoPackets: packets, VideoPacketsPerFrm: 30, VideoPayload: rtspPayload,
		FirstSeq:        [2]uint16{uint16(r.Uint32()), uint16(r.Uint32())},
		FirstTS:         [2]uint32{r.Uint32(), r.Uint32()},
		VideoKeyInSetup: true,
	}
	g, err := scenario.NewRTSPGen(spec, &framebuild.Builder{})
	if err != nil {
		return nil, nil, err
	}
	var k strings.Builder
	k.WriteString("# mikeyscope keys for bench/out/rtsp-big.pcap\n")
	k.WriteString("# No secret is needed: the video key comes in the clear in a MIKEY-NULL message\n")
	k.WriteString("# in the KeyMgmt header of the video SETUP. For cross-checks only:\n")
	fmt.Fprintf(&k, "# srtp 0x%08x=%s:%s\n", spec.Video.SSRC, hex.EncodeToString(spec.Video.Key), hex.EncodeToString(spec.Video.Salt))
	fmt.Fprintf(&k, "# mki %s, SRTP to udp port %d (bench/srtp.sh reads these lines)\n", hex.EncodeToString(spec.Video.MKI), spec.VideoClientRTP.Port())
	return g, []byte(k.String()), nil
}
