package mikey

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"testing"
)

// refP is P(s, label, m) of RFC 3830 §4.1.2 written out step by step:
// A_0 = label, A_i = HMAC(s, A_(i-1)), output HMAC(s, A_1||label) || ... ||
// HMAC(s, A_m||label).
func refP(h func() hash.Hash, s, label []byte, m int) []byte {
	var out []byte
	a := label // A_0
	for i := 1; i <= m; i++ {
		mac := hmac.New(h, s)
		mac.Write(a)
		a = mac.Sum(nil) // A_i
		mac = hmac.New(h, s)
		mac.Write(a)
		mac.Write(label)
		out = append(out, mac.Sum(nil)...)
	}
	return out
}

// refPRF is PRF(inkey, label) of RFC 3830 §4.1.2: n = ceil(inkey_len/256),
// m = ceil(outkey_len/160) (256 for RFC 6043's PRF-HMAC-SHA-256), XOR of the
// P outputs, truncated to the most significant outkey_len bits.
func refPRF(h func() hash.Hash, hashBits int, inkey, label []byte, outLen int) []byte {
	n := (len(inkey)*8 + 255) / 256
	m := (outLen*8 + hashBits - 1) / hashBits
	acc := make([]byte, m*hashBits/8)
	for i := 0; i < n; i++ {
		end := (i + 1) * 32
		if end > len(inkey) {
			end = len(inkey)
		}
		p := refP(h, inkey[i*32:end], label, m)
		for j := range acc {
			acc[j] ^= p[j]
		}
	}
	return acc[:outLen]
}

func seq(n int, start byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i*7)
	}
	return b
}

func TestPRFMatchesRFC3830Definition(t *testing.T) {
	label := TGKLabel(ConstTEK, 1, 0xcd177e50, seq(16, 0x40))
	tests := []struct {
		name   string
		f      PRFFunc
		h      func() hash.Hash
		bits   int
		keyLen int
		outLen int
	}{
		{"sha1 key16 out16", PRFFuncMIKEY1, sha1.New, 160, 16, 16},
		{"sha1 key16 out14", PRFFuncMIKEY1, sha1.New, 160, 16, 14},
		{"sha1 key32 out20", PRFFuncMIKEY1, sha1.New, 160, 32, 20},
		{"sha1 key33 two blocks", PRFFuncMIKEY1, sha1.New, 160, 33, 30},
		{"sha1 key192 dh tgk", PRFFuncMIKEY1, sha1.New, 160, 192, 46},
		{"sha1 out 41 three P blocks", PRFFuncMIKEY1, sha1.New, 160, 20, 41},
		{"sha256 key16 out16", PRFFuncHMACSHA256, sha256.New, 256, 16, 16},
		{"sha256 key64 out33", PRFFuncHMACSHA256, sha256.New, 256, 64, 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := seq(tt.keyLen, 3)
			got, err := PRF(tt.f, key, label, tt.outLen)
			if err != nil {
				t.Fatal(err)
			}
			want := refPRF(tt.h, tt.bits, key, label, tt.outLen)
			if !bytes.Equal(got, want) {
				t.Fatalf("PRF = %x, want %x", got, want)
			}
		})
	}
}

// TestPRFSingleBlockByHand spells out the shortest case completely:
// 16-byte key (one s block), 16-byte output (m = 1):
// outkey = first 128 bits of HMAC(s, HMAC(s, label) || label).
func TestPRFSingleBlockByHand(t *testing.T) {
	s, _ := hex.DecodeString("000102030405060708090a0b0c0d0e0f")
	label := MessageKeyLabel(ConstMsgEncr, 0x01020304, []byte("0123456789abcdef"))
	if hex.EncodeToString(label[:9]) != "150533e1ff01020304" {
		t.Fatalf("label prefix %x", label[:9])
	}
	a1 := hmac.New(sha1.New, s)
	a1.Write(label)
	m := hmac.New(sha1.New, s)
	m.Write(a1.Sum(nil))
	m.Write(label)
	want := m.Sum(nil)[:16]
	got, err := PRF(PRFFuncMIKEY1, s, label, 16)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("PRF = %x, %v; want %x", got, err, want)
	}
}

func TestPRFErrors(t *testing.T) {
	if _, err := PRF(7, []byte{1}, nil, 16); err == nil {
		t.Error("unknown PRF accepted")
	}
	if _, err := PRF(PRFFuncMIKEY1, nil, nil, 16); err == nil {
		t.Error("empty key accepted")
	}
	if _, err := PRF(PRFFuncMIKEY1, []byte{1}, nil, maxPRFOut+1); err == nil {
		t.Error("huge output accepted")
	}
}

func BenchmarkPRFDeriveTEK(b *testing.B) {
	tgk := seq(16, 1)
	rand := seq(16, 9)
	b.ReportAllocs()
	b.SetBytes(16)
	for b.Loop() {
		if _, err := DeriveTEK(PRFFuncMIKEY1, tgk, 1, 0x12345678, rand, 16); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDeriveMessageKeys(b *testing.B) {
	psk := seq(16, 1)
	rand := seq(16, 9)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DeriveMessageKeys(PRFFuncMIKEY1, psk, 0x12345678, rand, 16, 20, 14); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPRFPinnedVectors pins outputs computed by a separate Python
// implementation of RFC 3830 §4.1.2 (hmac/hashlib): a 40-byte inkey (two
// 256-bit blocks, the second 64 bits), label = 0x2AD01C64 || cs_id 1 ||
// csb_id 0xcd177e50 || RAND 00..0f, 30 bytes out.
func TestPRFPinnedVectors(t *testing.T) {
	inkey := make([]byte, 40)
	for i := range inkey {
		inkey[i] = byte(i + 1)
	}
	rand := make([]byte, 16)
	for i := range rand {
		rand[i] = byte(i)
	}
	label := TGKLabel(ConstTEK, 1, 0xcd177e50, rand)
	for _, tt := range []struct {
		f    PRFFunc
		want string
	}{
		{PRFFuncMIKEY1, "4ddb0be9d7ce726f89aa372c99332d0f946238f246228fc5fc35537d6a5b"},
		{PRFFuncHMACSHA256, "236cd76dbac512597315355b404296d1b9889d7bd26f888eb24677e1a9c6"},
	} {
		got, err := DeriveTEK(tt.f, inkey, 1, 0xcd177e50, rand, 30)
		if err != nil || hex.EncodeToString(got) != tt.want {
			t.Errorf("%v: %x %v, want %s", tt.f, got, err, tt.want)
		}
		if p, _ := PRF(tt.f, inkey, label, 30); hex.EncodeToString(p) != tt.want {
			t.Errorf("%v: PRF %x", tt.f, p)
		}
	}
}
