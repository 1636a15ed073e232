package dissect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
)

// recSink records every event; media packets are copied.
type recSink struct {
	sig   []*SignalMessage
	media []MediaPacket
	probs []*Problem
}

func (r *recSink) Signal(m *SignalMessage) { r.sig = append(r.sig, m) }
func (r *recSink) Media(p *MediaPacket) {
	c := *p
	c.Data = bytes.Clone(p.Data)
	r.media = append(r.media, c)
}
func (r *recSink) Problem(p *Problem) { r.probs = append(r.probs, p) }

func (r *recSink) problemKinds() []ProblemKind {
	var k []ProblemKind
	for _, p := range r.probs {
		k = append(k, p.Kind)
	}
	return k
}

// nullSink discards everything (benchmarks, fuzzing).
type nullSink struct{ n int }

func (s *nullSink) Signal(m *SignalMessage) { s.n++ }
func (s *nullSink) Media(p *MediaPacket)    { s.n++ }
func (s *nullSink) Problem(p *Problem)      { s.n++ }

// crlf joins lines with CRLF and ends with CRLF.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// withBody builds a message with a correct Content-Length.
func withBody(head []string, ctype, body string) string {
	h := append([]string(nil), head...)
	if ctype != "" {
		h = append(h, "Content-Type: "+ctype)
	}
	h = append(h, "Content-Length: "+itoa(len(body)))
	return crlf(h...) + "\r\n" + body
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func dgram(frame uint64, src, dst string, payload []byte) *capture.Datagram {
	return &capture.Datagram{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), Src: ap(src), Dst: ap(dst), Payload: payload}
}

func seg(frame uint64, src, dst string, payload []byte, gap int) *capture.Segment {
	return &capture.Segment{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), Src: ap(src), Dst: ap(dst), Payload: payload, GapBefore: gap}
}

// vector is one line of testdata/mikey-messages.jsonl (a copy of
// /work/shared/vectors/mikey-messages.jsonl).
type vector struct {
	Name, Carrier, B64, Hex, Context string
}

func loadVectors(t testing.TB) map[string]vector {
	t.Helper()
	f, err := os.Open("testdata/mikey-messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]vector{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out[v.Name] = v
	}
	return out
}

// rtpPacket builds an RTP packet (RFC 3550 §5.1) by hand.
func rtpPacket(pt uint8, marker bool, seq uint16, ts, ssrc uint32, payload []byte) []byte {
	b := []byte{0x80, pt, byte(seq >> 8), byte(seq), byte(ts >> 24), byte(ts >> 16), byte(ts >> 8), byte(ts),
		byte(ssrc >> 24), byte(ssrc >> 16), byte(ssrc >> 8), byte(ssrc)}
	if marker {
		b[1] |= 0x80
	}
	return append(b, payload...)
}

// rtcpSR builds a minimal RTCP sender report (RFC 3550 §6.4.1), 28 bytes.
func rtcpSR(ssrc uint32) []byte {
	b := make([]byte, 28)
	b[0], b[1], b[2], b[3] = 0x80, 200, 0, 6
	b[4], b[5], b[6], b[7] = byte(ssrc>>24), byte(ssrc>>16), byte(ssrc>>8), byte(ssrc)
	return b
}
