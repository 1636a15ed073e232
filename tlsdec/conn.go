package tlsdec

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// half is the record-layer state of one direction of a connection.
type half struct {
	dir Direction

	buf []byte                // unconsumed bytes: an incomplete record, or bytes being scanned
	hdr [recordHeaderLen]byte // header of the record being handled
	off int64                 // stream offset of the first byte not yet consumed
	out []byte                // plaintext scratch

	hs hsReassembler

	started   bool   // a valid record was seen
	recVer    uint16 // record-layer version of the last good record
	encrypted bool   // records are protected (TLS 1.2 after CCS, TLS 1.3 after ServerHello)
	open      opener // current keys; nil when unknown
	seq       uint64
	pending   opener // TLS 1.2: keys that take effect at ChangeCipherSpec

	// TLS 1.3
	secret     []byte // current traffic secret (for KeyUpdate)
	next       opener // application keys, taken after Finished
	nextSecret []byte
	decrypted  bool // a record decrypted under the current keys

	midTries int // records used for the mid-stream key search

	// TLS 1.3 0-RTT (early.go)
	early      opener
	earlySeq   uint64
	earlyTried bool
	earlyDone  bool
	early0RTT  bool // the record being delivered is early data

	resync bool  // lost sync: scanning for the next record
	budget int64 // bytes of trial decryption left for this loss of sync
	lost   int64 // bytes lost or skipped since the last good record
	gap    int64 // lost bytes to report on the next Plaintext

	minRec int // smallest protected record body seen, to bound the records a gap can hide

	tail    [16]byte // last bytes consumed before buf / the data being processed
	ntail   int
	scratch [16]byte

	stats DirStats
}

// Conn decrypts one TLS connection from the bytes of both directions. It is
// not safe for concurrent use; feed it from the goroutine that reassembles
// the TCP stream.
type Conn struct {
	kl    *KeyLog
	half  [2]half
	swap  bool // roles inferred: the ClientHello came in ServerToClient bytes
	st    Status
	known bool // a plausible TLS record was seen in either direction

	haveCH, haveSH bool
	retry          bool // HelloRetryRequest seen: wait for the real ServerHello
	ch             clientHello
	sh             serverHello
	suite          *suite
	secrets        *Secrets
	master         []byte // TLS 1.0-1.2 master secret in use
	reneg          bool   // a renegotiation ClientHello was seen
	renegCH        clientHello
	renegotiations int

	// Trial decryption budgets in bytes (see resync.go); fields so that
	// fuzzing can lower them.
	resyncBudget, midBudget int64

	midOpens int   // AEAD opens spent on the mid-stream key search
	midBytes int64 // bytes decrypted by the mid-stream key search

	// per-Feed context
	frame uint64
	emit  func(Plaintext)
	err   error
}

// NewConn returns a decrypter for one connection using the secrets of kl
// (which may be nil: the handshake is then followed but nothing decrypted).
func NewConn(kl *KeyLog) *Conn {
	c := &Conn{kl: kl, resyncBudget: resyncBudget, midBudget: midStreamBudget}
	c.half[0].dir = ClientToServer
	c.half[1].dir = ServerToClient
	return c
}

// Status returns the connection's decryption status.
func (c *Conn) Status() Status {
	s := c.st
	s.Client, s.Server = c.clientHalf().stats, c.serverHalf().stats
	return s
}

func (c *Conn) clientHalf() *half {
	if c.swap {
		return &c.half[1]
	}
	return &c.half[0]
}

func (c *Conn) serverHalf() *half {
	if c.swap {
		return &c.half[0]
	}
	return &c.half[1]
}

func (c *Conn) isClient(h *half) bool { return h == c.clientHalf() }

