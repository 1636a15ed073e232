package tlsdec

// TLS 1.3 0-RTT early data (RFC 8446 §2.3, §4.2.10): after a ClientHello
// with the early_data extension the client may send application data
// protected with client_early_traffic_secret, before and after the
// ServerHello, ended by EndOfEarlyData. The suite is the one of the resumed
// session, not yet known when the first early record arrives, so it is found
// by trying the TLS 1.3 suites of the secret's hash length.

// earlyRecord handles a client record protected with the early traffic keys.
// It reports whether the record was handled (opened or counted as skipped
// early data).
func (c *Conn) earlyRecord(h *half, hdr *[recordHeaderLen]byte, body []byte) bool {
	if h.out == nil {
		h.out = make([]byte, maxCiphertext)
	}
	if h.early == nil && !h.earlyTried {
		h.earlyTried = true
		sec := c.kl.Lookup(c.ch.random)
		if sec == nil || sec.ClientEarlyTraffic == nil {
			h.stats.SkippedEarly++
			return true
		}
		for _, id := range [3]uint16{0x1301, 0x1303, 0x1302} {
			s := suites[id]
			if len(sec.ClientEarlyTraffic) != s.hashSize {
				continue
			}
			o, err := newAEAD13(s, sec.ClientEarlyTraffic)
			if err != nil {
				continue
			}
			if _, _, err := o.open(h.out, hdr, body, 0); err == nil {
				h.early = o
				break
			}
		}
	}
	if h.early == nil {
		h.stats.SkippedEarly++
		return true
	}
	pt, typ, err := h.early.open(h.out, hdr, body, h.earlySeq)
	if err != nil {
		return false // not early data: the caller tries the handshake keys
	}
	seq := h.earlySeq
	h.earlySeq++
	h.stats.Decrypted++
	h.stats.EarlyRecords++
	if typ == TypeHandshake && len(pt) > 0 && pt[0] == hsEndOfEarlyData {
		h.earlyDone = true
	}
	c.deliverEarly(h, typ, seq, pt)
	return true
}

func (c *Conn) deliverEarly(h *half, typ uint8, seq uint64, data []byte) {
	h.early0RTT = true
	c.deliver(h, typ, seq, true, data)
	h.early0RTT = false
}
