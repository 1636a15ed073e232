package mikey

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
)

// spParams builds SP parameters from type, value pairs: a negative value
// is empty, a large one takes 2 or 4 bytes; parameter i is at offset
// 100+3i.
func spParams(kv ...int) []SPParam {
	var ps []SPParam
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		var b []byte
		switch {
		case v < 0: // empty value
		case v > 0xffff:
			b = []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
		case v > 0xff:
			b = []byte{byte(v >> 8), byte(v)}
		default:
			b = []byte{byte(v)}
		}
		ps = append(ps, SPParam{Type: SPParamType(kv[i]), Value: b, Offset: 100 + 3*i})
	}
	return ps
}

// TestSPPayloadSRTP describes SP payloads: the notes, the errors and the
// values that matter. analysis's TestSRTPPolicyBridge maps the same rows
// to srtp.Policy, with the policies srtp.PolicyFromMIKEY gave.
func TestSPPayloadSRTP(t *testing.T) {
	tests := []struct {
		name   string
		params []SPParam
		check  func(t *testing.T, d SRTPPolicy)
		notes  []NoteCode
		err    bool
	}{
		{name: "empty: RFC 3830 defaults", check: func(t *testing.T, d SRTPPolicy) {
			if d != DefaultSRTPPolicy() {
				t.Errorf("%+v, want the defaults", d)
			}
		}},
		{name: "ONVIF AES_CM_128_HMAC_SHA1_80",
			params: spParams(0, 1, 1, 16, 2, 1, 3, 20, 4, 14, 5, 0, 7, 1, 8, 1, 10, 1, 11, 10),
			check: func(t *testing.T, d SRTPPolicy) {
				if d != DefaultSRTPPolicy() {
					t.Errorf("%+v, want the defaults", d)
				}
			}},
		{name: "GStreamer 3=10 without 11", params: spParams(0, 1, 1, 16, 2, 1, 3, 10, 7, 1, 8, 1, 10, 1),
			notes: []NoteCode{NoteAuthKeyLenIsTagLen},
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPAuthKeyLen != 20 || d.SRTPTagLen != 10 {
					t.Errorf("auth key length %d, tag %d", d.SRTPAuthKeyLen, d.SRTPTagLen)
				}
			}},
		{name: "3=4 without 11: 32-bit tag", params: spParams(3, 4),
			notes: []NoteCode{NoteAuthKeyLenIsTagLen},
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPTagLen != 4 || d.SRTPAuthKeyLen != 20 {
					t.Errorf("tag %d, auth key length %d", d.SRTPTagLen, d.SRTPAuthKeyLen)
				}
			}},
		// srtp.PolicyFromMIKEY made no note here; analysis reported
		// mikey.tag-length-as-auth-key-length all the same, now from this
		// note.
		{name: "3=10 with 11=4 is a real key length", params: spParams(3, 10, 11, 4),
			notes: []NoteCode{NoteAuthKeyLenTagSized},
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPAuthKeyLen != 10 || d.SRTPTagLen != 4 {
					t.Errorf("auth key length %d, tag %d", d.SRTPAuthKeyLen, d.SRTPTagLen)
				}
			}},
		{name: "3=10 with NULL authentication", params: spParams(2, 0, 3, 10),
			notes: []NoteCode{NoteAuthKeyLenTagSized},
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPAuthKeyLen != 0 || d.SRTPTagLen != 0 {
					t.Errorf("auth key length %d, tag %d", d.SRTPAuthKeyLen, d.SRTPTagLen)
				}
			}},
		{name: "AES-256", params: spParams(1, 32), check: func(t *testing.T, d SRTPPolicy) {
			if d.KeyLen != 32 || d.SaltLen != 14 {
				t.Errorf("key %d salt %d", d.KeyLen, d.SaltLen)
			}
		}},
		{name: "AES-192 32-bit", params: spParams(1, 24, 11, 4), check: func(t *testing.T, d SRTPPolicy) {
			if d.KeyLen != 24 || d.SRTPTagLen != 4 || d.SRTCPTagLen != 4 {
				t.Errorf("key %d tags %d/%d", d.KeyLen, d.SRTPTagLen, d.SRTCPTagLen)
			}
		}},
		{name: "f8", params: spParams(0, 2), check: func(t *testing.T, d SRTPPolicy) {
			if d.Encr != SRTPEncrAESF8 {
				t.Errorf("encryption %v", d.Encr)
			}
		}},
		{name: "NULL cipher, encryption off", params: spParams(0, 0, 7, 0, 8, 0), check: func(t *testing.T, d SRTPPolicy) {
			if d.Encr != SRTPEncrNULL || d.SRTPEncryption || d.SRTCPEncryption || !d.SRTPAuthentication {
				t.Errorf("%+v", d)
			}
		}},
		{name: "SRTP auth off", params: spParams(10, 0), check: func(t *testing.T, d SRTPPolicy) {
			if d.SRTPAuthentication || d.SRTPAuthAlg != SRTPAuthHMACSHA1 {
				t.Errorf("%+v", d)
			}
		}},
		{name: "KDR 2^16", params: spParams(6, 65536), check: func(t *testing.T, d SRTPPolicy) {
			if d.KDR != 65536 {
				t.Errorf("KDR %d", d.KDR)
			}
		}},
		{name: "MCPTT AES-GCM", params: spParams(0, 6, 1, 16, 4, 12, 20, 16), check: func(t *testing.T, d SRTPPolicy) {
			if d.Encr != SRTPEncrAESGCM || d.KeyLen != 16 || d.SaltLen != 12 || d.AEADTagLen != 16 ||
				d.SRTPAuthAlg != SRTPAuthNULL || d.SRTCPAuthAlg != SRTPAuthNULL || d.SRTPTagLen != 0 || d.SRTCPTagLen != 0 {
				t.Errorf("%+v", d)
			}
		}},
		{name: "AES-GCM 256 defaults", params: spParams(0, 6, 1, 32),
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SaltLen != 12 || d.AEADTagLen != 16 || d.KeyLen != 32 {
					t.Errorf("salt %d tag %d key %d", d.SaltLen, d.AEADTagLen, d.KeyLen)
				}
			}},
		{name: "AES-GCM with HMAC", params: spParams(0, 6, 2, 1), notes: []NoteCode{NoteAuthWithAEAD},
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPAuthAlg != SRTPAuthNULL || d.AuthAlg != SRTPAuthHMACSHA1 {
					t.Errorf("authentication %v (type 2 %v)", d.SRTPAuthAlg, d.AuthAlg)
				}
			}},
		{name: "RCCm2 via type 14 only for SRTP", params: spParams(2, 1, 14, 3, 13, 10, 18, 14),
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPAuthAlg != SRTPAuthRCCm2 || d.SRTPTagLen != 14 || d.ROCRate != 10 {
					t.Errorf("SRTP auth %v tag %d R %d", d.SRTPAuthAlg, d.SRTPTagLen, d.ROCRate)
				}
				if d.SRTCPAuthAlg != SRTPAuthHMACSHA1 || d.SRTCPTagLen != 10 {
					t.Errorf("SRTCP auth %v tag %d", d.SRTCPAuthAlg, d.SRTCPTagLen)
				}
			}},
		{name: "RCCm3 with GCM", params: spParams(0, 6, 2, 4, 13, 5), check: func(t *testing.T, d SRTPPolicy) {
			if d.SRTPAuthAlg != SRTPAuthRCCm3 || d.SRTPTagLen != 4 || d.SRTPAuthKeyLen != 0 || d.ROCRate != 5 || d.SRTCPAuthAlg != SRTPAuthNULL {
				t.Errorf("%+v", d)
			}
		}},
		{name: "specific tag lengths 18/19 beat 11", params: spParams(11, 10, 18, 4, 19, 10),
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTPTagLen != 4 || d.SRTCPTagLen != 10 {
					t.Errorf("tags %d/%d", d.SRTPTagLen, d.SRTCPTagLen)
				}
			}},
		{name: "SRTCP-specific auth key length", params: spParams(16, 20, 17, 32),
			check: func(t *testing.T, d SRTPPolicy) {
				if d.SRTCPAuthKeyLen != 32 || d.SRTPAuthKeyLen != 20 {
					t.Errorf("auth key lengths %d/%d", d.SRTPAuthKeyLen, d.SRTCPAuthKeyLen)
				}
			}},
		{name: "unknown, duplicate, odd on/off, FEC", params: spParams(40, 1, 1, 16, 1, 32, 7, 2, 9, 1),
			notes: []NoteCode{NoteUnknownParam, NoteDuplicateParam, NoteFECOrder, NoteOnOffValue},
			check: func(t *testing.T, d SRTPPolicy) {
				if d.KeyLen != 32 || !d.SRTPEncryption || d.FECOrder != 1 {
					t.Errorf("%+v", d)
				}
			}},
		{name: "SEED-CTR unsupported", params: spParams(0, 3), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "ARIA PRF unsupported", params: spParams(5, 2), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "prefix length unsupported", params: spParams(12, 4), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "authentication 5 unsupported", params: spParams(14, 5), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "empty value", params: spParams(1, -1), notes: []NoteCode{NoteBadValue}, err: true},
		{name: "ROC rate 0", params: spParams(2, 3, 13, 0), notes: []NoteCode{NoteBadValue}, err: true},
		{name: "salt length 65", params: spParams(4, 65), notes: []NoteCode{NoteBadValue}, err: true},
		// srtp refuses the next two (Policy.Validate); the description has
		// no error of its own.
		{name: "KDR not a power of two", params: spParams(6, 3), notes: []NoteCode{NoteBadValue}},
		{name: "key length 20", params: spParams(1, 20)},
		// Every parameter is read after the first error.
		{name: "SEED-CTR and GStreamer 3=10", params: spParams(0, 3, 3, 10),
			notes: []NoteCode{NoteUnsupported, NoteAuthKeyLenIsTagLen}, err: true,
			check: func(t *testing.T, d SRTPPolicy) {
				if d.Encr != 3 || d.SRTPTagLen != 10 {
					t.Errorf("%+v", d)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sp := &SPPayload{Prot: ProtSRTP, Params: tc.params}
			d, notes, err := sp.SRTP()
			if tc.err != (err != nil) {
				t.Fatalf("err = %v", err)
			}
			var pe *SRTPPolicyError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("error %v is not an SRTPPolicyError", err)
			}
			if len(notes) != len(tc.notes) {
				t.Fatalf("notes %+v, want %v", notes, tc.notes)
			}
			for i, n := range notes {
				if n.Code != tc.notes[i] || n.Text == "" {
					t.Errorf("note %d: %+v, want %s", i, n, tc.notes[i])
				}
				if n.Offset < 100 {
					t.Errorf("note %d has no parameter offset: %+v", i, n)
				}
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

// TestSPPayloadSRTPErrors: the words of each error, which analysis puts
// after srtp.ErrPolicy (as srtp.PolicyFromMIKEY wrote them).
func TestSPPayloadSRTPErrors(t *testing.T) {
	for _, tc := range []struct {
		sp   *SPPayload
		want string
	}{
		{&SPPayload{Prot: ProtSRTP, Params: spParams(0, 3)}, "encryption algorithm SEED-CTR (3)"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(5, 2)}, "SRTP PRF ARIA-CTR (2)"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(12, 4)}, "SRTP prefix length 4 (RFC 3711 §4.2: 0 for HMAC-SHA1)"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(1, -1)}, "SP Session Encr. key length value of 0 bytes at offset 100"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(2, 3, 13, 0)}, "ROC transmission rate 0"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(1, 65)}, "SP Session Encr. key length = 65 at offset 100"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(2, 9)}, "authentication algorithm 9"},
		{&SPPayload{Prot: ProtSRTP, Params: spParams(0, 3, 5, 2)}, "encryption algorithm SEED-CTR (3)"}, // the first
		{&SPPayload{PolicyNo: 2, Prot: 1}, "SP payload policy 2 is for " + ProtType(1).String() + ", not SRTP"},
	} {
		_, _, err := tc.sp.SRTP()
		var pe *SRTPPolicyError
		if !errors.As(err, &pe) || pe.Reason != tc.want {
			t.Errorf("%v: error %v, want %q", tc.sp.Params, err, tc.want)
		}
	}
	if d, notes, err := (*SPPayload)(nil).SRTP(); d != DefaultSRTPPolicy() || notes != nil || err != nil {
		t.Errorf("nil payload: %+v %v %v", d, notes, err)
	}
}

