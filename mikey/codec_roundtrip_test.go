package mikey

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// builtMessages are messages built in code, one per family of data types,
// together covering every payload type this package encodes.
func builtMessages() map[string]*Message {
	rand16 := bytes.Repeat([]byte{0x42}, 16)
	return map[string]*Message{
		"PSK init with TEK+SALT and SPI": {
			Header: Header{Version: 1, DataType: DataTypePSKInit, V: true, CSBID: 0x01020304, MapType: MapSRTPID,
				SRTPMap: []SRTPCS{{PolicyNo: 0, SSRC: 0xdeadbeef, ROC: 0}, {PolicyNo: 1, SSRC: 0xfeedface, ROC: 7}}},
			Payloads: []Payload{
				&TPayload{TSType: TSTypeNTPUTC, Value: 0xebfe6f2db1c13fd0},
				&RANDPayload{Rand: rand16},
				&IDPayload{IDType: IDURI, Data: []byte("sip:alice@example.com")},
				&SPPayload{PolicyNo: 0, Prot: ProtSRTP, Params: []SPParam{SPUint(SPEncrAlg, 1), SPUint(SPEncrKeyLen, 16), SPUint(SPAuthTagLen, 10)}},
				&GenExtPayload{ExtType: GenExtSDPIDs, Data: []byte("mikey")},
				&KEMACPayload{EncrAlg: EncrNULL, MACAlg: MACHMACSHA1160, MAC: bytes.Repeat([]byte{9}, 20), KeyData: []*KeyData{
					{Type: KeyTEKSalt, Key: bytes.Repeat([]byte{1}, 16), Salt: bytes.Repeat([]byte{2}, 14), KeyValidity: KeyValidity{KV: KVSPI, SPI: []byte{0, 0, 0, 1}}},
					{Type: KeyTGK, Key: bytes.Repeat([]byte{3}, 16), KeyValidity: KeyValidity{KV: KVInterval, ValidFrom: []byte{0}, ValidTo: []byte{0xff, 0xff}}},
				}},
			},
		},
		"PSK verify": {
			Header:   Header{Version: 1, DataType: DataTypePSKVerify, CSBID: 1, MapType: MapEmpty},
			Payloads: []Payload{&TPayload{TSType: TSTypeCounter, Value: 5}, &VPayload{AuthAlg: MACHMACSHA256256, VerData: bytes.Repeat([]byte{7}, 32)}},
		},
		"PK init": {
			Header: Header{Version: 1, DataType: DataTypePKInit, PRF: PRFFuncHMACSHA256, CSBID: 2, MapType: MapEmpty, NumCS: 3},
			Payloads: []Payload{
				&TPayload{TSType: TSTypeNTP, Value: 1},
				&RANDPayload{Rand: rand16},
				&CERTPayload{CertType: 0, Data: []byte{0x30, 0x82, 0x01}},
				&CHASHPayload{Func: 0, Hash: bytes.Repeat([]byte{5}, 20)},
				&PKEPayload{Cache: 2, Data: bytes.Repeat([]byte{6}, 128)},
				&KEMACPayload{EncrAlg: EncrAESCM128, EncrData: []byte{1, 2, 3, 4, 5}, MACAlg: MACHMACSHA1160},
				&SIGNPayload{SType: SignRSAPKCS1, Signature: bytes.Repeat([]byte{8}, 128)},
			},
		},
		"DH resp": {
			Header: Header{Version: 1, DataType: DataTypeDHResp, CSBID: 3, MapType: MapSRTPID, SRTPMap: []SRTPCS{{SSRC: 1}}},
			Payloads: []Payload{
				&TPayload{TSType: TSTypeNTPUTC, Value: 2},
				&DHPayload{Group: DHOakley5, Value: bytes.Repeat([]byte{0xab}, 192), KeyValidity: KeyValidity{KV: KVSPI, SPI: []byte{1}}},
				&DHPayload{Group: DHOakley2, Value: bytes.Repeat([]byte{0xcd}, 128), Reserved: 3},
				&SIGNPayload{SType: SignRSAPSS, Signature: []byte{1}},
			},
		},
		"Error": {
			Header:   Header{Version: 1, DataType: DataTypeError, CSBID: 4, MapType: MapEmpty},
			Payloads: []Payload{&TPayload{TSType: TSTypeNTPUTC32, Value: 0xc8e350ea}, &ERRPayload{Code: 3}, &ERRPayload{Code: 15, Reserved: 1}},
		},
		"TICKET transfer": {
			Header: Header{Version: 1, DataType: DataTypeTransferInit, CSBID: 5, MapType: MapGenericID, GenericMap: []GenericCS{
				{CSID: 1, Prot: ProtSRTP, S: true, Policies: []byte{0}, SessionData: []byte{1, 2, 3, 4, 0, 0, 0, 0, 0, 9}, SPI: []byte{0xaa}},
				{CSID: 2, Prot: ProtSRTP},
			}},
			Payloads: []Payload{
				&TRPayload{Role: 1, TSType: TSTypeNTPUTC, Value: 99},
				&RANDRPayload{Role: 1, Rand: rand16},
				&IDRPayload{Role: RoleInitiator, IDType: IDNAI, Data: []byte("a@b")},
				&IDRPayload{Role: RoleResponder, IDType: IDByteString, Data: []byte{0}},
				&TPPayload{TicketPolicy: TicketPolicy{TicketType: 1, Subtype: 1, Version: 1, PRF: 1, Flags: TicketFlagE | TicketFlagJ,
					TPData: mustNested([]Payload{&TRPayload{Role: 3, TSType: TSTypeNTPUTC32, Value: 10}, &IDRPayload{Role: RoleKMS, Data: []byte("kms")}})}},
				&TICKETPayload{TicketPolicy: TicketPolicy{TicketType: 2}, TicketData: []byte{1, 2, 3},
					InitiatorData: mustNested([]Payload{&VPayload{AuthAlg: MACHMACSHA1160, VerData: bytes.Repeat([]byte{1}, 20)}})},
				&GenExtPayload{ExtType: GenExtKeyID, Data: []byte{1, 2, 0xaa, 0xbb}},
				&VPayload{AuthAlg: MACHMACSHA256256},
			},
		},
		"SAKKE": {
			Header: Header{Version: 1, DataType: DataTypeSAKKE, PRF: PRFFuncHMACSHA256, CSBID: 0x20000001, MapType: MapGenericID,
				GenericMap: []GenericCS{{CSID: 1, Prot: ProtSRTP}}},
			Payloads: []Payload{
				&TPayload{TSType: TSTypeNTPUTC, Value: 3},
				&RANDPayload{Rand: rand16},
				&IDRPayload{Role: RoleInitiator, IDType: IDURI, Data: []byte("tel:+1")},
				&IDRPayload{Role: RoleResponder, IDType: IDURI, Data: []byte("tel:+2")},
				&IDRPayload{Role: RoleInitiatorKMS, IDType: IDURI, Data: []byte("kms.example.org")},
				&IDRPayload{Role: RoleResponderKMS, IDType: IDURI, Data: []byte("kms.example.org")},
				&SPPayload{Prot: ProtSRTP, Params: []SPParam{SPUint(SPEncrAlg, 6), SPUint(SPAEADAuthTagLen, 16)}},
				&GenExtPayload{ExtType: GenExtSAKKEToSelf, Data: []byte{0, 1, 2, 0, 2, 0xee, 0xff}},
				&SAKKEPayload{Params: 1, IDScheme: 1, Data: bytes.Repeat([]byte{4}, 273)},
				&SIGNPayload{SType: SignECCSI, Signature: bytes.Repeat([]byte{5}, 129)},
			},
		},
	}
}

