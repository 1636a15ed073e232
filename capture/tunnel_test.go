package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Encapsulations written from their specifications, for the tests.

// gtpu is a GTP-U header (3GPP TS 29.281 §5.1) of message type typ for
// TEID 0x1234 around payload; ext, when given, are extension headers
// (each: type, content of 4n-2 bytes) and set the E flag and the optional
// fields; seq sets the S flag and the optional fields.
func gtpu(typ byte, payload []byte, seq bool, ext ...[]byte) []byte {
	flags := byte(0x30) // version 1, protocol type GTP
	var opt []byte
	if seq || len(ext) > 0 {
		opt = []byte{0, 7, 0, 0} // sequence number 7, N-PDU 0, next extension type
		if seq {
			flags |= 0x02
		}
	}
	if len(ext) > 0 {
		flags |= 0x04
		opt[3] = ext[0][0]
		for i, e := range ext {
			next := byte(0)
			if i+1 < len(ext) {
				next = ext[i+1][0]
			}
			opt = append(opt, byte((len(e)-1+2)/4))
			opt = append(opt, e[1:]...)
			opt = append(opt, next)
		}
	}
	h := []byte{flags, typ, 0, 0, 0, 0, 0x12, 0x34}
	binary.BigEndian.PutUint16(h[2:], uint16(len(opt)+len(payload)))
	return append(append(h, opt...), payload...)
}

// vxlan is a VXLAN header (RFC 7348 §5) with VNI 42 around an Ethernet frame.
func vxlan(frame []byte) []byte {
	return append([]byte{0x08, 0, 0, 0, 0, 0, 42, 0}, frame...)
}

// gre is a GRE header (RFC 2784, RFC 2890) of protocol type et, with a key
// and a sequence number when asked, around payload.
func gre(et uint16, key, seq bool, payload []byte) []byte {
	h := []byte{0, 0, 0, 0}
	binary.BigEndian.PutUint16(h[2:], et)
	if key {
		h[0] |= 0x20
		h = append(h, 0, 0, 0, 9)
	}
	if seq {
		h[0] |= 0x10
		h = append(h, 0, 0, 0, 1)
	}
	return append(h, payload...)
}

// ipGRE is an IP packet carrying GRE.
func ipGRE(t testing.TB, src, dst string, g []byte) []byte {
	return serialize(t, ipLayer(src, dst, layers.IPProtocolGRE).(gopacket.SerializableLayer), gopacket.Payload(g))
}

// tunnelCases are the frames of the tunnel tests: each carries one inner
// UDP datagram from 192.0.2.1:5060 to 192.0.2.2:5062 whose payload names
// the case, except those that must give none.
func tunnelCases(t testing.TB) []struct {
	name  string
	frame []byte
	want  string // inner payload; "" for no datagram
} {
	inner := func(name string) []byte { return ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5062, []byte(name)) }
	inner6 := func(name string) []byte { return ipUDP(t, "2001:db8::1", 5060, "2001:db8::2", 5062, []byte(name)) }
	outer := func(sport, dport uint16, payload []byte) []byte {
		return ethernet(ipUDP(t, "10.9.0.1", sport, "10.9.0.2", dport, payload))
	}
	erspan2 := func(frame []byte) []byte { return append([]byte{0x10, 0x64, 0, 0, 0, 0, 0, 1}, frame...) }
	erspan3 := func(o bool, frame []byte) []byte {
		h := []byte{0x20, 0x64, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
		if o {
			h[11] = 0x01
			h = append(h, make([]byte, 8)...)
		}
		return append(h, frame...)
	}
	return []struct {
		name  string
		frame []byte
		want  string
	}{
		{"gtpu", outer(2152, 2152, gtpu(255, inner("gtpu"), false)), "gtpu"},
		{"gtpu-seq", outer(2152, 2152, gtpu(255, inner("gtpu-seq"), true)), "gtpu-seq"},
		{"gtpu-ext", outer(2152, 2152, gtpu(255, inner("gtpu-ext"), false, []byte{0x85, 0x00, 0x09}, []byte{0x40, 1, 2, 3, 4, 5, 6})), "gtpu-ext"},
		{"gtpu-ipv6", outer(2152, 2152, gtpu(255, inner6("gtpu-ipv6"), false)), "gtpu-ipv6"},
		{"gtpu-echo", outer(2152, 2152, gtpu(1, nil, true)), ""},
		{"vxlan", outer(49152, 4789, vxlan(ethernet(inner("vxlan"), etherVLAN))), "vxlan"},
		{"gre-ip", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherIPv4, true, false, inner("gre-ip")))), "gre-ip"},
		{"gre-ipv6-in-v6", ethernet(ipGRE(t, "2001:db8:9::1", "2001:db8:9::2", gre(etherIPv6, false, false, inner6("gre-ipv6-in-v6")))), "gre-ipv6-in-v6"},
		{"gre-teb", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherTEB, false, false, ethernet(inner("gre-teb"))))), "gre-teb"},
		{"erspan1", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherERSPAN2, false, false, ethernet(inner("erspan1"))))), "erspan1"},
		{"erspan2", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherERSPAN2, false, true, erspan2(ethernet(inner("erspan2")))))), "erspan2"},
		{"erspan3", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherERSPAN3, false, true, erspan3(false, ethernet(inner("erspan3")))))), "erspan3"},
		{"erspan3-sub", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherERSPAN3, false, true, erspan3(true, ethernet(inner("erspan3-sub")))))), "erspan3-sub"},
		{"gtpu-in-gre", ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherIPv4, false, false,
			ipUDP(t, "10.8.0.1", 2152, "10.8.0.2", 2152, gtpu(255, inner("gtpu-in-gre"), false))))), "gtpu-in-gre"},
	}
}

