package dissect

import (
	"encoding/base64"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

func TestSDP(t *testing.T) {
	v := loadVectors(t)
	sess := v["rfc4567-5.1-offer"].B64
	med := v["tsitle-announce-sdp-media"].B64
	sessData, _ := base64.StdEncoding.DecodeString(sess)
	medData, _ := base64.StdEncoding.DecodeString(med)
	tests := []struct {
		name      string
		sdp       string
		strict    bool
		items     []string // Where of each item
		itemMedia []int
		media     []SDPMedia // checked fields only: Port, RTCPPort, RTCPMux, KeyMgmt, KeyMgmtItem, Crypto, Control, SSRCs, Addr
	}{
		{
			name: "session and media level, media wins",
			sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
				"a=key-mgmt:mikey "+sess,
				"m=audio 49000 RTP/SAVP 98", "a=rtpmap:98 AMR/8000",
				"m=video 52230 RTP/SAVP 31", "a=key-mgmt:mikey "+med),
			strict: true, items: []string{WhereSDPSession, WhereSDPMedia}, itemMedia: []int{-1, 1},
			media: []SDPMedia{
				{Port: 49000, RTCPPort: 49001, KeyMgmtItem: 0, Addr: netip.MustParseAddr("192.0.2.1")},
				{Port: 52230, RTCPPort: 52231, KeyMgmt: true, KeyMgmtItem: 1, Addr: netip.MustParseAddr("192.0.2.1")},
			},
		},
		{
			name: "a=crypto, rtcp-mux, a=rtcp with address, ssrc, control",
			sdp: crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
				"m=audio 4000 RTP/SAVP 0", "c=IN IP4 198.51.100.7",
				"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
				"a=rtcp-mux", "a=ssrc:12345 cname:x", "a=ssrc:12345 msid:y", "a=ssrc:99",
				"m=video 5000 RTP/SAVPF 96", "a=rtcp:5011 IN IP4 203.0.113.9", "a=control:trackID=1"),
			strict: true,
			media: []SDPMedia{
				{Port: 4000, RTCPPort: 4000, RTCPMux: true, KeyMgmtItem: -1, Addr: netip.MustParseAddr("198.51.100.7"),
					Crypto: []string{"1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"}, SSRCs: []uint32{12345, 99}},
				{Port: 5000, RTCPPort: 5011, KeyMgmtItem: -1, Addr: netip.MustParseAddr("192.0.2.1"), Control: "trackID=1"},
			},
		},
		{
			name: "pion rejects (t= before c=, LF only, base64 wrapped), key-mgmt kept",
			sdp: strings.Join([]string{"v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "c=IN IP4 192.0.2.1",
				"m=audio 49000 RTP/SAVP 98", "a=key-mgmt:mikey " + med, "bogus line", ""}, "\n"),
			strict: false, items: []string{WhereSDPMedia}, itemMedia: []int{0},
			media: []SDPMedia{{Port: 49000, RTCPPort: 49001, KeyMgmt: true, KeyMgmtItem: 0, Addr: netip.MustParseAddr("192.0.2.1")}},
		},
		{
			name: "RTSP description, port 0, host name in c=",
			sdp: crlf("v=0", "o=actionmovie 2891092738 2891092738 IN IP4 movie.example.com", "s=Action Movie",
				"c=IN IP4 movie.example.com", "t=0 0", "a=control:rtsp://movie.example.com/action",
				"m=audio 0 RTP/SAVP 98", "a=control:rtsp://movie.example.com/action/audio"),
			strict: true,
			media:  []SDPMedia{{Port: 0, RTCPPort: 0, KeyMgmtItem: -1, Control: "rtsp://movie.example.com/action/audio"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const off = 100
			info, items, iss := parseSDP([]byte(tc.sdp), off)
			if info.Strict != tc.strict {
				t.Errorf("strict = %v, want %v (issues %v)", info.Strict, tc.strict, iss)
			}
			if !tc.strict && (len(iss) == 0 || iss[0].kind != ProblemSDP) {
				t.Errorf("rejected SDP raised no ProblemSDP: %v", iss)
			}
			if tc.strict && len(iss) != 0 {
				t.Errorf("issues %v", iss)
			}
			if len(items) != len(tc.items) {
				t.Fatalf("items %+v", items)
			}
			for i, it := range items {
				if it.Where != tc.items[i] || it.MediaIndex != tc.itemMedia[i] || it.Err != nil {
					t.Errorf("item %d = %s/%d err %v", i, it.Where, it.MediaIndex, it.Err)
				}
				want := sessData
				if it.Where == WhereSDPMedia {
					want = medData
				}
				if string(it.Data) != string(want) {
					t.Errorf("item %d data mismatch", i)
				}
				if got := tc.sdp[it.Offset-off : it.Offset-off+len(it.B64)]; got != it.B64 {
					t.Errorf("item %d offset points at %q", i, got[:8])
				}
			}
			if len(info.Media) != len(tc.media) {
				t.Fatalf("media %+v", info.Media)
			}
			for i, w := range tc.media {
				g := info.Media[i]
				got := SDPMedia{Port: g.Port, RTCPPort: g.RTCPPort, RTCPMux: g.RTCPMux, KeyMgmt: g.KeyMgmt, KeyMgmtItem: g.KeyMgmtItem,
					Crypto: g.Crypto, Control: g.Control, SSRCs: g.SSRCs, Addr: g.Addr}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("media %d:\n got %+v\nwant %+v", i, got, w)
				}
			}
		})
	}
}

