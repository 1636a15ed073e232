package mikey

// Message is a decoded MIKEY message (RFC 3830 §6): the common header and
// the payloads in wire order.
//
// Aliasing: Raw is the slice given to Parse, not a copy, and every []byte
// field of the header and payloads (keys, MACs, RAND, identities, ...) is a
// sub-slice of Raw. A caller that reuses its buffer must copy what it keeps
// (or parse a copy of Raw).
type Message struct {
	// Raw is the input to Parse (or the output of Marshal after Build).
	Raw []byte
	// Header is the common header payload (HDR).
	Header Header
	// Payloads are the payloads after HDR, in order. Each is one of the
	// *XxxPayload types of this package.
	Payloads []Payload
	// Trailing holds bytes after the last payload (Next payload = Last), and
	// TrailingOffset where they start. Milestone XProtect appends one 0x00.
	// They are not part of any payload and Marshal does not write them.
	Trailing       []byte
	TrailingOffset int
	// Notes are observations that are not errors (trailing bytes, ...).
	Notes []Note

	store payloadStore
}

// Payload is one MIKEY payload after the common header. Its concrete type is
// one of *KEMACPayload, *PKEPayload, *DHPayload, *SIGNPayload, *TPayload,
// *IDPayload, *CERTPayload, *CHASHPayload, *VPayload, *SPPayload,
// *RANDPayload, *ERRPayload, *GenExtPayload, *TRPayload, *IDRPayload,
// *RANDRPayload, *TPPayload, *TICKETPayload, *SAKKEPayload.
type Payload interface {
	// Type is the payload's next-payload identifier (RFC 3830 §6.1).
	Type() PayloadType
	// Extent is the payload's byte range in Message.Raw (zero for a payload
	// built in code and not yet parsed).
	Extent() Span
	// AppendMarshal appends the payload's encoding with the given value in
	// its Next payload field (ignored by SIGN, which has none).
	AppendMarshal(b []byte, next PayloadType) ([]byte, error)

	tree(t *treeBuilder) *Field
	base() *PayloadBase
}

// PayloadBase holds what every parsed payload has: its byte range in
// Message.Raw and the Next payload value read from the wire. Marshal ignores
// both (it computes the chain), so code building a message leaves it zero.
type PayloadBase struct {
	Span
	Next PayloadType
}

func (b *PayloadBase) base() *PayloadBase { return b }

// Header is the common header payload HDR (RFC 3830 §6.1, RFC 6043 §6.1).
type Header struct {
	PayloadBase
	Version  uint8 // 1; a Header built in code may leave it 0 for 1
	DataType DataType
	V        bool    // a verification message is expected
	PRF      PRFFunc // 7 bits
	CSBID    uint32
	// NumCS is the #CS field. For SRTP-ID and GENERIC-ID maps Marshal writes
	// the number of map entries instead; for other map types it writes NumCS.
	NumCS   uint8
	MapType CSIDMapType
	// SRTPMap is the SRTP-ID map info (map type 0), one entry per CS.
	SRTPMap []SRTPCS
	// GenericMap is the GENERIC-ID map info (map type 2, RFC 6043 §6.1.1).
	GenericMap []GenericCS
	// MapInfo is the raw CS ID map info as read (all map types).
	MapInfo       []byte
	MapInfoOffset int

	parsed bool // decoded from bytes: Marshal writes Version as read
}

// KeyPurpose is the 3GPP key purpose tag of a MIKEY-SAKKE CSB ID: its top
// four bits (TS 33.180 §E.1.1). Meaningful only for data type SAKKE.
func (h *Header) KeyPurpose() KeyPurpose { return KeyPurpose(h.CSBID >> 28) }

// SRTPCS is one crypto session of an SRTP-ID map (RFC 3830 §6.1.1).
type SRTPCS struct {
	PolicyNo uint8
	SSRC     uint32
	ROC      uint32
}

// GenericCS is one crypto session of a GENERIC-ID map (RFC 6043 §6.1.1).
type GenericCS struct {
	CSID        uint8
	Prot        ProtType
	S           bool   // for SRTP: ROC and SEQ are present in SessionData
	Policies    []byte // #P policy numbers
	SessionData []byte
	SPI         []byte
}

