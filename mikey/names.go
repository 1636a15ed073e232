package mikey

import "strconv"

// Name tables for the MIKEY name spaces, from the IANA "mikey-payloads"
// registry (RFC 3830 §10, RFC 4563, 4650, 4738, 5410, 6043, 6309, 6509,
// 4771, 7714) plus the 3GPP values used by MIKEY-SAKKE (TS 33.180).
// Every String method returns the registered name, or "unknown (N)" for an
// unassigned value; decoding never fails on an unknown name.

func unknownName(v int) string { return "unknown (" + strconv.Itoa(v) + ")" }

func lookup(table []string, v int) string {
	if v >= 0 && v < len(table) && table[v] != "" {
		return table[v]
	}
	return unknownName(v)
}

// DataType is the HDR data type: the kind of message (RFC 3830 §6.1
// Table 6.1.a, RFC 4650, 4738, 6043 §6.1, 6267, 6509 §4.1).
type DataType uint8

// Registered data types.
const (
	DataTypePSKInit        DataType = 0
	DataTypePSKVerify      DataType = 1
	DataTypePKInit         DataType = 2
	DataTypePKVerify       DataType = 3
	DataTypeDHInit         DataType = 4
	DataTypeDHResp         DataType = 5
	DataTypeError          DataType = 6
	DataTypeDHHMACInit     DataType = 7
	DataTypeDHHMACResp     DataType = 8
	DataTypeRSARInit       DataType = 9
	DataTypeRSARResp       DataType = 10
	DataTypeRequestInitPSK DataType = 11
	DataTypeRequestInitPK  DataType = 12
	DataTypeRequestResp    DataType = 13
	DataTypeTransferInit   DataType = 14
	DataTypeTransferResp   DataType = 15
	DataTypeResolveInitPSK DataType = 16
	DataTypeResolveInitPK  DataType = 17
	DataTypeResolveResp    DataType = 18
	DataTypeRequestKeyPSK  DataType = 19
	DataTypeRequestKeyPKE  DataType = 20
	DataTypeRequestKeyResp DataType = 21
	DataTypeIBAKEIMessage1 DataType = 22
	DataTypeIBAKERMessage1 DataType = 23
	DataTypeIBAKEIMessage2 DataType = 24
	DataTypeIBAKERMessage2 DataType = 25
	DataTypeSAKKE          DataType = 26
)

var dataTypeNames = []string{
	"Pre-shared", "PSK ver msg", "Public key", "PK ver msg", "D-H init", "D-H resp", "Error",
	"DHHMAC init", "DHHMAC resp", "RSA-R I_MSG", "RSA-R R_MSG",
	"REQUEST_INIT_PSK", "REQUEST_INIT_PK", "REQUEST_RESP", "TRANSFER_INIT", "TRANSFER_RESP",
	"RESOLVE_INIT_PSK", "RESOLVE_INIT_PK", "RESOLVE_RESP",
	"REQUEST_KEY_PSK", "REQUEST_KEY_PKE", "REQUEST_KEY_RESP",
	"I_MESSAGE_1", "R_MESSAGE_1", "I_MESSAGE_2", "R_MESSAGE_2", "SAKKE",
}

func (d DataType) String() string { return lookup(dataTypeNames, int(d)) }

// PayloadType is a next-payload value (RFC 3830 §6.1 Table 6.1.c, RFC 6043
// §6.1, 6267, 6509 §4.1).
type PayloadType uint8

