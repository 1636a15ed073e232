package tlsdec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const (
	rnd1 = "52a1c0ffee0000000000000000000000000000000000000000000000000000a1"
	rnd2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	ms48 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
	s32  = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f"
)

func TestParseKeyLog(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		entries  int
		badLines []int // line numbers reported
		check    func(t *testing.T, kl *KeyLog)
	}{
		{
			name:    "TLS 1.2 and 1.3, comments, CRLF, unknown labels",
			text:    "# SSL/TLS secrets log file\r\nCLIENT_RANDOM " + rnd1 + " " + ms48 + "\r\n\r\nRSA 0102030405060708 " + ms48 + "\nCLIENT_HANDSHAKE_TRAFFIC_SECRET " + rnd2 + " " + s32 + "\nSERVER_HANDSHAKE_TRAFFIC_SECRET " + rnd2 + " " + s32 + "\nCLIENT_TRAFFIC_SECRET_0 " + rnd2 + " " + s32 + "\nSERVER_TRAFFIC_SECRET_0 " + rnd2 + " " + s32 + "\nEXPORTER_SECRET " + rnd2 + " " + s32 + "\nCLIENT_TRAFFIC_SECRET_1 " + rnd2 + " " + s32,
			entries: 2,
			check: func(t *testing.T, kl *KeyLog) {
				var r1, r2 [32]byte
				hex.Decode(r1[:], []byte(rnd1))
				hex.Decode(r2[:], []byte(rnd2))
				if s := kl.Lookup(r1); s == nil || hex.EncodeToString(s.MasterSecret) != ms48 {
					t.Errorf("CLIENT_RANDOM entry: %+v", s)
				}
				s := kl.Lookup(r2)
				if s == nil || s.ClientHandshakeTraffic == nil || s.ServerHandshakeTraffic == nil || s.ClientTraffic0 == nil || s.ServerTraffic0 == nil || s.Exporter == nil {
					t.Fatalf("TLS 1.3 entry incomplete: %+v", s)
				}
				if hex.EncodeToString(s.ServerTraffic0) != s32 || s.MasterSecret != nil {
					t.Errorf("TLS 1.3 entry: %+v", s)
				}
			},
		},
		{
			name: "upper-case hex and extra spaces",
			text: "CLIENT_RANDOM   " + strings.ToUpper(rnd1) + "\t" + strings.ToUpper(ms48) + "  \n", entries: 1,
		},
		{
			name:     "bad lines are reported with their numbers, good ones kept",
			text:     "CLIENT_RANDOM " + rnd1 + "\nCLIENT_RANDOM " + rnd1[:62] + " " + ms48 + "\nCLIENT_RANDOM " + rnd2 + " " + ms48[:94] + "\nCLIENT_RANDOM " + rnd2 + " zz" + ms48[2:] + "\nhello world\nCLIENT_TRAFFIC_SECRET_0 " + rnd2 + " 0011\nCLIENT_RANDOM " + rnd2 + " " + ms48,
			entries:  1,
			badLines: []int{1, 2, 3, 4, 5, 6},
		},
		{
			name:     "over-long line",
			text:     "CLIENT_RANDOM " + rnd1 + " " + strings.Repeat("ab", 3000) + "\nCLIENT_RANDOM " + rnd2 + " " + ms48 + "\n",
			entries:  1,
			badLines: []int{1},
		},
		{name: "empty", text: "", entries: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kl, err := ParseKeyLog(strings.NewReader(tc.text))
			if kl == nil {
				t.Fatal("nil key log")
			}
			if kl.Len() != tc.entries {
				t.Errorf("%d entries, want %d", kl.Len(), tc.entries)
			}
			var kerr *KeyLogError
			if len(tc.badLines) == 0 {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
			} else if !errors.As(err, &kerr) {
				t.Errorf("error %v, want *KeyLogError", err)
			} else {
				var got []int
				for _, l := range kerr.Lines {
					got = append(got, l.Line)
				}
				if !slices.Equal(got, tc.badLines) {
					t.Errorf("bad lines %v, want %v (%v)", got, tc.badLines, err)
				}
			}
			if tc.check != nil {
				tc.check(t, kl)
			}
		})
	}
}

