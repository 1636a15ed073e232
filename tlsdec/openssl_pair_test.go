package tlsdec

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// relay accepts connections and forwards them to target, recording each
// connection's bytes in both directions, in the order they were read.
type relay struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  [][]tlstest.Write
	wg     sync.WaitGroup
}

func newRelay(t *testing.T, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	r := &relay{ln: ln, target: target}
	go r.serve()
	return r
}

func (r *relay) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		var s net.Conn
		for i := 0; i < 100; i++ { // s_server may still be setting up
			if s, err = net.Dial("tcp", r.target); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			c.Close()
			continue
		}
		r.mu.Lock()
		idx := len(r.conns)
		r.conns = append(r.conns, nil)
		r.mu.Unlock()
		copyDir := func(dst, src net.Conn, fromClient bool) {
			defer r.wg.Done()
			buf := make([]byte, 32<<10)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					r.mu.Lock()
					r.conns[idx] = append(r.conns[idx], tlstest.Write{FromClient: fromClient, Data: bytes.Clone(buf[:n])})
					r.mu.Unlock()
					dst.Write(buf[:n])
				}
				if err != nil {
					if tc, ok := dst.(*net.TCPConn); ok {
						tc.CloseWrite()
					}
					return
				}
			}
		}
		r.wg.Add(2)
		go copyDir(s, c, true)
		go copyDir(c, s, false)
	}
}