// Registered payload types.
const (
	PayloadLast    PayloadType = 0
	PayloadKEMAC   PayloadType = 1
	PayloadPKE     PayloadType = 2
	PayloadDH      PayloadType = 3
	PayloadSIGN    PayloadType = 4
	PayloadT       PayloadType = 5
	PayloadID      PayloadType = 6
	PayloadCERT    PayloadType = 7
	PayloadCHASH   PayloadType = 8
	PayloadV       PayloadType = 9
	PayloadSP      PayloadType = 10
	PayloadRAND    PayloadType = 11
	PayloadERR     PayloadType = 12
	PayloadTR      PayloadType = 13
	PayloadIDR     PayloadType = 14
	PayloadRANDR   PayloadType = 15
	PayloadTP      PayloadType = 16
	PayloadTICKET  PayloadType = 17
	PayloadKeyData PayloadType = 20
	PayloadGenExt  PayloadType = 21
	PayloadIBAKE   PayloadType = 22
	PayloadESK     PayloadType = 23
	PayloadSK      PayloadType = 24
	PayloadECCPT   PayloadType = 25
	PayloadSAKKE   PayloadType = 26
	// PayloadHDR is not a registered next-payload value; it names the common
	// header in trees and errors.
	PayloadHDR PayloadType = 255
)

var payloadTypeNames = []string{
	"Last payload", "KEMAC", "PKE", "DH", "SIGN", "T", "ID", "CERT", "CHASH", "V", "SP", "RAND", "ERR",
	"TR", "IDR", "RANDR", "TP", "TICKET", "", "", "Key data", "General Ext.", "IBAKE", "ESK", "SK", "ECCPT", "SAKKE",
}

func (p PayloadType) String() string {
	if p == PayloadHDR {
		return "HDR"
	}
	return lookup(payloadTypeNames, int(p))
}

// PRFFunc is the 7-bit PRF func of the HDR (RFC 3830 §6.1, RFC 6043 §6.1).
type PRFFunc uint8

// Registered PRFs.
const (
	PRFFuncMIKEY1     PRFFunc = 0
	PRFFuncHMACSHA256 PRFFunc = 1
)

func (p PRFFunc) String() string { return lookup([]string{"MIKEY-1", "PRF-HMAC-SHA-256"}, int(p)) }

// CSIDMapType is the HDR CS ID map type (RFC 3830 §6.1, RFC 4563 §5,
// RFC 6043 §6.1.1).
type CSIDMapType uint8

// Registered CS ID map types.
const (
	MapSRTPID    CSIDMapType = 0
	MapEmpty     CSIDMapType = 1
	MapGenericID CSIDMapType = 2
)

func (c CSIDMapType) String() string {
	return lookup([]string{"SRTP-ID", "Empty map", "GENERIC-ID"}, int(c))
}

// EncrAlg is the KEMAC encryption algorithm (RFC 3830 §6.2, RFC 6043 §6.2).
type EncrAlg uint8

// Registered KEMAC encryption algorithms.
const (
	EncrNULL     EncrAlg = 0
	EncrAESCM128 EncrAlg = 1
	EncrAESKW128 EncrAlg = 2
	EncrAESCM256 EncrAlg = 3
)

func (e EncrAlg) String() string {
	return lookup([]string{"NULL", "AES-CM-128", "AES-KW-128", "AES-CM-256"}, int(e))
}

// MACAlg is the KEMAC MAC algorithm and the V payload auth algorithm
// (RFC 3830 §6.2, RFC 6043 §6.2).
type MACAlg uint8

// Registered MAC algorithms.
const (
	MACNULL          MACAlg = 0
	MACHMACSHA1160   MACAlg = 1
	MACHMACSHA256256 MACAlg = 2
)

func (a MACAlg) String() string {
	return lookup([]string{"NULL", "HMAC-SHA-1-160", "HMAC-SHA-256-256"}, int(a))
}

// MACLen is the length of the MAC field for the algorithm (RFC 3830 §6.2
// Table 6.2.b, RFC 6043 Table 6.6); ok is false for an unknown algorithm,
// whose MAC length cannot be known.
func (a MACAlg) MACLen() (n int, ok bool) {
	switch a {
	case MACNULL:
		return 0, true
	case MACHMACSHA1160:
		return 20, true
	case MACHMACSHA256256:
		return 32, true
	}
	return 0, false
}

// PKECache is the PKE envelope key cache indicator C (RFC 3830 §6.3).
type PKECache uint8

func (c PKECache) String() string {
	return lookup([]string{"No cache", "Cache", "Cache for CSB"}, int(c))
}

