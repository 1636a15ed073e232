package export

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func testRewriter() *rewriter {
	return &rewriter{
		endpoints: map[netip.AddrPort]bool{
			netip.MustParseAddrPort("192.0.2.10:49170"):    true,
			netip.MustParseAddrPort("198.51.100.20:50170"): true,
			netip.MustParseAddrPort("192.0.2.30:51034"):    true, // an RTSP connection's client end (interleaved)
		},
		addrs: map[netip.Addr]bool{
			netip.MustParseAddr("192.0.2.10"): true, netip.MustParseAddr("198.51.100.20"): true,
			netip.MustParseAddr("192.0.2.30"): true, netip.MustParseAddr("203.0.113.5"): true,
		},
	}
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestRewriteMessage(t *testing.T) {
	sipSrc, sipDst := netip.MustParseAddrPort("192.0.2.10:5060"), netip.MustParseAddrPort("198.51.100.20:5060")
	rtspC, rtspS := netip.MustParseAddrPort("192.0.2.30:51034"), netip.MustParseAddrPort("203.0.113.5:554")
	other := netip.MustParseAddrPort("10.9.9.9:5060")
	sdp := crlf("v=0\no=a 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\na=key-mgmt:mikey AQID\nm=audio 49170 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\na=rtpmap:0 PCMU/8000\nm=video 49172 RTP/SAVPF 96\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\n")
	cases := []struct {
		name     string
		msg      string
		src, dst netip.AddrPort
		want     []string // substrings of the result
		not      []string // substrings that must be gone
		changed  bool
	}{
		{
			name: "SIP INVITE: decrypted audio rewritten, undecrypted video kept",
			msg:  crlf("INVITE sip:b@x SIP/2.0\nCall-ID: 1\nl: "+strconv.Itoa(len(sdp))+"\nContent-Type: application/sdp\n\n") + sdp,
			src:  sipSrc, dst: sipDst, changed: true,
			want: []string{"m=audio 49170 RTP/AVP 0\r\n", "m=video 49172 RTP/SAVPF 96\r\n", "a=rtpmap:0 PCMU/8000", "\r\nl: "},
			not:  []string{"a=key-mgmt", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\na=rtpmap"},
		},
		{
			name: "SIP from hosts with no decrypted media: unchanged",
			msg:  crlf("INVITE sip:b@x SIP/2.0\nContent-Length: 63\n\nv=0\nc=IN IP4 10.9.9.9\nm=audio 4000 RTP/SAVP 0\na=crypto:1 X\n"),
			src:  other, dst: other,
		},
		{
			name: "RTSP SETUP interleaved: Transport and KeyMgmt",
			msg:  crlf("SETUP rtsp://cam/a RTSP/1.0\nCSeq: 3\nTransport: RTP/SAVP/TCP;unicast;interleaved=0-1\nKeyMgmt: prot=mikey; data=\"AQID\"\n\n"),
			src:  rtspC, dst: rtspS, changed: true,
			want: []string{"Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n", "CSeq: 3\r\n"},
			not:  []string{"KeyMgmt"},
		},
		{
			name: "RTSP reply, UDP ports, two transports: only the decrypted one",
			msg:  crlf("RTSP/1.0 200 OK\nTransport: RTP/SAVP;unicast;client_port=49170-49171, RTP/SAVPF;unicast;client_port=7000-7001\n\n"),
			src:  netip.MustParseAddrPort("192.0.2.10:554"), dst: netip.MustParseAddrPort("192.0.2.99:4000"), changed: true,
			want: []string{"Transport: RTP/AVP;unicast;client_port=49170-49171, RTP/SAVPF;unicast;client_port=7000-7001\r\n"},
		},
		{
			name: "RTSP DESCRIBE answer: port 0, unspecified address: by host",
			msg:  crlf("RTSP/1.0 200 OK\nContent-Length: 51\n\nv=0\nc=IN IP4 0.0.0.0\nm=video 0 RTP/SAVP 96\na=x\n"),
			src:  rtspS, dst: rtspC, changed: true,
			want: []string{"m=video 0 RTP/AVP 96\r\n", "Content-Length: 50\r\n"},
		},
		{
			name: "no header end: unchanged",
			msg:  "INVITE sip:b@x SIP/2.0\r\nTransport: RTP/SAVP",
			src:  sipSrc, dst: sipDst,
		},
	}
	w := testRewriter()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, changed := w.message([]byte(c.msg), c.src, c.dst)
			if changed != c.changed {
				t.Fatalf("changed = %v, want %v:\n%s", changed, c.changed, got)
			}
			if !changed && string(got) != c.msg {
				t.Fatalf("unchanged message differs")
			}
			for _, s := range c.want {
				if !strings.Contains(string(got), s) {
					t.Errorf("result lacks %q:\n%s", s, got)
				}
			}
			for _, s := range c.not {
				if strings.Contains(string(got), s) {
					t.Errorf("result still has %q:\n%s", s, got)
				}
			}
			checkContentLength(t, got)
		})
	}
}

// checkContentLength: a message with a Content-Length (or l) header has
// exactly that many body bytes.
func checkContentLength(t *testing.T, msg []byte) {
	t.Helper()
	he := headerEnd(msg)
	if he < 0 {
		return
	}
	sip := strings.Contains(strings.SplitN(string(msg), "\r\n", 2)[0], "SIP/2.0")
	if cl := contentLength(msg[:he-4], sip); cl >= 0 && cl != len(msg)-he {
		t.Errorf("Content-Length %d, body %d bytes:\n%q", cl, len(msg)-he, msg)
	}
}

// FuzzRewriteMessage: the rewriter takes any bytes without panicking; a
// message it changes whose input had a true Content-Length still has one.
func FuzzRewriteMessage(f *testing.F) {
	f.Add([]byte(crlf("INVITE sip:b@x SIP/2.0\nl: 50\n\nv=0\nc=IN IP4 192.0.2.10\nm=audio 49170 RTP/SAVP 0\na=crypto:1 X\n")))
	f.Add([]byte(crlf("SETUP rtsp://cam/a RTSP/1.0\nTransport: RTP/SAVP/TCP;interleaved=0-1,RTP/SAVPF;client_port=49170\nKeyMgmt: x\n\n")))
	f.Add([]byte(crlf("RTSP/1.0 200 OK\nContent-Length: 47\n\nv=0\nc=IN IP4 0.0.0.0\nm=video 0 RTP/SAVP 96\na=x\n")))
	f.Add([]byte(crlf("SIP/2.0 200 OK\nContent-Length: 9\n\nm=\nv=\nm=a")))
	w := testRewriter()
	src, dst := netip.MustParseAddrPort("192.0.2.10:5060"), netip.MustParseAddrPort("203.0.113.5:554")
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		got, changed := w.message(b, src, dst)
		if string(b) != string(in) {
			t.Fatal("input modified")
		}
		if !changed && string(got) != string(b) {
			t.Fatal("unchanged result differs from the input")
		}
		he := headerEnd(b)
		if changed && he >= 0 {
			sip := strings.Contains(strings.SplitN(string(b), "\r\n", 2)[0], "SIP/2.0")
			if cl := contentLength(b[:he-4], sip); cl == len(b)-he && strings.Count(string(b[:he]), "ontent-") <= 1 {
				checkContentLength(t, got)
			}
		}
	})
}