func mustNested(ps []Payload) []byte {
	b, err := MarshalNested(ps)
	if err != nil {
		panic(err)
	}
	return b
}

// semantic renders a value with positions (Span, Next, offsets, raw map
// info) removed and nil and empty slices equal, for comparing a built
// message with its decoding.
func semantic(v any) string {
	var sb strings.Builder
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				sb.WriteString("nil")
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			sb.WriteString(v.Type().Name() + "{")
			for i := 0; i < v.NumField(); i++ {
				f := v.Type().Field(i)
				if !f.IsExported() || f.Name == "PayloadBase" || f.Name == "Span" || strings.HasSuffix(f.Name, "Offset") ||
					f.Name == "MapInfo" || f.Name == "Decrypted" ||
					f.Name == "TPPayloads" || f.Name == "InitiatorPayloads" { // decoded from TPData/InitiatorData
					continue
				}
				sb.WriteString(f.Name + ":")
				walk(v.Field(i))
				sb.WriteString(" ")
			}
			sb.WriteString("}")
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				fmt.Fprintf(&sb, "%x", v.Bytes())
				return
			}
			sb.WriteString("[")
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
				sb.WriteString(",")
			}
			sb.WriteString("]")
		default:
			fmt.Fprintf(&sb, "%v", v.Interface())
		}
	}
	walk(reflect.ValueOf(v))
	return sb.String()
}