// DHGroup is the DH payload group (RFC 3830 §6.4 Table 6.4).
type DHGroup uint8

// Registered DH groups.
const (
	DHOakley5 DHGroup = 0
	DHOakley1 DHGroup = 1
	DHOakley2 DHGroup = 2
)

func (g DHGroup) String() string {
	return lookup([]string{"OAKLEY 5", "OAKLEY 1", "OAKLEY 2"}, int(g))
}

// ValueLen is the length in bytes of a DH value of the group (1536, 768 and
// 1024 bits); ok is false for an unknown group.
func (g DHGroup) ValueLen() (n int, ok bool) {
	switch g {
	case DHOakley5:
		return 192, true
	case DHOakley1:
		return 96, true
	case DHOakley2:
		return 128, true
	}
	return 0, false
}

// SignType is the 4-bit SIGN S type (RFC 3830 §6.5, RFC 6509 §4.3).
type SignType uint8

// Registered signature types.
const (
	SignRSAPKCS1 SignType = 0
	SignRSAPSS   SignType = 1
	SignECCSI    SignType = 2
)

func (s SignType) String() string {
	return lookup([]string{"RSA/PKCS#1/1.5", "RSA/PSS", "ECCSI"}, int(s))
}

// TSType is the timestamp type of T and TR (RFC 3830 §6.6, RFC 6043 §6.3).
type TSType uint8

// Registered timestamp types.
const (
	TSTypeNTPUTC   TSType = 0
	TSTypeNTP      TSType = 1
	TSTypeCounter  TSType = 2
	TSTypeNTPUTC32 TSType = 3
)

func (t TSType) String() string {
	return lookup([]string{"NTP-UTC", "NTP", "COUNTER", "NTP-UTC-32"}, int(t))
}

// ValueLen is the TS value length in bytes; ok is false for an unknown type.
func (t TSType) ValueLen() (n int, ok bool) {
	switch t {
	case TSTypeNTPUTC, TSTypeNTP:
		return 8, true
	case TSTypeCounter, TSTypeNTPUTC32:
		return 4, true
	}
	return 0, false
}

// IDType is the ID/IDR identifier type (RFC 3830 §6.7, RFC 6043 §6.5).
type IDType uint8

// Registered ID types.
const (
	IDNAI        IDType = 0
	IDURI        IDType = 1
	IDByteString IDType = 2
)

func (t IDType) String() string { return lookup([]string{"NAI", "URI", "Byte string"}, int(t)) }

// CertType is the CERT payload type (RFC 3830 §6.7 Table 6.7.b).
type CertType uint8

func (t CertType) String() string {
	return lookup([]string{"X.509v3", "X.509v3 URL", "X.509v3 Sign", "X.509v3 Encr"}, int(t))
}

// HashFunc is the CHASH hash function (RFC 3830 §6.8, RFC 6043 §6.7).
type HashFunc uint8

func (h HashFunc) String() string { return lookup([]string{"SHA-1", "MD5", "SHA-256"}, int(h)) }

// HashLen is the hash length in bytes; ok is false for an unknown function.
func (h HashFunc) HashLen() (n int, ok bool) {
	switch h {
	case 0:
		return 20, true
	case 1:
		return 16, true
	case 2:
		return 32, true
	}
	return 0, false
}

// ProtType is the security protocol of SP payloads and GENERIC-ID maps
// (RFC 3830 §6.10 Table 6.10, RFC 4442).
type ProtType uint8

// Registered security protocols.
const (
	ProtSRTP  ProtType = 0
	ProtTESLA ProtType = 1
)

func (p ProtType) String() string { return lookup([]string{"SRTP", "TESLA"}, int(p)) }

// ErrorCode is the ERR payload error number (RFC 3830 §6.12, RFC 4738
// §3.9.2, RFC 6043 §6.9).
type ErrorCode uint8

