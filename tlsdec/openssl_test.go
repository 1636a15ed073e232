package tlsdec

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// recConn records the bytes read and written on a server-side connection:
// what the server reads is what the client wrote.
type recConn struct {
	net.Conn
	mu     sync.Mutex
	writes []tlstest.Write
}

func (r *recConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	if n > 0 {
		r.mu.Lock()
		r.writes = append(r.writes, tlstest.Write{FromClient: true, Data: bytes.Clone(p[:n])})
		r.mu.Unlock()
	}
	return n, err
}

func (r *recConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.writes = append(r.writes, tlstest.Write{FromClient: false, Data: bytes.Clone(p)})
	r.mu.Unlock()
	return r.Conn.Write(p)
}

// TestOpenSSLClientKeyUpdate connects "openssl s_client" (an independent TLS
// 1.3 implementation) to a crypto/tls server that logs its keys, forcing TLS
// 1.3 suites Go would not pick itself, and sends KeyUpdate messages with the
// s_client "k"/"K" commands. Every line must decrypt, across the key updates.
func TestOpenSSLClientKeyUpdate(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: skipping the OpenSSL TLS 1.3 cross-check")
	}
	cert, err := tlstest.Certificate(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		suite   string
		id      uint16
		command string // "K": update and request one back; "k": update only
		server  int    // KeyUpdates expected from the server
	}{
		{"TLS_AES_256_GCM_SHA384", tls.TLS_AES_256_GCM_SHA384, "K", 1},
		{"TLS_CHACHA20_POLY1305_SHA256", tls.TLS_CHACHA20_POLY1305_SHA256, "k", 0},
		{"TLS_AES_128_GCM_SHA256", tls.TLS_AES_128_GCM_SHA256, "K", 1},
	} {
		t.Run(tc.suite, func(t *testing.T) {
			var keyLog bytes.Buffer
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Skipf("no loopback TCP: %v", err)
			}
			defer ln.Close()
			lines := []string{
				"SETUP rtsp://cam.example/stream RTSP/1.0 KeyMgmt: prot=mikey; data=\"" + mikeyB64 + "\"",
				tc.command,
				"PLAY rtsp://cam.example/stream RTSP/1.0",
				tc.command,
				"TEARDOWN rtsp://cam.example/stream RTSP/1.0",
			}
			cmd := exec.Command(openssl, "s_client", "-connect", ln.Addr().String(), "-tls1_3", "-ciphersuites", tc.suite, "-servername", "mikeyscope.test")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
			raw, err := ln.Accept()
			if err != nil {
				t.Fatalf("accept: %v", err)
			}
			raw.SetDeadline(time.Now().Add(20 * time.Second))
			rc := &recConn{Conn: raw}
			srv := tls.Server(rc, &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: &keyLog, MinVersion: tls.VersionTLS13})
			if err := srv.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			// Read lines in the background, so that crypto/tls processes
			// KeyUpdate records as soon as they arrive.
			in := bufio.NewReader(srv)
			got := make(chan string, len(lines))
			go func() {
				for {
					l, err := in.ReadString('\n')
					if err != nil {
						close(got)
						return
					}
					got <- l
				}
			}()
			clientReads := func() int {
				rc.mu.Lock()
				defer rc.mu.Unlock()
				return countWrites(rc.writes, true, TypeApplicationData)
			}
			var sent []byte
			for _, l := range lines {
				before := clientReads()
				// One line per stdin read, so s_client sees commands at
				// the start of a read.
				if _, err := io.WriteString(stdin, l+"\n"); err != nil {
					t.Fatal(err)
				}
				if len(l) == 1 {
					// Wait for the KeyUpdate record to reach the server.
					for i := 0; clientReads() == before; i++ {
						if i > 500 {
							t.Fatal("no KeyUpdate record from s_client")
						}
						time.Sleep(20 * time.Millisecond)
					}
					continue
				}
				sent = append(sent, l+"\n"...)
				select {
				case g := <-got:
					if g != l+"\n" {
						t.Fatalf("server read %q", g)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("server read nothing")
				}
				if _, err := io.WriteString(srv, "RTSP/1.0 200 OK\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
			}
			stdin.Close()
			for range got { // until close_notify / EOF
			}
			srv.Close()
			cmd.Wait()
			rc.mu.Lock()
			s := &tlstest.Session{Writes: rc.writes, KeyLog: keyLog.Bytes()}
			rc.mu.Unlock()

			c, d := feedSession(t, mustKeyLog(t, s.KeyLog), s)
			st := c.Status()
			if st.State != StateDecrypting || st.Suite != tc.id {
				t.Fatalf("status %v", st)
			}
			if !bytes.Equal(d.app[1], sent) {
				t.Errorf("client plaintext %q, want %q", d.app[1], sent)
			}
			if want := strings.Repeat("RTSP/1.0 200 OK\r\n\r\n", 3); string(d.app[0]) != want {
				t.Errorf("server plaintext %q", d.app[0])
			}
			if st.Client.KeyUpdates != 2 || st.Server.KeyUpdates != 2*tc.server {
				t.Errorf("key updates client %d server %d, want 2 and %d", st.Client.KeyUpdates, st.Server.KeyUpdates, 2*tc.server)
			}
			if st.Client.Failed+st.Server.Failed != 0 {
				t.Errorf("failed records: %+v %+v", st.Client, st.Server)
			}
		})
	}
}
