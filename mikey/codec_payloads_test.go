package mikey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// hx decodes hex written by hand from the RFC layouts: whitespace is
// ignored and "//" starts a comment running to the end of the line.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	var sb strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		sb.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(sb.String())
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// hdr is a 10-byte common header (RFC 3830 §6.1): version 1, the data type,
// the first payload, V=0 PRF 0, CSB ID 0x12345678, #CS 0, map type 1 (Empty
// map, RFC 4563 §5), no map info.
func hdr(dataType, next string) string {
	return "01 " + dataType + " " + next + " 00 12345678 00 01 // HDR\n"
}

var rep = strings.Repeat

type payloadCase struct {
	name  string
	in    string
	check func(t *testing.T, m *Message)
}

var payloadCases = []payloadCase{
	{"HDR SRTP-ID map, V, PRF-HMAC-SHA-256", `
		01 00 00 81 // version 1, Pre-shared, next Last, V=1 PRF=1
		cafebabe    // CSB ID
		02 00       // #CS 2, SRTP-ID
		01 11111111 00000005 // policy 1, SSRC, ROC 5
		02 22222222 00000000`,
		func(t *testing.T, m *Message) {
			h := m.Header
			if !h.V || h.PRF != PRFFuncHMACSHA256 || h.CSBID != 0xcafebabe || len(h.SRTPMap) != 2 ||
				h.SRTPMap[0] != (SRTPCS{1, 0x11111111, 5}) || h.SRTPMap[1] != (SRTPCS{2, 0x22222222, 0}) || h.Length != 28 {
				t.Errorf("%+v", h)
			}
		}},
	{"HDR GENERIC-ID map (RFC 6043 §6.1.1)", `
		01 0e 00 00 00000001 01 02 // TRANSFER_INIT, #CS 1, GENERIC-ID
		07 00 82 01 02     // CS ID 7, SRTP, S=1 #P=2, policies 1 2
		000a 0a0b0c0d 00000003 0102 // session data: SSRC, ROC 3, SEQ 0x102
		04 deadbeef        // SPI`,
		func(t *testing.T, m *Message) {
			h := m.Header
			if h.DataType != DataTypeTransferInit || len(h.GenericMap) != 1 {
				t.Fatalf("%+v", h)
			}
			g := h.GenericMap[0]
			ssrc, roc, seq, ok := g.SRTPSession()
			if g.CSID != 7 || !g.S || !bytes.Equal(g.Policies, []byte{1, 2}) || !ok || ssrc != 0x0a0b0c0d || roc != 3 || seq != 0x102 ||
				hex.EncodeToString(g.SPI) != "deadbeef" {
				t.Errorf("%+v", g)
			}
		}},
	{"PKE", hdr("02", "02") + `
		00 4005 0102030405 // next Last, C=1 (Cache), len 5`,
		func(t *testing.T, m *Message) {
			p := m.PKE()
			if p == nil || p.Cache != 1 || hex.EncodeToString(p.Data) != "0102030405" || p.Offset != 10 || p.Length != 8 {
				t.Errorf("%+v", p)
			}
		}},
	{"DH with SPI, then SIGN ECCSI", hdr("04", "03") + `
		04 01 ` + rep("5a", 96) + ` // next SIGN, OAKLEY 1: 96-byte value
		01 02 aabb                  // reserved 0, KV SPI, SPI len 2
		2003 010203                 // SIGN: S type 2 (ECCSI), len 3`,
		func(t *testing.T, m *Message) {
			d, s := m.DH(), m.SIGN()
			if d == nil || d.Group != DHOakley1 || len(d.Value) != 96 || d.KV != KVSPI || hex.EncodeToString(d.SPI) != "aabb" {
				t.Errorf("DH %+v", d)
			}
			if s == nil || s.SType != SignECCSI || hex.EncodeToString(s.Signature) != "010203" || s.SignatureOffset != 10+102+2 {
				t.Errorf("SIGN %+v", s)
			}
			if sp, kind, ok := m.AuthField(); !ok || kind != PayloadSIGN || sp.Offset != 114 || sp.Length != 3 {
				t.Errorf("AuthField %v %v %v", sp, kind, ok)
			}
		}},
	{"SIGN RSA/PKCS#1 then RSA-PSS type", hdr("02", "04") + `
		1004 01020304 // S type 1 (RSA/PSS), len 4`,
		func(t *testing.T, m *Message) {
			if s := m.SIGN(); s == nil || s.SType != SignRSAPSS || len(s.Signature) != 4 {
				t.Errorf("%+v", s)
			}
		}},
	{"T NTP, COUNTER, NTP-UTC-32", hdr("00", "05") + `
		05 01 c8e350ea80000000 // NTP
		05 02 0000002a         // COUNTER 42
		00 03 c8e350ea         // NTP-UTC-32`,
		func(t *testing.T, m *Message) {
			var ts []*TPayload
			for _, p := range m.Payloads {
				ts = append(ts, p.(*TPayload))
			}
			if len(ts) != 3 || ts[0].TSType != TSTypeNTP || ts[0].Value != 0xc8e350ea80000000 ||
				ts[1].TSType != TSTypeCounter || ts[1].Value != 42 || ts[2].TSType != TSTypeNTPUTC32 || ts[2].Value != 0xc8e350ea {
				t.Errorf("%+v %+v %+v", ts[0], ts[1], ts[2])
			}
		}},
	{"ID URI, CERT URL, CHASH SHA-256, V HMAC-SHA-256", hdr("03", "06") + `
		07 01 0007 7369703a61406b  // ID URI "sip:a@k"
		08 01 0008 687474703a2f2f78 // CERT X.509v3 URL "http://x"
		09 02 ` + rep("11", 32) + ` // CHASH SHA-256
		00 02 ` + rep("22", 32) + ` // V HMAC-SHA-256-256`,
		func(t *testing.T, m *Message) {
			id, c := m.IDs()[0], m.CERTs()[0]
			ch := m.Payload(PayloadCHASH).(*CHASHPayload)
			v := m.V()
			if id.IDType != IDURI || string(id.Data) != "sip:a@k" || c.CertType != 1 || string(c.Data) != "http://x" ||
				ch.Func != 2 || len(ch.Hash) != 32 || v.AuthAlg != MACHMACSHA256256 || len(v.VerData) != 32 || v.VerDataOffset != len(m.Raw)-32 {
				t.Errorf("%+v %+v %+v %+v", id, c, ch, v)
			}
		}},
	{"SP SRTP AES-GCM (RFC 7714) and TESLA", hdr("00", "0a") + `
		0a 01 00 000c     // policy 1, SRTP, 12 bytes
		00 01 06          // encryption AES-GCM
		01 01 10          // key length 16
		04 01 0c          // salt length 12
		14 01 10          // AEAD tag length 16
		00 02 01 0003 0d 01 05 // policy 2, TESLA, one param (type 13)`,
		func(t *testing.T, m *Message) {
			sps := m.SP()
			if len(sps) != 2 || spString(sps[0]) != "0=6,1=16,4=12,20=16" || sps[1].Prot != ProtTESLA || sps[1].PolicyNo != 2 {
				t.Fatalf("%+v", sps)
			}
			if p, ok := sps[0].Param(SPAEADAuthTagLen); !ok || p.Offset != 10+5+9 {
				t.Errorf("param 20 %+v", p)
			}
			if m.PolicyFor(2) != sps[1] {
				t.Error("PolicyFor")
			}
		}},
	{"RAND and ERR chain", hdr("06", "0b") + `
		0c 04 01020304 // RAND len 4
		0c 00 0000     // ERR Auth failure
		00 0d 0000     // ERR Unsupported message type (RFC 4738)`,
		func(t *testing.T, m *Message) {
			errs := m.ERR()
			if len(errs) != 2 || errs[0].Code != 0 || errs[1].Code != 13 || errs[0].Code.Description() != "Authentication failure" ||
				len(m.RAND().Rand) != 4 {
				t.Errorf("%+v", errs)
			}
		}},
	{"KEMAC NULL with four Key data types and every KV", hdr("00", "01") + `
		00 00 0028           // KEMAC: next Last, NULL, 40 bytes
		14 12 0002 aaaa 0002 bbbb 02 0001 03 000002 // TGK+SALT, KV Interval: VF 0001, VT 000002
		14 30 0002 cccc 0001 dd                    // TEK+SALT, KV Null
		14 61 0001 ee 01 07                        // MPK, KV SPI 07
		00 40 0003 ffffff                          // GTGK, KV Null, last
		00                   // MAC alg NULL`,
		func(t *testing.T, m *Message) {
			k := m.KEMAC()
			if k == nil || len(k.KeyData) != 4 {
				t.Fatalf("%+v", k)
			}
			kd := k.KeyData
			if kd[0].Type != KeyTGKSalt || kd[0].KV != KVInterval || hex.EncodeToString(kd[0].Salt) != "bbbb" ||
				hex.EncodeToString(kd[0].ValidFrom) != "0001" || hex.EncodeToString(kd[0].ValidTo) != "000002" {
				t.Errorf("kd0 %+v", kd[0])
			}
			if kd[1].Type != KeyTEKSalt || hex.EncodeToString(kd[1].Salt) != "dd" || kd[2].Type != KeyMPK ||
				hex.EncodeToString(kd[2].SPI) != "07" || kd[3].Type != KeyGTGK || len(kd[3].Key) != 3 {
				t.Errorf("%+v %+v %+v", kd[1], kd[2], kd[3])
			}
			if kd[0].Offset != 14 || kd[3].Offset+kd[3].Length != 14+40 {
				t.Errorf("offsets %d..%d", kd[0].Offset, kd[3].Offset+kd[3].Length)
			}
		}},
	{"KEMAC AES-KW with HMAC-SHA-256 MAC (DHHMAC style)", hdr("07", "01") + `
		00 02 0008 0102030405060708 // AES-KW-128, 8 bytes encrypted
		02 ` + rep("33", 32) + `   // HMAC-SHA-256-256`,
		func(t *testing.T, m *Message) {
			k := m.KEMAC()
			if k.EncrAlg != EncrAESKW128 || k.KeyData != nil || k.MACOffset != 10+13 || len(k.MAC) != 32 || m.Header.DataType != DataTypeDHHMACInit {
				t.Errorf("%+v", k)
			}
		}},
	{"General extensions", hdr("09", "15") + `
		15 00 0003 414243         // Vendor ID "ABC"
		15 01 0005 6d696b6579     // SDP IDs "mikey"
		15 03 0007 00 02 0102 02 01 ff // Key ID: MBMS Key Domain ID 0102, MBMS Transport Key ID ff
		15 04 0004 87654321       // CSB_ID (RFC 4738)
		15 05 0003 02 0a0b        // OMA BCAST STKM
		15 06 0008 00 01 02 0003 010203 // SAKKE-to-self: inner SAKKE payload
		00 c8 0001 99             // unknown type 200`,
		func(t *testing.T, m *Message) {
			g := m.GenExts()
			if len(g) != 7 || string(g[0].Data) != "ABC" || string(g[1].Data) != "mikey" || g[6].ExtType != 200 {
				t.Fatalf("%+v", g)
			}
			kids, err := g[2].KeyIDs()
			if err != nil || len(kids) != 2 || kids[0].Type != 0 || hex.EncodeToString(kids[0].ID) != "0102" || kids[1].Type != 2 {
				t.Errorf("Key IDs %+v %v", kids, err)
			}
			s, err := g[5].SAKKEToSelf()
			if err != nil || s.Params != 1 || s.IDScheme != 2 || hex.EncodeToString(s.Data) != "010203" || s.DataOffset != g[5].Offset+9 {
				t.Errorf("SAKKE-to-self %+v %v", s, err)
			}
			if GenExtType(200).String() != "unknown (200)" {
				t.Error(GenExtType(200).String())
			}
		}},
	{"TR, IDR (every role), RANDR", hdr("0b", "0d") + `
		0e 03 03 c8e350ea // TR: End of validity, NTP-UTC-32
		0e 01 00 0001 61  // IDRi NAI "a"
		0e 02 01 0001 62  // IDRr URI "b"
		0e 03 02 0001 63  // IDRkms byte string
		0e 04 02 0001 64  // IDRpsk
		0e 05 02 0001 65  // IDRapp
		0e 06 01 0001 66  // IDRkmsi
		0f 07 01 0001 67  // IDRkmsr
		00 01 02 abcd     // RANDRi`,
		func(t *testing.T, m *Message) {
			tr := m.TRs()
			if len(tr) != 1 || tr[0].Role != 3 || tr[0].TSType != TSTypeNTPUTC32 || tr[0].Value != 0xc8e350ea {
				t.Errorf("TR %+v", tr)
			}
			idrs := m.IDRs()
			for i, p := range idrs {
				if p.Role != IDRole(i+1) || p.Data[0] != byte('a'+i) {
					t.Errorf("IDR %d %+v", i, p)
				}
			}
			if len(idrs) != 7 || m.IDR(RoleResponderKMS) != idrs[6] || IDRole(7).String() != "Responder's KMS (IDRkmsr)" {
				t.Errorf("IDRs %d", len(idrs))
			}
			r := m.RANDRs()
			if len(r) != 1 || r[0].Role != 1 || hex.EncodeToString(r[0].Rand) != "abcd" {
				t.Errorf("RANDR %+v", r)
			}
		}},
	{"TP and TICKET (RFC 6043 §6.10) with nested payloads", hdr("0b", "10") + `
		11 0001 01 01     // TP: MIKEY base ticket, subtype 1, version 1
		03 20 01          // PRF 1, flags D (bit 11) and O (bit 0): 0000001 100000000001 00001
		000a              // TP data length 10
		0e 0d 00 03 c8e350ea // first payload IDR... no: first = TR (0x0d)? see below
		00 0001 02        // unused by TP
		00 0001 01 01 000000 0000 // TICKET policy, empty TP data
		0003 a1a2a3       // Ticket data
		0000              // no Initiator data`,
		nil}, // replaced in init with a checked version
	{"SAKKE I_MESSAGE (RFC 6509, 3GPP MCPTT layout)", `
		01 1a 05 01 10000001 01 02 // SAKKE msg, next T, PRF 1, CSB ID with purpose 1 (PCK), #CS 1, GENERIC-ID
		01 00 00 0000 00           // CS 1 SRTP, no policies, no session data, no SPI
		0b 00 c8e350ea00000000     // T NTP-UTC
		0e 04 aabbccdd             // RAND
		0e 01 01 0003 612e62       // IDRi URI
		0e 02 01 0003 632e64       // IDRr
		0e 06 01 0001 6b           // IDRkmsi
		1a 07 01 0001 6b           // IDRkmsr, next SAKKE
		04 01 01 0004 04deadbe     // SAKKE: params 1, ID scheme 1, 4 bytes
		2005 0102030405            // SIGN ECCSI, 5 bytes`,
		func(t *testing.T, m *Message) {
			h := m.Header
			if h.DataType != DataTypeSAKKE || h.DataType.String() != "SAKKE" || h.KeyPurpose().String() != "PCK" {
				t.Errorf("%+v", h)
			}
			s := m.SAKKE()
			if s == nil || s.Params != 1 || s.IDScheme != 1 || hex.EncodeToString(s.Data) != "04deadbe" || m.SIGN().SType != SignECCSI {
				t.Errorf("%+v", s)
			}
		}},
}

