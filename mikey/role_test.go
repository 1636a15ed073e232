package mikey

import "testing"

func TestDataTypeRoleAndAnswers(t *testing.T) {
	tests := []struct {
		d       DataType
		role    string
		answers DataType
		paired  bool
	}{
		{DataTypePSKInit, "initiator", 0, false},
		{DataTypePSKVerify, "response", DataTypePSKInit, true},
		{DataTypePKInit, "initiator", 0, false},
		{DataTypePKVerify, "response", DataTypePKInit, true},
		{DataTypeDHInit, "initiator", 0, false},
		{DataTypeDHResp, "response", DataTypeDHInit, true},
		{DataTypeError, "error", 0, false},
		{DataTypeDHHMACInit, "initiator", 0, false},
		{DataTypeDHHMACResp, "response", DataTypeDHHMACInit, true},
		{DataTypeRSARInit, "initiator", 0, false},
		{DataTypeRSARResp, "response", DataTypeRSARInit, true},
		{DataTypeRequestInitPSK, "initiator", 0, false},
		{DataTypeRequestResp, "response", 0, false},
		{DataTypeTransferInit, "initiator", 0, false},
		{DataTypeTransferResp, "response", 0, false},
		{DataTypeResolveResp, "response", 0, false},
		{DataTypeRequestKeyResp, "response", 0, false},
		{DataTypeIBAKEIMessage1, "initiator", 0, false},
		{DataTypeIBAKERMessage1, "response", 0, false},
		{DataTypeIBAKEIMessage2, "initiator", 0, false},
		{DataTypeIBAKERMessage2, "response", 0, false},
		{DataTypeSAKKE, "initiator", 0, false},
		{DataType(200), "initiator", 0, false},
	}
	for _, tc := range tests {
		if got := tc.d.Role().String(); got != tc.role {
			t.Errorf("%v.Role() = %q, want %q", tc.d, got, tc.role)
		}
		a, ok := tc.d.Answers()
		if a != tc.answers || ok != tc.paired {
			t.Errorf("%v.Answers() = %v, %v; want %v, %v", tc.d, a, ok, tc.answers, tc.paired)
		}
	}
}

func TestModeName(t *testing.T) {
	null := &KEMACPayload{EncrAlg: EncrNULL, MACAlg: MACNULL}
	nullEncr := &KEMACPayload{EncrAlg: EncrNULL, MACAlg: MACHMACSHA1160}
	tests := []struct {
		d     DataType
		kemac *KEMACPayload
		want  string
	}{
		{DataTypePSKInit, nil, "PSK"},
		{DataTypePSKInit, null, "NULL"},
		{DataTypePSKVerify, null, "NULL"},
		{DataTypePSKInit, nullEncr, "PSK"},
		{DataTypePKInit, nil, "PK"},
		{DataTypePKVerify, nil, "PK"},
		{DataTypeDHInit, nil, "DH"},
		{DataTypeDHResp, nil, "DH"},
		{DataTypeDHHMACInit, nil, "DHHMAC"},
		{DataTypeDHHMACResp, nil, "DHHMAC"},
		{DataTypeRSARInit, nil, "RSA-R"},
		{DataTypeRSARResp, nil, "RSA-R"},
		{DataTypeSAKKE, nil, "SAKKE"},
		{DataTypeIBAKEIMessage1, nil, "IBAKE"},
		{DataTypeIBAKERMessage2, nil, "IBAKE"},
		{DataTypeError, nil, ""},
		{DataTypeRequestInitPSK, nil, "TICKET"},
		{DataType(99), nil, "TICKET"},
	}
	for _, tc := range tests {
		m := &Message{Header: Header{DataType: tc.d}}
		if tc.kemac != nil {
			m.Payloads = append(m.Payloads, tc.kemac)
		}
		if got := m.ModeName(); got != tc.want {
			t.Errorf("%v (KEMAC %v) ModeName = %q, want %q", tc.d, tc.kemac != nil, got, tc.want)
		}
	}
}
