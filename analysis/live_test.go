package analysis_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
	"github.com/mikeyscope/mikeyscope/capture"
	"github.com/mikeyscope/mikeyscope/dissect"
	"github.com/mikeyscope/mikeyscope/keys"
)

// TestLiveLoopbackSIP captures on the loopback interface while the test
// sends a SIP INVITE carrying the sample's MIKEY-PSK message over UDP, and
// checks that the live analysis finds the session and verifies the message
// with the PSK. It needs the rights to open a packet socket (CI runs as
// root) and skips otherwise.
func TestLiveLoopbackSIP(t *testing.T) {
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no UDP on loopback: %v", err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	filter := fmt.Sprintf("udp and port %d", port)
	open := func() (capture.Source, error) { return capture.OpenLive("lo", filter, capture.LiveOptions{}) }
	if src, err := open(); err != nil {
		t.Skipf("cannot capture on lo (needs root or CAP_NET_RAW): %v", err)
	} else {
		src.Close()
	}
	st := &keys.Store{}
	if err := st.Add("psk", "5980fbf6885355e10d042e18c92f084ce523ae86", "test"); err != nil {
		t.Fatal(err)
	}
	j, err := analysis.StartJob(open, []string{"live:lo"}, 0, true, analysis.Options{Keys: st}, dissect.Options{SIPPorts: []uint16{uint16(port)}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Stop()

	sdp := "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=key-mgmt:mikey " + samplePSKInitB64 + "\r\nm=audio 40000 RTP/SAVP 0\r\n"
	invite := fmt.Sprintf("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKlive\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: live-test-%d@127.0.0.1\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", port, len(sdp), sdp)
	sender, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()

	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := sender.Write([]byte(invite)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-j.Updates():
		case <-time.After(200 * time.Millisecond):
		}
		r := j.Snapshot()
		for _, s := range r.Sessions {
			if len(s.MIKEY) > 0 {
				m := s.MIKEY[0]
				if m.Auth != "verified" || m.CSBID != "0x4b521729" {
					t.Fatalf("live MIKEY message: auth %s CSB %s (%s)", m.Auth, m.CSBID, m.Detail)
				}
				return
			}
		}
	}
	t.Fatalf("no SIP session with MIKEY seen on lo; progress %+v", j.Progress())
}

// samplePSKInitB64 is the MIKEY-PSK initiator message of samples/sip-udp-psk.pcap.
const samplePSKInitB64 = "AQAFgEtSFykCAACIoUv7AAAAAAC+u6REAAAAAAsA7pLdoAAAAAAGEJnI/8RLt5i/e1IQhORcK5MGAQAVc2lwOmFsaWNlQGV4YW1wbGUuY29tCgEAE3NpcDpib2JAZXhhbXBsZS5jb20BAAAAHgABAQEBEAIBAQMBFAQBDgUBAAcBAQgBAQoBAQsBCgABABS0ip3FgecAHPJfDmyz2N5gz4SpDgE9f/d2noJkLI7aqdY/tRyVAshPbQ=="
