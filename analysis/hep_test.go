package analysis_test

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/hep"
	"github.com/mikeyscope/mikeyscope/internal/framebuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
)

// TestHEPSample: the SIP of sip-hep-psk came by HEP from agent 2002; every
// signal names it, the summary counts the agent's packets, and the media
// captured on the wire decrypts with the keys the HEP-borne MIKEY gave
// (TestSamplesWithKeys checks the streams against the manifest).
func TestHEPSample(t *testing.T) {
	r := analyse(t, "sip-hep-psk.pcap", sampleKeys(t, "sip-hep-psk"), nil)
	h := r.Summary.HEP
	if h == nil || h.Packets != 7 || h.SIP != 7 || h.ByType["sip"] != 7 || len(h.Agents) != 1 || h.Agents[0].ID != "2002" || h.Agents[0].Packets != 7 {
		t.Fatalf("summary.hep = %+v", h)
	}
	ss := r.Sessions[0]
	for _, sg := range ss.Signals {
		if sg.Via != "hep agent 2002" || sg.Src == "10.30.0.1:41234" {
			t.Errorf("frame %d: via %q, %s -> %s", sg.Frame, sg.Via, sg.Src, sg.Dst)
		}
	}
	if ss.KeyStatus != "verified" || ss.Transport != "udp" {
		t.Errorf("key status %s, transport %s", ss.KeyStatus, ss.Transport)
	}
	decrypted := 0
	for _, st := range ss.Streams {
		if st.Decrypted == st.Packets && st.Packets > 0 {
			decrypted++
		}
	}
	if decrypted != 4 {
		t.Errorf("%d of 4 streams decrypt fully", decrypted)
	}
}

