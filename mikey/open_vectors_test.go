package mikey

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// readPublishedVectors reads testdata/mikey-messages.jsonl (a copy of
// /work/shared/vectors/mikey-messages.jsonl) into name -> bytes.
func readPublishedVectors(t testing.TB) map[string][]byte {
	t.Helper()
	f, err := os.Open("testdata/mikey-messages.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v struct{ Name, B64 string }
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		b, err := base64.StdEncoding.DecodeString(v.B64)
		if err != nil {
			t.Fatal(err)
		}
		out[v.Name] = b
	}
	return out
}

func parseVector(t testing.TB, vs map[string][]byte, name string) *Message {
	t.Helper()
	b, ok := vs[name]
	if !ok {
		t.Fatalf("no vector %s", name)
	}
	m, err := Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestOpenNULLVectors opens the MIKEY-NULL messages of the published
// vectors with no key supplied. The expected key, salt, MKI and SSRC are
// those listed in the sources' own tests (tsitle MikeyTest.java) and in
// the vector notes.
func TestOpenNULLVectors(t *testing.T) {
	vs := readPublishedVectors(t)
	tests := []struct {
		name     string
		sessions int
		ssrc     uint32
		key      string
		salt     string
		mki      string
		split    bool // the 30-byte TEK key||salt quirk
	}{
		{"tsitle-roundtrip1", 1, 0x048f147f, "68ff7f2b360a05ac381a67d784ae6328", "3d884cc40a60ebd2ca7fe01f0670", "09fa4021", true},
		{"tsitle-gstreamer-auth-key-len-10", 1, 0x7f6f6ce8, "8a6fef072af4b12b89a084edbd860ce2", "07d3b431a506bd6015722a09fb0c", "", true},
		{"onvif-omnicast-setup-keymgmt", 1, 0xc20f551c, "", "", "0000002f", true},
		{"onvif-omnicast-set-parameter-rekey", 1, 0xd2bf1824, "", "", "00000002", true},
		{"onvif-get-parameter-response", 1, 0xdd05c028, "", "", "0000000d", true},
		{"hanwha-omnicast-set-parameter", 1, 0x187b6242, "", "", "000007f7", true},
		{"gortsplib-a", 1, 0x30685760, "", "", "", true},
		{"gortsplib-b", 1, 0xcc836237, "", "", "", true},
		{"gortsplib-c", 2, 0xcc836237, "", "", "", true},
		{"gortsplib-milestone-extra-padding", 1, 0x726ef4db, "", "", "", true},
		{"gortsplib-keymgmt-rtsps", 1, 0x958c2327, "", "", "", true},
		{"tsitle-announce-sdp-media", 1, 0x3acc2ceb, "", "", "00000001", true},
		{"gortsplib-kemac-spi-synthetic", 1, 0x11223344, "aabbcc", "", "1122", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseVector(t, vs, tt.name)
			r := OpenExchange(m, nil, nil, OpenOptions{})
			if r.Mode != ModePSK || r.Init.Auth != AuthInClear || r.Init.KeyRef != "in clear" {
				t.Fatalf("mode %v auth %v ref %q notes %v", r.Mode, r.Init.Auth, r.Init.KeyRef, r.Init.Notes)
			}
			if len(r.Init.Keys) != 1 || r.Init.Keys[0].Type != KeyTEK {
				t.Fatalf("keys %+v", r.Init.Keys)
			}
			if len(r.Sessions) != tt.sessions {
				t.Fatalf("%d sessions, want %d", len(r.Sessions), tt.sessions)
			}
			s := r.Sessions[0]
			if s.SSRC != tt.ssrc || s.CSID != 1 || s.Derived {
				t.Errorf("session %+v", s)
			}
			if tt.split && (len(s.MasterKey) != 16 || len(s.MasterSalt) != 14 || !strings.Contains(strings.Join(s.Notes, ";"), "16-byte master key || 14-byte master salt")) {
				t.Errorf("key||salt split not done or not reported: %d %d %v", len(s.MasterKey), len(s.MasterSalt), s.Notes)
			}
			if tt.key != "" && hex.EncodeToString(s.MasterKey.Reveal()) != tt.key {
				t.Errorf("master key %x, want %s", s.MasterKey.Reveal(), tt.key)
			}
			if tt.salt != "" && hex.EncodeToString(s.MasterSalt.Reveal()) != tt.salt {
				t.Errorf("master salt %x, want %s", s.MasterSalt.Reveal(), tt.salt)
			}
			if hex.EncodeToString(s.MKI) != tt.mki {
				t.Errorf("MKI %x, want %s", s.MKI, tt.mki)
			}
			if !tt.split && !strings.Contains(strings.Join(s.Notes, ";"), "TEK is 3 bytes") {
				t.Errorf("short TEK not reported: %v", s.Notes)
			}
		})
	}
}

func TestOpenVectorsTsitleMKIValue(t *testing.T) {
	// The tsitle test expects MKI 167395361 (decimal) as a 4-byte value.
	m := parseVector(t, readPublishedVectors(t), "tsitle-roundtrip1")
	r := OpenExchange(m, nil, nil, OpenOptions{})
	mki := r.Sessions[0].MKI
	if len(mki) != 4 || be32(mki) != 167395361 {
		t.Fatalf("MKI %x", mki)
	}
	if r.Sessions[0].KeyLen != 16 || r.Sessions[0].SaltLen != 14 {
		t.Fatalf("lengths %d %d", r.Sessions[0].KeyLen, r.Sessions[0].SaltLen)
	}
}

