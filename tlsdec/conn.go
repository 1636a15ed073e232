package tlsdec

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
	used           []*Secrets // key log entries found for this connection (UsedSecrets)
	master         []byte     // TLS 1.0-1.2 master secret in use
	reneg          bool       // a renegotiation ClientHello was seen
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

// UsedSecrets returns the key log entries this connection's decryption
// takes its secrets from: the entry of its ClientHello random, found as
// soon as the ClientHello is read (before the ServerHello, whose records
// need it), a TLS 1.2 renegotiation's, or the entry the mid-stream key
// search found. The entries are the key log's: do not modify them.
func (c *Conn) UsedSecrets() []*Secrets { return c.used }

// use records a key log entry as used by the connection.
func (c *Conn) use(s *Secrets) {
	if s == nil || len(c.used) >= 8 {
		return
	}
	for _, u := range c.used {
		if u == s {
			return
		}
	}
	c.used = append(c.used, s)
}

// version is the negotiated protocol version (0 before the ServerHello).
func (c *Conn) version() uint16 { return c.st.Version }