func TestBuildRoundTrip(t *testing.T) {
	for name, m := range builtMessages() {
		t.Run(name, func(t *testing.T) {
			b, err := m.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(Marshal(m)): %v", err)
			}
			// Placeholder MACs come back as zeros of the algorithm's length.
			// EncrData of a NULL KEMAC built from KeyData is derived.
			for _, p := range m.Payloads {
				if k, ok := p.(*KEMACPayload); ok && k.EncrData == nil {
					k.EncrData, _ = MarshalKeyData(k.KeyData)
				}
			}
			want := semantic(m.Payloads)
			if s := semantic(got.Payloads); s != want && !placeholderOnly(m, got) {
				t.Errorf("payloads differ\n got %s\nwant %s", s, want)
			}
			hg, hw := got.Header, m.Header
			if hg.DataType != hw.DataType || hg.V != hw.V || hg.PRF != hw.PRF || hg.CSBID != hw.CSBID || hg.MapType != hw.MapType ||
				semantic(hg.SRTPMap) != semantic(hw.SRTPMap) || semantic(hg.GenericMap) != semantic(hw.GenericMap) {
				t.Errorf("header\n got %+v\nwant %+v", hg, hw)
			}
			again, err := got.Marshal()
			if err != nil || !bytes.Equal(again, b) {
				t.Errorf("Marshal(Parse(Marshal(m))) != Marshal(m): %v", err)
			}
			checkTree(t, got)
		})
	}
}

// placeholderOnly accepts a difference made only by V or KEMAC MACs that
// were left empty and encoded as zeros.
func placeholderOnly(built, got *Message) bool {
	for i, p := range built.Payloads {
		switch q := p.(type) {
		case *VPayload:
			if len(q.VerData) == 0 && allZero(got.Payloads[i].(*VPayload).VerData) {
				continue
			}
		case *KEMACPayload:
			g := got.Payloads[i].(*KEMACPayload)
			if len(q.MAC) == 0 && allZero(g.MAC) && bytes.Equal(q.EncrData, g.EncrData) {
				continue
			}
		}
		if semantic(p) != semantic(got.Payloads[i]) {
			return false
		}
	}
	return len(built.Payloads) == len(got.Payloads)
}

func TestBuild(t *testing.T) {
	m := builtMessages()["PSK verify"]
	b, err := m.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Raw, b) || m.V().VerDataOffset != len(b)-32 {
		t.Errorf("Build did not re-decode: %+v", m.V())
	}
	span, kind, ok := m.AuthField()
	if !ok || kind != PayloadV || span.End() != len(b) {
		t.Errorf("AuthField %v %v %v", span, kind, ok)
	}
}

