package main

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/mikeyscope/mikeyscope/internal/pcapbuild"
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
	ng, err := Capture(s, pcapbuild.FormatPcapng)
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