// Feed takes the next in-order bytes of one direction. gapBefore is the
// number of bytes lost just before data (capture.Segment.GapBefore); frame is
// the frame that delivered them. Every record completed by data is passed to
// emit, decrypted when keys are known (emit may be nil). Feed returns the
// first record-layer problem met in data as a *RecordError, or nil; problems
// never stop the connection, and the overall outcome is in Status.
func (c *Conn) Feed(dir Direction, data []byte, gapBefore int, frame uint64, emit func(Plaintext)) error {
	if dir > ServerToClient {
		return fmt.Errorf("tlsdec: invalid direction %d", dir)
	}
	if c.st.State == StateNotTLS {
		return nil
	}
	h := &c.half[dir]
	c.frame, c.emit, c.err = frame, emit, nil
	if gapBefore > 0 {
		c.loseSync(h, int64(gapBefore)+int64(len(h.buf)))
		h.off += int64(gapBefore) + int64(len(h.buf))
		h.buf = h.buf[:0]
		h.ntail = 0
	}
	if h.buf == nil {
		h.buf = make([]byte, 0, recordHeaderLen+maxCiphertext)
	}
	for len(data) > 0 && c.st.State != StateNotTLS {
		if len(h.buf) == 0 {
			n := c.process(h, data)
			h.consumed(data[:n])
			rest := data[n:]
			if len(rest) > cap(h.buf) { // cannot happen: process leaves at most one record
				rest = rest[len(rest)-cap(h.buf):]
			}
			h.buf = append(h.buf, rest...)
			break
		}
		take := min(c.needed(h), len(data), cap(h.buf)-len(h.buf))
		h.buf = append(h.buf, data[:take]...)
		data = data[take:]
		if c.needed(h) > 0 {
			if len(h.buf) == cap(h.buf) {
				// Cannot happen: a plausible header announces at most
				// a buffer's worth of bytes.
				c.drop(h, 1)
				h.off++
				h.lost++
			}
			continue // take more of data, or stop when it is empty
		}
		n := c.process(h, h.buf)
		h.consumed(h.buf[:n])
		c.drop(h, n)
	}
	c.emit = nil
	return c.err
}

// consumed remembers the last 16 bytes consumed (the TLS 1.0 chained IV
// of a record found again after a gap).
func (h *half) consumed(p []byte) {
	if len(p) >= 16 {
		copy(h.tail[:], p[len(p)-16:])
		h.ntail = 16
		return
	}
	keep := min(h.ntail, 16-len(p))
	copy(h.tail[:], h.tail[h.ntail-keep:h.ntail])
	copy(h.tail[keep:], p)
	h.ntail = keep + len(p)
}

// before returns the (up to 16) stream bytes just before p[i].
func (h *half) before(p []byte, i int) []byte {
	if i >= 16 {
		return p[i-16 : i]
	}
	keep := min(h.ntail, 16-i)
	n := copy(h.scratch[:], h.tail[h.ntail-keep:h.ntail])
	n += copy(h.scratch[n:], p[:i])
	return h.scratch[:n]
}

// drop discards the first n bytes of the half's buffer (already consumed by
// process, which advanced the offsets).
func (c *Conn) drop(h *half, n int) {
	if n <= 0 {
		return
	}
	m := copy(h.buf, h.buf[n:])
	h.buf = h.buf[:m]
}

// needed returns how many more bytes the buffer needs before process can
// make progress: a full header, then the whole record it announces.
func (c *Conn) needed(h *half) int {
	if len(h.buf) < recordHeaderLen {
		return recordHeaderLen - len(h.buf)
	}
	if !c.plausibleHeader(h, h.buf) {
		return 0 // process will skip bytes
	}
	n := recordHeaderLen + int(binary.BigEndian.Uint16(h.buf[3:5])) - len(h.buf)
	return max(n, 0)
}

// plausibleHeader checks a record header (RFC 8446 §5.1): a known content
// type, a 3.x version and a length within the ciphertext limit. While
// resynchronising after lost bytes the check is stricter: the version must
// be the one seen before and the type one that can follow.
func (c *Conn) plausibleHeader(h *half, p []byte) bool {
	typ, major, minor := p[0], p[1], p[2]
	if typ < TypeChangeCipherSpec || typ > TypeHeartbeat || major != 3 || minor > 4 {
		return false
	}
	length := int(binary.BigEndian.Uint16(p[3:5]))
	if length > maxCiphertext {
		return false
	}
	if h.resync {
		if h.recVer != 0 && uint16(major)<<8|uint16(minor) != h.recVer {
			return false
		}
		if typ == TypeChangeCipherSpec || typ == TypeHeartbeat || length == 0 {
			return false
		}
		if h.encrypted && c.version() == VersionTLS13 && typ != TypeApplicationData {
			return false
		}
	}
	return true
}