func TestMarshalKeyDataRoundTrip(t *testing.T) {
	kds := []*KeyData{
		{Type: KeyTEK, Key: bytes.Repeat([]byte{1}, 30), KeyValidity: KeyValidity{KV: KVSPI, SPI: []byte{0, 0, 0, 0x2f}}},
		{Type: KeyGTGKSalt, Key: []byte{2}, Salt: []byte{3}},
	}
	b, err := MarshalKeyData(kds)
	if err != nil {
		t.Fatal(err)
	}
	// Hand-encoded: 14 21 001e <30 bytes> 04 0000002f | 00 50 0001 02 0001 03.
	want := "1421001e" + strings.Repeat("01", 30) + "040000002f" + "00500001020001" + "03"
	if fmt.Sprintf("%x", b) != want {
		t.Fatalf("MarshalKeyData = %x\nwant %s", b, want)
	}
	got, err := ParseKeyData(append(b, 0, 0, 0), 100)
	if err != nil || len(got) != 2 || semantic(got) != semantic(kds) || got[0].Offset != 100 || got[1].Offset != 100+39 {
		t.Errorf("ParseKeyData = %s, %v", semantic(got), err)
	}
	if _, err := ParseKeyData(append(b, 1), 0); err == nil {
		t.Error("non-zero bytes after the last sub-payload accepted")
	}
	tree := KeyDataTree(got, TreeOptions{})
	if len(tree.Children) != 2 || tree.Offset != 100 || tree.Length != len(b) {
		t.Errorf("KeyDataTree %+v", tree)
	}
}

func TestMarshalErrors(t *testing.T) {
	cases := map[string]*Message{
		"SIGN not last":    {Payloads: []Payload{&SIGNPayload{}, &RANDPayload{}}},
		"RAND too long":    {Payloads: []Payload{&RANDPayload{Rand: make([]byte, 256)}}},
		"MAC wrong length": {Payloads: []Payload{&KEMACPayload{MACAlg: MACHMACSHA1160, MAC: []byte{1}}}},
		"encrypted KEMAC without EncrData": {Payloads: []Payload{&KEMACPayload{EncrAlg: EncrAESCM128,
			KeyData: []*KeyData{{Type: KeyTEK}}}}},
		"unknown TS type":      {Payloads: []Payload{&TPayload{TSType: 9}}},
		"DH value wrong size":  {Payloads: []Payload{&DHPayload{Group: DHOakley1, Value: []byte{1}}}},
		"counter too large":    {Payloads: []Payload{&TPayload{TSType: TSTypeCounter, Value: 1 << 40}}},
		"salt on a TEK":        {Payloads: []Payload{&KEMACPayload{KeyData: []*KeyData{{Type: KeyTEK, Salt: []byte{1}}}}}},
		"unknown KV":           {Payloads: []Payload{&KEMACPayload{KeyData: []*KeyData{{Type: KeyTEK, KeyValidity: KeyValidity{KV: 5}}}}}},
		"PRF beyond 7 bits":    {Header: Header{PRF: 0x80}},
		"SP value too long":    {Payloads: []Payload{&SPPayload{Params: []SPParam{{Value: make([]byte, 300)}}}}},
		"CHASH wrong size":     {Payloads: []Payload{&CHASHPayload{Func: 2, Hash: []byte{1}}}},
		"PKE data too long":    {Payloads: []Payload{&PKEPayload{Data: make([]byte, 0x4000)}}},
		"SIGN too long":        {Payloads: []Payload{&SIGNPayload{Signature: make([]byte, 0x1000)}}},
		"ticket flags too big": {Payloads: []Payload{&TPPayload{TicketPolicy: TicketPolicy{Flags: 0x1000}}}},
	}
	for name, m := range cases {
		if _, err := m.Marshal(); err == nil {
			t.Errorf("%s: Marshal succeeded", name)
		}
	}
}

func TestBuildKeepsCallerSlices(t *testing.T) {
	ps := []Payload{&TPayload{TSType: TSTypeCounter, Value: 1}, &RANDPayload{Rand: []byte{1}}}
	m := &Message{Header: Header{MapType: MapEmpty}, Payloads: ps}
	if _, err := m.Build(); err != nil {
		t.Fatal(err)
	}
	if ps[0].Extent().Length != 0 || m.Payloads[0] == ps[0] || m.Timestamp().Offset != 10 {
		t.Error("Build reused the caller's Payloads slice")
	}
}