func init() {
	// The TP/TICKET case, hand-built field by field (RFC 6043 §6.10):
	// flags word = PRF(7) D..O(12) Res(5): PRF 1, D and O set, Res 1
	// = 0000001 1 0000000000 1 00001 = 0x030021.
	for i := range payloadCases {
		if payloadCases[i].check != nil {
			continue
		}
		payloadCases[i].in = hdr("0b", "10") + `
			11 0001 01 01 030021 // TP: next TICKET, MIKEY base ticket, subtype 1, version 1, flags
			000d                 // TP Data length 13
			0d                   // first payload TR
			0e 02 03 c8e350ea    // TR: start of validity, NTP-UTC-32, next IDR
			00 01 02 0000        // IDRi byte string, empty, last
			00 0002 01 01 000000 // TICKET: next Last, 3GPP base ticket
			0000                 // empty TP Data
			0003 a1a2a3          // Ticket Data
			0003 09 00 00        // Initiator Data: first payload V; V: next Last, auth alg NULL`
		payloadCases[i].check = func(t *testing.T, m *Message) {
			tp, tk := m.TP(), m.TICKET()
			if tp == nil || tp.TicketType != 1 || tp.PRF != 1 || tp.Flags != TicketFlagD|TicketFlagO || tp.Reserved != 1 ||
				len(tp.TPPayloads) != 2 {
				t.Fatalf("TP %+v", tp)
			}
			if tr := tp.TPPayloads[0].(*TRPayload); tr.Role != 2 || tr.Offset != tp.TPDataOffset+1 {
				t.Errorf("nested TR %+v", tr)
			}
			if tk == nil || tk.TicketType != 2 || hex.EncodeToString(tk.TicketData) != "a1a2a3" || len(tk.InitiatorPayloads) != 1 {
				t.Fatalf("TICKET %+v", tk)
			}
		}
	}
}