var errorNames = []string{
	"Auth failure", "Invalid TS", "Invalid PRF", "Invalid MAC", "Invalid EA", "Invalid HA",
	"Invalid DH", "Invalid ID", "Invalid Cert", "Invalid SP", "Invalid SPpar", "Invalid DT",
	"Unspecified error", "Unsupported message type", "Invalid TICKET", "Invalid TPpar",
}

var errorDescriptions = []string{
	"Authentication failure", "Invalid timestamp", "PRF function not supported",
	"MAC algorithm not supported", "Encryption algorithm not supported", "Hash function not supported",
	"DH group not supported", "ID not supported", "Certificate not supported", "SP type not supported",
	"SP parameters not supported", "Data type not supported", "An unspecified error occurred",
	"Unparseable MIKEY message", "Ticket type not supported", "TP parameters not supported",
}

func (e ErrorCode) String() string { return lookup(errorNames, int(e)) }

// Description is the registry comment in words, e.g. "Authentication
// failure" for 0.
func (e ErrorCode) Description() string { return lookup(errorDescriptions, int(e)) }

// KeyDataType is the 4-bit Key data sub-payload type (RFC 3830 §6.13,
// RFC 6043 §6.2.1, RFC 6267).
type KeyDataType uint8

// Registered key data types.
const (
	KeyTGK      KeyDataType = 0
	KeyTGKSalt  KeyDataType = 1
	KeyTEK      KeyDataType = 2
	KeyTEKSalt  KeyDataType = 3
	KeyGTGK     KeyDataType = 4
	KeyGTGKSalt KeyDataType = 5
	KeyMPK      KeyDataType = 6
	KeyKPR      KeyDataType = 7
)

func (k KeyDataType) String() string {
	return lookup([]string{"TGK", "TGK+SALT", "TEK", "TEK+SALT", "GTGK", "GTGK+SALT", "MPK", "K_PR"}, int(k))
}

// HasSalt reports whether the type carries Salt len and Salt data fields.
func (k KeyDataType) HasSalt() bool { return k == KeyTGKSalt || k == KeyTEKSalt || k == KeyGTGKSalt }

// KVType is the 4-bit key validity type (RFC 3830 §6.13 Table 6.13.b).
type KVType uint8

// Registered KV types.
const (
	KVNull     KVType = 0
	KVSPI      KVType = 1
	KVInterval KVType = 2
)

func (k KVType) String() string { return lookup([]string{"Null", "SPI/MKI", "Interval"}, int(k)) }

// GenExtType is the General Extension payload type (RFC 3830 §6.15,
// RFC 4442, 4563, 4738, 5410; 6 is 3GPP TS 33.180 §E.5).
type GenExtType uint8

// Registered general extension types.
const (
	GenExtVendorID    GenExtType = 0
	GenExtSDPIDs      GenExtType = 1
	GenExtTESLAIKey   GenExtType = 2
	GenExtKeyID       GenExtType = 3
	GenExtCSBID       GenExtType = 4
	GenExtBCAST       GenExtType = 5
	GenExtSAKKEToSelf GenExtType = 6
)

func (g GenExtType) String() string {
	return lookup([]string{"Vendor ID", "SDP IDs", "TESLA I-Key", "Key ID", "CSB_ID", "OMA BCAST", "SAKKE-to-self", "3GPP MC key parameters"}, int(g))
}

// KeyIDType is the Key ID sub-payload type (RFC 4563 §4 Table 2).
type KeyIDType uint8

func (k KeyIDType) String() string {
	return lookup([]string{"MBMS Key Domain ID", "MBMS Service Key ID", "MBMS Transport Key ID"}, int(k))
}

// BCASTSubtype is the OMA BCAST data subtype (RFC 5410 §3 Figure 4).
type BCASTSubtype uint8

func (b BCASTSubtype) String() string {
	return lookup([]string{"", "LTKM", "STKM", "LTKM Reporting", "Parental Control"}, int(b))
}

// TSRole is the TR payload timestamp role (RFC 6043 §6.4 Table 6.9).
type TSRole uint8

func (r TSRole) String() string {
	return lookup([]string{"", "Time of issue (TRi)", "Start of validity (TRs)", "End of validity (TRe)", "Rekeying interval (TRr)"}, int(r))
}