// SRTPSession decodes SessionData for Prot SRTP: SSRC, and ROC and SEQ when
// the S flag is set. ok is false if the data is too short for that.
func (g *GenericCS) SRTPSession() (ssrc, roc uint32, seq uint16, ok bool) {
	d := g.SessionData
	if len(d) < 4 {
		return 0, 0, 0, false
	}
	ssrc = be32(d)
	if g.S {
		if len(d) < 10 {
			return ssrc, 0, 0, false
		}
		roc, seq = be32(d[4:]), uint16(d[8])<<8|uint16(d[9])
	}
	return ssrc, roc, seq, true
}

// KeyValidity is key validity data (RFC 3830 §6.14), part of Key data
// sub-payloads and DH payloads.
type KeyValidity struct {
	KV        KVType
	SPI       []byte // KV SPI: the SPI or SRTP MKI
	ValidFrom []byte // KV Interval
	ValidTo   []byte // KV Interval
}

// KEMACPayload is the key data transport payload (RFC 3830 §6.2).
type KEMACPayload struct {
	PayloadBase
	EncrAlg EncrAlg
	// EncrData is the Encr data field: the Key data sub-payloads, encrypted
	// unless EncrAlg is NULL. EncrDataOffset is its offset in Raw.
	EncrData       []byte
	EncrDataOffset int
	MACAlg         MACAlg
	// MAC is the MAC field and MACOffset its offset in Raw. The MAC covers
	// Raw[:MACOffset] (RFC 3830 §5.2).
	MAC       []byte
	MACOffset int
	// KeyData are the Key data sub-payloads: decoded by Parse when EncrAlg is
	// NULL, or set by the caller after decryption (see ParseKeyData). When
	// building a NULL-encrypted KEMAC with EncrData nil, Marshal encodes them.
	KeyData []*KeyData
	// Decrypted records that KeyData came from decrypting EncrData.
	Decrypted bool
}

// KeyData is a Key data sub-payload (RFC 3830 §6.13, RFC 6043 §6.2.1).
type KeyData struct {
	PayloadBase
	Type KeyDataType
	KeyValidity
	Key  []byte
	Salt []byte // present when Type.HasSalt()
}

// PKEPayload is the envelope data payload (RFC 3830 §6.3).
type PKEPayload struct {
	PayloadBase
	Cache PKECache // 2 bits
	Data  []byte   // the encrypted envelope key
}

// DHPayload is the DH data payload (RFC 3830 §6.4), also used by DHHMAC
// (RFC 4650).
type DHPayload struct {
	PayloadBase
	Group    DHGroup
	Value    []byte
	Reserved uint8 // 4 bits
	KeyValidity
}

// SIGNPayload is the signature payload (RFC 3830 §6.5, RFC 6509 §4.3). It has
// no Next payload field and is always last.
type SIGNPayload struct {
	PayloadBase
	SType SignType // 4 bits
	// Signature and its offset in Raw. The signature covers
	// Raw[:SignatureOffset], which includes the S type and length bytes
	// (RFC 3830 §5.2).
	Signature       []byte
	SignatureOffset int
}

// TPayload is the timestamp payload (RFC 3830 §6.6, RFC 6043 §6.3).
type TPayload struct {
	PayloadBase
	TSType TSType
	// Value is the TS value: 64 bits for NTP-UTC and NTP, the 32-bit value
	// for COUNTER and NTP-UTC-32.
	Value uint64
}

// IDPayload is the ID payload (RFC 3830 §6.7, RFC 6043 §6.5).
type IDPayload struct {
	PayloadBase
	IDType IDType
	Data   []byte
}

// CERTPayload is the certificate payload (RFC 3830 §6.7).
type CERTPayload struct {
	PayloadBase
	CertType CertType
	Data     []byte
}

// CHASHPayload is the certificate hash payload (RFC 3830 §6.8).
type CHASHPayload struct {
	PayloadBase
	Func HashFunc
	Hash []byte
}

// VPayload is the verification message payload (RFC 3830 §6.9).
type VPayload struct {
	PayloadBase
	AuthAlg MACAlg
	// VerData is the MAC and VerDataOffset its offset in Raw.
	VerData       []byte
	VerDataOffset int
}

// SPPayload is the security policy payload (RFC 3830 §6.10).
type SPPayload struct {
	PayloadBase
	PolicyNo uint8
	Prot     ProtType
	Params   []SPParam
}

// SPParam is one Type/Length/Value policy parameter (RFC 3830 §6.10.1).
type SPParam struct {
	Type   SPParamType
	Value  []byte
	Offset int // offset of the Type byte in Raw
}

// RANDPayload is the RAND payload (RFC 3830 §6.11).
type RANDPayload struct {
	PayloadBase
	Rand []byte
}

