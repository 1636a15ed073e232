package keys

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAddValues(t *testing.T) {
	key16 := "000102030405060708090a0b0c0d0e0f"
	point257 := "04" + strings.Repeat("a5", 256)
	tests := []struct {
		kind, value string
		check       func(t *testing.T, s *Store)
	}{
		{"psk", key16, func(t *testing.T, s *Store) {
			if !bytes.Equal(s.PSKs[0].Key, unhex(t, key16)) || s.PSKs[0].Identity != "" {
				t.Fatalf("psk %v %q", s.PSKs[0].Key, s.PSKs[0].Identity)
			}
		}},
		{"psk", "0x" + key16, func(t *testing.T, s *Store) {
			if !bytes.Equal(s.PSKs[0].Key, unhex(t, key16)) {
				t.Fatal("0x hex")
			}
		}},
		// base64 of 00..0f, with padding that must not be read as identity=.
		{"psk", "AAECAwQFBgcICQoLDA0ODw==", func(t *testing.T, s *Store) {
			if !bytes.Equal(s.PSKs[0].Key, unhex(t, key16)) || s.PSKs[0].Identity != "" {
				t.Fatalf("base64 %q", s.PSKs[0].Identity)
			}
		}},
		{"psk", "alice@example.com=AAECAwQFBgcICQoLDA0ODw==", func(t *testing.T, s *Store) {
			if s.PSKs[0].Identity != "alice@example.com" || !bytes.Equal(s.PSKs[0].Key, unhex(t, key16)) {
				t.Fatalf("identity %q", s.PSKs[0].Identity)
			}
		}},
		{"psk", "sip:bob@example.com=" + key16, func(t *testing.T, s *Store) {
			if s.PSKs[0].Identity != "sip:bob@example.com" {
				t.Fatalf("identity %q", s.PSKs[0].Identity)
			}
		}},
		{"dh-key", "0102", func(t *testing.T, s *Store) {
			if !bytes.Equal(s.DHKeys[0].Private, []byte{1, 2}) {
				t.Fatal("dh")
			}
		}},
		{"tgk", key16, func(t *testing.T, s *Store) {
			if len(s.TGKs[0].Key) != 16 {
				t.Fatal("tgk")
			}
		}},
		{"srtp", "0x048f147f=68ff7f2b360a05ac381a67d784ae6328:3d884cc40a60ebd2ca7fe01f0670", func(t *testing.T, s *Store) {
			k := s.SRTP[0]
			if k.SSRC != 0x048f147f || k.AnySSRC || hex.EncodeToString(k.Key) != "68ff7f2b360a05ac381a67d784ae6328" || hex.EncodeToString(k.Salt) != "3d884cc40a60ebd2ca7fe01f0670" {
				t.Fatalf("srtp %+v", k)
			}
		}},
		{"srtp", "12345=" + key16 + ":" + strings.Repeat("ab", 14), func(t *testing.T, s *Store) {
			if s.SRTP[0].SSRC != 12345 {
				t.Fatal("decimal ssrc")
			}
		}},
		// inline: base64 of 30 bytes 00..1d -> 16-byte key, 14-byte salt.
		{"srtp", "*=inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd", func(t *testing.T, s *Store) {
			k := s.SRTP[0]
			if !k.AnySSRC || len(k.Inline) != 30 || len(k.Key) != 16 || len(k.Salt) != 14 || k.Salt[0] != 16 {
				t.Fatalf("inline %+v", k)
			}
		}},
		{"sakke-rsk", "tel:+447700900123=" + point257, func(t *testing.T, s *Store) {
			if s.SAKKERSKs[0].Identity != "tel:+447700900123" || len(s.SAKKERSKs[0].RSK) != 257 {
				t.Fatal("sakke-rsk")
			}
		}},
		{"sakke-rsk", point257, func(t *testing.T, s *Store) {
			if s.SAKKERSKs[0].Identity != "" {
				t.Fatal("sakke-rsk without identity")
			}
		}},
		{"kms-z", point257, func(t *testing.T, s *Store) {
			if len(s.KMSZ[0].Value) != 257 {
				t.Fatal("kms-z")
			}
		}},
		{"kms-kpak", "04" + strings.Repeat("5a", 64), func(t *testing.T, s *Store) {
			if len(s.KMSKPAK[0].Value) != 65 {
				t.Fatal("kms-kpak")
			}
		}},
		{"tls-keylog", "/tmp/keylog.txt", func(t *testing.T, s *Store) {
			if s.TLSKeyLogs[0].Path != "/tmp/keylog.txt" {
				t.Fatal("tls-keylog")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.value, func(t *testing.T) {
			s := &Store{}
			if err := s.Add(tt.kind, tt.value, "--"+tt.kind); err != nil {
				t.Fatal(err)
			}
			if s.Len() != 1 {
				t.Fatalf("%d entries", s.Len())
			}
			tt.check(t, s)
		})
	}
}

func TestAddErrors(t *testing.T) {
	tests := []struct{ kind, value, want string }{
		{"psk", "", "missing value"},
		{"psk", "zz!!", "the character at position 3 is in neither alphabet"},
		{"dh-key", "abc", "odd number"},
		{"tgk", "xyz0", "not hex"},
		{"srtp", "0x1=aa", "want <keyhex>:<salthex>"},
		{"srtp", "ssrc=aa:bb", "SSRC"},
		{"srtp", "0x100000000=aa:bb", "SSRC"},
		{"srtp", "1=inline:***", "inline key"},
		{"rsa-key", "/nonexistent/key.pem", "no such file"},
		{"frobnicate", "1", "unknown key kind"},
	}
	for _, tt := range tests {
		s := &Store{}
		err := s.Add(tt.kind, tt.value, "--"+tt.kind)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "--"+tt.kind) {
			t.Errorf("%s %q: error %v, want it to name the flag and contain %q", tt.kind, tt.value, err, tt.want)
		}
	}
	s := &Store{}
	if err := s.Add("nope", "1", "x"); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("unknown kind: %v", err)
	}
}

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		var err error
		testKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

