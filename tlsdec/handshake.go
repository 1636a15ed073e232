package tlsdec

import (
	"encoding/hex"
)

// handshake parses the handshake messages carried by a record.
func (c *Conn) handshake(h *half, data []byte) {
	h.hs.feed(data, func(typ uint8, body []byte) { c.handshakeMessage(h, typ, body) })
}

func (c *Conn) handshakeMessage(h *half, typ uint8, body []byte) {
	switch typ {
	case hsClientHello:
		if body == nil || (c.haveCH && !h.encrypted) {
			return // second ClientHello after HelloRetryRequest keeps the random
		}
		ch, err := parseClientHello(body)
		if err != nil {
			c.fail(h, h.off, err.Error())
			return
		}
		if h.encrypted {
			if c.version() < VersionTLS13 && c.isClient(h) {
				c.reneg, c.renegCH = true, ch // TLS 1.2 renegotiation (RFC 5746)
				c.use(c.kl.Lookup(ch.random))
			}
			return
		}
		c.ch, c.haveCH = ch, true
		c.st.EarlyDataOffered = ch.earlyData
		if h.dir == ServerToClient && !c.half[0].started {
			c.swap = true // the capture layer guessed the roles the wrong way round
		}
		c.st.ClientRandom = hex.EncodeToString(ch.random[:])
		c.use(c.kl.Lookup(ch.random))
		c.st.State = StateUnknown // a ClientHello supersedes a mid-stream guess
		c.setState(StateHandshake, "")
	case hsServerHello:
		if body == nil || (c.haveSH && !h.encrypted) {
			return
		}
		sh, err := parseServerHello(body)
		if err != nil {
			c.fail(h, h.off, err.Error())
			return
		}
		if h.encrypted {
			if c.reneg && !c.isClient(h) {
				c.renegotiate(sh)
			}
			return
		}
		if !c.haveCH {
			c.setState(StateMidStream, "ServerHello without ClientHello: the capture starts after the ClientHello, so the client random is unknown")
			return
		}
		if sh.retry {
			c.retry = true
			c.st.Version = sh.version
			return
		}
		c.sh, c.haveSH = sh, true
		c.keys()
	case hsEncryptedExtension:
		if body != nil && !c.isClient(h) && c.ch.earlyData {
			c.st.EarlyDataAccepted = hasExtension(body, extEarlyData)
		}
	case hsNewSessionTicket:
		if body != nil && c.version() < VersionTLS13 && c.master != nil && c.kl != nil && !c.isClient(h) {
			if ticket, err := parseNewSessionTicket12(body); err == nil {
				c.kl.sessions.put(cacheTicket, ticket, c.master)
			}
		}
	case hsFinished:
		if c.version() == VersionTLS13 && h.next != nil {
			c.enterAppKeys(h)
		}
	case hsKeyUpdate:
		if c.version() == VersionTLS13 && h.secret != nil && h.next == nil {
			c.keyUpdate(h)
		}
	case hsEndOfEarlyData:
	}
}

// keyUpdate moves a TLS 1.3 half to the next application traffic secret
// (RFC 8446 §4.6.3, §7.2).
func (c *Conn) keyUpdate(h *half) {
	next := nextTrafficSecret(c.suite, h.secret)
	o, err := newAEAD13(c.suite, next)
	if err != nil {
		return
	}
	h.open, h.secret, h.seq = o, next, 0
	h.stats.KeyUpdates++
}