// IDRole is the IDR payload identity role (RFC 6043 §6.6, RFC 6509 §4.4).
type IDRole uint8

// Registered ID roles.
const (
	RoleInitiator    IDRole = 1
	RoleResponder    IDRole = 2
	RoleKMS          IDRole = 3
	RolePSK          IDRole = 4
	RoleApplication  IDRole = 5
	RoleInitiatorKMS IDRole = 6
	RoleResponderKMS IDRole = 7
)

func (r IDRole) String() string {
	return lookup([]string{"", "Initiator (IDRi)", "Responder (IDRr)", "KMS (IDRkms)", "Pre-Shared Key (IDRpsk)",
		"Application (IDRapp)", "Initiator's KMS (IDRkmsi)", "Responder's KMS (IDRkmsr)",
		"Initiator's UID (3GPP TS 33.180)", "Responder's UID (3GPP TS 33.180)"}, int(r))
}

// RandRole is the RANDR payload role (RFC 6043 §6.8 Table 6.13).
type RandRole uint8

func (r RandRole) String() string {
	return lookup([]string{"", "Initiator (RANDRi)", "Responder (RANDRr)", "KMS (RANDRkms)"}, int(r))
}

// TicketType is the TP/TICKET ticket type (RFC 6043 §6.10 Table 6.15).
type TicketType uint16

func (t TicketType) String() string {
	return lookup([]string{"", "MIKEY Base Ticket", "3GPP Base Ticket"}, int(t))
}

// SAKKEParams is the SAKKE parameter set (RFC 6509 §4.2 Table 4).
type SAKKEParams uint8

func (p SAKKEParams) String() string { return lookup([]string{"", "Parameter Set 1"}, int(p)) }

// SAKKEIDScheme is the SAKKE identifier scheme (RFC 6509 §4.2 Table 5;
// 2 is the 3GPP MCX hashed UID scheme of TS 33.180 §F.2.1).
type SAKKEIDScheme uint8

func (s SAKKEIDScheme) String() string {
	return lookup([]string{"", "tel URI with monthly keys", "3GPP MCX hashed UID"}, int(s))
}

// KeyPurpose is the 3GPP key purpose tag in the top 4 bits of the CSB ID
// of MIKEY-SAKKE messages (TS 33.180 §E.1.1, tags of Annex G).
type KeyPurpose uint8

func (k KeyPurpose) String() string {
	return lookup([]string{"GMK", "PCK", "CSK", "SPK", "MKFC", "MSCCK", "MuSiK"}, int(k))
}

// SPParamType is an SRTP policy parameter type (RFC 3830 §6.10.1
// Table 6.10.1.a, RFC 4771, RFC 7714).
type SPParamType uint8

// Registered SRTP policy parameter types.
const (
	SPEncrAlg         SPParamType = 0
	SPEncrKeyLen      SPParamType = 1
	SPAuthAlg         SPParamType = 2
	SPAuthKeyLen      SPParamType = 3
	SPSaltKeyLen      SPParamType = 4
	SPPRF             SPParamType = 5
	SPKeyDerivRate    SPParamType = 6
	SPSRTPEncr        SPParamType = 7
	SPSRTCPEncr       SPParamType = 8
	SPFECOrder        SPParamType = 9
	SPSRTPAuth        SPParamType = 10
	SPAuthTagLen      SPParamType = 11
	SPPrefixLen       SPParamType = 12
	SPROCRate         SPParamType = 13
	SPSRTPAuthAlg     SPParamType = 14
	SPSRTCPAuthAlg    SPParamType = 15
	SPSRTPAuthKeyLen  SPParamType = 16
	SPSRTCPAuthKeyLen SPParamType = 17
	SPSRTPAuthTagLen  SPParamType = 18
	SPSRTCPAuthTagLen SPParamType = 19
	SPAEADAuthTagLen  SPParamType = 20
)

