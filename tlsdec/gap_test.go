package tlsdec

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// segment is a TCP-like piece of one direction.
type segment struct {
	fromClient bool
	data       []byte
}

// segments cuts every write into pieces of at most size bytes.
func segments(s *tlstest.Session, size int) []segment {
	var out []segment
	for _, w := range s.Writes {
		for d := w.Data; len(d) > 0; {
			n := min(size, len(d))
			out = append(out, segment{w.FromClient, d[:n]})
			d = d[n:]
		}
	}
	return out
}

// TestGapResync drops server segments in the middle of the application
// data: the record layer must be found again and decryption resume, with the
// loss reported, for every protection family.
func TestGapResync(t *testing.T) {
	steps := rtspScript()
	for _, tc := range []struct {
		name string
		opts tlstest.Options
	}{
		{"TLS13", tlstest.Options{MinVersion: tls.VersionTLS13}},
		{"TLS12_GCM", tlstest.Options{MaxVersion: tls.VersionTLS12}},
		{"TLS12_CHACHA", tlstest.Options{MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}},
		{"TLS12_CBC", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}}},
		// TLS 1.0 chains the CBC IV across records: the record after the
		// gap cannot be opened, the one after it can.
		{"TLS10_CBC", tlstest.Options{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10, RSA: true,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runSession(t, tc.opts, steps)
			kl := mustKeyLog(t, s.KeyLog)
			segs := segments(s, 1000)
			want := expected(steps, false)
			for _, drop := range []int{1, 3, 7} { // consecutive segments lost
				var server []int
				for i, sg := range segs {
					if !sg.fromClient {
						server = append(server, i)
					}
				}
				first := server[len(server)-30] // inside the final burst, with records after the loss
				c := NewConn(kl)
				d := &decrypted{}
				gap := 0
				for i, sg := range segs {
					if i >= first && i < first+drop {
						gap += len(sg.data)
						continue
					}
					dir := ServerToClient
					if sg.fromClient {
						dir = ClientToServer
					}
					c.Feed(dir, sg.data, gap, uint64(i+1), d.emit)
					if !sg.fromClient {
						gap = 0
					}
				}
				st := c.Status()
				if st.State != StateDecrypting {
					t.Fatalf("drop %d: state %v", drop, st)
				}
				got := d.app[0]
				if len(got) >= len(want) {
					t.Fatalf("drop %d: got %d plaintext bytes of %d with a loss", drop, len(got), len(want))
				}
				// got = want[:p] + want[len(want)-q:], with the hole
				// no larger than the lost bytes plus two records.
				p := 0
				for p < len(got) && got[p] == want[p] {
					p++
				}
				q := len(got) - p
				if !bytes.Equal(got[p:], want[len(want)-q:]) {
					tail := got[p:]
					k := bytes.Index(want, tail[:min(len(tail), 64)])
					t.Fatalf("drop %d: plaintext after the gap does not match the sent bytes (p=%d q=%d, tail found at %d of %d, resyncs %d)", drop, p, q, k, len(want), st.Server.Resyncs)
				}
				if q == 0 {
					t.Fatalf("drop %d: nothing decrypted after the gap", drop)
				}
				if hole := len(want) - len(got); hole > drop*1000+2*maxPlaintext {
					t.Errorf("drop %d: %d plaintext bytes missing", drop, hole)
				}
				if st.Server.Resyncs != 1 || d.gaps < int64(drop*1000) {
					t.Errorf("drop %d: resyncs %d, reported gap %d", drop, st.Server.Resyncs, d.gaps)
				}
				if !bytes.Equal(d.app[1], expected(steps, true)) {
					t.Errorf("drop %d: client plaintext changed", drop)
				}
			}
		})
	}
}
