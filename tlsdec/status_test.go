package tlsdec

import (
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// corruptKeyLog flips one bit of every secret in a key log.
func corruptKeyLog(t *testing.T, text []byte) []byte {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		b, err := hex.DecodeString(f[2])
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] ^= 1
		out = append(out, f[0]+" "+f[1]+" "+hex.EncodeToString(b))
	}
	return []byte(strings.Join(out, "\n"))
}

func TestStatusWrongKey(t *testing.T) {
	steps := rtspScript()[:4]
	for _, tc := range sessionCases[:6] {
		t.Run(tc.name, func(t *testing.T) {
			s := runSession(t, tc.opts, steps)
			c, d := feedSession(t, mustKeyLog(t, corruptKeyLog(t, s.KeyLog)), s)
			st := c.Status()
			if st.State != StateWrongKey {
				t.Fatalf("state %v, want wrong key", st)
			}
			if len(d.app[0])+len(d.app[1]) != 0 {
				t.Errorf("plaintext delivered with a wrong key")
			}
			if st.Client.Failed == 0 && st.Server.Failed == 0 {
				t.Errorf("no failed records counted: %+v %+v", st.Client, st.Server)
			}
			if st.KeyFingerprint == "" || !strings.Contains(st.Detail, st.KeyFingerprint) {
				t.Errorf("detail %q does not name the key fingerprint %q", st.Detail, st.KeyFingerprint)
			}
		})
	}
}

func TestStatusNoKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts tlstest.Options
	}{
		{"TLS13", tlstest.Options{MinVersion: tls.VersionTLS13}},
		{"TLS12", tlstest.Options{MaxVersion: tls.VersionTLS12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runSession(t, tc.opts, rtspScript()[:2])
			other := runSession(t, tc.opts, rtspScript()[:2]) // a key log for another connection
			c, d := feedSession(t, mustKeyLog(t, other.KeyLog), s)
			st := c.Status()
			if st.State != StateNoKey {
				t.Fatalf("state %v, want no key", st)
			}
			random := strings.Fields(string(s.KeyLog))[1]
			if st.ClientRandom != random || !strings.Contains(st.Detail, "CLIENT_RANDOM "+random) {
				t.Errorf("status names random %q / %q, want %s", st.ClientRandom, st.Detail, random)
			}
			if len(d.app[0])+len(d.app[1]) != 0 {
				t.Errorf("plaintext delivered without a key")
			}
			if st.Client.Undecryptable == 0 || st.Server.Undecryptable == 0 {
				t.Errorf("undecryptable records not counted: %+v %+v", st.Client, st.Server)
			}
			// Without any key log the outcome is the same.
			c2, _ := feedSession(t, nil, s)
			if c2.Status().State != StateNoKey {
				t.Errorf("nil key log: state %v", c2.Status())
			}
		})
	}
}

// TestStatusMidStream feeds a capture that starts after the handshake.
func TestStatusMidStream(t *testing.T) {
	steps := rtspScript()
	for _, tc := range []struct {
		name    string
		opts    tlstest.Options
		recover bool // TLS 1.3 keys can be found by trial
	}{
		{"TLS12", tlstest.Options{MaxVersion: tls.VersionTLS12}, false},
		{"TLS13", tlstest.Options{MinVersion: tls.VersionTLS13}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runSession(t, tc.opts, steps)
			kl := mustKeyLog(t, s.KeyLog)
			kl.Merge(mustKeyLog(t, runSession(t, tc.opts, steps[:1]).KeyLog)) // a decoy entry
			c := NewConn(kl)
			d := &decrypted{}
			// Skip the writes up to and including the first application data
			// write of the client (the SETUP request).
			skip := 0
			for i, w := range s.Writes {
				if w.FromClient && bytes.Contains(w.Data, []byte{TypeApplicationData, 3, 3}) && i > 2 {
					skip = i + 1
					break
				}
			}
			for i, w := range s.Writes[skip:] {
				dir := ServerToClient
				if w.FromClient {
					dir = ClientToServer
				}
				c.Feed(dir, w.Data, 0, uint64(i+1), d.emit)
			}
			st := c.Status()
			if !tc.recover {
				if st.State != StateMidStream || st.ClientRandom != "" {
					t.Fatalf("state %v, want mid-stream without a random", st)
				}
				if len(d.app[0])+len(d.app[1]) != 0 {
					t.Errorf("plaintext delivered without a handshake")
				}
				return
			}
			if st.State != StateDecrypting || st.Version != VersionTLS13 {
				t.Fatalf("state %v, want decrypting after the mid-stream key search", st)
			}
			if random := strings.Fields(string(s.KeyLog))[1]; st.ClientRandom != random {
				t.Errorf("client random %s, want %s", st.ClientRandom, random)
			}
			// Everything the server sent after the SETUP must decrypt (its
			// first records are NewSessionTickets, not application data).
			if want := expected(steps, false); !bytes.Equal(d.app[0], want) {
				t.Errorf("server plaintext: got %d bytes, want %d", len(d.app[0]), len(want))
			}
			if want := expected(steps[2:], true); !bytes.Equal(d.app[1], want) {
				t.Errorf("client plaintext: got %d bytes, want %d", len(d.app[1]), len(want))
			}
		})
	}
}

