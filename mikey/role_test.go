package mikey

import "testing"

func TestDataTypeRoleAndAnswers(t *testing.T) {
	tests := []struct {
		d       DataType
		role    string
		answers DataType
		paired  bool
		rand    bool
	}{
		{DataTypePSKInit, "initiator", 0, false, true},
		{DataTypePSKVerify, "response", DataTypePSKInit, true, false},
		{DataTypePKInit, "initiator", 0, false, true},
		{DataTypePKVerify, "response", DataTypePKInit, true, false},
		{DataTypeDHInit, "initiator", 0, false, true},
		{DataTypeDHResp, "response", DataTypeDHInit, true, false},
		{DataTypeError, "error", 0, false, false},
		{DataTypeDHHMACInit, "initiator", 0, false, true},
		{DataTypeDHHMACResp, "response", DataTypeDHHMACInit, true, false},
		{DataTypeRSARInit, "initiator", 0, false, false},
		{DataTypeRSARResp, "response", DataTypeRSARInit, true, false},
		{DataTypeRequestInitPSK, "initiator", 0, false, false},
		{DataTypeRequestResp, "response", 0, false, false},
		{DataTypeTransferInit, "initiator", 0, false, false},
		{DataTypeTransferResp, "response", 0, false, false},
		{DataTypeResolveResp, "response", 0, false, false},
		{DataTypeRequestKeyResp, "response", 0, false, false},
		{DataTypeIBAKEIMessage1, "initiator", 0, false, false},
		{DataTypeIBAKERMessage1, "response", 0, false, false},
		{DataTypeIBAKEIMessage2, "initiator", 0, false, false},
		{DataTypeIBAKERMessage2, "response", 0, false, false},
		{DataTypeSAKKE, "initiator", 0, false, false},
		{DataType(200), "initiator", 0, false, false},
	}
	for _, tc := range tests {
		if got := tc.d.Role().String(); got != tc.role {
			t.Errorf("%v.Role() = %q, want %q", tc.d, got, tc.role)
		}
		if got := tc.d.RequiresRAND(); got != tc.rand {
			t.Errorf("%v.RequiresRAND() = %v, want %v", tc.d, got, tc.rand)
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
