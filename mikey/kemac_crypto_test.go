package mikey

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKEMACIV(t *testing.T) {
	// IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000 (RFC 3830 §4.2.3),
	// computed by hand: S = a0..ad, CSB ID 01020304, T 1122334455667788.
	salt := mustHex(t, "a0a1a2a3a4a5a6a7a8a9aaabacad")
	iv, err := KEMACIV(salt, 0x01020304, 0x1122334455667788)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(iv[:]); got != "a0a1a3a1a7a1b7859bedffcddb250000" {
		t.Fatalf("IV %s", got)
	}
	if _, err := KEMACIV(salt[:8], 0, 0); err == nil {
		t.Fatal("short salt accepted")
	}
}

// The AES-CM expectations were computed with Python's cryptography
// package (AES-CTR with the IV above), independently of this code.
func TestKEMACAESCM(t *testing.T) {
	plain := make([]byte, 40)
	for i := range plain {
		plain[i] = byte(i*5 + 1)
	}
	salt := mustHex(t, "a0a1a2a3a4a5a6a7a8a9aaabacad")
	tests := []struct {
		alg  EncrAlg
		key  string
		want string
	}{
		{EncrAESCM128, "000102030405060708090a0b0c0d0e0f", "bbf89b59af6446408bb7c5815bf8db5687ecb0ea26b3acb7a76befd90e08c7b51b89ec1dcf57f168"},
		{EncrAESCM256, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "0c1c0ccae1e3efab22fbfb7aeedaed2207f2ba87e1a6bdcbabeb1592225f06bc00b53be35d78cddf"},
	}
	for _, tt := range tests {
		t.Run(tt.alg.String(), func(t *testing.T) {
			key := mustHex(t, tt.key)
			ct, err := KEMACEncrypt(tt.alg, key, salt, 0x01020304, 0x1122334455667788, plain)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(ct) != tt.want {
				t.Fatalf("ciphertext %x", ct)
			}
			pt, err := KEMACDecrypt(tt.alg, key, salt, 0x01020304, 0x1122334455667788, ct)
			if err != nil || !bytes.Equal(pt, plain) {
				t.Fatalf("decrypt %x %v", pt, err)
			}
		})
	}
}

// RFC 3394 §4.1: wrap 128 bits of key data with a 128-bit KEK.
func TestAESKeyWrapRFC3394(t *testing.T) {
	kek := mustHex(t, "000102030405060708090A0B0C0D0E0F")
	data := mustHex(t, "00112233445566778899AABBCCDDEEFF")
	iv := mustHex(t, "A6A6A6A6A6A6A6A6")
	want := "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"
	got, err := AESKeyWrap(kek, iv, data)
	if err != nil || hex.EncodeToString(got) != want {
		t.Fatalf("wrap %x %v", got, err)
	}
	back, err := AESKeyUnwrap(kek, iv, got)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("unwrap %x %v", back, err)
	}
	got[5] ^= 1
	if _, err := AESKeyUnwrap(kek, iv, got); !errors.Is(err, ErrKeyWrapIntegrity) {
		t.Fatalf("tampered unwrap: %v", err)
	}
}

func TestKEMACAESKWWithSaltIV(t *testing.T) {
	key := mustHex(t, "000102030405060708090a0b0c0d0e0f")
	salt := mustHex(t, "0102030405060708")
	plain := bytes.Repeat([]byte{0x5a}, 32)
	ct, err := KEMACEncrypt(EncrAESKW128, key, salt, 1, 2, plain)
	if err != nil || len(ct) != 40 {
		t.Fatalf("wrap %d %v", len(ct), err)
	}
	pt, err := KEMACDecrypt(EncrAESKW128, key, salt, 1, 2, ct)
	if err != nil || !bytes.Equal(pt, plain) {
		t.Fatalf("unwrap %v", err)
	}
	wrongSalt := mustHex(t, "0102030405060709")
	if _, err := KEMACDecrypt(EncrAESKW128, key, wrongSalt, 1, 2, ct); !errors.Is(err, ErrKeyWrapIntegrity) {
		t.Fatalf("wrong salt: %v", err)
	}
	if _, err := KEMACEncrypt(EncrAESKW128, key, salt, 1, 2, plain[:13]); err == nil {
		t.Fatal("non-multiple of 8 accepted")
	}
}

func TestKEMACCryptoErrors(t *testing.T) {
	if _, err := KEMACDecrypt(9, nil, nil, 0, 0, nil); !errors.Is(err, ErrUnknownEncrAlg) {
		t.Errorf("unknown alg: %v", err)
	}
	if _, err := KEMACDecrypt(EncrAESCM128, make([]byte, 15), make([]byte, 14), 0, 0, nil); err == nil {
		t.Error("short key accepted")
	}
	pt, err := KEMACDecrypt(EncrNULL, nil, nil, 0, 0, []byte{1, 2})
	if err != nil || !bytes.Equal(pt, []byte{1, 2}) {
		t.Errorf("NULL: %x %v", pt, err)
	}
}

func BenchmarkKEMACDecryptAESCM(b *testing.B) {
	key := make([]byte, 16)
	salt := make([]byte, 14)
	data := make([]byte, 38)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := KEMACDecrypt(EncrAESCM128, key, salt, 1, 2, data); err != nil {
			b.Fatal(err)
		}
	}
}
