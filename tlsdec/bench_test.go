package tlsdec

import (
	"crypto/tls"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// benchSession records a session whose client sends n application records
// of 1400 bytes (an interleaved RTP packet per record, as RTSPS carries
// them) and returns it with the index of the first of those writes.
func benchSession(b *testing.B, opts tlstest.Options, n int) (*tlstest.Session, int) {
	steps := make([]tlstest.Step, n)
	for i := range steps {
		steps[i] = tlstest.Step{FromClient: true, Data: interleaved(0, uint16(i), 1400-16)}
	}
	s := runSession(b, opts, steps)
	first := -1
	c := NewConn(mustKeyLog(b, s.KeyLog))
	for i, w := range s.Writes {
		dir := ServerToClient
		if w.FromClient {
			dir = ClientToServer
		}
		c.Feed(dir, w.Data, 0, uint64(i), func(p Plaintext) {
			if first < 0 && p.Type == TypeApplicationData && len(p.Data) == 1400 {
				first = i
			}
		})
	}
	if first < 0 {
		b.Fatalf("no 1400-byte records: %v", c.Status())
	}
	return s, first
}

func BenchmarkDecrypt1400(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts tlstest.Options
	}{
		{"TLS13_AES_128_GCM", tlstest.Options{MinVersion: tls.VersionTLS13}},
		{"TLS12_AES_128_GCM", tlstest.Options{MaxVersion: tls.VersionTLS12}},
		{"TLS12_CHACHA20_POLY1305", tlstest.Options{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}}},
		{"TLS12_AES_128_CBC_SHA", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const records = 256
			s, first := benchSession(b, bc.opts, records)
			kl := mustKeyLog(b, s.KeyLog)
			var c *Conn
			next := len(s.Writes)
			var got int
			emit := func(p Plaintext) { got += len(p.Data) }
			b.SetBytes(1400)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if next >= first+records {
					b.StopTimer()
					c = NewConn(kl)
					for i, w := range s.Writes[:first] {
						dir := ServerToClient
						if w.FromClient {
							dir = ClientToServer
						}
						c.Feed(dir, w.Data, 0, uint64(i), nil)
					}
					next = first
					b.StartTimer()
				}
				w := s.Writes[next]
				dir := ServerToClient
				if w.FromClient {
					dir = ClientToServer
				}
				c.Feed(dir, w.Data, 0, uint64(next), emit)
				next++
			}
			if st := c.Status(); st.State != StateDecrypting || st.Client.Failed != 0 {
				b.Fatalf("status %v", st)
			}
		})
	}
}
