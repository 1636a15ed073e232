package mikey

import "time"

// AuthStatus is the verdict on one message's integrity protection.
type AuthStatus uint8

// Authentication verdicts.
const (
	// AuthNotApplicable: the message carries nothing to verify or open
	// (e.g. an error message, or a mode this package does not handle).
	AuthNotApplicable AuthStatus = iota
	// AuthVerified: the MAC, V or signature verified with a supplied or
	// recovered key (KeyRef names it).
	AuthVerified
	// AuthFailed: keys were tried (Tried says how many) and none verified.
	AuthFailed
	// AuthNoKey: the message is protected, but no applicable key was
	// supplied.
	AuthNoKey
	// AuthNotProtected: the MAC algorithm is NULL; keys recovered from the
	// message have no integrity check.
	AuthNotProtected
	// AuthInClear: KEMAC encryption and MAC are NULL: the keys are sent in
	// the clear (RFC 3830 §4.2.3 MIKEY-NULL; GStreamer, ONVIF over RTSPS).
	AuthInClear
)

// String names the status.
func (s AuthStatus) String() string {
	switch s {
	case AuthNotApplicable:
		return "not applicable"
	case AuthVerified:
		return "verified"
	case AuthFailed:
		return "failed"
	case AuthNoKey:
		return "no key"
	case AuthNotProtected:
		return "not protected (NULL MAC)"
	case AuthInClear:
		return "in clear (NULL encryption)"
	}
	return "unknown"
}

