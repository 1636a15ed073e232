package analysis

// KeyStatus is the verdict on the keys of a MIKEY message
// (MIKEYMessage.Auth) and, the worst of its messages' verdicts, of a
// session (Session.KeyStatus). Its text form is the JSON value
// (docs/report-schema.json) and what the views show.
type KeyStatus string

// The key statuses, from best to worst as a session sums them up
// (updateKeyStatus).
const (
	// KeyNone: the session has no MIKEY message (sessions only).
	KeyNone KeyStatus = "none"
	// KeyNotChecked: the message carries nothing to verify or open (an
	// error message, a message that did not decode, a mode mikeyscope
	// does not open).
	KeyNotChecked KeyStatus = "not-checked"
	// KeyVerified: a supplied or derived key verified the message's MAC,
	// V payload or signature (RFC 3830 §5.2).
	KeyVerified KeyStatus = "verified"
	// KeyNotProtected: the MAC algorithm is NULL: keys recovered from the
	// message have no integrity check (RFC 3830 §6.2; messages only: a
	// session counts it as KeyInClear).
	KeyNotProtected KeyStatus = "not-protected"
	// KeyInClear: KEMAC encryption and MAC are NULL: the keys are sent in
	// the clear (RFC 3830 §4.2.3 MIKEY-NULL).
	KeyInClear KeyStatus = "in-clear"
	// KeyNoKey: the message is protected, but no applicable key was
	// supplied.
	KeyNoKey KeyStatus = "no-key"
	// KeyNoKeyFits: no supplied key verifies the message, and nothing
	// shows that a key tried was meant for it: the user has not given
	// this call's key. It is neutral, not a failure (see
	// mismatchEvidence).
	KeyNoKeyFits KeyStatus = "no-key-fits"
	// KeyFailed: keys were tried and none verified, and the exchange
	// shows that the message's key was among them: a real mismatch (see
	// mismatchEvidence; for MIKEY-SAKKE an RSK of the responder that
	// does not decapsulate).
	KeyFailed KeyStatus = "failed"
)

// String is the status's text form.
func (s KeyStatus) String() string { return string(s) }

// StreamStatus says whether an RTP/RTCP stream's packets decrypt
// (Stream.KeyStatus), and if not, why. Its text form is the JSON value and
// what the views show.
type StreamStatus string

// The stream statuses.
const (
	// StreamDecrypting: every packet authenticated (RFC 3711 §3.4) with
	// the stream's keys and decrypted.
	StreamDecrypting StreamStatus = "decrypting"
	// StreamPartlyFailing: some packets authenticated, others failed
	// authentication or carried an unknown MKI.
	StreamPartlyFailing StreamStatus = "partly failing"
	// StreamFailing: no packet authenticated; some failed or carried an
	// unknown MKI.
	StreamFailing StreamStatus = "failing"
	// StreamDecryptingNoTag: packets decrypted, none with an
	// authentication tag to check (a NULL authentication policy, or RCC
	// packets of RFC 4771).
	StreamDecryptingNoTag StreamStatus = "decrypting (no tag)"
	// StreamKeyed: the stream is bound to keys, no packet processed yet.
	StreamKeyed StreamStatus = "keyed"
	// StreamUnknownSSRC: the session keyed crypto sessions, none for the
	// stream's SSRC (RFC 3830 §6.1.1 CS ID map).
	StreamUnknownSSRC StreamStatus = "unknown-ssrc"
	// StreamNoKey: the session's MIKEY exchange decoded but was not
	// opened, so the stream's keys are unknown.
	StreamNoKey StreamStatus = "no-key"
	// StreamNoExchange: no key exchange in the capture describes the
	// stream.
	StreamNoExchange StreamStatus = "no-exchange"
)

// String is the status's text form.
func (s StreamStatus) String() string { return string(s) }