// TestSPPayloadSRTPRealMessages describes the SP payload of every collected
// MIKEY message (/work/shared/vectors).
func TestSPPayloadSRTPRealMessages(t *testing.T) {
	f, err := os.Open("/work/shared/vectors/mikey-messages.jsonl")
	if err != nil {
		t.Skipf("shared vectors not available: %v", err)
	}
	defer f.Close()
	want := map[string]NoteCode{
		"gortsplib-a": NoteAuthKeyLenIsTagLen, "gortsplib-b": NoteAuthKeyLenIsTagLen, "gortsplib-c": NoteAuthKeyLenIsTagLen,
		"gortsplib-keymgmt-rtsps": NoteAuthKeyLenIsTagLen, "tsitle-gstreamer-auth-key-len-10": NoteAuthKeyLenIsTagLen,
	}
	seen := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct{ Name, Hex string }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		raw, err := hex.DecodeString(v.Hex)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			continue // the codec's tests cover messages it rejects
		}
		for _, sp := range m.SP() {
			d, notes, err := sp.SRTP()
			if err != nil {
				t.Errorf("%s: %v", v.Name, err)
				continue
			}
			seen++
			var codes []NoteCode
			for _, n := range notes {
				codes = append(codes, n.Code)
			}
			if w, ok := want[v.Name]; ok {
				if len(codes) != 1 || codes[0] != w {
					t.Errorf("%s: notes %v, want %s", v.Name, codes, w)
				}
			} else if len(codes) != 0 {
				t.Errorf("%s: unexpected notes %+v", v.Name, notes)
			}
			// AES_CM_128_HMAC_SHA1_80, everything on.
			if d.Encr != SRTPEncrAESCM || d.KeyLen != 16 || d.SRTPAuthAlg != SRTPAuthHMACSHA1 || d.SRTPTagLen != 10 ||
				!d.SRTPEncryption || !d.SRTCPEncryption || !d.SRTPAuthentication || d.KDR != 0 {
				t.Errorf("%s: policy %+v", v.Name, d)
			}
		}
	}
	if seen < 8 {
		t.Errorf("only %d SP payloads mapped", seen)
	}
}

