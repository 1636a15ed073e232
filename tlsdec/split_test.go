package tlsdec

import (
	"bytes"
	"crypto/tls"
	"math/rand/v2"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// chunked feeds each recorded write split by cut (which returns the chunk
// sizes for a write) and returns the plaintext per side.
func chunked(t *testing.T, kl *KeyLog, s *tlstest.Session, cut func(i int, data []byte) []int) (*Conn, *decrypted) {
	t.Helper()
	c := NewConn(kl)
	d := &decrypted{}
	for i, w := range s.Writes {
		dir := ServerToClient
		if w.FromClient {
			dir = ClientToServer
		}
		data := w.Data
		for _, n := range cut(i, data) {
			if err := c.Feed(dir, data[:n], 0, uint64(i+1), d.emit); err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
			data = data[n:]
		}
		if len(data) > 0 {
			if err := c.Feed(dir, data, 0, uint64(i+1), d.emit); err != nil {
				t.Fatalf("write %d: %v", i, err)
			}
		}
	}
	return c, d
}

func checkPlaintext(t *testing.T, what string, c *Conn, d *decrypted, steps []tlstest.Step) {
	t.Helper()
	if st := c.Status(); st.State != StateDecrypting {
		t.Fatalf("%s: state %v", what, st)
	}
	if !bytes.Equal(d.app[1], expected(steps, true)) || !bytes.Equal(d.app[0], expected(steps, false)) {
		t.Fatalf("%s: plaintext differs (client %d/%d, server %d/%d bytes)", what,
			len(d.app[1]), len(expected(steps, true)), len(d.app[0]), len(expected(steps, false)))
	}
}

// TestSplitEveryBoundary feeds each write in two pieces at every possible
// offset, and byte by byte: the plaintext must not depend on segmentation.
func TestSplitEveryBoundary(t *testing.T) {
	steps := rtspScript()[:4]
	for _, tc := range []struct {
		name string
		opts tlstest.Options
	}{
		{"TLS13", tlstest.Options{MinVersion: tls.VersionTLS13}},
		{"TLS12_GCM", tlstest.Options{MaxVersion: tls.VersionTLS12}},
		{"TLS12_CBC", tlstest.Options{MaxVersion: tls.VersionTLS12, RSA: true,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := runSession(t, tc.opts, steps)
			kl := mustKeyLog(t, s.KeyLog)
			c, d := chunked(t, kl, s, func(_ int, data []byte) []int {
				ones := make([]int, len(data))
				for i := range ones {
					ones[i] = 1
				}
				return ones
			})
			checkPlaintext(t, "byte by byte", c, d, steps)
			step := 1
			if testing.Short() {
				step = 13 // every 13th boundary in -short mode
			}
			for w := range s.Writes {
				for k := 1; k < len(s.Writes[w].Data); k += step {
					c, d := chunked(t, kl, s, func(i int, _ []byte) []int {
						if i == w {
							return []int{k}
						}
						return nil
					})
					checkPlaintext(t, "split", c, d, steps)
				}
			}
		})
	}
}

// TestRandomSegmentation cuts the whole session, with large application
// bursts, into random segment sizes like TCP would.
func TestRandomSegmentation(t *testing.T) {
	steps := rtspScript()
	s := runSession(t, tlstest.Options{}, steps)
	kl := mustKeyLog(t, s.KeyLog)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		c, d := chunked(t, kl, s, func(_ int, data []byte) []int {
			var cuts []int
			for left := len(data); left > 0; {
				n := min(left, 1+rng.IntN(3000))
				cuts = append(cuts, n)
				left -= n
			}
			return cuts
		})
		checkPlaintext(t, "random", c, d, steps)
	}
}