func TestPayloadsDecode(t *testing.T) {
	for _, c := range payloadCases {
		t.Run(c.name, func(t *testing.T) {
			b := hx(t, c.in)
			m, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(m.Trailing) != 0 || len(m.Notes) != 0 {
				t.Errorf("trailing %x notes %v", m.Trailing, m.Notes)
			}
			c.check(t, m)
			out, err := m.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(out, b) {
				t.Errorf("Marshal(Parse(b)) != b\n got %x\nwant %x", out, b)
			}
			checkTree(t, m)
		})
	}
}

type errCase struct {
	name    string
	in      string
	offset  int
	payload string
	is      error
	decoded string // payload order that still decoded
}

var errCases = []errCase{
	{"empty", ``, 0, "HDR", ErrTruncated, ""},
	{"short header", `01 00 00 00 1234`, 4, "HDR", ErrTruncated, ""},
	{"SRTP map truncated", `01 00 00 00 12345678 02 00 00 11111111 00000000 01`, 10, "HDR", ErrTruncated, ""},
	{"unknown map type", `01 00 00 00 12345678 01 07 00`, 10, "HDR", ErrUnknownLength, ""},
	{"unknown payload type", hdr("00", "05") + `1e 00 c8e350ea00000000 // T then type 30`, 20, "unknown (30)", ErrUnknownPayload, "T"},
	{"Key data outside KEMAC", hdr("00", "14") + `00 20 0000`, 10, "Key data", ErrUnknownPayload, ""},
	{"KEMAC encr data past end", hdr("00", "05") + `01 00 c8e350ea00000000
		00 00 0030 0102 00`, 24, "KEMAC", ErrTruncated, "T"},
	{"KEMAC unknown MAC alg", hdr("00", "01") + `00 00 0000 07`, 15, "KEMAC", ErrUnknownLength, ""},
	{"KEMAC MAC truncated", hdr("00", "01") + `00 00 0000 01 0102`, 15, "KEMAC", ErrTruncated, ""},
	{"Key data length past encr data", hdr("00", "01") + `00 00 0006 00 20 0010 aabb 00`, 18, "Key data", ErrTruncated, ""},
	{"Key data unknown KV", hdr("00", "01") + `00 00 0006 00 2f 0002 aabb 00`, 20, "Key data", ErrUnknownLength, ""},
	{"Key data next payload not Key data", hdr("00", "01") + `00 00 0006 05 20 0002 aabb 00`, 14, "Key data", nil, ""},
	{"SP param past policy length", hdr("00", "0a") + `00 00 00 0003 00 05 01`, 17, "SP", ErrTruncated, ""},
	{"T unknown TS type", hdr("00", "05") + `00 09 00000000`, 12, "T", ErrUnknownLength, ""},
	{"DH unknown group", hdr("04", "03") + `00 09`, 12, "DH", ErrUnknownLength, ""},
	{"SIGN length past end", hdr("02", "04") + `0010 01`, 12, "SIGN", ErrTruncated, ""},
	{"ID length past end", hdr("00", "06") + `00 00 0009 61`, 14, "ID", ErrTruncated, ""},
	{"RAND length past end", hdr("00", "0b") + `00 10 0102`, 12, "RAND", ErrTruncated, ""},
	{"V unknown alg", hdr("01", "09") + `00 05`, 12, "V", ErrUnknownLength, ""},
	{"CHASH unknown func", hdr("02", "08") + `00 03`, 12, "CHASH", ErrUnknownLength, ""},
	{"next payload missing", hdr("00", "0b"), 10, "RAND", ErrTruncated, ""},
}