func writeFile(t *testing.T, dir, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	k := rsaKey(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	der8, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der8})
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "responder"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "k1.pem", pkcs1, 0o600)
	writeFile(t, dir, "k8.pem", pkcs8, 0o600)
	writeFile(t, dir, "c.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), 0o644)
	content := `# keys for the lab
psk 000102030405060708090a0b0c0d0e0f   # the camera
psk alice@example.com=AAECAwQFBgcICQoLDA0ODw==

rsa-key k1.pem
rsa-key	k8.pem
cert c.pem
tls-keylog sub/keylog.txt
`
	path := writeFile(t, dir, "keys.txt", []byte(content), 0o600)
	s, warns, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	if len(s.PSKs) != 2 || len(s.RSAKeys) != 2 || len(s.Certs) != 1 || len(s.TLSKeyLogs) != 1 {
		t.Fatalf("store: %d psk %d rsa %d cert %d keylog", len(s.PSKs), len(s.RSAKeys), len(s.Certs), len(s.TLSKeyLogs))
	}
	if s.PSKs[0].Source != path+":2" || s.RSAKeys[1].Source != path+":6" {
		t.Errorf("sources %q %q", s.PSKs[0].Source, s.RSAKeys[1].Source)
	}
	if s.RSAKeys[0].Private.N.Cmp(k.N) != 0 || s.RSAKeys[1].Private.N.Cmp(k.N) != 0 {
		t.Error("RSA key differs")
	}
	if s.RSAKeys[0].Fingerprint() != s.RSAKeys[1].Fingerprint() || !strings.HasPrefix(s.RSAKeys[0].Fingerprint(), "rsa:") {
		t.Error("PKCS#1 and PKCS#8 fingerprints differ")
	}
	if s.Certs[0].Cert.Subject.CommonName != "responder" {
		t.Error("cert subject")
	}
	if s.TLSKeyLogs[0].Path != filepath.Join(dir, "sub/keylog.txt") {
		t.Errorf("keylog path %q", s.TLSKeyLogs[0].Path)
	}
	mk := s.MIKEY()
	if len(mk.PSKs) != 2 || len(mk.RSA) != 2 || len(mk.Certs) != 1 || mk.PSKs[1].Identity != "alice@example.com" {
		t.Errorf("MIKEY keys %+v", mk)
	}
	// The summary names keys by fingerprint and never shows their bytes.
	sum := strings.Join(s.Summary(), "\n")
	if strings.Contains(sum, "000102030405") || !strings.Contains(sum, s.PSKs[0].Fingerprint()) {
		t.Errorf("summary:\n%s", sum)
	}
}

func TestParseFileErrorsNameLine(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "keys.txt", []byte("psk 00112233445566778899aabbccddeeff\n\n# c\ntgk 0g\n"), 0o600)
	_, _, err := ParseFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":4: tgk:") {
		t.Fatalf("error %v", err)
	}
}

func TestParseFileWarnsOnMode(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "keys.txt", []byte("psk 0011\n"), 0o644)
	_, warns, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var mode, short bool
	for _, w := range warns {
		mode = mode || strings.Contains(w.Text, "mode 0644")
		short = short || (strings.Contains(w.Text, "unusually short (under 128 bits)") && w.Source == path+":1")
	}
	if !mode || !short {
		t.Fatalf("warnings %v", warns)
	}
}