// MarshalText makes the status readable in JSON.
func (s AuthStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Mode is the key transport mode of an exchange, from the data type.
type Mode string

// Key transport modes.
const (
	ModePSK     Mode = "pre-shared key"    // RFC 3830 §3.1
	ModePK      Mode = "public key"        // RFC 3830 §3.2
	ModeDH      Mode = "Diffie-Hellman"    // RFC 3830 §3.3
	ModeDHHMAC  Mode = "DHHMAC"            // RFC 4650
	ModeRSAR    Mode = "RSA-R"             // RFC 4738
	ModeError   Mode = "error"             // RFC 3830 §5.1.2
	ModeSAKKE   Mode = "SAKKE"             // RFC 6509, opened by OpenSAKKE
	ModeTicket  Mode = "ticket"            // RFC 6043, not opened here
	ModeUnknown Mode = "unknown data type" // unregistered data type
)

// ModeOf returns the key transport mode a data type belongs to.
func ModeOf(d DataType) Mode {
	switch d {
	case DataTypePSKInit, DataTypePSKVerify:
		return ModePSK
	case DataTypePKInit, DataTypePKVerify:
		return ModePK
	case DataTypeDHInit, DataTypeDHResp:
		return ModeDH
	case DataTypeDHHMACInit, DataTypeDHHMACResp:
		return ModeDHHMAC
	case DataTypeRSARInit, DataTypeRSARResp:
		return ModeRSAR
	case DataTypeError:
		return ModeError
	case DataTypeSAKKE:
		return ModeSAKKE
	}
	if d >= DataTypeRequestInitPSK && d <= DataTypeRequestKeyResp {
		return ModeTicket
	}
	return ModeUnknown
}

// SignatureVerdict is the result of checking a SIGN payload.
type SignatureVerdict struct {
	Status AuthStatus // Verified, Failed, NoKey or NotApplicable (no SIGN)
	// Scheme that verified, e.g. "RSA/PKCS#1/1.5 SHA-1".
	Scheme SignatureScheme `json:",omitempty"`
	// Signer names the certificate or key that verified: its fingerprint,
	// and its subject for a certificate.
	Signer string `json:",omitempty"`
	// CertSource is "CERT payload" or the Source of a supplied certificate.
	CertSource string `json:",omitempty"`
	// Variant names which signed-bytes layout verified when more than one
	// is plausible (RSA-R: with or without the SIGN header, RFC 4738 §3.6).
	Variant string `json:",omitempty"`
	Tried   int    `json:",omitempty"`
	// MessageCert is set when a certificate carried in the message's own
	// CERT payload was among the signers tried: a failure with it shows
	// the message is not signed by its own certificate's key, whereas a
	// failure with supplied certificates and keys alone may only mean the
	// signer's was not supplied.
	MessageCert bool `json:",omitempty"`
}

// RecoveredKey is one decrypted Key data sub-payload (RFC 3830 §6.13).
type RecoveredKey struct {
	Index int         // 1-based position in the KEMAC
	Type  KeyDataType // TGK, TEK, ...
	Key   Secret
	Salt  Secret // present for the +SALT types
	KV    KVType
	// SPI is the SPI or SRTP MKI (KV SPI); not secret.
	SPI                []byte `json:",omitempty"`
	ValidFrom, ValidTo []byte `json:",omitempty"`
	// Offset of the sub-payload: in Raw for a NULL KEMAC, else in the
	// decrypted Encr data.
	Offset int
}

// KeyRefInClear is the KeyRef of a message whose keys are sent in the
// clear (AuthInClear, RFC 3830 §4.2.3): no key opened it.
const KeyRefInClear = "in clear"

// MessageResult is what opening one MIKEY message found.
type MessageResult struct {
	DataType DataType
	Mode     Mode
	Auth     AuthStatus
	// Tried is the number of keys tried for the MAC/V/envelope.
	Tried int `json:",omitempty"`
	// Meant, when Auth is AuthFailed, names the evidence that a key tried
	// was meant for this message: a PSK bound to an identity the exchange
	// names, or an RSA key that decrypted the envelope key. Empty, a
	// failure shows only that no supplied key fits, not that the peers'
	// keys differ.
	Meant string `json:",omitempty"`
	// KeyRef is the fingerprint of the key that verified or opened the
	// message ("psk:3f2a9c1d", "rsa:…", "dh:…", KeyRefInClear); KeySource is
	// where it came from.
	KeyRef    string `json:",omitempty"`
	KeySource string `json:",omitempty"`
	// MACVariant names the bytes a KEMAC MAC verified over when it is not
	// the RFC layout (see the Variant* constants).
	MACVariant string `json:",omitempty"`
	// VVariant names the input layout the V payload verified with; VLayout
	// is that layout alone (a VVariant* constant), without the note that
	// the initiator's T was used.
	VVariant string `json:",omitempty"`
	VLayout  string `json:",omitempty"`
	// Envelope is the RSA scheme that decrypted a PKE payload.
	Envelope  EnvelopeScheme   `json:",omitempty"`
	Signature SignatureVerdict `json:",omitempty"`
	// Keys are the decrypted Key data sub-payloads.
	Keys []RecoveredKey `json:",omitempty"`
	// EncryptedID is the identity found encrypted at the head of a PK or
	// RSA-R KEMAC (RFC 3830 §3.2, RFC 4738 §3.6).
	EncryptedID []byte `json:",omitempty"`
	// Timestamp is the decoded T payload (zero Type and Value64 when the
	// message has none); ClockOffset is its difference from the capture
	// time when HasOffset.
	Timestamp   *Timestamp    `json:",omitempty"`
	ClockOffset time.Duration `json:",omitempty"`
	HasOffset   bool          `json:",omitempty"`
	// Notes explain quirks and failures in words.
	Notes []string `json:",omitempty"`

	keyData []*KeyData
}

// KeyData returns the decrypted Key data sub-payloads as the codec's types
// (for rendering a field tree). Their Key and Salt fields hold secrets.
func (r *MessageResult) KeyData() []*KeyData { return r.keyData }

func (r *MessageResult) note(s string) { r.Notes = append(r.Notes, s) }

// Details says in words what opening the message found, as reports and
// decode give it: the MAC input and the V input that verified when they
// are not the RFC 3830 layouts (§4.2.4, §5.2), the signature verdict and
// scheme, then the notes.
func (r *MessageResult) Details() []string {
	var d []string
	if r.MACVariant != "" {
		d = append(d, "MAC verified over "+r.MACVariant)
	}
	if r.VVariant != "" {
		d = append(d, "V verified with "+r.VVariant)
	}
	if r.Signature.Status != AuthNotApplicable {
		s := "signature " + r.Signature.Status.String()
		if r.Signature.Scheme != "" {
			s += " (" + string(r.Signature.Scheme) + ")"
		}
		d = append(d, s)
	}
	return append(d, r.Notes...)
}

// SessionKeys are the SRTP master key and salt of one crypto session
// (RFC 3830 Appendix A), ready for an SRTP context.
type SessionKeys struct {
	CSID     uint8
	SSRC     uint32
	ROC      uint32
	PolicyNo uint8
	// MasterKey and MasterSalt are the TEK and salt: derived from a TGK
	// (RFC 3830 §4.1.3) or carried as a TEK.
	MasterKey  Secret
	MasterSalt Secret
	// MKI is the SPI/MKI of the key data the keys came from (KV SPI).
	MKI []byte `json:",omitempty"`
	// KeyLen and SaltLen are the lengths the SP payload asks for (default
	// 16 and 14, RFC 3830 §6.10.1).
	KeyLen, SaltLen int
	// Derived is true when MasterKey was derived from a TGK, false when the
	// TEK was sent directly.
	Derived bool
	// From names the origin: the key data index and the key that opened it.
	From  string
	Notes []string `json:",omitempty"`
}

// ExchangeResult is the outcome of OpenExchange.
type ExchangeResult struct {
	Mode Mode
	// Init and Resp are the per-message results (Resp nil without a
	// responder message).
	Init, Resp *MessageResult
	// TGKs are the TGKs recovered (from key data, DH, or supplied).
	TGKs []Secret `json:",omitempty"`
	// Sessions lists the keys per crypto session and key data.
	Sessions []SessionKeys `json:",omitempty"`
	Notes    []string      `json:",omitempty"`
	// SAKKE is the full result of a MIKEY-SAKKE I_MESSAGE (identifiers,
	// key period, decapsulation verdict, mission-critical key); nil for
	// the other modes.
	SAKKE *SAKKEResult `json:",omitempty"`
}

func (r *ExchangeResult) note(s string) { r.Notes = append(r.Notes, s) }

// SessionsFor returns the session keys that apply to an SSRC: those of its
// crypto session, and those with SSRC 0 (not chosen in the CS ID map, or
// no map at all), which may apply to any stream.
func (r *ExchangeResult) SessionsFor(ssrc uint32) []SessionKeys {
	var exact, any []SessionKeys
	for _, s := range r.Sessions {
		switch s.SSRC {
		case ssrc:
			exact = append(exact, s)
		case 0:
			any = append(any, s)
		}
	}
	return append(exact, any...)
}