// TestTunnels decodes the datagram inside each encapsulation, and nothing
// else: no outer datagram, no problem.
func TestTunnels(t *testing.T) {
	for _, tc := range tunnelCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			d := NewDecoder(rec, DecoderOptions{})
			d.Packet(&Packet{Frame: 1, Time: time.Unix(1, 0), LinkType: linkEthernet, Data: tc.frame, OrigLen: len(tc.frame)})
			d.Flush()
			var want []string
			if tc.want != "" {
				src, dst := "192.0.2.1:5060", "192.0.2.2:5062"
				if strings.Contains(tc.name, "ipv6") {
					src, dst = "[2001:db8::1]:5060", "[2001:db8::2]:5062"
				}
				want = []string{event{Kind: "udp", Frame: 1, Src: src, Dst: dst, Payload: tc.want}.String()}
			}
			var got []string
			for _, e := range rec.events {
				got = append(got, e.String())
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestTunnelsNotTunnels: a datagram on the GTP-U or VXLAN port that is not
// one is delivered as it is; GRE version 1 (PPTP) and tunnels nested past
// the limit give nothing; damaged headers give no panic and no datagram.
func TestTunnelsNotTunnels(t *testing.T) {
	run := func(frame []byte) *recorder {
		rec := &recorder{}
		d := NewDecoder(rec, DecoderOptions{})
		d.Packet(&Packet{Frame: 1, Time: time.Unix(1, 0), LinkType: linkEthernet, Data: frame, OrigLen: len(frame)})
		d.Flush()
		return rec
	}
	for _, payload := range [][]byte{[]byte("not GTP at all"), {0x30, 0xff, 0xff, 0xff, 0, 0, 0, 1}} {
		frame := ethernet(ipUDP(t, "10.9.0.1", 2152, "10.9.0.2", 2152, payload))
		if got := run(frame).of("udp"); len(got) != 1 || got[0].Payload != string(payload) {
			t.Errorf("%q on the GTP-U port: %v, want the datagram itself", payload, got)
		}
	}
	inner := ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5062, []byte("deep"))
	nested := inner
	for i := 0; i < maxTunnelDepth; i++ {
		nested = ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherIPv4, false, false, nested))
	}
	if got := run(ethernet(nested)).of("udp"); len(got) != 1 {
		t.Errorf("%d tunnels deep: %v, want the datagram", maxTunnelDepth-1, got)
	}
	nested = ipGRE(t, "10.9.0.1", "10.9.0.2", gre(etherIPv4, false, false, nested))
	if got := run(ethernet(nested)).of("udp"); len(got) != 0 {
		t.Errorf("%d tunnels deep: %v, want nothing", maxTunnelDepth, got)
	}
	pptp := gre(etherIPv4, false, false, inner)
	pptp[1] = 1
	if got := run(ethernet(ipGRE(t, "10.9.0.1", "10.9.0.2", pptp))).of("udp"); len(got) != 0 {
		t.Errorf("GRE version 1: %v", got)
	}
	for _, tc := range tunnelCases(t) {
		for cut := 14 + 20; cut < len(tc.frame); cut++ {
			run(tc.frame[:cut]) // must not panic
		}
	}
}

// TestCrossCheckTsharkTunnels compares the inner UDP datagrams decoded from
// the tunnel cases with tshark's dissection of the same capture.
func TestCrossCheckTsharkTunnels(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark): cross-check skipped")
	}
	var frames []frameRec
	t0 := time.Unix(1_700_000_000, 0)
	for i, tc := range tunnelCases(t) {
		frames = append(frames, frameRec{t: t0.Add(time.Duration(i) * time.Second), data: tc.frame})
	}
	path := writeFile(t, "tunnels.pcap", writePcap(t, linkEthernet, frames...))
	pkts := readFiles(t, path)
	rec := &recorder{}
	d := NewDecoder(rec, DecoderOptions{})
	for i := range pkts {
		d.Packet(&pkts[i])
	}
	d.Flush()
	var ours []string
	for _, e := range rec.of("udp") {
		ours = append(ours, fmt.Sprintf("%d %d %d %x", e.Frame, mustAddr(e.Src).Port(), mustAddr(e.Dst).Port(), e.Payload))
	}
	// tshark lists every UDP header of a frame, outermost first; the
	// innermost is the datagram.
	out, err := exec.Command(tshark, "-r", path, "-d", "udp.port==2152,gtp", "-T", "fields", "-E", "separator=;", "-E", "occurrence=l",
		"-e", "frame.number", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.payload").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	var theirs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ";")
		if len(f) != 4 || f[1] == "" || f[1] == "2152" || f[2] == "4789" {
			continue // no UDP, or the tunnel's own (GTP-U echo)
		}
		theirs = append(theirs, fmt.Sprintf("%s %s %s %s", f[0], f[1], f[2], strings.ReplaceAll(f[3], ":", "")))
	}
	if strings.Join(ours, "\n") != strings.Join(theirs, "\n") || len(ours) != len(tunnelCases(t))-1 {
		t.Errorf("inner datagrams differ\nours:\n%s\ntshark:\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
	if bytes.Contains(out, []byte("Malformed")) {
		t.Logf("tshark reports malformed packets:\n%s", out)
	}
}
