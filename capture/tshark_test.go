package capture

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/internal/pcapng"
)

// TestCrossCheckTshark reads one pcapng through mikeyscope and through
// Wireshark's tshark and compares frame timestamps and the UDP datagrams
// found (after IP reassembly, at the frame of the last fragment).
func TestCrossCheckTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark): cross-check skipped")
	}
	big := bytes.Repeat([]byte("SIP fragmented body\r\n"), 150) // 3150 bytes
	v4 := ipUDP(t, "192.0.2.1", 5060, "192.0.2.2", 5060, big)
	frags4 := fragmentIP(t, v4, piece{0, 1480}, piece{1480, 2960}, piece{2960, len(big) + 8})
	v6 := ipUDP(t, "2001:db8::1", 5062, "2001:db8::2", 5064, big)
	frags6 := fragmentIP(t, v6, piece{0, 1448}, piece{1448, len(big) + 8})
	small := func(src string, sp uint16, dst string, dp uint16, n int) []byte {
		return ipUDP(t, src, sp, dst, dp, bytes.Repeat([]byte{'r'}, n))
	}
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		n := &ngBuilder{order: order}
		n.section()
		n.iface(linkEthernet, 0)                                                    // 0: µs
		n.iface(linkRaw, 0, pcapng.OptIfTsresol, []byte{9})                         // 1: ns
		n.iface(linkLinuxSLL, 0, pcapng.OptIfTsresol, []byte{0x80 | 20})            // 2: 2^-20 s
		n.iface(linkNull, 0, pcapng.OptIfTsresol, []byte{3})                        // 3: ms
		n.iface(linkLinuxSLL2, 0, pcapng.OptIfTsoffset, order.AppendUint64(nil, 7)) // 4: µs, +7 s
		base := uint64(1_700_000_000)
		add := func(iface uint32, ts uint64, data []byte) { n.epb(iface, ts, data, uint32(len(data))) }
		add(0, base*1e6+1, ethernet(small("10.0.0.1", 20000, "10.0.0.2", 30000, 172)))
		add(0, base*1e6+20001, ethernet(small("10.0.0.1", 20002, "10.0.0.2", 30002, 160), etherVLAN))
		add(0, base*1e6+40001, ethernet(small("2001:db8::5", 1, "2001:db8::6", 2, 10), etherQinQ, etherVLAN))
		add(1, base*1e9+50_000_123, frags4[2])
		add(1, base*1e9+50_000_456, frags4[0])
		add(1, base*1e9+50_000_789, frags4[1])
		add(2, base<<20|12345, sll(frags6[1]))
		add(2, base<<20|54321, sll(frags6[0]))
		add(3, base*1e3+999, null(small("2001:db8::7", 7, "2001:db8::8", 8, 33), binary.LittleEndian, 30))
		add(4, base*1e6+999_999, sll2(small("198.51.100.1", 9, "198.51.100.2", 10, 1)))
		path := writeFile(t, "cross.pcapng", n.b)

		// mikeyscope
		pkts := readFiles(t, path)
		var ourTimes []string
		rec := &recorder{}
		d := NewDecoder(rec, DecoderOptions{})
		for i := range pkts {
			ourTimes = append(ourTimes, fmt.Sprintf("%d %d.%09d", pkts[i].Frame, pkts[i].Time.Unix(), pkts[i].Time.Nanosecond()))
			d.Packet(&pkts[i])
		}
		d.Flush()
		var ourUDP []string
		for _, e := range rec.of("udp") {
			s, dst := mustAddr(e.Src), mustAddr(e.Dst)
			ourUDP = append(ourUDP, fmt.Sprintf("%d %d %d %d", e.Frame, s.Port(), dst.Port(), len(e.Payload)+8))
		}
		if len(ourUDP) != 7 {
			t.Errorf("decoded %d datagrams, want 5 plain and 2 reassembled: %v", len(ourUDP), ourUDP)
		}
		if p := rec.of("problem"); len(p) != 0 {
			t.Errorf("problems: %v", p)
		}

		// tshark
		out, err := exec.Command(tshark, "-r", path, "-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
			"-T", "fields", "-E", "separator= ", "-e", "frame.number", "-e", "frame.time_epoch",
			"-e", "udp.srcport", "-e", "udp.dstport", "-e", "udp.length").Output()
		if err != nil {
			t.Fatalf("tshark: %v\n%s", err, out)
		}
		var theirTimes, theirUDP []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			theirTimes = append(theirTimes, f[0]+" "+f[1])
			if len(f) == 5 {
				theirUDP = append(theirUDP, strings.Join([]string{f[0], f[2], f[3], f[4]}, " "))
			}
		}
		if strings.Join(ourTimes, "\n") != strings.Join(theirTimes, "\n") {
			t.Errorf("%v: timestamps differ\nours:\n%s\ntshark:\n%s", order, strings.Join(ourTimes, "\n"), strings.Join(theirTimes, "\n"))
		}
		if strings.Join(ourUDP, "\n") != strings.Join(theirUDP, "\n") {
			t.Errorf("%v: UDP datagrams differ\nours:\n%s\ntshark:\n%s", order, strings.Join(ourUDP, "\n"), strings.Join(theirUDP, "\n"))
		}
	}
}