// process frames and handles the records at the start of p and returns the
// number of bytes consumed; an incomplete record at the end is left.
func (c *Conn) process(h *half, p []byte) int {
	i := 0
	for len(p)-i >= recordHeaderLen && c.st.State != StateNotTLS {
		hdr := p[i : i+recordHeaderLen]
		if !c.plausibleHeader(h, hdr) {
			if !h.resync {
				if !c.known && !h.started && h.off == 0 && looksLikeText(p[i:]) {
					c.setState(StateNotTLS, "stream starts with text, not TLS records")
					return len(p)
				}
				c.fail(h, h.off, fmt.Sprintf("invalid record header %x", hdr))
				c.loseSync(h, 0)
			}
			i++
			h.off++
			h.lost++
			continue
		}
		length := int(binary.BigEndian.Uint16(hdr[3:5]))
		if len(p)-i < recordHeaderLen+length {
			break
		}
		hb := &h.hdr // kept in the half: a local would escape through the opener interface
		copy(hb[:], hdr)
		body := p[i+recordHeaderLen : i+recordHeaderLen+length]
		if h.resync && !c.tryResync(h, hb, body, h.before(p, i)) {
			i++
			h.off++
			h.lost++
			continue
		}
		c.record(h, hb, body)
		i += recordHeaderLen + length
		h.off += int64(recordHeaderLen + length)
	}
	return i
}

// looksLikeText reports whether p starts like a text protocol (RTSP, SIP,
// HTTP): printable ASCII letters.
func looksLikeText(p []byte) bool {
	n := min(len(p), 8)
	for _, b := range p[:n] {
		if b < 0x20 || b > 0x7e {
			return false
		}
	}
	return n >= 4
}

// loseSync marks a half as out of sync after lost or invalid bytes: the
// next record is found again by scanning (see tryResync).
func (c *Conn) loseSync(h *half, lost int64) {
	h.hs.reset()
	h.lost += lost
	if !h.resync || lost > 0 {
		h.budget = c.resyncBudget // each capture gap gets its own budget
	}
	h.resync = true
}

// fail records a problem for the Feed caller.
func (c *Conn) fail(h *half, off int64, reason string) {
	if c.err == nil {
		c.err = &RecordError{Frame: c.frame, Dir: h.dir, Offset: off, Reason: reason}
	}
}

// setState moves the connection to a state. Failure states stick; the
// decrypting state only replaces the states that precede it.
func (c *Conn) setState(s State, detail string) {
	switch c.st.State {
	case StateNoKey, StateWrongKey, StateUnsupported, StateNotTLS:
		if s != StateWrongKey || c.st.State == StateNotTLS || c.st.State == StateWrongKey {
			return
		}
	case StateDecrypting:
		if s == StateHandshake || s == StateMidStream || s == StateDecrypting {
			return
		}
	}
	c.st.State, c.st.Frame, c.st.Detail = s, c.frame, detail
}

// version is the negotiated protocol version (0 before the ServerHello).
func (c *Conn) version() uint16 { return c.st.Version }

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
			}
			return
		}
		c.ch, c.haveCH = ch, true
		c.st.EarlyDataOffered = ch.earlyData
		if h.dir == ServerToClient && !c.half[0].started {
			c.swap = true // the capture layer guessed the roles the wrong way round
		}
		c.st.ClientRandom = hex.EncodeToString(ch.random[:])
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

// keys sets up record keys once both hellos are known.
func (c *Conn) keys() {
	v := c.sh.version
	c.st.Version, c.st.Suite = v, c.sh.suite
	s := suites[c.sh.suite]
	cli, srv := c.clientHalf(), c.serverHalf()
	switch {
	case v < VersionTLS10 || v > VersionTLS13:
		c.setState(StateUnsupported, "protocol version "+VersionName(v)+" is not decrypted")
		return
	case s == nil:
		c.setState(StateUnsupported, "cipher suite "+SuiteName(c.sh.suite)+" is not decrypted")
		return
	case (v == VersionTLS13) != (s.kind == kindAEAD13):
		c.setState(StateUnsupported, "cipher suite "+s.name+" is not valid in "+VersionName(v))
		return
	}
	c.suite = s
	if v == VersionTLS13 {
		// Everything after the ServerHello is protected (RFC 8446 §2).
		srv.encrypted, cli.encrypted = true, true
	}
	sec := c.kl.Lookup(c.ch.random)
	c.secrets = sec
	if sec == nil && v < VersionTLS13 {
		if master := c.resumedMaster(); master != nil {
			c.useMaster(master)
			return
		}
	}
	if sec == nil {
		c.setState(StateNoKey, "no key for CLIENT_RANDOM "+c.st.ClientRandom)
		return
	}
	if v == VersionTLS13 {
		c.keys13(sec, cli, srv)
		return
	}
	master := sec.MasterSecret
	if master == nil {
		master = c.resumedMaster()
	}
	if master == nil {
		c.setState(StateNoKey, "key log has TLS 1.3 secrets but no CLIENT_RANDOM master secret for "+c.st.ClientRandom)
		return
	}
	c.useMaster(master)
}