// TestSDPScannerAgreesWithPion checks that the tolerant scanner reads valid
// descriptions exactly as the pion path does.
func TestSDPScannerAgreesWithPion(t *testing.T) {
	v := loadVectors(t)
	sdps := []string{
		crlf("v=0", "o=alice 2891092738 2891092738 IN IP4 w-land.example.com", "s=Cool stuff", "c=IN IP4 192.0.2.4", "t=0 0",
			"a=key-mgmt:mikey "+v["rfc4567-5.1-offer"].B64, "m=audio 49000 RTP/SAVP 98", "a=rtpmap:98 AMR/8000",
			"m=video 52230 RTP/SAVP 31", "a=rtpmap:31 H261/90000", "a=sendonly"),
		crlf("v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=Stream", "c=IN IP4 0.0.0.0", "t=0 0", "a=control:*",
			"a=key-mgmt:mikey "+v["gortsplib-keymgmt-rtsps"].B64, "m=video 0 RTP/SAVP 96", "a=rtpmap:96 H264/90000/2",
			"a=control:trackID=0", "a=key-mgmt:mikey "+v["gortsplib-keymgmt-rtsps"].B64, "a=rtcp-mux", "a=ssrc:7 cname:a"),
	}
	for i, s := range sdps {
		info, items, iss := parseSDP([]byte(s), 0)
		if !info.Strict || len(iss) != 0 {
			t.Fatalf("sdp %d not strict: %v", i, iss)
		}
		var sd sdp.SessionDescription
		if err := sd.Unmarshal([]byte(s)); err != nil {
			t.Fatalf("sdp %d: pion: %v", i, err)
		}
		strict := fromPion(&sd)
		finishSDP(strict, items)
		if !reflect.DeepEqual(info, strict) {
			t.Errorf("sdp %d:\npion    %+v\nscanner %+v", i, strict, info)
		}
	}
}

// fromPion converts a description accepted by pion.
func fromPion(sd *sdp.SessionDescription) *SDPInfo {
	info := &SDPInfo{
		Strict:      true,
		Origin:      sd.Origin.String(),
		SessionName: string(sd.SessionName),
	}
	if ci := sd.ConnectionInformation; ci != nil && ci.Address != nil {
		info.Addr, _ = parseAddr(ci.Address.Address)
	}
	for _, a := range sd.Attributes {
		applyAttr(info, nil, a.Key, a.Value)
	}
	for i, md := range sd.MediaDescriptions {
		if i >= maxSDPMedia {
			break
		}
		port := strconv.Itoa(md.MediaName.Port.Value)
		if md.MediaName.Port.Range != nil {
			port += "/" + strconv.Itoa(*md.MediaName.Port.Range)
		}
		line := md.MediaName.Media + " " + port + " " + strings.Join(md.MediaName.Protos, "/") + " " + strings.Join(md.MediaName.Formats, " ")
		info.Media = append(info.Media, mediaFromLine(line, i))
		cur := &info.Media[i]
		if ci := md.ConnectionInformation; ci != nil && ci.Address != nil {
			cur.Addr, _ = parseAddr(ci.Address.Address)
		}
		for _, a := range md.Attributes {
			applyAttr(info, cur, a.Key, a.Value)
		}
	}
	return info
}
