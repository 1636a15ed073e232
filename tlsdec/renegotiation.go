package tlsdec

import (
	"encoding/hex"
	"fmt"
)

// renegotiate prepares the keys of a TLS 1.2 renegotiation handshake, carried
// inside the protected records (RFC 5246 §7.4.1.1, RFC 5746): the new
// ClientHello and ServerHello give new randoms, and the key log has the new
// master secret under the new client random.
func (c *Conn) renegotiate(sh serverHello) {
	c.reneg = false
	c.renegotiations++
	random := hex.EncodeToString(c.renegCH.random[:])
	s := suites[sh.suite]
	if s == nil || s.kind == kindAEAD13 || sh.version != c.st.Version {
		c.setState(StateUnsupported, "renegotiation to "+VersionName(sh.version)+" "+SuiteName(sh.suite)+" is not decrypted")
		return
	}
	var master []byte
	if sec := c.kl.Lookup(c.renegCH.random); sec != nil {
		master = sec.MasterSecret
	}
	if master == nil && c.kl != nil && len(sh.sessionID) > 0 && string(sh.sessionID) == string(c.renegCH.sessionID) {
		// Abbreviated renegotiation: resumes a session, usually the
		// current one (RFC 5246 §7.3).
		if master = c.kl.sessions.get(cacheTicket, c.renegCH.ticket); master == nil {
			if master = c.kl.sessions.get(cacheSessionID, sh.sessionID); master == nil {
				master = c.master
			}
		}
	}
	if master == nil {
		c.setState(StateNoKey, "renegotiation: no key for CLIENT_RANDOM "+random)
		c.clientHalf().pending, c.serverHalf().pending = nil, nil
		return
	}
	c.suite, c.st.Suite = s, sh.suite
	c.useMasterFor(master, &c.renegCH, &sh)
	c.st.Detail = fmt.Sprintf("renegotiated %d time(s); current CLIENT_RANDOM %s", c.renegotiations, random)
}

// renegotiationCCS handles a protected ChangeCipherSpec: it authenticates
// under the current keys, then the keys of the renegotiation take effect.
func (c *Conn) renegotiationCCS(h *half, hdr *[recordHeaderLen]byte, body []byte) {
	if h.out == nil {
		h.out = make([]byte, maxCiphertext)
	}
	if h.open != nil {
		if _, _, err := h.open.open(h.out, hdr, body, h.seq); err != nil {
			h.stats.Failed++
			c.fail(h, h.off, "protected ChangeCipherSpec does not decrypt: "+err.Error())
		} else {
			h.stats.Decrypted++
		}
	}
	h.open, h.pending, h.seq = h.pending, nil, 0
}