// ERRPayload is the error payload (RFC 3830 §6.12).
type ERRPayload struct {
	PayloadBase
	Code     ErrorCode
	Reserved uint16
}

// GenExtPayload is the general extension payload (RFC 3830 §6.15). Data is
// interpreted by type in the tree: Key ID (RFC 4563), CSB_ID (RFC 4738), OMA
// BCAST (RFC 5410), SAKKE-to-self (TS 33.180 §E.5); others are bytes.
type GenExtPayload struct {
	PayloadBase
	ExtType GenExtType
	Data    []byte
}

// TRPayload is the timestamp payload with role indicator (RFC 6043 §6.4).
type TRPayload struct {
	PayloadBase
	Role   TSRole
	TSType TSType
	Value  uint64
}

// IDRPayload is the ID payload with role indicator (RFC 6043 §6.6,
// RFC 6509 §4.4).
type IDRPayload struct {
	PayloadBase
	Role   IDRole
	IDType IDType
	Data   []byte
}

// RANDRPayload is the RAND payload with role indicator (RFC 6043 §6.8).
type RANDRPayload struct {
	PayloadBase
	Role RandRole
	Rand []byte
}

// TicketPolicy is the part shared by the TP and TICKET payloads
// (RFC 6043 §6.10).
type TicketPolicy struct {
	TicketType TicketType
	Subtype    uint8
	Version    uint8
	PRF        PRFFunc // 7 bits
	// Flags are D E F G H I J K L M N O, D in bit 11 down to O in bit 0.
	Flags    uint16
	Reserved uint8 // 5 bits
	// TPData is the TP Data field: a first-payload byte then MIKEY payloads,
	// decoded into TPPayloads. Marshal writes TPData.
	TPData       []byte
	TPDataOffset int
	TPPayloads   []Payload
}

// Ticket policy flags (RFC 6043 §6.10).
const (
	TicketFlagD uint16 = 1 << (11 - iota)
	TicketFlagE
	TicketFlagF
	TicketFlagG
	TicketFlagH
	TicketFlagI
	TicketFlagJ
	TicketFlagK
	TicketFlagL
	TicketFlagM
	TicketFlagN
	TicketFlagO
)

// TPPayload is the ticket policy payload (RFC 6043 §6.10).
type TPPayload struct {
	PayloadBase
	TicketPolicy
}

// TICKETPayload is the ticket payload (RFC 6043 §6.10).
type TICKETPayload struct {
	PayloadBase
	TicketPolicy
	TicketData          []byte
	InitiatorData       []byte
	InitiatorDataOffset int
	InitiatorPayloads   []Payload
}

// SAKKEPayload is the SAKKE payload (RFC 6509 §4.2).
type SAKKEPayload struct {
	PayloadBase
	Params   SAKKEParams
	IDScheme SAKKEIDScheme
	// Data is the SAKKE Encapsulated Data (RFC 6508 §4) and DataOffset its
	// offset in Raw.
	Data       []byte
	DataOffset int
}

func (*KEMACPayload) Type() PayloadType  { return PayloadKEMAC }
func (*PKEPayload) Type() PayloadType    { return PayloadPKE }
func (*DHPayload) Type() PayloadType     { return PayloadDH }
func (*SIGNPayload) Type() PayloadType   { return PayloadSIGN }
func (*TPayload) Type() PayloadType      { return PayloadT }
func (*IDPayload) Type() PayloadType     { return PayloadID }
func (*CERTPayload) Type() PayloadType   { return PayloadCERT }
func (*CHASHPayload) Type() PayloadType  { return PayloadCHASH }
func (*VPayload) Type() PayloadType      { return PayloadV }
func (*SPPayload) Type() PayloadType     { return PayloadSP }
func (*RANDPayload) Type() PayloadType   { return PayloadRAND }
func (*ERRPayload) Type() PayloadType    { return PayloadERR }
func (*GenExtPayload) Type() PayloadType { return PayloadGenExt }
func (*TRPayload) Type() PayloadType     { return PayloadTR }
func (*IDRPayload) Type() PayloadType    { return PayloadIDR }
func (*RANDRPayload) Type() PayloadType  { return PayloadRANDR }
func (*TPPayload) Type() PayloadType     { return PayloadTP }
func (*TICKETPayload) Type() PayloadType { return PayloadTICKET }
func (*SAKKEPayload) Type() PayloadType  { return PayloadSAKKE }

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
