package tlsdec

import (
	"fmt"
)

// deliver passes a record's plaintext to the Feed caller.
func (c *Conn) deliver(h *half, typ uint8, seq uint64, encrypted bool, data []byte) {
	if typ == TypeApplicationData {
		h.stats.AppBytes += uint64(len(data))
	}
	if c.emit == nil {
		h.gap = 0
		return
	}
	c.emit(Plaintext{
		Dir: h.dir, FromClient: c.isClient(h), Frame: c.frame, Offset: h.off,
		Type: typ, Seq: seq, Encrypted: encrypted, Early: h.early0RTT, GapBefore: h.gap, Data: data,
	})
	h.gap = 0
}

// record handles one complete record whose header is plausible.
func (c *Conn) record(h *half, hdr *[recordHeaderLen]byte, body []byte) {
	h.stats.Records++
	h.recVer = uint16(hdr[1])<<8 | uint16(hdr[2])
	if !h.started {
		h.started = true
		if c.st.State == StateUnknown && !c.haveCH {
			// First record of the connection in this direction.
			if hdr[0] != TypeHandshake || len(body) == 0 || body[0] != hsClientHello {
				if !c.haveCH && !c.known {
					c.setState(StateMidStream, "capture starts after the ClientHello: the client random is unknown, so no key can be looked up")
				}
			}
		}
		c.known = true
	}
	typ := hdr[0]
	switch {
	case typ == TypeChangeCipherSpec:
		if c.version() == VersionTLS13 || !c.haveSH {
			// TLS 1.3 middlebox-compatibility CCS (RFC 8446 §5, also sent
			// after a HelloRetryRequest), or one before any ServerHello:
			// no keys change.
			return
		}
		if h.encrypted {
			// TLS 1.2 renegotiation: this CCS is itself protected and
			// takes a sequence number (RFC 5246 §6.1, §7.1).
			c.renegotiationCCS(h, hdr, body)
			return
		}
		h.encrypted, h.open, h.pending, h.seq = true, h.pending, nil, 0
	case h.encrypted && typ == TypeAlert && len(body) == 2,
		h.encrypted && c.version() == VersionTLS13 && typ != TypeApplicationData:
		// A 2-byte alert cannot be protected, and protected TLS 1.3
		// records are all of outer type application_data (RFC 8446
		// §5.2): this is a record in the clear, such as an alert sent by
		// a peer that could not derive keys.
		c.deliver(h, typ, 0, false, body)
	case !h.encrypted:
		if typ == TypeApplicationData && c.haveCH && !c.haveSH && c.ch.earlyData && c.isClient(h) {
			c.earlyRecord(h, hdr, body)
			return
		}
		if typ == TypeApplicationData {
			// Application data in the clear position: we missed the handshake.
			h.encrypted = true
			c.setState(StateMidStream, "application data without a visible handshake: the capture starts mid-connection")
			c.encryptedRecord(h, hdr, body)
			return
		}
		if typ == TypeHandshake {
			c.handshake(h, body)
		}
		c.deliver(h, typ, 0, false, body)
	default:
		c.encryptedRecord(h, hdr, body)
	}
}

// encryptedRecord opens a protected record with the keys of its direction.
func (c *Conn) encryptedRecord(h *half, hdr *[recordHeaderLen]byte, body []byte) {
	if h.out == nil {
		h.out = make([]byte, maxCiphertext)
	}
	if h.open == nil && h.next == nil && !(c.st.State == StateMidStream && c.tryMidStream(h, hdr, body)) {
		h.stats.Undecryptable++
		return
	}
	if h.early != nil && !h.earlyDone && c.isClient(h) {
		if c.earlyRecord(h, hdr, body) {
			return
		}
		h.earlyDone = true // the client moved on to its handshake keys
	}
	var pt []byte
	var typ uint8
	err := errAuth
	if h.open != nil {
		pt, typ, err = h.open.open(h.out, hdr, body, h.seq)
	}
	if err != nil && h.next != nil {
		// TLS 1.3 without (working) handshake keys: the first application
		// record is the one that opens with the application keys at seq 0.
		if p, t, e := h.next.open(h.out, hdr, body, 0); e == nil {
			c.enterAppKeys(h)
			pt, typ, err = p, t, nil
		}
	}
	if err != nil {
		c.openFailed(h, body, err)
		return
	}
	seq := h.seq
	h.seq++
	h.decrypted = true
	if h.minRec == 0 || len(body) < h.minRec {
		h.minRec = len(body)
	}
	h.stats.Decrypted++
	c.setState(StateDecrypting, "")
	if typ == TypeHandshake {
		c.handshake(h, pt)
	}
	c.deliver(h, typ, seq, true, pt)
}

// openFailed accounts for a protected record that did not open.
func (c *Conn) openFailed(h *half, body []byte, err error) {
	h.seq++
	if c.version() == VersionTLS13 && c.isClient(h) && c.ch.earlyData && !h.decrypted && h.open != nil {
		// 0-RTT data the server may have rejected (RFC 8446 §4.2.10).
		h.stats.SkippedEarly++
		return
	}
	if h.open == nil {
		// TLS 1.3 handshake record while only application keys are known.
		h.stats.Undecryptable++
		return
	}
	h.stats.Failed++
	who := "server"
	if c.isClient(h) {
		who = "client"
	}
	reason := fmt.Sprintf("%s record %d (%d bytes) does not decrypt: %v", who, h.seq-1, len(body), err)
	if !h.decrypted {
		c.setState(StateWrongKey, reason+" (key "+c.st.KeyFingerprint+")")
	}
	c.fail(h, h.off, reason)
}

// enterAppKeys switches a TLS 1.3 half to its application traffic keys.
func (c *Conn) enterAppKeys(h *half) {
	h.open, h.secret, h.seq = h.next, h.nextSecret, 0
	h.next, h.nextSecret = nil, nil
}
