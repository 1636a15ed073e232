package main

import (
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/pcapwrite"
	"github.com/mikeyscope/mikeyscope/tlsdec"
	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// TestSessionCarriesScript: the recorded TLS session delivered every
// client and server step of the script to the peer, and what the
// generator injects as a Decryption Secrets Block reads back as the key
// log (tlsdec.ReadDSBs, the reader analysis uses).
func TestSessionCarriesScript(t *testing.T) {
	steps, err := Script()
	if err != nil {
		t.Fatal(err)
	}
	var toServer, toClient []byte
	for _, s := range steps {
		if s.FromClient {
			toServer = append(toServer, s.Data...)
		} else {
			toClient = append(toClient, s.Data...)
		}
	}
	s, err := Session(tlstest.Options{MinVersion: tls.VersionTLS13})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.ServerReceived, toServer) || !bytes.Equal(s.ClientReceived, toClient) {
		t.Fatalf("session delivered %d/%d bytes to the server, %d/%d to the client",
			len(s.ServerReceived), len(toServer), len(s.ClientReceived), len(toClient))
	}
	if bytes.Contains(s.Bytes(true), []byte("KeyMgmt")) {
		t.Error("the KeyMgmt header is visible on the wire")
	}
	ng, err := Capture(s, pcapwrite.FormatPcapng)
	if err != nil {
		t.Fatal(err)
	}
	withDSB, err := InjectSecrets(ng, s.KeyLog)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tlsdec.ReadDSBs(bytes.NewReader(withDSB))
	if err != nil || !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(s.KeyLog)) {
		t.Fatalf("DSB reads back %q (%v), want the key log", got, err)
	}
	if _, err := InjectSecrets(ng[:20], s.KeyLog); err == nil {
		t.Error("a truncated pcapng was accepted")
	}
}

// TestTsharkDecryptsSamples cross-checks the committed captures with
// Wireshark's TLS decryption (tshark, skipped when absent): with the key
// log (file, or the pcapng's Decryption Secrets Block) the decrypted
// application data contains every RTSP message and interleaved SRTP/SRTCP
// write of the script, byte for byte.
func TestTsharkDecryptsSamples(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed; skipping the Wireshark cross-check")
	}
	steps, err := Script()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, keylog string }{
		{"rtsps-tls13.pcap", "rtsps-tls13.keylog"},
		{"rtsps-tls12.pcap", "rtsps-tls12.keylog"},
		{"rtsps-tls13-dsb.pcapng", ""},
	} {
		args := []string{"-r", filepath.Join("..", c.file), "-d", "tls.port==322,data", "-Y", "data", "-T", "fields", "-e", "data.data"}
		if c.keylog != "" {
			args = append(args, "-o", "tls.keylog_file:"+filepath.Join("..", c.keylog))
		}
		out, err := exec.Command("tshark", args...).Output()
		if err != nil {
			t.Fatalf("%s: tshark: %v", c.file, err)
		}
		var plain []byte
		for _, line := range strings.Fields(string(out)) {
			for _, part := range strings.Split(line, ",") {
				b, err := hex.DecodeString(strings.ReplaceAll(part, ":", ""))
				if err != nil {
					t.Fatalf("%s: tshark data %q: %v", c.file, part, err)
				}
				plain = append(plain, b...)
			}
		}
		for i, s := range steps {
			if !bytes.Contains(plain, s.Data) {
				t.Errorf("%s: step %d (%d bytes, %q...) not in tshark's decrypted data (%d bytes)", c.file, i, len(s.Data), s.Data[:min(12, len(s.Data))], len(plain))
			}
		}
	}
}