func TestKeyLogMergeAndFingerprint(t *testing.T) {
	a := mustKeyLog(t, []byte("CLIENT_RANDOM "+rnd1+" "+ms48))
	b := mustKeyLog(t, []byte("CLIENT_TRAFFIC_SECRET_0 "+rnd1+" "+s32+"\nCLIENT_RANDOM "+rnd2+" "+ms48))
	a.Merge(b)
	if a.Len() != 2 {
		t.Fatalf("merged len %d", a.Len())
	}
	var r [32]byte
	hex.Decode(r[:], []byte(rnd1))
	if s := a.Lookup(r); s.MasterSecret == nil || s.ClientTraffic0 == nil {
		t.Errorf("merge lost secrets: %+v", s)
	}
	// Printing secrets shows fingerprints, never the bytes.
	if str := a.Lookup(r).String(); strings.Contains(str, ms48[:16]) || !strings.Contains(str, "master="+Fingerprint(a.Lookup(r).MasterSecret)) {
		t.Errorf("Secrets.String() = %q", str)
	}
	if str := fmt.Sprint(a.Lookup(r)); strings.Contains(str, ms48[:16]) {
		t.Errorf("fmt.Sprint(secrets) reveals the master secret: %q", str)
	}
	// Fingerprint: first 4 bytes of SHA-256, hex; hand-checked with sha256sum.
	if fp := Fingerprint([]byte("abc")); fp != "ba7816bf" {
		t.Errorf("Fingerprint(abc) = %s", fp)
	}
	if Fingerprint(nil) != "" {
		t.Error("fingerprint of nil")
	}
	var nilLog *KeyLog
	if nilLog.Len() != 0 || nilLog.Lookup(r) != nil {
		t.Error("nil key log not empty")
	}
}

func FuzzParseKeyLog(f *testing.F) {
	f.Add([]byte("CLIENT_RANDOM " + rnd1 + " " + ms48 + "\n"))
	f.Add([]byte("# c\r\nSERVER_TRAFFIC_SECRET_0 " + rnd2 + " " + s32 + "\r\nRSA 00 11\n"))
	f.Add([]byte("CLIENT_RANDOM " + rnd1 + "\nbad\n\n\n" + strings.Repeat("A", 2000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		kl, err := ParseKeyLog(bytes.NewReader(data))
		if kl == nil {
			t.Fatal("nil key log")
		}
		var kerr *KeyLogError
		if err != nil && !errors.As(err, &kerr) {
			t.Fatalf("unexpected error type %T", err)
		}
		kl.Each(func(s *Secrets) {
			if s.MasterSecret != nil && len(s.MasterSecret) != masterSecretLen {
				t.Fatalf("master secret of %d bytes", len(s.MasterSecret))
			}
		})
	})
}

// TestAppendKeyLog: the lines AppendKeyLog writes parse back to the same
// secrets, one line per secret, in the NSS format.
func TestAppendKeyLog(t *testing.T) {
	r := bytes.Repeat([]byte{0xab}, 32)
	cases := []struct {
		name  string
		in    string
		lines int
	}{
		{"tls12", "CLIENT_RANDOM " + hex.EncodeToString(r) + " " + strings.Repeat("11", 48) + "\n", 1},
		{"tls13", "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + hex.EncodeToString(r) + " " + strings.Repeat("22", 32) + "\n" +
			"SERVER_HANDSHAKE_TRAFFIC_SECRET " + hex.EncodeToString(r) + " " + strings.Repeat("33", 32) + "\n" +
			"CLIENT_TRAFFIC_SECRET_0 " + hex.EncodeToString(r) + " " + strings.Repeat("44", 48) + "\n" +
			"SERVER_TRAFFIC_SECRET_0 " + hex.EncodeToString(r) + " " + strings.Repeat("55", 48) + "\n" +
			"EXPORTER_SECRET " + hex.EncodeToString(r) + " " + strings.Repeat("66", 32) + "\n" +
			"CLIENT_EARLY_TRAFFIC_SECRET " + hex.EncodeToString(r) + " " + strings.Repeat("77", 32) + "\n" +
			"EARLY_EXPORTER_SECRET " + hex.EncodeToString(r) + " " + strings.Repeat("88", 32) + "\n", 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kl, err := ParseKeyLog(strings.NewReader(c.in))
			if err != nil || kl.Len() != 1 {
				t.Fatalf("parse: %v, %d entries", err, kl.Len())
			}
			s := kl.Lookup([32]byte(r))
			out := s.AppendKeyLog([]byte("x"))
			if out[0] != 'x' || bytes.Count(out, []byte("\n")) != c.lines {
				t.Fatalf("AppendKeyLog: %q", out)
			}
			back, err := ParseKeyLog(bytes.NewReader(out[1:]))
			if err != nil {
				t.Fatal(err)
			}
			if got := back.Lookup([32]byte(r)); !reflect.DeepEqual(got, s) {
				t.Errorf("round trip: %v, want %v", got, s)
			}
		})
	}
}
