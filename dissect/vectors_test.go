package dissect

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// TestVectorCarriers carries every MIKEY message of the shared vector set
// (testdata/mikey-messages.jsonl) the way its context shows, plus as an
// application/mikey SIP body, and checks the decoded bytes against the
// vector's hex.
func TestVectorCarriers(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) != 16 {
		t.Fatalf("%d vectors, want 16", len(vs))
	}
	for name, v := range vs {
		want, err := hex.DecodeString(v.Hex)
		if err != nil {
			t.Fatal(err)
		}
		type carried struct {
			where string
			msg   []byte
		}
		var cases []carried
		switch v.Carrier {
		case "rtsp-keymgmt":
			cases = append(cases, carried{WhereRTSPHeader, []byte(crlf("SETUP rtsp://10.0.0.2/profile2/media.smp/trackID=v RTSP/1.0", "CSeq: 2",
				"User-Agent: OmnicastRTSPClient/1.0", "Transport: RTP/SAVP;unicast;client_port=15000-15001",
				`KeyMgmt: prot=mikey;uri="";data="`+v.B64+`"`) + "\r\n")})
		case "rtsp-parameter":
			cases = append(cases, carried{WhereRTSPParameter, []byte(withBody([]string{"SET_PARAMETER rtsp://10.0.0.2/profile3/media.smp RTSP/1.0",
				"CSeq: 5", "Session: 30129", "User-Agent: OmnicastRTSPClient/1.0"}, "text/parameters", "mikey: "+v.B64+"\r\n"))})
		case "sdp-session", "sdp-media":
			lines := []string{"v=0", "o=- 1 1 IN IP4 10.0.0.2", "s=-", "c=IN IP4 10.0.0.2", "t=0 0"}
			where := WhereSDPMedia
			if v.Carrier == "sdp-session" {
				lines = append(lines, "a=key-mgmt:mikey "+v.B64, "m=audio 49000 RTP/SAVP 98")
				where = WhereSDPSession
			} else {
				lines = append(lines, "m=video 65535/987 RTP/SAVP 112 113 114", "a=control:substreamidf528764d_dbbd5deb", "a=key-mgmt:mikey "+v.B64)
			}
			cases = append(cases, carried{where, []byte(withBody([]string{"ANNOUNCE rtsp://some.com/existing_stream RTSP/1.0", "CSeq: 3"}, "application/sdp", crlf(lines...)))})
		}
		cases = append(cases, carried{WhereMIKEYBody, []byte(withBody([]string{"MESSAGE sip:bob@example.com SIP/2.0", "From: <sip:a@example.com>;tag=1",
			"To: <sip:bob@example.com>", "Call-ID: v-" + name, "CSeq: 1 MESSAGE"}, "application/mikey", string(want)))})
		for _, c := range cases {
			rec := &recSink{}
			e := NewEngine(rec, Options{})
			if strings.HasPrefix(string(c.msg), "MESSAGE") {
				e.Datagram(dgram(1, "10.0.0.1:5060", "10.0.0.2:5060", c.msg))
			} else {
				e.Segment(seg(1, "10.0.0.1:50000", "10.0.0.2:554", c.msg, 0))
			}
			if len(rec.sig) != 1 || len(rec.sig[0].KeyMgmt) != 1 {
				t.Errorf("%s/%s: %d messages, problems %v", name, c.where, len(rec.sig), rec.problemKinds())
				continue
			}
			m := rec.sig[0]
			it := m.KeyMgmt[0]
			if it.Where != c.where || it.Err != nil || !bytes.Equal(it.Data, want) {
				t.Errorf("%s/%s: item %s err %v, data equal %v", name, c.where, it.Where, it.Err, bytes.Equal(it.Data, want))
			}
			carriedText := v.B64
			if c.where == WhereMIKEYBody {
				carriedText = string(want)
			}
			if !bytes.HasPrefix(m.Raw[it.Offset:], []byte(carriedText)) {
				t.Errorf("%s/%s: offset %d does not point at the carried data", name, c.where, it.Offset)
			}
			if c.where == WhereSDPMedia && (m.SDP.Media[0].Port != 65535 || m.SDP.Media[0].KeyMgmtItem != 0) {
				t.Errorf("%s: media %+v", name, m.SDP.Media[0])
			}
		}
	}
}
