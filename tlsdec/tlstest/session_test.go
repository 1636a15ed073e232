package tlstest

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"
)

func TestRunRecordsBothDirections(t *testing.T) {
	steps := []Step{
		{FromClient: true, Data: []byte("OPTIONS rtsps://cam.example RTSP/1.0\r\nCSeq: 1\r\n\r\n")},
		{FromClient: false, Data: []byte("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n")},
		{FromClient: true, Data: bytes.Repeat([]byte("x"), 40000)}, // several records
	}
	for _, opts := range []Options{{MinVersion: tls.VersionTLS13}, {MaxVersion: tls.VersionTLS12, RSA: true}} {
		s, err := Run(opts, steps)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(s.ServerReceived, append(append([]byte{}, steps[0].Data...), steps[2].Data...)) {
			t.Errorf("server received %d bytes", len(s.ServerReceived))
		}
		if !bytes.Equal(s.ClientReceived, steps[1].Data) {
			t.Errorf("client received %q", s.ClientReceived)
		}
		if len(s.Writes) < 4 || !s.Writes[0].FromClient || s.Writes[0].Data[0] != 22 {
			t.Fatalf("first write is not the client's handshake record: %d writes", len(s.Writes))
		}
		cli, srv := s.Bytes(true), s.Bytes(false)
		// Encrypted on the wire: the plaintext must not appear.
		if bytes.Contains(cli, []byte("OPTIONS")) || bytes.Contains(srv, []byte("200 OK")) {
			t.Error("plaintext visible on the wire")
		}
		label := "CLIENT_RANDOM "
		if s.Version == tls.VersionTLS13 {
			label = "CLIENT_TRAFFIC_SECRET_0 "
		}
		if !strings.Contains(string(s.KeyLog), label) {
			t.Errorf("key log lacks %s: %q", label, s.KeyLog)
		}
	}
}
