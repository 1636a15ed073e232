package mikey

import (
	"fmt"
	"testing"
)

// TestNames checks the name tables against the IANA registry
// (/work/shared/rfc/iana-mikey-registry.md) value by value, including the
// first unassigned value of each name space.
func TestNames(t *testing.T) {
	cases := []struct {
		got  fmt.Stringer
		want string
	}{
		{DataType(0), "Pre-shared"}, {DataType(1), "PSK ver msg"}, {DataType(2), "Public key"}, {DataType(3), "PK ver msg"},
		{DataType(4), "D-H init"}, {DataType(5), "D-H resp"}, {DataType(6), "Error"}, {DataType(7), "DHHMAC init"},
		{DataType(8), "DHHMAC resp"}, {DataType(9), "RSA-R I_MSG"}, {DataType(10), "RSA-R R_MSG"},
		{DataType(11), "REQUEST_INIT_PSK"}, {DataType(12), "REQUEST_INIT_PK"}, {DataType(13), "REQUEST_RESP"},
		{DataType(14), "TRANSFER_INIT"}, {DataType(15), "TRANSFER_RESP"}, {DataType(16), "RESOLVE_INIT_PSK"},
		{DataType(17), "RESOLVE_INIT_PK"}, {DataType(18), "RESOLVE_RESP"}, {DataType(19), "REQUEST_KEY_PSK"},
		{DataType(20), "REQUEST_KEY_PKE"}, {DataType(21), "REQUEST_KEY_RESP"}, {DataType(22), "I_MESSAGE_1"},
		{DataType(23), "R_MESSAGE_1"}, {DataType(24), "I_MESSAGE_2"}, {DataType(25), "R_MESSAGE_2"},
		{DataType(26), "SAKKE"}, {DataType(27), "unknown (27)"}, {DataType(255), "unknown (255)"},
		{PayloadType(0), "Last payload"}, {PayloadType(1), "KEMAC"}, {PayloadType(12), "ERR"}, {PayloadType(13), "TR"},
		{PayloadType(17), "TICKET"}, {PayloadType(18), "unknown (18)"}, {PayloadType(20), "Key data"},
		{PayloadType(21), "General Ext."}, {PayloadType(26), "SAKKE"}, {PayloadType(27), "unknown (27)"},
		{PRFFunc(0), "MIKEY-1"}, {PRFFunc(1), "PRF-HMAC-SHA-256"}, {PRFFunc(2), "unknown (2)"},
		{CSIDMapType(0), "SRTP-ID"}, {CSIDMapType(1), "Empty map"}, {CSIDMapType(2), "GENERIC-ID"}, {CSIDMapType(3), "unknown (3)"},
		{EncrAlg(0), "NULL"}, {EncrAlg(1), "AES-CM-128"}, {EncrAlg(2), "AES-KW-128"}, {EncrAlg(3), "AES-CM-256"}, {EncrAlg(4), "unknown (4)"},
		{MACAlg(1), "HMAC-SHA-1-160"}, {MACAlg(2), "HMAC-SHA-256-256"}, {MACAlg(3), "unknown (3)"},
		{PKECache(2), "Cache for CSB"}, {DHGroup(0), "OAKLEY 5"}, {DHGroup(2), "OAKLEY 2"}, {DHGroup(3), "unknown (3)"},
		{SignType(0), "RSA/PKCS#1/1.5"}, {SignType(1), "RSA/PSS"}, {SignType(2), "ECCSI"}, {SignType(3), "unknown (3)"},
		{TSType(3), "NTP-UTC-32"}, {TSType(4), "unknown (4)"}, {IDType(2), "Byte string"}, {CertType(3), "X.509v3 Encr"},
		{HashFunc(2), "SHA-256"}, {ProtType(1), "TESLA"},
		{ErrorCode(0), "Auth failure"}, {ErrorCode(13), "Unsupported message type"}, {ErrorCode(15), "Invalid TPpar"}, {ErrorCode(16), "unknown (16)"},
		{KeyDataType(3), "TEK+SALT"}, {KeyDataType(6), "MPK"}, {KeyDataType(7), "K_PR"}, {KeyDataType(8), "unknown (8)"},
		{KVType(2), "Interval"}, {KVType(3), "unknown (3)"},
		{GenExtType(3), "Key ID"}, {GenExtType(4), "CSB_ID"}, {GenExtType(5), "OMA BCAST"}, {GenExtType(6), "SAKKE-to-self"},
		{KeyIDType(2), "MBMS Transport Key ID"}, {BCASTSubtype(0), "unknown (0)"}, {BCASTSubtype(4), "Parental Control"},
		{TSRole(4), "Rekeying interval (TRr)"}, {IDRole(0), "unknown (0)"}, {IDRole(6), "Initiator's KMS (IDRkmsi)"},
		{RandRole(3), "KMS (RANDRkms)"}, {TicketType(2), "3GPP Base Ticket"}, {SAKKEParams(1), "Parameter Set 1"},
		{SAKKEIDScheme(1), "tel URI with monthly keys"}, {KeyPurpose(0), "GMK"}, {KeyPurpose(5), "MSCCK"}, {KeyPurpose(6), "MuSiK"}, {KeyPurpose(7), "unknown (7)"},
		{SPParamType(12), "SRTP prefix length"}, {SPParamType(13), "ROC transmission rate"}, {SPParamType(19), "SRTCP Authentication tag length"},
		{SPParamType(20), "AEAD authentication tag length"}, {SPParamType(21), "unknown (21)"},
		{SRTPEncrAlg(6), "AES-GCM"}, {SRTPEncrAlg(8), "ARIA-GCM"}, {SRTPEncrAlg(9), "unknown (9)"},
		{SRTPAuthAlg(4), "RCCm3"}, {SRTPPRF(0), "AES-CM"}, {FECOrder(0), "FEC-SRTP"},
	}
	for _, c := range cases {
		if s := c.got.String(); s != c.want {
			t.Errorf("%T(%v) = %q, want %q", c.got, c.got, s, c.want)
		}
	}
	if ErrorCode(0).Description() != "Authentication failure" {
		t.Error(ErrorCode(0).Description())
	}
}

// TestDataTypesDecode decodes a header of every registered data type, and
// an unassigned one, from hand-written bytes: an unknown data type is a
// name, not an error.
func TestDataTypesDecode(t *testing.T) {
	for dt := 0; dt <= 27; dt++ {
		b := hx(t, fmt.Sprintf("01 %02x 00 00 00000001 00 01", dt))
		m, err := Parse(b)
		if err != nil || m.Header.DataType != DataType(dt) {
			t.Fatalf("data type %d: %v", dt, err)
		}
		f := m.Tree().Children[0].Children[1]
		if f.Name != "Data type" || f.Value != fmt.Sprint(dt) || f.Meaning != DataType(dt).String() || f.Offset != 1 || f.Length != 1 {
			t.Errorf("%+v", f)
		}
	}
}
