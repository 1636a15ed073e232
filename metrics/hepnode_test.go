package metrics

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/hep"
)

type nopHandler struct{}

func (nopHandler) Datagram(*capture.Datagram) {}
func (nopHandler) Segment(*capture.Segment)   {}
func (nopHandler) Problem(*capture.Problem)   {}

// hepStatsWithNodes returns HEP counts of one SIP packet from each node name.
func hepStatsWithNodes(t *testing.T, nodes ...string) *capture.HEPStats {
	t.Helper()
	st := new(capture.HEPStats)
	h := capture.NewHEPHandler(nopHandler{}, capture.HEPOptions{Stats: st})
	for i, n := range nodes {
		p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Agent: uint32(i), HasAgent: true, NodeName: []byte(n),
			Src: netip.MustParseAddrPort("192.0.2.1:5060"), Dst: netip.MustParseAddrPort("192.0.2.2:5060"),
			Payload: []byte("OPTIONS sip:a@b SIP/2.0\r\n\r\n")}
		b, err := hep.Append(nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		h.Datagram(&capture.Datagram{Src: netip.MustParseAddrPort("198.51.100.1:40000"), Dst: netip.MustParseAddrPort("198.51.100.2:9060"), Payload: b})
	}
	return st
}

// TestHEPNodeLabelHostile: node names from the wire that are not valid
// UTF-8, hold terminal escapes or bidi overrides, or are long, become
// visible, bounded label values. Before, one node name with an invalid
// byte made every scrape fail (HTTP 500: "label value ... is not valid
// UTF-8").
func TestHEPNodeLabelHostile(t *testing.T) {
	st := hepStatsWithNodes(t, "\xff\x1b[31mevil\u202e", strings.Repeat("n", 5000), "kamailio-1")
	s, err := Serve("127.0.0.1:0", NewCollector(Inputs{HEP: st}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get("http://" + s.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	if resp.StatusCode != 200 {
		t.Fatalf("scrape: HTTP %d\n%s", resp.StatusCode, text)
	}
	for _, want := range []string{
		`mikeyscope_hep_packets_total{agent="0",node="\\xff\\x1b[31mevil\\u202e"} 1`,
		`mikeyscope_hep_packets_total{agent="1",node="` + strings.Repeat("n", 61) + `..."} 1`,
		`mikeyscope_hep_packets_total{agent="2",node="kamailio-1"} 1`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	if strings.ContainsAny(text, "\x1b\u202e") {
		t.Error("a control character or bidi override reached the exposition")
	}
	promtoolCheck(t, text)
}

// TestHEPAgentSeriesBounded: a sender making up agent ids makes at most
// maxAgentSeries series; the rest count under agent="other", which never
// goes down, and an agent keeps its series across scrapes.
func TestHEPAgentSeriesBounded(t *testing.T) {
	nodes := make([]string, 300)
	for i := range nodes {
		nodes[i] = fmt.Sprintf("n%03d", i)
	}
	st := hepStatsWithNodes(t, nodes...)
	c := NewCollector(Inputs{HEP: st})
	series := func() map[[2]string]float64 { return c.agentSeries(st.Counts().Agents) }
	got := series()
	if len(got) != maxAgentSeries+1 {
		t.Fatalf("%d series, want %d", len(got), maxAgentSeries+1)
	}
	if got[[2]string{"other", ""}] != 300-maxAgentSeries {
		t.Errorf("other = %v, want %d", got[[2]string{"other", ""}], 300-maxAgentSeries)
	}
	if got[[2]string{"0", "n000"}] != 1 {
		t.Errorf("agent 0: %v", got[[2]string{"0", "n000"}])
	}
	// Agents that sort first but arrive later do not take a named series.
	more := hepStatsWithNodes(t, append(nodes, "a-late")...)
	got = c.agentSeries(more.Counts().Agents)
	if len(got) != maxAgentSeries+1 || got[[2]string{"other", ""}] != 301-maxAgentSeries || got[[2]string{"0", "n000"}] != 1 {
		t.Errorf("after a new agent: %d series, other %v", len(got), got[[2]string{"other", ""}])
	}
}

func TestLabelValue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"sbc-east", "sbc-east"},
		{"caf\u00e9", "caf\u00e9"},
		{"a\x00b", `a\x00b`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"\u2066x\u2069", `\u2066x\u2069`},
		{"\xc3", `\xc3`},
		{strings.Repeat("\u00e9", 40), strings.Repeat("\u00e9", 30) + "..."},
	} {
		got := labelValue(tc.in)
		if got != tc.want {
			t.Errorf("labelValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !utf8.ValidString(got) || len(got) > maxLabelBytes {
			t.Errorf("labelValue(%q) = %q: invalid or too long", tc.in, got)
		}
	}
}

func promtoolCheck(t *testing.T, text string) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (apt-get install -y prometheus)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestIdleConnectionClosed: a kept-alive connection without a next request
// is closed after idleTimeout (before, it stayed open for ever: net/http
// has no idle timeout when neither IdleTimeout nor ReadTimeout is set).
func TestIdleConnectionClosed(t *testing.T) {
	defer func(d time.Duration) { idleTimeout = d }(idleTimeout)
	idleTimeout = 300 * time.Millisecond
	s, err := Serve("127.0.0.1:0", NewCollector(Inputs{}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v after %v, want EOF", err, time.Since(start))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("closed after %v", d)
	}
}

// TestHEPInflatedSeries: compressed SIP payloads count per format in
// mikeyscope_hep_inflated_total and per agent like any packet; a bomb is a
// malformed rejection; promtool accepts the exposition.
func TestHEPInflatedSeries(t *testing.T) {
	st := new(capture.HEPStats)
	h := capture.NewHEPHandler(nopHandler{}, capture.HEPOptions{Stats: st})
	for i, payload := range [][]byte{[]byte("OPTIONS sip:a@b SIP/2.0\r\n\r\n"), make([]byte, 1<<20)} {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(payload)
		w.Close()
		p := hep.Packet{IPProto: 17, ProtoType: hep.ProtoSIP, Agent: 7, HasAgent: true,
			Src: netip.MustParseAddrPort("192.0.2.1:5060"), Dst: netip.MustParseAddrPort("192.0.2.2:5060"),
			Payload: z.Bytes(), Compressed: true}
		b, err := hep.Append(nil, &p)
		if err != nil {
			t.Fatal(err)
		}
		h.Datagram(&capture.Datagram{Frame: uint64(i + 1), Src: netip.MustParseAddrPort("198.51.100.1:40000"), Dst: netip.MustParseAddrPort("198.51.100.2:9060"), Payload: b})
	}
	s, err := Serve("127.0.0.1:0", NewCollector(Inputs{HEP: st}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text := get(t, "http://"+s.Addr()+"/metrics")
	for _, want := range []string{
		`mikeyscope_hep_inflated_total{format="zlib"} 1`,
		`mikeyscope_hep_packets_total{agent="7",node=""} 2`,
		`mikeyscope_hep_rejected_total{reason="malformed"} 1`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("missing %s", want)
		}
	}
	promtoolCheck(t, text)
}
