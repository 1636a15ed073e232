package tlsdec

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

var updateGolden = flag.Bool("update", false, "regenerate testdata/sessions/*.json with crypto/tls")

// goldenSession is a recorded crypto/tls session kept in testdata so that
// fuzzing and regression tests use fixed keys.
type goldenSession struct {
	KeyLog string          `json:"keylog"`
	Writes []tlstest.Write `json:"writes"`
}

var goldenCases = []struct {
	file string
	opts tlstest.Options
}{
	{"tls13.json", tlstest.Options{MinVersion: tls.VersionTLS13}},
	{"tls12-gcm.json", tlstest.Options{MaxVersion: tls.VersionTLS12}},
	{"tls12-chacha.json", tlstest.Options{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}},
	{"tls12-cbc.json", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}},
}

// goldenScript is short so the fuzz seeds stay small.
func goldenScript() []tlstest.Step { return rtspScript()[:6] }

func loadGolden(t testing.TB, file string) *tlstest.Session {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sessions", file))
	if err != nil {
		t.Fatalf("%v (regenerate with go test -run TestGoldenSessions -update)", err)
	}
	var g goldenSession
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &tlstest.Session{KeyLog: []byte(g.KeyLog), Writes: g.Writes}
}

func saveGolden(t testing.TB, file string, keyLog []byte, writes []tlstest.Write) {
	t.Helper()
	b, err := json.MarshalIndent(goldenSession{KeyLog: string(keyLog), Writes: writes}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join("testdata", "sessions"), 0o755)
	if err := os.WriteFile(filepath.Join("testdata", "sessions", file), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenSSLGoldenSessions decrypts the stored OpenSSL sessions (written by
// TestOpenSSLPairs -update): encrypt-then-MAC, renegotiation, 0-RTT.
func TestOpenSSLGoldenSessions(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sessions", "openssl-*.json"))
	if len(files) == 0 {
		t.Fatal("no stored OpenSSL sessions (regenerate with go test -run OpenSSLPairs -update)")
	}
	for _, f := range files {
		s := loadGolden(t, filepath.Base(f))
		c, d := feedSession(t, mustKeyLog(t, s.KeyLog), s)
		st := c.Status()
		if st.State != StateDecrypting || st.Client.Failed+st.Server.Failed != 0 || len(d.errs) != 0 {
			t.Errorf("%s: %v %v", f, st, d.errs)
		}
		if !bytes.Contains(d.app[1], []byte("PLAY rtsp://cam.example/stream RTSP/1.0\n")) {
			t.Errorf("%s: client plaintext %q", f, d.app[1])
		}
	}
}

// TestGoldenSessions decrypts the stored sessions (and regenerates them
// with -update).
func TestGoldenSessions(t *testing.T) {
	for _, gc := range goldenCases {
		if *updateGolden {
			s := runSession(t, gc.opts, goldenScript())
			saveGolden(t, gc.file, s.KeyLog, s.Writes)
		}
		s := loadGolden(t, gc.file)
		c, d := feedSession(t, mustKeyLog(t, s.KeyLog), s)
		checkPlaintext(t, gc.file, c, d, goldenScript())
	}
}

// fuzzOps encodes feeds as the fuzz input: per feed a flags byte (bit 0:
// server to client, bit 1: a gap of the next byte * 64 bytes precedes),
// optional gap byte, 16-bit length, data.
func fuzzOps(s *tlstest.Session, chunk int) []byte {
	var out []byte
	for _, w := range s.Writes {
		for d := w.Data; len(d) > 0; {
			n := min(len(d), chunk)
			flags := byte(0)
			if !w.FromClient {
				flags = 1
			}
			out = append(out, flags)
			out = binary.BigEndian.AppendUint16(out, uint16(n))
			out = append(out, d[:n]...)
			d = d[n:]
		}
	}
	return out
}

func FuzzConn(f *testing.F) {
	kl := NewKeyLog()
	files, _ := filepath.Glob(filepath.Join("testdata", "sessions", "*.json"))
	for _, file := range files {
		s := loadGolden(f, filepath.Base(file))
		kl.Merge(mustKeyLog(f, s.KeyLog))
		f.Add(fuzzOps(s, 1<<16))
		f.Add(fuzzOps(s, 700))
	}
	f.Add([]byte{0, 0, 5, 22, 3, 1, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		c := NewConn(kl)
		c.resyncBudget, c.midBudget = 256<<10, 256<<10 // keep executions fast
		bare := NewConn(nil)                           // the same bytes without any key log
		for frame := uint64(1); len(in) > 0; frame++ {
			flags := in[0]
			in = in[1:]
			gap := 0
			if flags&2 != 0 && len(in) > 0 {
				gap = int(in[0]) * 64
				in = in[1:]
			}
			if len(in) < 2 {
				return
			}
			n := min(int(binary.BigEndian.Uint16(in)), len(in)-2)
			data := in[2 : 2+n]
			in = in[2+n:]
			c.Feed(Direction(flags&1), data, gap, frame, func(p Plaintext) {
				if len(p.Data) > maxCiphertext {
					t.Fatalf("plaintext of %d bytes", len(p.Data))
				}
			})
			bare.Feed(Direction(flags&1), data, gap, frame, func(p Plaintext) {
				if p.Encrypted {
					t.Fatalf("decrypted a record without keys")
				}
			})
			st := c.Status()
			if st.State > StateNotTLS {
				t.Fatalf("state %v", st.State)
			}
			for _, h := range c.half {
				if cap(h.buf) > recordHeaderLen+maxCiphertext || len(h.buf) > cap(h.buf) {
					t.Fatalf("buffer grew to %d", cap(h.buf))
				}
			}
		}
	})
}

// TestFuzzOpsRoundTrip checks that the fuzz encoding of a session decrypts,
// so the seeds exercise the decryption paths.
func TestFuzzOpsRoundTrip(t *testing.T) {
	s := loadGolden(t, "tls13.json")
	ops := fuzzOps(s, 700)
	c := NewConn(mustKeyLog(t, s.KeyLog))
	var app []byte
	for len(ops) > 0 {
		n := int(binary.BigEndian.Uint16(ops[1:]))
		c.Feed(Direction(ops[0]&1), ops[3:3+n], 0, 1, func(p Plaintext) {
			if p.Type == TypeApplicationData && p.FromClient {
				app = append(app, p.Data...)
			}
		})
		ops = ops[3+n:]
	}
	if !bytes.Equal(app, expected(goldenScript(), true)) {
		t.Errorf("fuzz encoding does not decrypt: %v", c.Status())
	}
}
