package tlsdec

import (
	"fmt"
)

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
