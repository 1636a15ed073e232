package mikey

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// vector is one line of testdata/mikey-messages.jsonl, a copy of
// /work/shared/vectors/mikey-messages.jsonl (published MIKEY messages).
type vector struct {
	Name, B64, Hex, Note string
	Len                  int
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open("testdata/mikey-messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if len(out) != 16 {
		t.Fatalf("%d vectors, want 16", len(out))
	}
	return out
}

func (v vector) bytes(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString(v.B64)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := hex.DecodeString(v.Hex)
	if !bytes.Equal(b, h) || len(b) != v.Len {
		t.Fatalf("%s: b64, hex and len disagree", v.Name)
	}
	return b
}

// vectorWant holds the facts stated in each vector's note.
type vectorWant struct {
	dataType DataType
	v        bool
	csbID    uint32
	ssrcs    []uint32
	roc      uint32
	policy   uint8
	order    string // payload types after HDR
	sp       string // "type=value,..." in wire order
	keyLens  []int  // key data lengths of the KEMAC sub-payloads
	kv       KVType
	mki      string // hex of the SPI/MKI
	trailing int
}

var vectorWants = map[string]vectorWant{
	"onvif-omnicast-setup-keymgmt": {csbID: 0xfd6d77d0, ssrcs: []uint32{0xc20f551c}, order: "T,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVSPI, mki: "0000002f"},
	"onvif-omnicast-set-parameter-rekey": {csbID: 0x6802afc1, ssrcs: []uint32{0xd2bf1824}, order: "T,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVSPI, mki: "00000002"},
	"onvif-get-parameter-response": {csbID: 0x6ad5a258, ssrcs: []uint32{0xdd05c028}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,4=14,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVSPI, mki: "0000000d"},
	"hanwha-omnicast-set-parameter": {csbID: 0x429e72b9, ssrcs: []uint32{0x187b6242}, order: "T,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVSPI, mki: "000007f7"},
	"gortsplib-a": {csbID: 0xe69d51f8, ssrcs: []uint32{0x30685760}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=10,7=1,8=1,10=1", keyLens: []int{30}, kv: KVNull},
	"gortsplib-b": {csbID: 0xfeaf9752, ssrcs: []uint32{0xcc836237}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=10,7=1,8=1,10=1", keyLens: []int{30}, kv: KVNull},
	"gortsplib-c": {csbID: 0x7de127a6, ssrcs: []uint32{0xcc836237, 0xb5cc3bf2}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=10,7=1,8=1,10=1", keyLens: []int{30}, kv: KVNull},
	"gortsplib-milestone-extra-padding": {csbID: 0xb1405657, ssrcs: []uint32{0x726ef4db}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVNull, trailing: 1},
	"gortsplib-kemac-spi-synthetic": {csbID: 0x12345678, ssrcs: []uint32{0x11223344}, roc: 0x55667788, policy: 3,
		order: "KEMAC", keyLens: []int{3}, kv: KVSPI, mki: "1122"},
	"gortsplib-keymgmt-rtsps": {csbID: 0x7a23295e, ssrcs: []uint32{0x958c2327}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=10,7=1,8=1,10=1", keyLens: []int{30}, kv: KVNull},
	"tsitle-roundtrip1": {csbID: 0xb4effbf2, ssrcs: []uint32{0x048f147f}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,4=14,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVSPI, mki: "09fa4021"},
	"tsitle-gstreamer-auth-key-len-10": {csbID: 0x2ebcacbe, ssrcs: []uint32{0x7f6f6ce8}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=10,7=1,8=1,10=1", keyLens: []int{30}, kv: KVNull},
	"tsitle-announce-sdp-media": {csbID: 0x496ae122, ssrcs: []uint32{0x3acc2ceb}, order: "T,RAND,SP,KEMAC",
		sp: "0=1,1=16,2=1,3=20,4=14,5=0,7=1,8=1,10=1,11=10", keyLens: []int{30}, kv: KVSPI, mki: "00000001"},
	"rfc4567-5.1-offer": {v: true, csbID: 0xcd177e50, ssrcs: []uint32{0}, order: "T,RAND,ID,SP,KEMAC", sp: ""},
	"rfc4567-5.1-answer": {dataType: DataTypePSKVerify, v: true, csbID: 0xcd177e50, ssrcs: []uint32{0},
		order: "T,ID,V"},
	"gstreamer-hdr-only": {csbID: 0x12345678},
}

func payloadOrder(m *Message) string {
	var s []string
	for _, p := range m.Payloads {
		s = append(s, p.Type().String())
	}
	return strings.Join(s, ",")
}

func spString(sp *SPPayload) string {
	var s []string
	for _, p := range sp.Params {
		v, _ := p.Uint()
		s = append(s, fmt.Sprintf("%d=%d", p.Type, v))
	}
	return strings.Join(s, ",")
}

func TestVectorsDecode(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			b := v.bytes(t)
			want, ok := vectorWants[v.Name]
			if !ok {
				t.Fatal("no expectations for vector")
			}
			m, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			h := m.Header
			if h.Version != 1 || h.DataType != want.dataType || h.V != want.v || h.PRF != PRFFuncMIKEY1 || h.CSBID != want.csbID {
				t.Errorf("header = %+v", h)
			}
			if int(h.NumCS) != len(want.ssrcs) || len(h.SRTPMap) != len(want.ssrcs) || h.MapType != MapSRTPID {
				t.Fatalf("#CS %d, map %v, want %d SSRCs", h.NumCS, h.SRTPMap, len(want.ssrcs))
			}
			for i, cs := range h.SRTPMap {
				if cs.SSRC != want.ssrcs[i] || cs.ROC != want.roc || cs.PolicyNo != want.policy {
					t.Errorf("CS %d = %+v, want SSRC %#x ROC %#x policy %d", i+1, cs, want.ssrcs[i], want.roc, want.policy)
				}
			}
			if got := payloadOrder(m); got != want.order {
				t.Errorf("payloads %q, want %q", got, want.order)
			}
			if sps := m.SP(); len(sps) == 1 {
				if got := spString(sps[0]); got != want.sp {
					t.Errorf("SP %q, want %q", got, want.sp)
				}
			} else if want.sp != "" {
				t.Errorf("%d SP payloads", len(sps))
			}
			if k := m.KEMAC(); k != nil && k.EncrAlg == EncrNULL {
				if len(k.KeyData) != len(want.keyLens) {
					t.Fatalf("%d key data sub-payloads, want %d", len(k.KeyData), len(want.keyLens))
				}
				for i, kd := range k.KeyData {
					if len(kd.Key) != want.keyLens[i] || kd.Type != KeyTEK || kd.KV != want.kv || hex.EncodeToString(kd.SPI) != want.mki {
						t.Errorf("key data %d: type %s len %d KV %s SPI %x; want TEK len %d KV %s SPI %s",
							i, kd.Type, len(kd.Key), kd.KV, kd.SPI, want.keyLens[i], want.kv, want.mki)
					}
				}
			}
			if len(m.Trailing) != want.trailing {
				t.Errorf("%d trailing bytes, want %d", len(m.Trailing), want.trailing)
			}
			if want.trailing > 0 && (len(m.Notes) != 1 || m.Notes[0].Offset != len(b)-want.trailing || !strings.Contains(m.Notes[0].Text, "zero padding")) {
				t.Errorf("notes = %+v", m.Notes)
			}
			if want.trailing == 0 && len(m.Notes) != 0 {
				t.Errorf("unexpected notes %+v", m.Notes)
			}
			// Marshal(Parse(b)) == b, less the documented trailing padding.
			out, err := m.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(out, b[:len(b)-want.trailing]) {
				t.Errorf("Marshal:\n got %x\nwant %x", out, b[:len(b)-want.trailing])
			}
			if v.Name == "tsitle-roundtrip1" { // the test's expected key and salt
				k := m.KEMAC().KeyData[0].Key
				if hex.EncodeToString(k[:16]) != "68ff7f2b360a05ac381a67d784ae6328" || hex.EncodeToString(k[16:]) != "3d884cc40a60ebd2ca7fe01f0670" {
					t.Errorf("key||salt %x", k)
				}
			}
			checkTree(t, m)
		})
	}
}

// checkTree asserts that every field of the tree lies inside its parent and
// inside Raw, and that the payload nodes tile the message.
func checkTree(t *testing.T, m *Message) {
	t.Helper()
	root := m.Tree()
	var walk func(f, parent *Field)
	walk = func(f, parent *Field) {
		if f.Offset < 0 || f.Length < 0 || f.Offset+f.Length > len(m.Raw) {
			t.Errorf("field %q [%d +%d] outside the %d-byte message", f.Name, f.Offset, f.Length, len(m.Raw))
		}
		if parent != nil && (f.Offset < parent.Offset || f.Offset+f.Length > parent.Offset+parent.Length) {
			t.Errorf("field %q [%d +%d] outside its parent %q [%d +%d]", f.Name, f.Offset, f.Length, parent.Name, parent.Offset, parent.Length)
		}
		if f.Name == "" {
			t.Errorf("field without a name under %q", parent.Name)
		}
		for _, c := range f.Children {
			walk(c, f)
		}
	}
	walk(root, nil)
	end := 0
	for _, c := range root.Children {
		if c.Offset != end {
			t.Errorf("top-level field %q starts at %d, want %d", c.Name, c.Offset, end)
		}
		end = c.Offset + c.Length
	}
	if end != len(m.Raw) {
		t.Errorf("top-level fields end at %d, message is %d bytes", end, len(m.Raw))
	}
}

// TestRFC4567Examples decodes the two complete messages of RFC 4567 §5.1
// from the SDP text as printed (line-wrapped base64).
func TestRFC4567Examples(t *testing.T) {
	offer := "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2\n" +
		"   UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt\n" +
		"   0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV"
	answer := "a=key-mgmt:mikey AQEFgM0XflABAAAAAAAAAAAAAAYAyONQ6gAAAAAJAAAQbWlja2\n" +
		"   V5QG1vdXNlLmNvbQABn8HdGE5BMDXFIuGEga+62AgY5cc="
	km, err := ParseKeyMgmtAttribute(offer)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(km.Data)
	if err != nil {
		t.Fatal(err)
	}
	// Hand-decoded from the bytes: HDR,T,RAND,ID,SP,KEMAC.
	if ts := m.Timestamp(); ts == nil || ts.TSType != TSTypeNTPUTC || ts.Value != 0xc8e350ea00000000 {
		t.Errorf("T = %+v", ts)
	}
	if r := m.RAND(); r == nil || hex.EncodeToString(r.Rand) != "4a28da979ee21a7651a0d7f19136d98c" {
		t.Errorf("RAND = %+v", r)
	}
	if ids := m.IDs(); len(ids) != 1 || ids[0].IDType != IDNAI || string(ids[0].Data) != "donald@duck.com" {
		t.Errorf("ID = %+v", ids)
	}
	if sp := m.SP(); len(sp) != 1 || len(sp[0].Params) != 0 || sp[0].Prot != ProtSRTP {
		t.Errorf("SP = %+v", sp)
	}
	k := m.KEMAC()
	if k == nil || k.EncrAlg != EncrAESCM128 || len(k.EncrData) != 36 || k.MACAlg != MACHMACSHA1160 || len(k.MAC) != 20 ||
		k.KeyData != nil || k.MACOffset != len(km.Data)-20 || k.EncrDataOffset != k.Offset+4 {
		t.Fatalf("KEMAC = %+v", k)
	}
	if hex.EncodeToString(k.MAC) != "2bf19b015f627a69c6508675f5f59050e4abcca4c0bfdcd5"[8:] {
		t.Errorf("MAC %x", k.MAC)
	}
	if sp, kind, ok := m.AuthField(); !ok || kind != PayloadKEMAC || sp.Offset != k.MACOffset || sp.Length != 20 {
		t.Errorf("AuthField = %v %v %v", sp, kind, ok)
	}
	checkTree(t, m)

	km, err = ParseKeyMgmtAttribute(answer)
	if err != nil {
		t.Fatal(err)
	}
	m, err = Parse(km.Data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.DataType != DataTypePSKVerify || string(m.IDs()[0].Data) != "mickey@mouse.com" {
		t.Errorf("answer header %+v", m.Header)
	}
	v := m.V()
	if v == nil || v.AuthAlg != MACHMACSHA1160 || hex.EncodeToString(v.VerData) != "9fc1dd184e413035c522e18481afbad80818e5c7" ||
		v.VerDataOffset != len(km.Data)-20 {
		t.Errorf("V = %+v", v)
	}
	checkTree(t, m)
}
