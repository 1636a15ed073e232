package samples

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The HEP sample is cross-checked with sngrep (Debian's sngrep 1.6), a HEP
// implementation independent of mikeyscope's, both ways: sngrep decodes the
// sample's HEP into the SIP messages of the manifest, and sngrep sending
// sip-udp-psk.pcap as HEP produces exactly the sample's HEP datagrams.

func needSngrep(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sngrep")
	if err != nil {
		t.Skip("sngrep not installed (apt-get install -y sngrep): skipping the HEP cross-check")
	}
	return p
}

// sngrepEnv runs sngrep with an empty home: no user sngreprc.
func sngrepEnv(t *testing.T) []string {
	return append(os.Environ(), "HOME="+t.TempDir())
}

// TestHEPSampleWithSngrep: sngrep -E decodes the HEP3 datagrams of
// sip-hep-psk into SIP; tshark reads sngrep's output: the messages, their
// times and addresses are the manifest's.
func TestHEPSampleWithSngrep(t *testing.T) {
	bin := needSngrep(t)
	ts := needTshark(t)
	tr, err := Load("sip-hep-psk")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "decap.pcap")
	cmd := exec.Command(bin, "-I", tr.CapturePath(), "-E", "-N", "-q", "-O", out)
	cmd.Env = sngrepEnv(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sngrep: %v\n%s", err, b)
	}
	rows := tsharkFields(t, ts, out, nil, "sip", "frame.time_epoch", "ip.src", "udp.srcport", "ip.dst", "udp.dstport", "sip.Method", "sip.Status-Code")
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, " "))
	}
	got = slices.Compact(got) // sngrep 1.6 writes each decoded message twice
	var want []string
	for _, r := range tsharkFields(t, ts, filepath.Join(Dir(), "sip-udp-psk.pcap"), nil, "sip", "frame.time_epoch", "ip.src", "udp.srcport", "ip.dst", "udp.dstport", "sip.Method", "sip.Status-Code") {
		want = append(want, strings.Join(r, " "))
	}
	if len(want) != len(tr.Messages) || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sngrep decodes the HEP sample into\n%s\nwant (sip-udp-psk, %d messages in the manifest)\n%s", strings.Join(got, "\n"), len(tr.Messages), strings.Join(want, "\n"))
	}
}

// TestSngrepSendsTheHEPSample: `sngrep -I sip-udp-psk.pcap -H
// udp:127.0.0.1:PORT -N -q` sends the SIP of the call as HEP3; its
// datagrams are byte for byte the HEP payloads of sip-hep-psk.
func TestSngrepSendsTheHEPSample(t *testing.T) {
	bin := needSngrep(t)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-I", filepath.Join(Dir(), "sip-udp-psk.pcap"), "-H", "udp:"+conn.LocalAddr().String(), "-N", "-q")
	cmd.Env = sngrepEnv(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sngrep: %v\n%s", err, b)
	}
	var sent [][]byte
	buf := make([]byte, 70000)
	for {
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := conn.ReadFromUDP(buf)
		if err != nil {
			break
		}
		sent = append(sent, bytes.Clone(buf[:n]))
	}
	var want [][]byte
	for _, data := range packets(t, filepath.Join(Dir(), "sip-hep-psk.pcap")) {
		// Ethernet (14), IPv4 without options (20), UDP (8): the
		// generator's frames.
		if len(data) > 42 && data[12] == 0x08 && data[13] == 0 && data[14] == 0x45 && data[23] == 17 && data[36] == 9060>>8 && data[37] == 9060&0xff {
			want = append(want, data[42:])
		}
	}
	if len(want) != 7 || len(sent) != len(want) {
		t.Fatalf("sngrep sent %d datagrams, the sample has %d HEP datagrams (want 7)", len(sent), len(want))
	}
	for i := range want {
		if !bytes.Equal(sent[i], want[i]) {
			t.Errorf("datagram %d differs:\nsngrep %x\nsample %x", i+1, sent[i], want[i])
		}
	}
}
