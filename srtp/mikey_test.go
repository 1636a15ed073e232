package srtp

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/mikeyscope/mikeyscope/mikey"
)

func spParams(kv ...int) []mikey.SPParam {
	var ps []mikey.SPParam
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
		ps = append(ps, mikey.SPParam{Type: mikey.SPParamType(kv[i]), Value: b, Offset: 100 + 3*i})
	}
	return ps
}

func TestPolicyFromMIKEY(t *testing.T) {
	tests := []struct {
		name   string
		params []mikey.SPParam
		want   string // Policy.String()
		check  func(t *testing.T, p Policy)
		notes  []NoteCode
		err    bool
	}{
		{name: "empty: RFC 3830 defaults", want: "AES_CM_128_HMAC_SHA1_80"},
		{name: "ONVIF AES_CM_128_HMAC_SHA1_80",
			params: spParams(0, 1, 1, 16, 2, 1, 3, 20, 4, 14, 5, 0, 7, 1, 8, 1, 10, 1, 11, 10),
			want:   "AES_CM_128_HMAC_SHA1_80"},
		{name: "GStreamer 3=10 without 11", params: spParams(0, 1, 1, 16, 2, 1, 3, 10, 7, 1, 8, 1, 10, 1),
			want: "AES_CM_128_HMAC_SHA1_80", notes: []NoteCode{NoteAuthKeyLenIsTagLen},
			check: func(t *testing.T, p Policy) {
				if p.AuthKeyLen != 20 {
					t.Errorf("auth key length %d", p.AuthKeyLen)
				}
			}},
		{name: "3=4 without 11: 32-bit tag", params: spParams(3, 4), want: "AES_CM_128_HMAC_SHA1_32",
			notes: []NoteCode{NoteAuthKeyLenIsTagLen}},
		{name: "3=10 with 11=4 is a real key length", params: spParams(3, 10, 11, 4), want: "AES_CM_128_HMAC_SHA1_32",
			check: func(t *testing.T, p Policy) {
				if p.AuthKeyLen != 10 {
					t.Errorf("auth key length %d", p.AuthKeyLen)
				}
			}},
		{name: "AES-256", params: spParams(1, 32), want: "AES_256_CM_HMAC_SHA1_80"},
		{name: "AES-192 32-bit", params: spParams(1, 24, 11, 4), want: "AES_192_CM_HMAC_SHA1_32"},
		{name: "f8", params: spParams(0, 2), want: "F8_128_HMAC_SHA1_80"},
		{name: "NULL cipher, encryption off", params: spParams(0, 0, 7, 0, 8, 0), want: "NULL_HMAC_SHA1_80,UNENCRYPTED_SRTP,UNENCRYPTED_SRTCP"},
		{name: "SRTP auth off", params: spParams(10, 0), want: "AES_CM_128_HMAC_SHA1_80,UNAUTHENTICATED_SRTP"},
		{name: "KDR 2^16", params: spParams(6, 65536), want: "AES_CM_128_HMAC_SHA1_80,KDR=65536"},
		{name: "MCPTT AES-GCM", params: spParams(0, 6, 1, 16, 4, 12, 20, 16), want: "AEAD_AES_128_GCM"},
		{name: "AES-GCM 256 defaults", params: spParams(0, 6, 1, 32), want: "AEAD_AES_256_GCM",
			check: func(t *testing.T, p Policy) {
				if p.SaltLen != 12 || p.AEADTagLen != 16 {
					t.Errorf("salt %d tag %d", p.SaltLen, p.AEADTagLen)
				}
			}},
		{name: "AES-GCM with HMAC", params: spParams(0, 6, 2, 1), want: "AEAD_AES_128_GCM", notes: []NoteCode{NoteAuthWithAEAD}},
		{name: "RCCm2 via type 14 only for SRTP", params: spParams(2, 1, 14, 3, 13, 10, 18, 14),
			want: "AES_CM_128_RCCm2_112_R10",
			check: func(t *testing.T, p Policy) {
				if p.RTCPAuth != AuthHMACSHA1 || p.RTCPTagLen != 10 {
					t.Errorf("SRTCP auth %v tag %d", p.RTCPAuth, p.RTCPTagLen)
				}
			}},
		{name: "RCCm3 with GCM", params: spParams(0, 6, 2, 4, 13, 5), want: "AEAD_AES_128_GCM_RCCm3_32_R5"},
		{name: "specific tag lengths 18/19 beat 11", params: spParams(11, 10, 18, 4, 19, 10),
			want: "AES_CM_128_HMAC_SHA1_32",
			check: func(t *testing.T, p Policy) {
				if p.RTCPTagLen != 10 {
					t.Errorf("SRTCP tag %d", p.RTCPTagLen)
				}
			}},
		{name: "SRTCP-specific auth key length", params: spParams(16, 20, 17, 32), want: "AES_CM_128_HMAC_SHA1_80",
			check: func(t *testing.T, p Policy) {
				if p.RTCPAuthKeyLen != 32 || p.AuthKeyLen != 20 {
					t.Errorf("auth key lengths %d/%d", p.AuthKeyLen, p.RTCPAuthKeyLen)
				}
			}},
		{name: "unknown, duplicate, odd on/off, FEC", params: spParams(40, 1, 1, 16, 1, 32, 7, 2, 9, 1),
			want:  "AES_256_CM_HMAC_SHA1_80",
			notes: []NoteCode{NoteUnknownParam, NoteDuplicateParam, NoteFECOrder, NoteOnOffValue}},
		{name: "SEED-CTR unsupported", params: spParams(0, 3), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "ARIA PRF unsupported", params: spParams(5, 2), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "prefix length unsupported", params: spParams(12, 4), notes: []NoteCode{NoteUnsupported}, err: true},
		{name: "empty value", params: spParams(1, -1), notes: []NoteCode{NoteBadValue}, err: true},
		{name: "ROC rate 0", params: spParams(2, 3, 13, 0), notes: []NoteCode{NoteBadValue}, err: true},
		{name: "KDR not a power of two", params: spParams(6, 3), notes: []NoteCode{NoteBadValue}, err: true},
		{name: "key length 20", params: spParams(1, 20), err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, notes, err := PolicyFromMIKEY(tc.params)
			if tc.err != (err != nil) {
				t.Fatalf("err = %v", err)
			}
			if err != nil && !errors.Is(err, ErrPolicy) {
				t.Errorf("error %v is not ErrPolicy", err)
			}
			if len(notes) != len(tc.notes) {
				t.Fatalf("notes %+v, want %v", notes, tc.notes)
			}
			for i, n := range notes {
				if n.Code != tc.notes[i] || n.Text == "" {
					t.Errorf("note %d: %+v, want %s", i, n, tc.notes[i])
				}
				if n.Code != NoteUnknownParam && n.Offset < 100 {
					t.Errorf("note %d has no parameter offset: %+v", i, n)
				}
			}
			if err != nil {
				return
			}
			if got := p.String(); got != tc.want {
				t.Errorf("policy %s, want %s", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

// TestPolicyFromRealMessages maps the SP payload of every collected MIKEY
// message (/work/shared/vectors, parsed by the mikey package).
func TestPolicyFromRealMessages(t *testing.T) {
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
		m, err := mikey.Parse(raw)
		if err != nil {
			continue // the codec's tests cover messages it rejects
		}
		for _, sp := range m.SP() {
			p, notes, err := PolicyFromSP(sp)
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
			if p.String() != "AES_CM_128_HMAC_SHA1_80" {
				t.Errorf("%s: policy %s", v.Name, p)
			}
		}
	}
	if seen < 8 {
		t.Errorf("only %d SP payloads mapped", seen)
	}
}
