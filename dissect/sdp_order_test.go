package dissect

import (
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

func sdpLines(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

// TestSDPOrderProblem: what the strict parser (github.com/pion/sdp/v3)
// rejects is said in words of RFC 4566 §5, not as a byte position; each
// case is first checked to be rejected by pion (the independent judge).
func TestSDPOrderProblem(t *testing.T) {
	head := []string{"v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-"}
	cases := []struct {
		name   string
		body   []byte
		want   string
		pionOK bool
	}{
		{"b= before c= (session)", sdpLines(append(head, "b=AS:64", "c=IN IP4 192.0.2.1", "t=0 0")...),
			"b= line 4 comes before c= line 5 in the session section: RFC 4566 §5 orders c= before b=", false},
		{"c= after t=", sdpLines(append(head, "t=0 0", "c=IN IP4 192.0.2.1", "m=audio 4000 RTP/SAVP 0")...),
			"t= line 4 comes before c= line 5 in the session section: RFC 4566 §5 orders c= before t=", false},
		{"o= after s=", sdpLines("v=0", "s=-", "o=- 1 1 IN IP4 192.0.2.1", "t=0 0"),
			"s= line 2 comes before o= line 3", false},
		{"unknown type", sdpLines(append(head, "t=0 0", "m=audio 4000 RTP/SAVP 0", "x=1")...),
			"line 6 has the unknown type x=", false},
		{"s= twice", sdpLines(append(head, "s=again", "t=0 0")...),
			"s= appears twice in the session section (lines 3 and 4)", false},
		{"valid with repeats", sdpLines(append(head, "c=IN IP4 192.0.2.1", "b=AS:1", "b=TIAS:2", "t=0 0", "r=1 1 0", "t=1 2", "a=x", "m=audio 4000 RTP/SAVP 0", "c=IN IP4 192.0.2.1", "a=rtpmap:0 PCMU/8000", "m=video 4002 RTP/SAVP 96", "a=y")...),
			"", true},
	}
	for _, c := range cases {
		var sd sdp.SessionDescription
		if err := sd.Unmarshal(c.body); (err == nil) != c.pionOK {
			t.Fatalf("%s: pion says %v; the case is meant to be %v", c.name, err, map[bool]string{true: "accepted", false: "rejected"}[c.pionOK])
		}
		got := sdpOrderProblem(c.body)
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		_, _, iss := parseSDP(c.body, 0)
		for _, is := range iss {
			if strings.Contains(is.detail, "syntax error at pos") {
				t.Errorf("%s: the finding still gives only a position: %s", c.name, is.detail)
			}
		}
	}
}

// FuzzSDPOrder: the order check never panics and never quotes a line.
func FuzzSDPOrder(f *testing.F) {
	f.Add([]byte("v=0\r\ns=-\r\no=x\r\n"))
	f.Add([]byte("v=0\nm=audio 1 RTP/AVP 0\nv=0\n\x00=1\n"))
	f.Add([]byte("x\n=\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := sdpOrderProblem(b)
		if len(s) > 400 {
			t.Fatalf("message of %d bytes", len(s))
		}
	})
}