var spParamNames = []string{
	"Encryption algorithm", "Session Encr. key length", "Authentication algorithm",
	"Session Auth. key length", "Session Salt key length", "SRTP Pseudo Random Function",
	"Key derivation rate", "SRTP encryption off/on", "SRTCP encryption off/on",
	"Sender's FEC order", "SRTP authentication off/on", "Authentication tag length",
	"SRTP prefix length", "ROC transmission rate", "SRTP Auth. algorithm", "SRTCP Auth. algorithm",
	"SRTP Session Auth. key length", "SRTCP Session Auth. key length",
	"SRTP Authentication tag length", "SRTCP Authentication tag length", "AEAD authentication tag length",
}

func (t SPParamType) String() string { return lookup(spParamNames, int(t)) }

// SRTPEncrAlg is the value of SP parameter 0 (RFC 3830 Table 6.10.1.b,
// RFC 5748, 7714, 8269).
type SRTPEncrAlg uint8

// Registered SRTP encryption algorithms.
const (
	SRTPEncrNULL   SRTPEncrAlg = 0
	SRTPEncrAESCM  SRTPEncrAlg = 1
	SRTPEncrAESF8  SRTPEncrAlg = 2
	SRTPEncrAESGCM SRTPEncrAlg = 6
)

func (a SRTPEncrAlg) String() string {
	return lookup([]string{"NULL", "AES-CM", "AES-F8", "SEED-CTR", "SEED-CCM", "SEED-GCM", "AES-GCM", "ARIA-CTR", "ARIA-GCM"}, int(a))
}

// SRTPAuthAlg is the value of SP parameters 2, 14 and 15 (RFC 3830
// Table 6.10.1.c, RFC 4771).
type SRTPAuthAlg uint8

// Registered SRTP authentication algorithms.
const (
	SRTPAuthNULL     SRTPAuthAlg = 0
	SRTPAuthHMACSHA1 SRTPAuthAlg = 1 // HMAC-SHA-1 (RFC 3711 §4.2.1)
	SRTPAuthRCCm1    SRTPAuthAlg = 2 // RFC 4771 mode 1: ROC||MAC every R packets, no tag otherwise
	SRTPAuthRCCm2    SRTPAuthAlg = 3 // RFC 4771 mode 2: ROC||MAC every R packets, MAC otherwise
	SRTPAuthRCCm3    SRTPAuthAlg = 4 // RFC 4771 mode 3: the ROC alone every R packets, no MAC
)

// IsRCC reports whether a is one of the RFC 4771 roll-over counter
// carrying modes.
func (a SRTPAuthAlg) IsRCC() bool { return a >= SRTPAuthRCCm1 && a <= SRTPAuthRCCm3 }

// HasMAC reports whether a ever computes an HMAC-SHA-1 (and so needs a
// session authentication key).
func (a SRTPAuthAlg) HasMAC() bool { return a >= SRTPAuthHMACSHA1 && a <= SRTPAuthRCCm2 }

func (a SRTPAuthAlg) String() string {
	return lookup([]string{"NULL", "HMAC-SHA-1", "RCCm1", "RCCm2", "RCCm3"}, int(a))
}

// SRTPPRF is the value of SP parameter 5 (RFC 3830 Table 6.10.1.d,
// RFC 5748, 8269).
type SRTPPRF uint8

// SRTPPRFAESCM is the AES-CM key derivation of RFC 3711 §4.3.3, the
// default and the only one of RFC 3830.
const SRTPPRFAESCM SRTPPRF = 0

func (p SRTPPRF) String() string { return lookup([]string{"AES-CM", "SEED-CTR", "ARIA-CTR"}, int(p)) }

// FECOrder is the value of SP parameter 9 (RFC 3830 Table 6.10.1.e).
type FECOrder uint8

// FECOrderSRTP: FEC is applied after SRTP (RFC 3830 Table 6.10.1.e), the
// default and the only value registered.
const FECOrderSRTP FECOrder = 0

func (f FECOrder) String() string { return lookup([]string{"FEC-SRTP"}, int(f)) }