// TestParseFilePublicMarker: a keys file that declares itself public test
// keys is not warned about; the marker must be a line of its own.
func TestParseFilePublicMarker(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		content string
		warn    bool
	}{
		{"# sample\n" + PublicMarker + "\npsk 00112233445566778899aabbccddeeff\n", false},
		{PublicMarker + "\r\npsk 00112233445566778899aabbccddeeff\r\n", false},
		{"# not: " + PublicMarker + "\npsk 00112233445566778899aabbccddeeff\n", true},
		{"psk 00112233445566778899aabbccddeeff\n", true},
	}
	for i, c := range cases {
		path := writeFile(t, dir, fmt.Sprintf("k%d", i), []byte(c.content), 0o644)
		s, warns, err := ParseFile(path)
		if err != nil || s.Len() != 1 {
			t.Fatalf("case %d: %v", i, err)
		}
		warned := false
		for _, w := range warns {
			warned = warned || strings.Contains(w.Text, "accessible by group or others")
		}
		if warned != c.warn {
			t.Errorf("case %d: warned %v, want %v (%v)", i, warned, c.warn, warns)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvVar, "")
	s, _, err := FromEnv()
	if err != nil || s.Len() != 0 {
		t.Fatalf("unset: %v %v", s, err)
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "k", []byte("tgk 00112233445566778899aabbccddeeff\n"), 0o600)
	t.Setenv(EnvVar, path)
	s, _, err = FromEnv()
	if err != nil || len(s.TGKs) != 1 {
		t.Fatalf("set: %v", err)
	}
	t.Setenv(EnvVar, filepath.Join(dir, "missing"))
	if _, _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSplitEntry(t *testing.T) {
	tests := []struct{ line, kind, value string }{
		{"psk abc", "psk", "abc"},
		{"  psk\tabc  # note", "psk", "abc"},
		{"rsa-key my#key.pem", "rsa-key", "my#key.pem"},
		{"#psk abc", "", ""},
		{"   ", "", ""},
	}
	for _, tt := range tests {
		k, v, _ := splitEntry(tt.line)
		if k != tt.kind || v != tt.value {
			t.Errorf("%q: %q %q", tt.line, k, v)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 100; i++ {
		buf.WriteString("psk alice@example.com=000102030405060708090a0b0c0d0e0f\nsrtp 0x1234=000102030405060708090a0b0c0d0e0f:000102030405060708090a0b0c0d\n")
	}
	data := buf.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := Parse(data, "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseValueStrict: every key input reads its value through ParseValue
// and refuses what is not a key, naming what is wrong (issue 17 item 1: a
// mistyped --psk was read as base64 and blamed on the peers).
func TestParseValueStrict(t *testing.T) {
	key16 := "000102030405060708090a0b0c0d0e0f"
	tests := []struct {
		in      string
		want    string // hex of the value, or "" for an error
		errPart string
	}{
		{key16, key16, ""},
		{"0x" + key16, key16, ""},
		{"hex:" + key16, key16, ""},
		{"AAECAwQFBgcICQoLDA0ODw==", key16, ""},
		{"AAECAwQFBgcICQoLDA0ODw", key16, ""},   // unpadded
		{"base64:AAEC", "000102", ""},           // prefix: short base64 allowed
		{"base64:00112233", "d34d75db6df7", ""}, // prefix: hex digits read as base64
		{"zz", "", "not valid base64"},
		{"0011223", "", "odd number of hex digits (7)"},
		{"0x0011223", "", "odd number of hex digits (7)"},
		{"hex:zz", "", "the character at position 1 is not a hex digit"},
		{"AAEG", "", "make only 3 byte(s): too short for a key"},
		{"AAECAwQFBgcICQoLDA0ODw=", "", "not valid base64"},
		{"secret!", "", "the character at position 7 is in neither alphabet"},
		{"AAECAwQFBgcICQoLDA0ODx", "", "not valid base64"}, // last character's unused bits set
		{"base64:", "", "empty value"},
	}
	for _, tt := range tests {
		b, err := ParseValue(tt.in)
		switch {
		case tt.want != "" && (err != nil || hex.EncodeToString(b) != tt.want):
			t.Errorf("ParseValue(%q) = %x, %v; want %s", tt.in, b, err, tt.want)
		case tt.want == "" && (err == nil || !strings.Contains(err.Error(), tt.errPart)):
			t.Errorf("ParseValue(%q) error %v, want it to contain %q", tt.in, err, tt.errPart)
		}
	}
}

// TestAddStrictLengths: lengths fixed by what the key is for are checked;
// a short PSK or TGK is a warning that names it by fingerprint only.
func TestAddStrictLengths(t *testing.T) {
	errs := []struct{ kind, value, want string }{
		{"psk", "0011223", "odd number of hex digits"},
		{"psk", "zz", "not valid base64"},
		{"psk", "sip:alice@example.com=zz", "not valid base64"},
		{"srtp", "1=" + strings.Repeat("00", 16) + ":" + strings.Repeat("00", 13), "salt of 13 bytes fits no SRTP suite"},
		{"srtp", "1=" + strings.Repeat("00", 20) + ":" + strings.Repeat("00", 14), "master key of 20 bytes"},
		{"srtp", "1=inline:" + strings.Repeat("A", 36), "inline key||salt of 27 bytes fits no SRTP suite"},
		{"sakke-rsk", "04" + strings.Repeat("00", 100), "is 257 bytes"},
		{"kms-kpak", "05" + strings.Repeat("00", 64), "65 bytes not starting 0x04"},
		{"tgk", "xyz0", "not a hex digit"},
	}
	for _, tt := range errs {
		s := &Store{}
		_, err := s.AddWithWarnings(tt.kind, tt.value, "--"+tt.kind)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "--"+tt.kind+": ") {
			t.Errorf("%s %q: error %v, want it to name the flag and contain %q", tt.kind, tt.value, err, tt.want)
		}
		if s.Len() != 0 {
			t.Errorf("%s %q: %d entries added despite the error", tt.kind, tt.value, s.Len())
		}
	}
	s := &Store{}
	w, err := s.AddWithWarnings("psk", "00112233", "--psk")
	if err != nil || len(w) != 1 || !strings.Contains(w[0].Text, "psk:") || !strings.Contains(w[0].Text, "4 bytes is unusually short") || strings.Contains(w[0].Text, "00112233") {
		t.Errorf("short psk: warnings %v, error %v", w, err)
	}
	if w, err := s.AddWithWarnings("psk", strings.Repeat("ab", 16), "--psk"); err != nil || len(w) != 0 {
		t.Errorf("16-byte psk: warnings %v, error %v", w, err)
	}
}

// TestParseFileNamesExtraWord: a keys-file line with a word after the value
// names the word and the line; a second word of hex digits (a key split
// by a space) is described, not quoted.
func TestParseFileNamesExtraWord(t *testing.T) {
	for _, tc := range []struct{ line, word string }{
		{"psk 000102030405060708090a0b0c0d0e0f extra", "extra"},
		{"tgk 000102030405060708090a0b0c0d0e0f\tfor-bob", "for-bob"},
		{"psk 0011223344556677 8899aabbccddeeff", ""},
		// A base64 key split by a space (its second half was quoted).
		{"psk AAECAwQFBgcICQoL DA0ODxAREhMUFRYXGBkaGw==", "-"},
		{"psk alice=AAECAwQFBgcICQoL DA0ODxAREhMUFRYXGBkaGw==", "-"},
		{"srtp *=inline:AAECAwQFBgcICQoLDA0O DxAREhMUFRYXGBkaGxwd", "-"},
		{"srtp *=inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd  x#y", "x#y"},
	} {
		_, _, err := Parse([]byte("# keys\n"+tc.line+"\n"), "k.txt", "")
		if tc.word == "" {
			if err == nil || !strings.Contains(err.Error(), "k.txt:2: psk: unexpected second word of 16 hex digits") || strings.Contains(err.Error(), "8899") {
				t.Errorf("%q: error %v", tc.line, err)
			}
			continue
		}
		if tc.word == "-" {
			second := strings.Fields(tc.line)[2]
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("unexpected second word of %d characters", len(second))) || strings.Contains(err.Error(), second[:6]) {
				t.Errorf("%q: error %v, want the second word described, not quoted", tc.line, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), "k.txt:2: ") || !strings.Contains(err.Error(), fmt.Sprintf("unexpected word %q", tc.word)) {
			t.Errorf("%q: error %v, want k.txt:2 and the word %q", tc.line, err, tc.word)
		}
	}
}

// TestErrorsDoNotQuoteKeys: an error about a mistyped key never repeats
// the key (keys are printed only with --show-keys).
func TestErrorsDoNotQuoteKeys(t *testing.T) {
	for _, tc := range []struct{ kind, value, secret string }{
		{"psk", "0011223", "0011223"},
		{"psk", "s3cr3tPass!", "s3cr3t"},
		{"psk", "AAEG", "AAEG"},
		{"psk", "hex:00zz11", "zz"},
		{"tgk", "00112233445566778899aabbccddeefg", "aabbcc"},
		{"sakke-rsk", "05" + strings.Repeat("7e", 256), "7e7e"},
		{"srtp", "1=00112233445566778899aabbccddeeff:0011", "8899"},
	} {
		_, err := (&Store{}).AddWithWarnings(tc.kind, tc.value, "--"+tc.kind)
		if err == nil || strings.Contains(err.Error(), tc.secret) {
			t.Errorf("%s %s: error %v", tc.kind, tc.value, err)
		}
	}
}