// The GStreamer layout: the session auth key length holds the tag length.
func ExampleSPPayload_SRTP() {
	sp := &SPPayload{Prot: ProtSRTP, Params: []SPParam{
		{Type: SPEncrAlg, Value: []byte{1}},
		{Type: SPAuthKeyLen, Value: []byte{10}}, // GStreamer quirk: a tag length
	}}
	d, notes, err := sp.SRTP()
	if err != nil {
		panic(err)
	}
	for _, n := range notes {
		fmt.Println("note:", n.Code)
	}
	fmt.Println(d.Encr, d.KeyLen, d.SaltLen, d.SRTPAuthAlg, d.SRTPAuthKeyLen, d.SRTPTagLen)
	// Output:
	// note: auth-key-len-is-tag-len
	// AES-CM 16 14 HMAC-SHA-1 20 10
}

// TestPolicyLengths: the master key and salt lengths of a crypto session
// are its SP payload description's.
func TestPolicyLengths(t *testing.T) {
	sp := func(no uint8, prot ProtType, kv ...int) *SPPayload {
		return &SPPayload{PolicyNo: no, Prot: prot, Params: spParams(kv...)}
	}
	for _, tc := range []struct {
		name      string
		sps       []*SPPayload
		no        uint8
		key, salt int
		found     bool
	}{
		{"no SP payload", nil, 0, 16, 14, false},
		{"other policy number", []*SPPayload{sp(1, ProtSRTP, 1, 32)}, 0, 16, 14, false},
		{"not SRTP", []*SPPayload{sp(0, 1, 1, 32)}, 0, 16, 14, false},
		{"defaults", []*SPPayload{sp(0, ProtSRTP)}, 0, 16, 14, true},
		{"AES-256", []*SPPayload{sp(0, ProtSRTP, 1, 32)}, 0, 32, 14, true},
		{"AES-GCM salt", []*SPPayload{sp(0, ProtSRTP, 0, 6, 1, 32)}, 0, 32, 12, true},
		{"salt given", []*SPPayload{sp(0, ProtSRTP, 0, 6, 4, 14)}, 0, 16, 14, true},
		{"key length 0 keeps the default", []*SPPayload{sp(0, ProtSRTP, 1, 0)}, 0, 16, 14, true},
		{"out of range keeps the default", []*SPPayload{sp(0, ProtSRTP, 1, 65, 4, 65)}, 0, 16, 14, true},
		{"unusable policy still has lengths", []*SPPayload{sp(0, ProtSRTP, 0, 3, 1, 24)}, 0, 24, 14, true},
		{"second payload", []*SPPayload{nil, sp(1, ProtSRTP), sp(2, ProtSRTP, 1, 24, 4, 12)}, 2, 24, 12, true},
	} {
		key, salt, found := policyLengths(tc.sps, tc.no)
		if key != tc.key || salt != tc.salt || found != tc.found {
			t.Errorf("%s: %d, %d, %v; want %d, %d, %v", tc.name, key, salt, found, tc.key, tc.salt, tc.found)
		}
	}
}
