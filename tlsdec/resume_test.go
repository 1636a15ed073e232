package tlsdec

import (
	"crypto/tls"
	"testing"

	"github.com/mikeyscope/mikeyscope/tlsdec/tlstest"
)

// TestResumedSessions decrypts abbreviated handshakes (session tickets): the
// key log has an entry for the new client random of each resumption.
func TestResumedSessions(t *testing.T) {
	steps := rtspScript()[:4]
	for _, tc := range []struct {
		name string
		max  uint16
	}{{"TLS12", tls.VersionTLS12}, {"TLS13", tls.VersionTLS13}} {
		t.Run(tc.name, func(t *testing.T) {
			cache := tls.NewLRUClientSessionCache(4)
			var ticketKey [32]byte
			ticketKey[0] = 1
			opts := tlstest.Options{MaxVersion: tc.max,
				Client: func(c *tls.Config) { c.ClientSessionCache = cache },
				Server: func(c *tls.Config) { c.SessionTicketKey = ticketKey },
			}
			full := runSession(t, opts, steps) // full handshake, fills the cache
			s := runSession(t, opts, steps)
			if !s.Resumed {
				t.Fatal("crypto/tls did not resume the session")
			}
			kl := mustKeyLog(t, append(full.KeyLog, s.KeyLog...))
			c, d := feedSession(t, kl, full)
			checkPlaintext(t, "full", c, d, steps)
			c, d = feedSession(t, kl, s)
			checkPlaintext(t, "resumed", c, d, steps)
			if tc.max == tls.VersionTLS12 {
				if len(s.KeyLog) != 0 {
					t.Logf("crypto/tls logged the resumption itself: %q", s.KeyLog)
				}
				// Without the full handshake the resumed one has no key.
				c, _ = feedSession(t, mustKeyLog(t, s.KeyLog), s)
				if st := c.Status(); st.State != StateNoKey {
					t.Errorf("resumption alone: %v", st)
				}
			}
		})
	}
}
