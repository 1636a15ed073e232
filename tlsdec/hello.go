package tlsdec

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const (
	hsClientHello        = 1
	hsServerHello        = 2
	hsNewSessionTicket   = 4
	hsEndOfEarlyData     = 5
	hsEncryptedExtension = 8
	hsFinished           = 20
	hsKeyUpdate          = 24
)

// Extension numbers used here (IANA TLS ExtensionType Values).
const (
	extEncryptThenMAC    = 22
	extEarlyData         = 42
	extSupportedVersions = 43
	extSessionTicket     = 35
)

// helloRetryRandom is the ServerHello.random of a HelloRetryRequest:
// SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
var helloRetryRandom = [32]byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// clientHello is what decryption needs from a ClientHello (RFC 8446 §4.1.2).
type clientHello struct {
	random    [32]byte
	sessionID []byte // legacy_session_id: a TLS 1.2 session to resume
	ticket    []byte // SessionTicket extension (RFC 5077 §3.2)
	earlyData bool   // early_data extension offered (0-RTT records may follow)
}

// serverHello is what decryption needs from a ServerHello (RFC 8446 §4.1.3,
// RFC 5246 §7.4.1.3).
type serverHello struct {
	version   uint16 // negotiated: supported_versions if present, else legacy_version
	random    [32]byte
	sessionID []byte
	suite     uint16
	etm       bool // encrypt_then_mac accepted (RFC 7366)
	retry     bool // HelloRetryRequest
}

// helloError reports a malformed hello with the offset in the message body.
func helloError(msg string, body []byte, rest cryptobyte.String, what string) error {
	return fmt.Errorf("%s: %s at offset %d", msg, what, len(body)-len(rest))
}

// parseClientHello parses a ClientHello body (after the 4-byte handshake header).
func parseClientHello(body []byte) (clientHello, error) {
	var ch clientHello
	s := cryptobyte.String(body)
	var legacyVersion uint16
	var sid, suitesList, comp, exts cryptobyte.String
	if !s.ReadUint16(&legacyVersion) || !s.CopyBytes(ch.random[:]) {
		return ch, helloError("ClientHello", body, s, "truncated random")
	}
	if !s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16LengthPrefixed(&suitesList) || !s.ReadUint8LengthPrefixed(&comp) {
		return ch, helloError("ClientHello", body, s, "truncated session id, cipher suites or compression methods")
	}
	ch.sessionID = []byte(sid)
	if s.Empty() {
		return ch, nil // no extensions (SSL 3.0 style)
	}
	if !s.ReadUint16LengthPrefixed(&exts) {
		return ch, helloError("ClientHello", body, s, "truncated extensions")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return ch, helloError("ClientHello", body, exts, "truncated extension")
		}
		switch typ {
		case extEarlyData:
			ch.earlyData = true
		case extSessionTicket:
			ch.ticket = []byte(data)
		}
	}
	return ch, nil
}

// parseServerHello parses a ServerHello body (after the handshake header).
func parseServerHello(body []byte) (serverHello, error) {
	var sh serverHello
	s := cryptobyte.String(body)
	var sid cryptobyte.String
	var comp uint8
	if !s.ReadUint16(&sh.version) || !s.CopyBytes(sh.random[:]) {
		return sh, helloError("ServerHello", body, s, "truncated random")
	}
	if !s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16(&sh.suite) || !s.ReadUint8(&comp) {
		return sh, helloError("ServerHello", body, s, "truncated session id, cipher suite or compression method")
	}
	sh.sessionID = []byte(sid)
	sh.retry = sh.random == helloRetryRandom
	if s.Empty() {
		return sh, nil
	}
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) {
		return sh, helloError("ServerHello", body, s, "truncated extensions")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return sh, helloError("ServerHello", body, exts, "truncated extension")
		}
		switch typ {
		case extSupportedVersions:
			if !data.ReadUint16(&sh.version) {
				return sh, helloError("ServerHello", body, exts, "truncated supported_versions")
			}
		case extEncryptThenMAC:
			sh.etm = true
		}
	}
	return sh, nil
}

// parseNewSessionTicket12 returns the ticket of a TLS 1.2 NewSessionTicket
// body (RFC 5077 §3.3): lifetime hint, then a 16-bit length-prefixed ticket.
func parseNewSessionTicket12(body []byte) ([]byte, error) {
	s := cryptobyte.String(body)
	var hint uint32
	var ticket cryptobyte.String
	if !s.ReadUint32(&hint) || !s.ReadUint16LengthPrefixed(&ticket) {
		return nil, helloError("NewSessionTicket", body, s, "truncated ticket")
	}
	return []byte(ticket), nil
}

// hasExtension reports whether an extension list prefixed by its 16-bit
// length (EncryptedExtensions body, RFC 8446 §4.3.1) holds extension typ.
func hasExtension(body []byte, typ uint16) bool {
	s := cryptobyte.String(body)
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) {
		return false
	}
	for !exts.Empty() {
		var t uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&t) || !exts.ReadUint16LengthPrefixed(&data) {
			return false
		}
		if t == typ {
			return true
		}
	}
	return false
}