// TestOpenGortsplibCSharedTEK: two crypto sessions share the single TEK.
func TestOpenGortsplibCSharedTEK(t *testing.T) {
	m := parseVector(t, readPublishedVectors(t), "gortsplib-c")
	r := OpenExchange(m, nil, nil, OpenOptions{})
	a, b := r.Sessions[0], r.Sessions[1]
	if a.SSRC != 0xcc836237 || b.SSRC != 0xb5cc3bf2 || a.CSID != 1 || b.CSID != 2 {
		t.Fatalf("sessions %+v %+v", a, b)
	}
	if string(a.MasterKey) != string(b.MasterKey) {
		t.Fatal("sessions should share the TEK")
	}
}

// TestOpenRFC4567Example: the RFC 4567 §5.1 offer is AES-CM encrypted with
// an HMAC-SHA-1 MAC; without a key it is NoKey, and a wrong PSK fails the
// MAC without yielding keys.
func TestOpenRFC4567Example(t *testing.T) {
	vs := readPublishedVectors(t)
	offer := parseVector(t, vs, "rfc4567-5.1-offer")
	answer := parseVector(t, vs, "rfc4567-5.1-answer")
	r := OpenExchange(offer, answer, nil, OpenOptions{})
	if r.Init.Auth != AuthNoKey || r.Resp.Auth != AuthNoKey || len(r.Sessions) != 0 || len(r.Init.Keys) != 0 {
		t.Fatalf("no key: init %v resp %v sessions %d", r.Init.Auth, r.Resp.Auth, len(r.Sessions))
	}
	keys := &Keys{PSKs: []PSK{{Key: []byte("not the key of the example"), Source: "test"}}}
	r = OpenExchange(offer, answer, keys, OpenOptions{})
	if r.Init.Auth != AuthFailed || r.Init.Tried != 1 || len(r.Init.Keys) != 0 || len(r.Sessions) != 0 {
		t.Fatalf("wrong key: %+v", r.Init)
	}
	if r.Resp.Auth != AuthFailed || r.Resp.Tried != 1 {
		t.Fatalf("wrong key V: %+v", r.Resp)
	}
	if !strings.Contains(strings.Join(r.Init.Notes, ";"), "MAC mismatch") {
		t.Errorf("notes %v", r.Init.Notes)
	}
}

func TestOpenHeaderOnly(t *testing.T) {
	m := parseVector(t, readPublishedVectors(t), "gstreamer-hdr-only")
	r := OpenExchange(m, nil, nil, OpenOptions{})
	if len(r.Sessions) != 0 || r.Init.Auth != AuthNotApplicable {
		t.Fatalf("%+v", r.Init)
	}
}

func TestOpenReportsFILETIMEQuirk(t *testing.T) {
	m := parseVector(t, readPublishedVectors(t), "onvif-omnicast-setup-keymgmt")
	r := OpenExchange(m, nil, nil, OpenOptions{})
	ts := r.Init.Timestamp
	if ts == nil || !ts.FILETIME || ts.Time.Format("2006-01-02 15:04:05") != "2018-01-15 15:59:22" {
		t.Fatalf("timestamp %+v", ts)
	}
	if !strings.Contains(strings.Join(r.Init.Notes, ";"), "FILETIME") {
		t.Fatalf("notes %v", r.Init.Notes)
	}
	m = parseVector(t, readPublishedVectors(t), "tsitle-roundtrip1")
	capture := time.Date(2026, 3, 24, 13, 14, 0, 0, time.UTC)
	r = OpenExchange(m, nil, nil, OpenOptions{CaptureTime: capture})
	if !r.Init.HasOffset || r.Init.ClockOffset > 0 || r.Init.ClockOffset < -2*time.Second {
		t.Fatalf("offset %v %v", r.Init.ClockOffset, r.Init.HasOffset)
	}
}

func TestOpenOrdersRolesAndSessionsFor(t *testing.T) {
	vs := readPublishedVectors(t)
	offer := parseVector(t, vs, "rfc4567-5.1-offer")
	answer := parseVector(t, vs, "rfc4567-5.1-answer")
	// The answer passed first, or alone, is still the responder's message.
	for _, r := range []*ExchangeResult{OpenExchange(answer, offer, nil, OpenOptions{}), OpenExchange(answer, nil, nil, OpenOptions{})} {
		if r.Resp == nil || r.Resp.DataType != DataTypePSKVerify || r.Resp.Auth != AuthNoKey {
			t.Fatalf("resp %+v", r.Resp)
		}
	}
	r := OpenExchange(parseVector(t, vs, "gortsplib-c"), nil, nil, OpenOptions{})
	if got := r.SessionsFor(0xb5cc3bf2); len(got) != 1 || got[0].CSID != 2 {
		t.Fatalf("SessionsFor: %+v", got)
	}
	if got := r.SessionsFor(0x12345678); len(got) != 0 {
		t.Fatalf("unknown SSRC: %+v", got)
	}
}
