package tlsdec

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

const (
	minProtectedRecord = 21      // header + 16-byte tag: the smallest protected record
	maxResyncTrials    = 4096    // sequence numbers tried per candidate record after a gap
	maxMidStreamSeq    = 64      // sequence numbers tried per secret when the handshake was missed
	maxMidStreamOpens  = 1 << 16 // AEAD opens spent per connection on mid-stream key search
	maxMidStreamTries  = 4       // records per direction used for the mid-stream key search
	maxMidStreamGen    = 4       // KeyUpdate generations tried per secret

	// Trial decryption is bounded in bytes processed, so that crafted
	// traffic cannot make resynchronisation or key search expensive.
	resyncBudget    = 4 << 20  // per loss of sync
	midStreamBudget = 16 << 20 // per connection
)

// tryResync decides whether a plausible record found while scanning after
// lost bytes is a real record boundary. With keys, the record must open
// under the current keys at a sequence number not lower than the expected
// one: lost records consumed sequence numbers (RFC 5246 §6.1, RFC 8446 §5.3).
// The search is bounded by the bytes lost. Without keys the header alone is
// taken. On success the half's sequence number is set for the record.
//
// prev holds up to 16 bytes that precede the candidate in the stream: with
// TLS 1.0 CBC they are the chained IV (the previous record's last block).
func (c *Conn) tryResync(h *half, hdr *[recordHeaderLen]byte, body, prev []byte) bool {
	found := !h.encrypted || (h.open == nil && h.next == nil)
	if !found && h.budget < int64(len(body)) {
		return false // out of trial budget: stay out of sync until the next gap
	}
	if !found {
		if h.out == nil {
			h.out = make([]byte, maxCiphertext)
		}
		smallest := int64(max(minProtectedRecord, h.minRec))
		trials := uint64(min(1+h.lost/smallest, maxResyncTrials))
		if cbc, ok := h.open.(*cbcHMAC); ok && !cbc.explicit {
			if len(prev) == 16 {
				copy(cbc.iv[:], prev)
			}
			cbc.hold = true
			defer func() { cbc.hold = false }()
		}
		if h.open != nil {
			if g, ok := h.open.(*gcm12); ok && len(body) >= 8 {
				// Implementations use the sequence number as explicit nonce.
				if n := binary.BigEndian.Uint64(body[:8]); n >= h.seq && n-h.seq < 1<<32 {
					h.budget -= int64(len(body))
					if _, _, err := g.open(h.out, hdr, body, n); err == nil {
						h.seq, found = n, true
					}
				}
			}
			for s := h.seq; !found && s < h.seq+trials && h.budget >= int64(len(body)); s++ {
				h.budget -= int64(len(body))
				if _, _, err := h.open.open(h.out, hdr, body, s); err == nil {
					h.seq, found = s, true
				}
			}
		}
		for s := uint64(0); !found && h.next != nil && s < trials && h.budget >= int64(len(body)); s++ {
			h.budget -= int64(len(body))
			if _, _, err := h.next.open(h.out, hdr, body, s); err == nil {
				c.enterAppKeys(h)
				h.seq, found = s, true
			}
		}
	}
	if found {
		h.resync = false
		h.stats.Resyncs++
		h.stats.LostBytes += h.lost
		h.gap += h.lost
		h.lost = 0
		h.hs.reset()
	}
	return found
}

// tryMidStream looks for the keys of a TLS 1.3 connection whose handshake
// was not captured. TLS 1.3 traffic secrets do not depend on the randoms, so
// every CLIENT/SERVER_TRAFFIC_SECRET_0 of the key log is tried, and the
// secrets of its first KeyUpdate generations (RFC 8446 §7.2), with each
// suite of its hash length and the first sequence numbers. A match names the
// connection (its client random) and both directions' keys. The work is
// bounded per connection.
func (c *Conn) tryMidStream(h *half, hdr *[recordHeaderLen]byte, body []byte) bool {
	if c.kl.Len() == 0 || hdr[0] != TypeApplicationData || h.midTries >= maxMidStreamTries || c.midOpens >= maxMidStreamOpens || c.midBytes >= c.midBudget {
		return false
	}
	h.midTries++
	var m struct {
		sec        *Secrets
		suite      *suite
		open       *aead13
		secret     []byte // the matching generation's secret
		seq        uint64
		gen        int
		fromClient bool
	}
	c.kl.Each(func(sec *Secrets) {
		for i, secret0 := range [2][]byte{sec.ClientTraffic0, sec.ServerTraffic0} {
			for _, id := range [3]uint16{0x1301, 0x1303, 0x1302} {
				s := suites[id]
				if m.sec != nil || len(secret0) != s.hashSize {
					continue
				}
				secret := secret0
				for gen := 0; gen < maxMidStreamGen && m.sec == nil && c.midOpens < maxMidStreamOpens; gen++ {
					if gen > 0 {
						secret = nextTrafficSecret(s, secret)
					}
					o, err := newAEAD13(s, secret)
					if err != nil {
						break
					}
					for seq := uint64(0); seq < maxMidStreamSeq && c.midOpens < maxMidStreamOpens && c.midBytes < c.midBudget; seq++ {
						c.midOpens++
						c.midBytes += int64(len(body))
						if _, _, err := o.open(h.out, hdr, body, seq); err == nil {
							m.sec, m.suite, m.open, m.secret, m.seq, m.gen, m.fromClient = sec, s, o, secret, seq, gen, i == 0
							break
						}
					}
				}
			}
		}
	})
	if m.sec == nil {
		return false
	}
	if m.fromClient != (h.dir == ClientToServer) {
		c.swap = true
	}
	c.suite, c.secrets = m.suite, m.sec
	c.use(m.sec)
	c.st.Version, c.st.Suite = VersionTLS13, m.suite.id
	c.st.ClientRandom = hex.EncodeToString(m.sec.ClientRandom[:])
	c.st.KeyFingerprint = Fingerprint(m.sec.ClientTraffic0)
	h.open, h.secret, h.seq, h.encrypted = m.open, m.secret, m.seq, true
	h.stats.KeyUpdates += m.gen
	other, otherSecret := c.clientHalf(), m.sec.ClientTraffic0
	if m.fromClient {
		other, otherSecret = c.serverHalf(), m.sec.ServerTraffic0
	}
	if len(otherSecret) == m.suite.hashSize && other.open == nil {
		// The other direction's sequence number and key generation are
		// unknown too: assume the same generation, or the next one, and
		// find its next record like after a gap.
		for range m.gen {
			otherSecret = nextTrafficSecret(m.suite, otherSecret)
		}
		other.open, _ = newAEAD13(m.suite, otherSecret)
		other.nextSecret = nextTrafficSecret(m.suite, otherSecret)
		other.next, _ = newAEAD13(m.suite, other.nextSecret)
		other.secret, other.encrypted, other.seq = otherSecret, true, 0
		other.stats.KeyUpdates += m.gen
		other.resync = true
		other.budget = c.resyncBudget
		other.lost += maxMidStreamSeq * minProtectedRecord
	}
	who := "server"
	if m.fromClient {
		who = "client"
	}
	c.st.State = StateDecrypting
	c.st.Frame = c.frame
	c.st.Detail = fmt.Sprintf("capture starts mid-connection; TLS 1.3 keys found by trial in the key log (%s record %d, key generation %d)", who, m.seq, m.gen)
	return true
}
