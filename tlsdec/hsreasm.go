package tlsdec

// maxHandshakeMsg bounds the handshake messages kept for parsing. Only
// hellos, Finished and KeyUpdate are parsed; longer messages of those types
// are malformed. Other messages (certificates) are skipped by length without
// being buffered.
const maxHandshakeMsg = 1 << 16

// interestingHandshake reports whether a handshake message type is parsed.
func interestingHandshake(typ uint8) bool {
	switch typ {
	case hsClientHello, hsServerHello, hsNewSessionTicket, hsEncryptedExtension, hsFinished, hsKeyUpdate, hsEndOfEarlyData:
		return true
	}
	return false
}

// hsReassembler splits the handshake protocol byte stream of one direction
// into messages (RFC 8446 §4: 1-byte type, 3-byte length, body); messages may
// span records and records may hold several messages.
type hsReassembler struct {
	hdr    [4]byte
	nhdr   int    // header bytes collected
	body   []byte // body collected so far (interesting messages only)
	remain int    // body bytes still to come
	keep   bool   // collecting (true) or skipping (false) the current body
}

func (r *hsReassembler) reset() {
	r.nhdr, r.remain, r.keep = 0, 0, false
	r.body = r.body[:0]
}

// feed consumes handshake bytes and calls msg for every complete message
// (body nil for skipped types).
func (r *hsReassembler) feed(p []byte, msg func(typ uint8, body []byte)) {
	for len(p) > 0 {
		if r.nhdr < 4 {
			n := copy(r.hdr[r.nhdr:], p)
			r.nhdr += n
			p = p[n:]
			if r.nhdr < 4 {
				return
			}
			length := int(r.hdr[1])<<16 | int(r.hdr[2])<<8 | int(r.hdr[3])
			r.remain = length
			r.keep = interestingHandshake(r.hdr[0]) && length <= maxHandshakeMsg
			r.body = r.body[:0]
		}
		n := min(r.remain, len(p))
		if r.keep {
			r.body = append(r.body, p[:n]...)
		}
		r.remain -= n
		p = p[n:]
		if r.remain > 0 {
			return
		}
		typ, body := r.hdr[0], r.body
		if !r.keep {
			body = nil
		}
		r.nhdr = 0
		msg(typ, body)
	}
}