func TestParseErrors(t *testing.T) {
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			b := hx(t, c.in)
			m, err := Parse(b)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if pe.Offset != c.offset || pe.Payload != c.payload || (c.is != nil && !errors.Is(err, c.is)) {
				t.Errorf("err = %v (offset %d payload %q), want offset %d payload %q is %v", err, pe.Offset, pe.Payload, c.offset, c.payload, c.is)
			}
			if m == nil || payloadOrder(m) != c.decoded {
				t.Errorf("decoded %q, want %q", payloadOrder(m), c.decoded)
			}
			if !strings.Contains(err.Error(), "offset") {
				t.Errorf("error text %q does not name the offset", err)
			}
			m.Tree() // the partial tree renders without panicking
		})
	}
}

func TestTrailingBytes(t *testing.T) {
	b := hx(t, hdr("00", "00")+"00 00 00")
	m, err := Parse(b)
	if err != nil || len(m.Trailing) != 3 || m.TrailingOffset != 10 || len(m.Notes) != 1 || !strings.Contains(m.Notes[0].Text, "zero padding") {
		t.Errorf("zero padding: %v %+v", err, m)
	}
	b = hx(t, hdr("00", "00")+"07")
	m, err = Parse(b)
	if err != nil || len(m.Trailing) != 1 || m.Trailing[0] != 7 || len(m.Notes) != 1 || !strings.Contains(m.Notes[0].Text, "unexpected") {
		t.Errorf("non-zero trailing: %v %+v", err, m)
	}
	if tr := m.Tree(); tr.Children[len(tr.Children)-1].Name != "Trailing bytes" {
		t.Error("tree lacks the trailing bytes")
	}
}

