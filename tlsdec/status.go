package tlsdec

import "fmt"

// Direction is the direction of the bytes given to Conn.Feed.
type Direction uint8

const (
	ClientToServer Direction = 0
	ServerToClient Direction = 1
)

func (d Direction) String() string {
	if d == ClientToServer {
		return "client->server"
	}
	return "server->client"
}

// State is where decryption of a connection stands.
type State uint8

const (
	StateUnknown     State = iota // no TLS record seen yet
	StateHandshake                // handshake seen in the clear, nothing decrypted yet
	StateDecrypting               // records decrypt with the logged secrets
	StateNoKey                    // the key log has no secrets for this connection's client random
	StateWrongKey                 // logged secrets do not authenticate the records
	StateMidStream                // capture starts after the ClientHello: the client random is unknown
	StateUnsupported              // negotiated version or cipher suite this package cannot decrypt
	StateNotTLS                   // the bytes are not TLS records
)

var stateNames = [...]string{"unknown", "handshake", "decrypting", "no key", "wrong key", "mid-stream", "unsupported", "not TLS"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// DirStats counts the records of one direction.
type DirStats struct {
	Records       uint64 // records framed
	Decrypted     uint64 // records that authenticated and decrypted
	Failed        uint64 // protected records that did not authenticate
	Undecryptable uint64 // protected records for which no key is known
	SkippedEarly  uint64 // TLS 1.3 0-RTT records that could not be opened
	EarlyRecords  uint64 // TLS 1.3 0-RTT records decrypted (counted in Decrypted too)
	AppBytes      uint64 // application data plaintext bytes delivered
	KeyUpdates    int    // TLS 1.3 KeyUpdate messages followed
	Resyncs       int    // times the record layer was re-found after lost bytes
	LostBytes     int64  // stream bytes lost or skipped while out of sync
}

// Status is the decryption outcome of one connection, suitable for a finding.
// It never contains key material, only fingerprints.
type Status struct {
	State   State
	Frame   uint64 // frame at which State was reached
	Version uint16 // negotiated protocol version, 0 before the ServerHello
	Suite   uint16 // negotiated cipher suite, 0 before the ServerHello
	// ClientRandom is the ClientHello random in hex, the key of the key
	// log lookup ("no key for CLIENT_RANDOM 52a1..."); empty when unseen.
	ClientRandom string
	// KeyFingerprint identifies the secret used (master secret for TLS 1.2,
	// client application traffic secret for TLS 1.3); see Fingerprint.
	KeyFingerprint string
	Detail         string // human-readable explanation of State
	// TLS 1.3 0-RTT: the ClientHello offered early data, and the server's
	// EncryptedExtensions accepted it (RFC 8446 §4.2.10).
	EarlyDataOffered, EarlyDataAccepted bool
	Client, Server                      DirStats
}

// String summarises the status in one line.
func (s Status) String() string {
	out := s.State.String()
	if s.Version != 0 {
		out += " " + VersionName(s.Version)
	}
	if s.Suite != 0 {
		out += " " + SuiteName(s.Suite)
	}
	if s.Detail != "" {
		out += ": " + s.Detail
	}
	return out
}

// Plaintext is one decrypted (or clear-text) record.
type Plaintext struct {
	Dir        Direction // direction as given to Feed
	FromClient bool      // sent by the TLS client (may differ from Dir when roles were inferred)
	Frame      uint64    // frame of the segment that completed the record
	Offset     int64     // stream offset of the record header in its direction
	Type       uint8     // content type: TypeApplicationData, TypeHandshake, TypeAlert
	Seq        uint64    // record sequence number under its keys
	Encrypted  bool      // false for records sent in the clear (hellos)
	// Early is set for TLS 1.3 0-RTT data (client_early_traffic_secret).
	// The server may have rejected it, in which case its application never
	// saw these bytes.
	Early bool
	// GapBefore is the number of stream bytes lost or skipped just before
	// this record (after a capture gap); the plaintext before it is missing.
	GapBefore int64
	Data      []byte // valid only during the callback
}

// RecordError describes a record-layer problem in one direction: bytes that
// are not TLS records, or a record that does not authenticate.
type RecordError struct {
	Frame  uint64
	Dir    Direction
	Offset int64 // stream offset of the record (or bytes) in that direction
	Reason string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("frame %d, %s stream offset %d: %s", e.Frame, e.Dir, e.Offset, e.Reason)
}
