package mikey

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTsharkCrossCheck decodes the published vectors and the hand-written
// payload cases with Wireshark's MIKEY dissector (an independent
// implementation) and compares the fields both decode: CSB ID, SSRCs, SP
// parameter types, key data length and SPI/MKI, and IDR roles. It skips
// when tshark is not installed (apt-get install tshark).
//
// Wireshark's dissector (4.x) decodes only the first Key data sub-payload
// of a KEMAC and neither the GENERIC-ID map nor the TR, TP and TICKET
// payloads (it misreads what follows them), so messages using those are
// left out and only the first Key data sub-payload is compared.
func TestTsharkCrossCheck(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed; skipping the Wireshark cross-check")
	}
	var msgs [][]byte
	for _, v := range loadVectors(t) {
		msgs = append(msgs, v.bytes(t))
	}
	for _, c := range payloadCases {
		b := hx(t, c.in)
		if m, err := Parse(b); err == nil && m.Header.MapType != MapGenericID && len(m.TRs()) == 0 {
			msgs = append(msgs, b)
		}
	}
	if len(msgs) < 25 {
		t.Fatalf("only %d messages to compare", len(msgs))
	}
	pcap := filepath.Join(t.TempDir(), "mikey.pcap")
	if err := os.WriteFile(pcap, udpPcap(msgs, 2269), 0o644); err != nil {
		t.Fatal(err)
	}
	fields := []string{"mikey.csb_id", "mikey.srtp_id.ssrc", "mikey.sp.param.type", "mikey.key.data.len", "mikey.key.kv.spi", "mikey.id.role"}
	args := []string{"-n", "-r", pcap, "-d", "udp.port==2269,mikey", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := exec.Command(tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(msgs) {
		t.Fatalf("tshark printed %d lines for %d frames", len(lines), len(msgs))
	}
	for i, line := range lines {
		m, err := Parse(msgs[i])
		if err != nil {
			t.Fatal(err)
		}
		cols := strings.Split(line, "\t")
		for len(cols) < len(fields) {
			cols = append(cols, "")
		}
		var ssrcs, params, keyLens, spis, roles []string
		for _, cs := range m.Header.SRTPMap {
			ssrcs = append(ssrcs, strconv.FormatUint(uint64(cs.SSRC), 10))
		}
		for _, sp := range m.SP() {
			for _, p := range sp.Params {
				params = append(params, strconv.Itoa(int(p.Type)))
			}
		}
		if k := m.KEMAC(); k != nil {
			for _, kd := range k.KeyData[:min(1, len(k.KeyData))] {
				keyLens = append(keyLens, strconv.Itoa(len(kd.Key)))
				if kd.KV == KVSPI {
					spis = append(spis, hex.EncodeToString(kd.SPI))
				}
			}
		}
		for _, idr := range m.IDRs() {
			roles = append(roles, strconv.Itoa(int(idr.Role)))
		}
		want := []string{strconv.FormatUint(uint64(m.Header.CSBID), 10), strings.Join(ssrcs, ","), strings.Join(params, ","),
			strings.Join(keyLens, ","), strings.Join(spis, ","), strings.Join(roles, ",")}
		for j, f := range fields {
			got := normaliseNumbers(cols[j])
			if f == "mikey.key.kv.spi" {
				got = strings.ReplaceAll(cols[j], ":", "")
			}
			if got != want[j] {
				t.Errorf("frame %d (%s): %s: tshark %q, mikey %q", i+1, payloadOrder(m), f, got, want[j])
			}
		}
	}
}

// normaliseNumbers turns tshark's "0x1a,7" into decimal "26,7".
func normaliseNumbers(s string) string {
	if s == "" {
		return s
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		if v, err := strconv.ParseUint(p, 0, 64); err == nil {
			parts[i] = strconv.FormatUint(v, 10)
		}
	}
	return strings.Join(parts, ",")
}

// udpPcap writes a classic pcap of Ethernet/IPv4/UDP frames, one per
// payload, from 10.0.0.1 to 10.0.0.2 on the given port (UDP checksum 0).
func udpPcap(payloads [][]byte, port uint16) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // Ethernet
	b.Write(hdr)
	for i, p := range payloads {
		frame := make([]byte, 14+20+8, 42+len(p))
		copy(frame[0:], []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0})
		ip := frame[14:34]
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(p)))
		binary.BigEndian.PutUint16(ip[4:], uint16(i))
		ip[8], ip[9] = 64, 17
		copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
		var sum uint32
		for j := 0; j < 20; j += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[j:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		udp := frame[34:42]
		binary.BigEndian.PutUint16(udp[0:], port)
		binary.BigEndian.PutUint16(udp[2:], port)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+len(p)))
		frame = append(frame, p...)
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], uint32(1700000000+i))
		le.PutUint32(rec[8:], uint32(len(frame)))
		le.PutUint32(rec[12:], uint32(len(frame)))
		b.Write(rec)
		b.Write(frame)
	}
	return b.Bytes()
}