// resumedMaster returns the master secret of the session an abbreviated
// TLS 1.2 handshake resumes (the ServerHello echoes the offered session ID,
// RFC 5246 §7.4.1.3, or accepts the offered ticket, RFC 5077 §3.4), learnt
// from an earlier full handshake in the same key log's session cache.
func (c *Conn) resumedMaster() []byte {
	if c.kl == nil || len(c.sh.sessionID) == 0 || string(c.sh.sessionID) != string(c.ch.sessionID) {
		return nil
	}
	if m := c.kl.sessions.get(cacheTicket, c.ch.ticket); m != nil {
		c.st.Detail = "resumed session: master secret from the earlier session's ticket"
		return m
	}
	if m := c.kl.sessions.get(cacheSessionID, c.sh.sessionID); m != nil {
		c.st.Detail = "resumed session: master secret from the earlier session with this session ID"
		return m
	}
	return nil
}

// useMaster derives the TLS 1.0-1.2 record keys from a master secret
// (RFC 5246 §6.3); they take effect at each side's ChangeCipherSpec.
func (c *Conn) useMaster(master []byte) {
	c.useMasterFor(master, &c.ch, &c.sh)
}

func (c *Conn) useMasterFor(master []byte, ch *clientHello, sh *serverHello) {
	s, v := c.suite, sh.version
	c.master = master
	c.st.KeyFingerprint = Fingerprint(master)
	if c.kl != nil {
		c.kl.sessions.put(cacheSessionID, sh.sessionID, master)
	}
	kb := deriveKeyBlock(s, v, master, &ch.random, &sh.random)
	var err error
	cli, srv := c.clientHalf(), c.serverHalf()
	if cli.pending, err = newOpener12(s, v, &kb, true, sh.etm); err == nil {
		srv.pending, err = newOpener12(s, v, &kb, false, sh.etm)
	}
	if err != nil {
		c.setState(StateUnsupported, "cannot build "+s.name+" keys: "+err.Error())
	}
}

// keys13 sets up the TLS 1.3 handshake and application keys of both halves
// (RFC 8446 §7.3).
func (c *Conn) keys13(sec *Secrets, cli, srv *half) {
	c.st.KeyFingerprint = Fingerprint(sec.ClientTraffic0)
	missing := ""
	set := func(h *half, hsSecret, appSecret []byte, name string) {
		if hsSecret != nil && len(hsSecret) == c.suite.hashSize {
			h.open, _ = newAEAD13(c.suite, hsSecret)
		}
		if appSecret != nil && len(appSecret) == c.suite.hashSize {
			h.next, _ = newAEAD13(c.suite, appSecret)
			h.nextSecret = appSecret
		} else {
			missing += " " + name
		}
		if (hsSecret != nil && len(hsSecret) != c.suite.hashSize) || (appSecret != nil && len(appSecret) != c.suite.hashSize) {
			c.setState(StateWrongKey, fmt.Sprintf("logged %s secrets are not %d-byte %s secrets", name, c.suite.hashSize, c.suite.name))
		}
	}
	set(cli, sec.ClientHandshakeTraffic, sec.ClientTraffic0, "CLIENT_TRAFFIC_SECRET_0")
	set(srv, sec.ServerHandshakeTraffic, sec.ServerTraffic0, "SERVER_TRAFFIC_SECRET_0")
	if cli.open == nil && cli.next == nil && srv.open == nil && srv.next == nil {
		c.setState(StateNoKey, "no TLS 1.3 traffic secrets for CLIENT_RANDOM "+c.st.ClientRandom)
		return
	}
	if missing != "" {
		c.st.Detail = "key log lacks" + missing + " for CLIENT_RANDOM " + c.st.ClientRandom
	}
}

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