func TestStatusNotTLS(t *testing.T) {
	c := NewConn(nil)
	err := c.Feed(ClientToServer, []byte("OPTIONS rtsp://cam.example RTSP/1.0\r\nCSeq: 1\r\n\r\n"), 0, 1, nil)
	if err != nil {
		t.Errorf("Feed: %v", err)
	}
	if st := c.Status(); st.State != StateNotTLS {
		t.Errorf("state %v, want not TLS", st)
	}
	// Binary data without any record header: RTSP interleaved frames.
	c = NewConn(nil)
	for i := range 100 {
		c.Feed(ServerToClient, interleaved(0, uint16(i), 1000), 0, uint64(i+1), nil)
	}
	if st := c.Status(); st.State != StateNotTLS || !strings.Contains(st.Detail, "no TLS record header") {
		t.Errorf("interleaved RTP: state %v, want not TLS", st)
	}
}

// TestRolesInferred feeds a session with the directions swapped: the
// ClientHello tells which side is the client.
func TestRolesInferred(t *testing.T) {
	steps := rtspScript()[:4]
	s := runSession(t, tlstest.Options{}, steps)
	c := NewConn(mustKeyLog(t, s.KeyLog))
	var fromClient, fromServer []byte
	for i, w := range s.Writes {
		dir := ClientToServer
		if w.FromClient {
			dir = ServerToClient
		}
		c.Feed(dir, w.Data, 0, uint64(i+1), func(p Plaintext) {
			if p.Type != TypeApplicationData {
				return
			}
			if p.FromClient != (p.Dir == ServerToClient) {
				t.Errorf("FromClient %v for direction %v", p.FromClient, p.Dir)
			}
			if p.FromClient {
				fromClient = append(fromClient, p.Data...)
			} else {
				fromServer = append(fromServer, p.Data...)
			}
		})
	}
	if st := c.Status(); st.State != StateDecrypting {
		t.Fatalf("state %v", st)
	}
	if !bytes.Equal(fromClient, expected(steps, true)) || !bytes.Equal(fromServer, expected(steps, false)) {
		t.Errorf("plaintext mismatch with swapped directions")
	}
}

// TestHelloRetryRequest forces a HelloRetryRequest (the server only accepts
// P-256, the client's first key share is X25519): the key log entry is found
// with the random of the first ClientHello.
func TestHelloRetryRequest(t *testing.T) {
	steps := rtspScript()[:4]
	s := runSession(t, tlstest.Options{MinVersion: tls.VersionTLS13,
		Server: func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} }}, steps)
	hrr := false
	for _, w := range s.Writes {
		if !w.FromClient && bytes.Contains(w.Data, helloRetryRandom[:]) {
			hrr = true
		}
	}
	if !hrr {
		t.Fatal("crypto/tls did not send a HelloRetryRequest")
	}
	c, d := feedSession(t, mustKeyLog(t, s.KeyLog), s)
	if st := c.Status(); st.State != StateDecrypting {
		t.Fatalf("state %v", st)
	}
	if !bytes.Equal(d.app[1], expected(steps, true)) || !bytes.Equal(d.app[0], expected(steps, false)) {
		t.Errorf("plaintext mismatch after HelloRetryRequest")
	}
}

// TestTLS13ApplicationSecretsOnly uses a key log without the handshake
// secrets (some tools log only the application traffic secrets): the end
// of the handshake is found by trying the application keys.
func TestTLS13ApplicationSecretsOnly(t *testing.T) {
	s := loadGolden(t, "tls13.json")
	var lines []string
	for _, l := range strings.Split(string(s.KeyLog), "\n") {
		if strings.HasPrefix(l, LabelClientTraffic0+" ") || strings.HasPrefix(l, LabelServerTraffic0+" ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("golden key log has %d application secrets", len(lines))
	}
	c, d := feedSession(t, mustKeyLog(t, []byte(strings.Join(lines, "\n"))), s)
	checkPlaintext(t, "application secrets only", c, d, goldenScript())
	if st := c.Status(); st.Server.Undecryptable == 0 {
		t.Errorf("handshake records should be undecryptable: %+v", st.Server)
	}
}
