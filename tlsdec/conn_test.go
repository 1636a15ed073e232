package tlsdec

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// sessionCases are real crypto/tls sessions, one per supported family.
var sessionCases = []struct {
	name    string
	opts    tlstest.Options
	version uint16
	suite   uint16
}{
	{"TLS13_AES_128_GCM", tlstest.Options{MinVersion: tls.VersionTLS13}, VersionTLS13, tls.TLS_AES_128_GCM_SHA256},
	{"TLS12_ECDHE_ECDSA_AES_128_GCM", tlstest.Options{MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}, VersionTLS12, 0xC02B},
	{"TLS12_ECDHE_RSA_AES_256_GCM", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}, VersionTLS12, 0xC030},
	{"TLS12_ECDHE_ECDSA_CHACHA20", tlstest.Options{MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}, VersionTLS12, 0xCCA9},
	{"TLS12_ECDHE_RSA_CHACHA20", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}}, VersionTLS12, 0xCCA8},
	{"TLS12_ECDHE_RSA_AES_128_CBC_SHA", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}, VersionTLS12, 0xC013},
	{"TLS12_ECDHE_ECDSA_AES_256_CBC_SHA", tlstest.Options{MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}}, VersionTLS12, 0xC00A},
	{"TLS12_ECDHE_RSA_AES_128_CBC_SHA256", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}}, VersionTLS12, 0xC027},
	{"TLS12_RSA_AES_128_GCM", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}, VersionTLS12, 0x009C},
	{"TLS12_RSA_AES_256_CBC_SHA", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_256_CBC_SHA}}, VersionTLS12, 0x0035},
	{"TLS11_ECDHE_RSA_AES_128_CBC_SHA", tlstest.Options{MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11, RSA: true,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}, VersionTLS11, 0xC013},
	{"TLS10_ECDHE_RSA_AES_256_CBC_SHA", tlstest.Options{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10, RSA: true,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}}, VersionTLS10, 0xC014},
}

func TestDecryptRealSessions(t *testing.T) {
	steps := rtspScript()
	for _, tc := range sessionCases {
		t.Run(tc.name, func(t *testing.T) {
			s := runSession(t, tc.opts, steps)
			if s.Version != tc.version || s.CipherSuite != tc.suite {
				t.Fatalf("crypto/tls negotiated %s %s, want %s %s", VersionName(s.Version), SuiteName(s.CipherSuite), VersionName(tc.version), SuiteName(tc.suite))
			}
			c, d := feedSession(t, mustKeyLog(t, s.KeyLog), s)
			st := c.Status()
			if len(d.errs) > 0 {
				t.Errorf("Feed errors: %v", d.errs)
			}
			if st.State != StateDecrypting || st.Version != tc.version || st.Suite != tc.suite {
				t.Fatalf("status %v, want decrypting %s %s", st, VersionName(tc.version), SuiteName(tc.suite))
			}
			if !bytes.Equal(d.app[1], expected(steps, true)) {
				t.Errorf("client plaintext: got %d bytes, want %d", len(d.app[1]), len(expected(steps, true)))
			}
			if !bytes.Equal(d.app[0], expected(steps, false)) {
				t.Errorf("server plaintext: got %d bytes, want %d", len(d.app[0]), len(expected(steps, false)))
			}
			if st.Client.Failed+st.Server.Failed+st.Client.Undecryptable+st.Server.Undecryptable != 0 {
				t.Errorf("failed/undecryptable records: %+v %+v", st.Client, st.Server)
			}
			if !d.finished[0] || !d.finished[1] {
				t.Errorf("encrypted Finished messages not delivered: %v", d.finished)
			}
			// The close_notify alert is the last record of each side.
			for i, who := range []string{"server", "client"} {
				if n := len(d.types[i]); n == 0 || d.types[i][n-1] != TypeAlert {
					t.Errorf("%s: last record type %v, want alert", who, d.types[i])
				}
			}
			if want := Fingerprint(nil); st.KeyFingerprint == want {
				t.Errorf("no key fingerprint in status")
			}
			// Every delivered record's Offset points at its header.
			streams := [2][]byte{s.Bytes(false), s.Bytes(true)}
			c2 := NewConn(mustKeyLog(t, s.KeyLog))
			for i, w := range s.Writes {
				dir := ServerToClient
				if w.FromClient {
					dir = ClientToServer
				}
				c2.Feed(dir, w.Data, 0, uint64(i+1), func(p Plaintext) {
					st := streams[0]
					if p.FromClient {
						st = streams[1]
					}
					if p.Offset < 0 || p.Offset+5 > int64(len(st)) || st[p.Offset] < TypeChangeCipherSpec || st[p.Offset] > TypeApplicationData || st[p.Offset+1] != 3 {
						t.Fatalf("record at offset %d is not at a header", p.Offset)
					}
					if p.Frame != uint64(i+1) {
						t.Fatalf("frame %d, want %d", p.Frame, i+1)
					}
				})
			}
		})
	}
}
