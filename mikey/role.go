package mikey

// ExchangeRole is the part a message plays in its exchange, from its data
// type: the initiator's message, the responder's answer, or an error
// message (RFC 3830 §5.1, §5.1.2).
type ExchangeRole uint8

// Exchange roles.
const (
	// RoleInitiatorMessage: the first message of an exchange (I_MESSAGE),
	// and every data type not known to answer another.
	RoleInitiatorMessage ExchangeRole = iota
	// RoleResponseMessage: a responder's message (R_MESSAGE): the
	// verification and response messages of RFC 3830 §5, RFC 4650,
	// RFC 4738 and RFC 6043, and the IBAKE responder messages (RFC 6267).
	RoleResponseMessage
	// RoleErrorMessage: a MIKEY error message (RFC 3830 §5.1.2).
	RoleErrorMessage
)

// String is the role as reports write it: "initiator", "response" or
// "error".
func (r ExchangeRole) String() string {
	switch r {
	case RoleResponseMessage:
		return "response"
	case RoleErrorMessage:
		return "error"
	}
	return "initiator"
}

// Role returns the part a message of data type d plays in its exchange.
func (d DataType) Role() ExchangeRole {
	switch d {
	case DataTypeError:
		return RoleErrorMessage
	case DataTypePSKVerify, DataTypePKVerify, DataTypeDHResp, DataTypeDHHMACResp,
		DataTypeRSARResp, DataTypeRequestResp, DataTypeTransferResp, DataTypeResolveResp,
		DataTypeRequestKeyResp, DataTypeIBAKERMessage1, DataTypeIBAKERMessage2:
		return RoleResponseMessage
	}
	return RoleInitiatorMessage
}

// Answers returns the initiator's data type that a responder's message of
// data type d answers, for the modes whose response is paired with the
// initiator's message by type (RFC 3830 §5: PSK and PK verification, DH
// response; RFC 4650 DHHMAC; RFC 4738 RSA-R), and false for every other
// data type.
func (d DataType) Answers() (DataType, bool) {
	switch d {
	case DataTypePSKVerify:
		return DataTypePSKInit, true
	case DataTypePKVerify:
		return DataTypePKInit, true
	case DataTypeDHResp:
		return DataTypeDHInit, true
	case DataTypeDHHMACResp:
		return DataTypeDHHMACInit, true
	case DataTypeRSARResp:
		return DataTypeRSARInit, true
	}
	return 0, false
}

// RequiresRAND reports whether a message of data type d must carry a RAND
// payload: the initiator's message of the PSK, PK and DH modes (RFC 3830
// §3.1-§3.3, §5.3) and of DHHMAC (RFC 4650 §4).
func (d DataType) RequiresRAND() bool {
	switch d {
	case DataTypePSKInit, DataTypePKInit, DataTypeDHInit, DataTypeDHHMACInit:
		return true
	}
	return false
}

// ModeName is the key management mode of the message as users call it:
// "PSK", "NULL" (a PSK-mode message whose KEMAC has NULL encryption and
// NULL MAC, RFC 3830 §4.2.3), "PK", "DH", "DHHMAC", "RSA-R", "SAKKE",
// "IBAKE", "TICKET" for every other data type, and "" for an error
// message, which belongs to no mode. See ModeOf for the mode that decides
// how the message is opened.
func (m *Message) ModeName() string {
	switch m.Header.DataType {
	case DataTypePSKInit, DataTypePSKVerify:
		if k := m.KEMAC(); k != nil && k.EncrAlg == EncrNULL && k.MACAlg == MACNULL {
			return "NULL"
		}
		return "PSK"
	case DataTypePKInit, DataTypePKVerify:
		return "PK"
	case DataTypeDHInit, DataTypeDHResp:
		return "DH"
	case DataTypeDHHMACInit, DataTypeDHHMACResp:
		return "DHHMAC"
	case DataTypeRSARInit, DataTypeRSARResp:
		return "RSA-R"
	case DataTypeSAKKE:
		return "SAKKE"
	case DataTypeIBAKEIMessage1, DataTypeIBAKERMessage1, DataTypeIBAKEIMessage2, DataTypeIBAKERMessage2:
		return "IBAKE"
	case DataTypeError:
		return ""
	}
	return "TICKET"
}