// waitFor polls the recorded writes of the first connection until pred
// holds or ten seconds pass.
func (r *relay) waitFor(t *testing.T, what string, pred func([]tlstest.Write) bool) {
	for i := 0; i < 500; i++ {
		r.mu.Lock()
		ok := len(r.conns) > 0 && pred(r.conns[0])
		r.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// countWrites counts the writes of one side whose first record has type typ.
func countWrites(ws []tlstest.Write, fromClient bool, typ byte) int {
	n := 0
	for _, w := range ws {
		if w.FromClient == fromClient && len(w.Data) > 0 && w.Data[0] == typ {
			n++
		}
	}
	return n
}

// writePEM stores the tlstest certificate and key for openssl s_server.
func writePEM(t *testing.T, dir string, rsaKey bool) (certFile, keyFile string) {
	cert, err := tlstest.Certificate(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)
	return certFile, keyFile
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback TCP: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestOpenSSLPairs records sessions between "openssl s_client" and
// "openssl s_server" (-rev: the server echoes each line reversed), to check
// what crypto/tls cannot produce: encrypt-then-MAC (RFC 7366, OpenSSL's
// default for CBC suites), SHA-384 CBC suites, and TLS 1.3 0-RTT early data.
func TestOpenSSLPairs(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: skipping the OpenSSL pair cross-check")
	}
	lines := "SETUP rtsp://cam.example/stream RTSP/1.0 KeyMgmt: prot=mikey; data=\"" + mikeyB64 + "\"\nPLAY rtsp://cam.example/stream RTSP/1.0\n"
	for _, tc := range []struct {
		name       string
		server     []string
		client     []string
		suite      uint16
		etm        bool
		early      string // 0-RTT data sent on a second, resumed connection
		earlySkips bool   // server rejects the early data
		noRev      bool   // s_server cannot echo (-early_data excludes -rev)
		reneg      bool   // renegotiate between the requests (s_client "R")
	}{
		{name: "TLS12_ETM_AES_128_CBC_SHA", client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"}, suite: 0xC009, etm: true},
		{name: "TLS12_ETM_AES_256_CBC_SHA384", client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA384"}, suite: 0xC024, etm: true},
		{name: "TLS12_MtE_AES_128_CBC_SHA256", client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256", "-no_etm"}, suite: 0xC023},
		{name: "TLS12_renegotiation", server: []string{"-client_renegotiation", "-no_resumption_on_reneg"}, client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}, suite: 0xC02B, reneg: true},
		{name: "TLS12_renegotiation_resumed", server: []string{"-client_renegotiation"}, client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA"}, suite: 0xC00A, etm: true, reneg: true},
		{name: "TLS12_AES_256_GCM_SHA384", client: []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"}, suite: 0xC02C},
		{name: "TLS13_early_data", server: []string{"-early_data"}, client: []string{"-tls1_3"}, suite: 0x1302, early: "OPTIONS * RTSP/1.0 (0-RTT)\n", noRev: true},
		{name: "TLS13_early_data_rejected", server: []string{"-early_data"}, client: []string{"-tls1_3"}, suite: 0x1302, early: "OPTIONS * RTSP/1.0 (0-RTT)\n", earlySkips: true, noRev: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			certFile, keyFile := writePEM(t, dir, false)
			startServer := func(naccept string) string {
				addr := freePort(t)
				srvArgs := []string{"s_server", "-accept", addr, "-cert", certFile, "-key", keyFile, "-naccept", naccept}
				if !tc.noRev {
					srvArgs = append(srvArgs, "-rev")
				}
				srv := exec.Command(openssl, append(srvArgs, tc.server...)...)
				if _, err := srv.StdinPipe(); err != nil { // kept open: s_server stops at stdin EOF
					t.Fatal(err)
				}
				out, err := srv.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				srv.Stderr = io.Discard
				if err := srv.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
				// s_server prints ACCEPT once it listens.
				ready := make(chan bool, 1)
				go func() {
					sc := bufio.NewScanner(out)
					signalled := false
					for sc.Scan() {
						if !signalled && strings.Contains(sc.Text(), "ACCEPT") {
							ready <- true
							signalled = true
						}
					}
					if !signalled {
						ready <- false
					}
				}()
				select {
				case ok := <-ready:
					if !ok {
						t.Fatal("s_server exited before listening")
					}
				case <-time.After(20 * time.Second):
					t.Fatal("s_server did not start")
				}
				return addr
			}
			keyLog := filepath.Join(dir, "keys.txt")
			sess := filepath.Join(dir, "sess.pem")
			run := func(r *relay, extra ...string) []tlstest.Write {
				args := []string{"s_client", "-connect", r.ln.Addr().String(), "-keylogfile", keyLog, "-servername", "mikeyscope.test"}
				if !tc.reneg {
					args = append(args, "-nocommands")
				}
				args = append(args, tc.client...)
				cmd := exec.Command(openssl, append(args, extra...)...)
				stdin, err := cmd.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
				done := make(chan error, 1)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				if tc.reneg {
					// "R" must arrive in its own stdin read: send it once
					// the first line's echo came back, and the second line
					// once the server's second ChangeCipherSpec went by.
					first, second, _ := strings.Cut(lines, "\n")
					io.WriteString(stdin, first+"\n")
					r.waitFor(t, "the first echo", func(ws []tlstest.Write) bool { return countWrites(ws, false, TypeApplicationData) > 0 })
					io.WriteString(stdin, "R\n")
					r.waitFor(t, "the renegotiation", func(ws []tlstest.Write) bool {
						n := 0
						for _, w := range ws {
							if !w.FromClient {
								n += bytes.Count(w.Data, []byte{TypeChangeCipherSpec, 3, 3})
							}
						}
						return n >= 2
					})
					io.WriteString(stdin, second)
				} else {
					io.WriteString(stdin, lines)
				}
				// Close only once the server sent protected records (the
				// TLS 1.3 session ticket or the -rev echo), so that the
				// session can be resumed.
				r.waitFor(t, "protected server records", func(ws []tlstest.Write) bool { return countWrites(ws, false, TypeApplicationData) > 0 })
				time.Sleep(200 * time.Millisecond)
				stdin.Close()
				go func() { done <- cmd.Wait() }()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					cmd.Process.Kill()
					t.Fatal("s_client did not finish")
				}
				r.ln.Close()
				r.wg.Wait()
				r.mu.Lock()
				defer r.mu.Unlock()
				if len(r.conns) != 1 {
					t.Fatalf("%d connections recorded", len(r.conns))
				}
				return r.conns[0]
			}
			earlyFile := filepath.Join(dir, "early.txt")
			os.WriteFile(earlyFile, []byte(tc.early), 0o600)
			var writes []tlstest.Write
			switch {
			case tc.early == "":
				writes = run(newRelay(t, startServer("1")))
			case !tc.earlySkips:
				addr := startServer("2")
				run(newRelay(t, addr), "-sess_out", sess)
				writes = run(newRelay(t, addr), "-sess_in", sess, "-early_data", earlyFile)
			default:
				// A restarted server has new ticket keys: it cannot
				// resume the session and rejects the early data.
				run(newRelay(t, startServer("1")), "-sess_out", sess)
				writes = run(newRelay(t, startServer("1")), "-sess_in", sess, "-early_data", earlyFile)
			}
			text, err := os.ReadFile(keyLog)
			if err != nil {
				t.Fatal(err)
			}
			kl := mustKeyLog(t, text)
			s := &tlstest.Session{Writes: writes}
			if *updateGolden {
				saveGolden(t, "openssl-"+strings.ToLower(tc.name)+".json", text, writes)
			}
			c, d := feedSession(t, kl, s)
			st := c.Status()
			if testing.Verbose() {
				for _, w := range s.Writes {
					t.Logf("fromClient %v: %d bytes %x", w.FromClient, len(w.Data), w.Data[:min(len(w.Data), 8)])
				}
			}
			if st.State != StateDecrypting || st.Suite != tc.suite || c.sh.etm != tc.etm {
				t.Fatalf("status %v (etm %v), want %s etm %v", st, c.sh.etm, SuiteName(tc.suite), tc.etm)
			}
			// 0-RTT data is delivered (flagged Early) whether or not the
			// server accepted it; the status says which.
			want := tc.early + lines
			if string(d.app[1]) != want {
				t.Errorf("client plaintext %q, want %q", d.app[1], want)
			}
			if !tc.noRev && !bytes.Contains(d.app[0], []byte("0.1/PSTR maerts/elpmaxe.mac//:pstr YALP")) {
				t.Errorf("server plaintext %q lacks the reversed PLAY line", d.app[0])
			}
			if tc.early != "" {
				if st.Client.EarlyRecords == 0 || !st.EarlyDataOffered || st.EarlyDataAccepted == tc.earlySkips {
					t.Errorf("early data: offered %v accepted %v records %d (rejected case %v)", st.EarlyDataOffered, st.EarlyDataAccepted, st.Client.EarlyRecords, tc.earlySkips)
				}
				if !bytes.HasPrefix(d.early, []byte(tc.early)) {
					t.Errorf("early plaintext %q", d.early)
				}
			}
			if tc.reneg && (c.renegotiations != 1 || !strings.Contains(st.Detail, "renegotiated")) {
				t.Errorf("renegotiations %d, detail %q", c.renegotiations, st.Detail)
			}
			if st.Client.Failed+st.Server.Failed != 0 {
				t.Errorf("failed records: %+v %+v", st.Client, st.Server)
			}
		})
	}
}