// TestHEPAndWireDuplicates: the SIP of the call captured on the wire
// (sip-udp-psk's SIP frames) and mirrored by HEP (sip-hep-psk) in one pass:
// each message is one signal seen at both places, the MIKEY messages are
// analysed once (no replay finding), and the media decrypts.
func TestHEPAndWireDuplicates(t *testing.T) {
	tr := loadTruth(t, "sip-udp-psk")
	sip := map[uint64]bool{}
	for _, m := range tr.Messages {
		sip[m.Frame] = true
	}
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sip-udp-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	var p capture.Packet
	for {
		if err := src.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if sip[p.Frame] {
			if err := w.WriteFrame(p.Time, p.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	src.Close()
	w.Flush()
	wire := filepath.Join(t.TempDir(), "wire-sip.pcap")
	if err := os.WriteFile(wire, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	both, err := capture.OpenFiles(wire, filepath.Join("..", "samples", "sip-hep-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer both.Close()
	a := analysis.New(analysis.Options{Keys: sampleKeys(t, "sip-hep-psk")})
	if err := analysis.Run(context.Background(), both, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	if len(r.Sessions) != 1 {
		t.Fatalf("%d sessions", len(r.Sessions))
	}
	ss := r.Sessions[0]
	if len(ss.Signals) != 7 || len(ss.MIKEY) != 2 {
		dumpSignals(t, r)
		t.Fatalf("%d signals, %d MIKEY messages; want 7 and 2", len(ss.Signals), len(ss.MIKEY))
	}
	for _, sg := range ss.Signals {
		if len(sg.AlsoSeen) != 1 {
			t.Errorf("frame %d (%s) seen also at %+v", sg.Frame, sg.Via, sg.AlsoSeen)
			continue
		}
		places := map[string]bool{sg.Via: true, sg.AlsoSeen[0].Via: true}
		if !places[""] || !places["hep agent 2002"] || !sg.AlsoSeen[0].Time.Equal(sg.Time) {
			t.Errorf("frame %d: via %q, also %+v", sg.Frame, sg.Via, sg.AlsoSeen[0])
		}
	}
	for _, f := range r.Findings {
		t.Errorf("finding %s: %s", f.Code, f.Summary)
	}
	if r.Summary.HEP == nil || r.Summary.HEP.Duplicates != 7 {
		t.Errorf("summary.hep %+v", r.Summary.HEP)
	}
	for _, st := range ss.Streams {
		if st.Decrypted != st.Packets || st.Packets == 0 {
			t.Errorf("stream %s: %d of %d decrypted", st.SSRC, st.Decrypted, st.Packets)
		}
	}
}

func dumpSignals(t *testing.T, r *analysis.Report) {
	for _, sg := range r.Sessions[0].Signals {
		t.Logf("%d %s %s %s->%s %q %+v", sg.Frame, sg.Time.Format("15:04:05.000000"), sg.Summary, sg.Src, sg.Dst, sg.Via, sg.AlsoSeen)
	}
}

// TestHEPOverTCPInCapture: the HEP packets of sip-hep-psk sent over one TCP
// connection to port 9060 instead, each packet's segment cut at its own
// offsets (HEP packets straddle segments), with the media on the wire: the
// framer rebuilds every packet and the call verifies and decrypts as with
// HEP over UDP.
func TestHEPOverTCPInCapture(t *testing.T) {
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sip-hep-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	if err != nil {
		t.Fatal(err)
	}
	var b framebuild.Builder
	conn := pcapbuild.NewTCPConn(&b, netip.MustParseAddrPort("10.30.0.1:41234"), netip.MustParseAddrPort("10.30.0.9:9060"), 1000, 2000)
	hs, err := conn.Handshake()
	if err != nil {
		t.Fatal(err)
	}
	var p capture.Packet
	var pending []byte // HEP bytes not yet sent: each frame sends a prefix
	n := 0
	for {
		if err := src.Next(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			for _, f := range hs {
				w.WriteFrame(p.Time, f)
			}
		}
		n++
		if len(p.Data) > 42 && p.Data[36] == 9060>>8 && p.Data[37] == 9060&0xff {
			pending = append(pending, p.Data[42:]...)
			// Send all but the last 100 bytes now: the rest goes with
			// the next HEP packet (or at the end).
			cut := max(0, len(pending)-100)
			if cut > 0 {
				frames, err := conn.Data(true, pending[:cut], cut/3, 2*cut/3)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range frames {
					w.WriteFrame(p.Time, f)
				}
				pending = pending[cut:]
			}
			continue
		}
		w.WriteFrame(p.Time, p.Data)
	}
	frames, err := conn.Data(true, pending)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		w.WriteFrame(p.Time, f)
	}
	w.Flush()
	s, err := capture.OpenReader("hep-tcp.pcap", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a := analysis.New(analysis.Options{Keys: sampleKeys(t, "sip-hep-psk")})
	if err := analysis.Run(context.Background(), s, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	if len(r.Sessions) != 1 || r.Summary.HEP == nil || r.Summary.HEP.SIP != 7 {
		t.Fatalf("%d sessions, hep %+v", len(r.Sessions), r.Summary.HEP)
	}
	ss := r.Sessions[0]
	if ss.KeyStatus != "verified" || len(ss.Signals) != 7 || len(ss.Streams) != 4 {
		t.Fatalf("status %s, %d signals, %d streams", ss.KeyStatus, len(ss.Signals), len(ss.Streams))
	}
	for _, st := range ss.Streams {
		if st.Decrypted != st.Packets || st.Packets == 0 {
			t.Errorf("stream %s: %d of %d decrypted", st.SSRC, st.Decrypted, st.Packets)
		}
	}
	for _, f := range r.Findings {
		t.Errorf("finding %s: %s", f.Code, f.Summary)
	}
}

// TestHEPProxyLegs: Kamailio's siptrace mirrors both legs of a relayed
// message: the INVITE as received (caller -> proxy) and as forwarded, with
// the proxy's Via on top (proxy -> callee). Both are messages of the call
// (different legs are not folded as HEP duplicates); the analysis' relay
// check takes the second for a relay, so its MIKEY copy is no replay.
func TestHEPProxyLegs(t *testing.T) {
	src, err := capture.OpenFiles(filepath.Join("..", "samples", "sip-hep-psk.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var invite hep.Packet
	var raw []byte
	var p capture.Packet
	if err := src.Next(&p); err != nil {
		t.Fatal(err)
	}
	raw = bytes.Clone(p.Data[42:])
	if err := hep.Parse(raw, &invite); err != nil {
		t.Fatal(err)
	}
	proxy := netip.MustParseAddrPort("10.0.0.5:5060")
	leg1, leg2 := invite, invite
	leg1.Dst = proxy
	leg2.Src = proxy
	leg2.Payload = bytes.Replace(invite.Payload, []byte("\r\nVia: "), []byte("\r\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKproxy1\r\nVia: "), 1)
	leg2.Time = leg1.Time.Add(2 * time.Millisecond)
	var buf bytes.Buffer
	w, _ := pcapwrite.NewWriter(&buf, pcapwrite.FormatPcap)
	var b framebuild.Builder
	for _, leg := range []hep.Packet{leg1, leg2} {
		enc, err := hep.Append(nil, &leg)
		if err != nil {
			t.Fatal(err)
		}
		f, err := b.UDP(netip.MustParseAddrPort("10.30.0.1:41234"), netip.MustParseAddrPort("10.30.0.9:9060"), enc)
		if err != nil {
			t.Fatal(err)
		}
		w.WriteFrame(leg.Time, f)
	}
	w.Flush()
	s, _ := capture.OpenReader("legs.pcap", bytes.NewReader(buf.Bytes()))
	a := analysis.New(analysis.Options{Keys: sampleKeys(t, "sip-hep-psk")})
	if err := analysis.Run(context.Background(), s, a, dissect.Options{}, nil); err != nil {
		t.Fatal(err)
	}
	r := a.Finish()
	if len(r.Sessions) != 1 || len(r.Sessions[0].Signals) != 2 {
		t.Fatalf("%d sessions", len(r.Sessions))
	}
	sg := r.Sessions[0].Signals
	if sg[1].RelayOf != 1 || len(sg[0].AlsoSeen) != 0 || sg[1].Via != "hep agent 2002" {
		t.Errorf("leg 2: relay of %d, via %q; leg 1 also seen %v", sg[1].RelayOf, sg[1].Via, sg[0].AlsoSeen)
	}
	for _, f := range r.Findings {
		if f.Code == "mikey.replay" {
			t.Errorf("finding %s: %s", f.Code, f.Summary)
		}
	}
}