// TestCrossCheckTsharkTCP compares the reassembled byte streams of a TCP
// connection with out-of-order, retransmitted and overlapping segments and a
// sequence wraparound against tshark's "follow tcp".
func TestCrossCheckTsharkTCP(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed (apt-get install tshark): cross-check skipped")
	}
	segs := append(handshake(),
		tcpSeg{false, 6, ack, "world", 0},
		tcpSeg{false, 1, ack, "hello", 0},
		tcpSeg{false, 1, ack, "hello", 0},
		tcpSeg{true, 1, ack, "SIP/2.0 200 OK\r\n", 0},
		tcpSeg{false, 9, ack, "XXd, INVITE sip:", 0},
		tcpSeg{false, 30, ack, "@example.com", 0},
		tcpSeg{false, 25, ack, "bob", 0},
		tcpSeg{false, 28, ack, "b@x", 0},
		tcpSeg{true, 17, ack, "SIP/2.0 180 Ringing\r\n", 0},
	)
	var frames []frameRec
	var pkts []*Packet
	for i, s := range segs {
		var b []byte
		if s.fromServer {
			b = ipTCP(t, "10.2.2.2", 5061, "10.1.1.1", 40000, 0x7fffffff+s.seq, s.o, []byte(s.data))
		} else {
			b = ipTCP(t, "10.1.1.1", 40000, "10.2.2.2", 5061, 0xfffffff8+s.seq, s.o, []byte(s.data))
		}
		frames = append(frames, frameRec{t: t0.Add(time.Duration(i) * time.Millisecond), data: ethernet(b)})
		pkts = append(pkts, pkt(uint64(i+1), LinkTypeEthernet, ethernet(b)))
	}
	path := writeFile(t, "tcp.pcap", writePcap(t, LinkTypeEthernet, frames...))
	rec := decodeAll(DecoderOptions{}, pkts...)
	out, err := exec.Command(tshark, "-r", path, "-q", "-z", "follow,tcp,raw,0").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var cli, srv []byte
	for _, line := range strings.Split(string(out), "\n") {
		h := strings.TrimPrefix(line, "\t")
		b, err := hex.DecodeString(strings.TrimSpace(h))
		if err != nil || len(b) == 0 || strings.HasPrefix(h, "=") {
			continue
		}
		if strings.HasPrefix(line, "\t") {
			srv = append(srv, b...)
		} else {
			cli = append(cli, b...)
		}
	}
	if got := rec.stream(cliAddr); got != string(cli) || got == "" {
		t.Errorf("client stream\nours:   %q\ntshark: %q", got, cli)
	}
	if got := rec.stream(srvAddr); got != string(srv) || got == "" {
		t.Errorf("server stream\nours:   %q\ntshark: %q", got, srv)
	}
}