func TestKEMACPaddingNote(t *testing.T) {
	b := hx(t, hdr("00", "01")+`
		00 00 0008 00 20 0002 aabb 0000 // KEMAC NULL: one TEK, then 2 zero bytes
		00                              // MAC alg NULL`)
	m, err := Parse(b)
	if err != nil || len(m.KEMAC().KeyData) != 1 || len(m.Notes) != 1 || m.Notes[0].Offset != 20 {
		t.Fatalf("%v %+v", err, m.Notes)
	}
	if out, _ := m.Marshal(); !bytes.Equal(out, b) {
		t.Errorf("round trip %x", out)
	}
}

func TestNestingLimit(t *testing.T) {
	// A TP payload whose TP Data is a TP payload, five levels deep.
	inner := []byte{}
	for i := 0; i < 5; i++ {
		tp := &TPPayload{TicketPolicy: TicketPolicy{TicketType: 1, TPData: inner}}
		b, err := MarshalNested([]Payload{tp})
		if err != nil {
			t.Fatal(err)
		}
		inner = b
	}
	m := &Message{Header: Header{MapType: MapEmpty}, Payloads: []Payload{&TPPayload{TicketPolicy: TicketPolicy{TPData: inner}}}}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(b); !errors.Is(err, ErrBadLength) || !strings.Contains(err.Error(), "nesting") {
		t.Errorf("err = %v", err)
	}
}
