package dissect

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// crossCheckCapture writes a capture with SIP over UDP and TCP (two
// messages in one segment, one message across two segments), RTP on ports
// learnt from the SDP, and an RTSP session with SRTP interleaved in TCP.
func crossCheckCapture(t *testing.T) string {
	t.Helper()
	v := loadVectors(t)
	var b framebuild.Builder
	var frames [][]byte
	add := func(f []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f)
	}
	addAll := func(fs [][]byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, fs...)
	}
	// tshark dissects the MIKEY too, so the SDP carries a complete message.
	sdp := func(addr, port string) string {
		return crlf("v=0", "o=- 1 1 IN IP4 "+addr, "s=-", "c=IN IP4 "+addr, "t=0 0",
			"a=key-mgmt:mikey "+v["gortsplib-keymgmt-rtsps"].B64, "m=audio "+port+" RTP/SAVP 0")
	}
	alice, bob := netip.MustParseAddrPort("10.0.0.1:5060"), netip.MustParseAddrPort("10.0.0.2:5060")
	add(b.UDP(alice, bob, sipMsg("INVITE sip:bob@b.example SIP/2.0", "xc-1", "1 INVITE", "a1", "", "application/sdp", sdp("10.0.0.1", "20000"))))
	add(b.UDP(bob, alice, sipMsg("SIP/2.0 200 OK", "xc-1", "1 INVITE", "a1", "b1", "application/sdp", sdp("10.0.0.2", "30000"))))
	for i := range 3 {
		add(b.UDP(netip.MustParseAddrPort("10.0.0.1:20000"), netip.MustParseAddrPort("10.0.0.2:30000"), rtpPacket(0, false, uint16(100+i), uint32(160*i), 0x11112222, make([]byte, 160))))
		add(b.UDP(netip.MustParseAddrPort("10.0.0.2:30000"), netip.MustParseAddrPort("10.0.0.1:20000"), rtpPacket(0, false, uint16(900+i), uint32(160*i), 0x33334444, make([]byte, 160))))
	}
	// SIP over TCP: two messages in one segment, then one across two.
	sc := pcapbuild.NewTCPConn(&b, netip.MustParseAddrPort("10.0.0.1:41000"), netip.MustParseAddrPort("10.0.0.2:5060"), 1000, 5000)
	addAll(sc.Handshake())
	two := string(sipMsg("OPTIONS sip:bob@b.example SIP/2.0", "xc-2", "1 OPTIONS", "o1", "", "", "")) + string(sipMsg("OPTIONS sip:bob@b.example SIP/2.0", "xc-3", "1 OPTIONS", "o2", "", "", ""))
	addAll(sc.Data(true, []byte(two)))
	inv := sipMsg("INVITE sip:bob@b.example SIP/2.0", "xc-4", "1 INVITE", "a4", "", "application/sdp", sdp("10.0.0.1", "22000"))
	addAll(sc.Data(true, inv, 150))
	// RTSP with interleaved SRTP
	rc := pcapbuild.NewTCPConn(&b, netip.MustParseAddrPort(rtspClient), netip.MustParseAddrPort(rtspServer), 7000, 9000)
	addAll(rc.Handshake())
	// tshark demultiplexes interleaved RTP only for RTP/AVP transports
	toServer, toClient, _, _ := rtspConversation(v)
	for i := range toServer {
		addAll(rc.Data(true, []byte(strings.ReplaceAll(toServer[i], "RTP/SAVP/TCP", "RTP/AVP/TCP"))))
		addAll(rc.Data(false, []byte(strings.ReplaceAll(toClient[i], "RTP/SAVP/TCP", "RTP/AVP/TCP"))))
	}
	path := filepath.Join(t.TempDir(), "cross.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	w, err := pcapwrite.NewWriter(bw, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	for i, fr := range frames {
		if err := w.WriteFrame(t0.Add(time.Duration(i)*time.Millisecond), fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCrossCheckTshark reads the capture through capture/ and this package
// and through Wireshark's tshark, and compares per frame: SIP Call-IDs,
// RTSP methods and status codes, and RTP SSRCs.
func TestCrossCheckTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark): cross-check skipped")
	}
	path := crossCheckCapture(t)

	src, err := capture.OpenFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rec := &recSink{}
	e := NewEngine(rec, Options{})
	d := capture.NewDecoder(e, capture.DecoderOptions{})
	var p capture.Packet
	for {
		if err := src.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		d.Packet(&p)
	}
	d.Flush()
	e.Flush()
	ours := map[string][]string{}
	for _, m := range rec.sig {
		k := fmt.Sprint(m.Frame)
		switch {
		case m.Carrier == CarrierSIP:
			ours[k] = append(ours[k], "sip "+m.CallID)
		case m.Request:
			ours[k] = append(ours[k], "rtsp "+m.Method)
		default:
			ours[k] = append(ours[k], "rtsp "+fmt.Sprint(m.Status))
		}
	}
	for _, mp := range rec.media {
		if mp.Kind == KindRTP {
			k := fmt.Sprint(mp.Frame)
			ours[k] = append(ours[k], fmt.Sprintf("rtp 0x%08x", mp.SSRC))
		}
	}
	for _, pr := range rec.probs {
		t.Errorf("problem: %+v", pr)
	}

	out, err := exec.Command(tshark, "-n", "-r", path, "-o", "rtsp.desegment_headers:TRUE", "-o", "rtsp.desegment_body:TRUE",
		"-T", "fields", "-E", "separator=|", "-E", "aggregator=,",
		"-e", "frame.number", "-e", "sip.Call-ID", "-e", "rtsp.method", "-e", "rtsp.response", "-e", "rtp.ssrc").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	theirs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 5 {
			t.Fatalf("tshark line %q", line)
		}
		k := f[0]
		for _, id := range splitNonEmpty(f[1]) {
			theirs[k] = append(theirs[k], "sip "+id)
		}
		for _, m := range splitNonEmpty(f[2]) {
			theirs[k] = append(theirs[k], "rtsp "+m)
		}
		for _, r := range splitNonEmpty(f[3]) {
			// "RTSP/1.0 200 OK" -> "200"
			if fs := strings.Fields(r); len(fs) >= 2 {
				theirs[k] = append(theirs[k], "rtsp "+fs[1])
			}
		}
		for _, s := range splitNonEmpty(f[4]) {
			theirs[k] = append(theirs[k], "rtp "+s)
		}
	}
	keys := map[string]bool{}
	for k := range ours {
		keys[k] = true
	}
	for k := range theirs {
		keys[k] = true
	}
	n := 0
	for k := range keys {
		a, b := slices.Clone(ours[k]), slices.Clone(theirs[k])
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("frame %s: mikeyscope %v, tshark %v", k, a, b)
		}
		n += len(a)
	}
	if n < 20 {
		t.Errorf("only %d events compared", n)
	}

	// MIKEY: tshark decodes the a=key-mgmt of SDP (not RTSP KeyMgmt headers
	// nor text/parameters); the frames must be those where we found SDP items.
	out, err = exec.Command(tshark, "-n", "-r", path, "-Y", "mikey", "-T", "fields", "-e", "frame.number").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var theirMIKEY, ourMIKEY []string
	theirMIKEY = splitNonEmpty(strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", ","))
	for _, m := range rec.sig {
		for _, it := range m.KeyMgmt {
			if (it.Where == WhereSDPSession || it.Where == WhereSDPMedia) && it.Err == nil {
				ourMIKEY = append(ourMIKEY, fmt.Sprint(m.Frame))
				break
			}
		}
	}
	if !slices.Equal(ourMIKEY, theirMIKEY) {
		t.Errorf("frames with MIKEY in SDP: mikeyscope %v, tshark %v", ourMIKEY, theirMIKEY)
	}
}

func splitNonEmpty(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
