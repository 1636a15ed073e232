package srtp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"math/rand"
	"testing"
	"time"
)

// TestSbox checks the computed S-box against FIPS-197 Figure 7 entries
// and that it is a permutation.
func TestSbox(t *testing.T) {
	for in, want := range map[byte]byte{0x00: 0x63, 0x01: 0x7c, 0x53: 0xed, 0x10: 0xca, 0xff: 0x16, 0x8d: 0x5d, 0xc9: 0xdd} {
		if sbox[in] != want {
			t.Errorf("sbox[%#02x] = %#02x, want %#02x", in, sbox[in], want)
		}
	}
	var seen [256]bool
	for _, v := range sbox {
		seen[v] = true
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("%#02x missing from the S-box", v)
		}
	}
}

// TestKeyExpansion checks the round keys against FIPS-197 Appendix A
// (the last round key of each key size).
func TestKeyExpansion(t *testing.T) {
	if !haveBulkAES {
		t.Skip("no bulk AES on this CPU or build")
	}
	for _, tc := range []struct{ key, last string }{
		{"2b7e151628aed2a6abf7158809cf4f3c", "d014f9a8c9ee2589e13f0cc8b6630ca6"},
		{"8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "e98ba06f448c773c8ecc720401002202"},
		{"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "fe4890d1e6188d0b046df344706c631e"},
	} {
		k := newCTRKey(unhex(t, tc.key))
		if got := k.rk[16*k.rounds : 16*k.rounds+16]; !bytes.Equal(got, unhex(t, tc.last)) {
			t.Errorf("key %s: last round key %x, want %s", tc.key, got, tc.last)
		}
	}
}

// TestCTRMatchesCipher: the bulk keystream equals crypto/cipher's AES-CTR
// for every key size, random IVs (also counters that carry across the low
// 64 bits and wrap at 2^128), lengths 0 to 2,100 bytes (past one call's
// blocks) and in place.
func TestCTRMatchesCipher(t *testing.T) {
	if !haveBulkAES {
		t.Skip("no bulk AES on this CPU or build")
	}
	rng := rand.New(rand.NewSource(3))
	for _, keyLen := range []int{16, 24, 32} {
		for i := 0; i < 300; i++ {
			key := make([]byte, keyLen)
			rng.Read(key)
			var iv [16]byte
			rng.Read(iv[:])
			switch i % 5 {
			case 1:
				binary.BigEndian.PutUint64(iv[8:], ^uint64(0)-uint64(rng.Intn(40)))
			case 2:
				for j := range iv {
					iv[j] = 0xff
				}
				iv[15] -= byte(rng.Intn(10))
			}
			n := rng.Intn(2100)
			if i < 40 {
				n = i
			}
			src := make([]byte, n)
			rng.Read(src)
			b, err := aes.NewCipher(key)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]byte, n)
			cipher.NewCTR(b, iv[:]).XORKeyStream(want, src)
			k := newCTRKey(key)
			got := make([]byte, n)
			k.xorKeyStream(got, src, &iv)
			if !bytes.Equal(got, want) {
				t.Fatalf("key %d bytes, iv %x, %d bytes: keystream differs", keyLen, iv, n)
			}
			k.xorKeyStream(src, src, &iv)
			if !bytes.Equal(src, want) {
				t.Fatalf("key %d bytes, iv %x, %d bytes: in place differs", keyLen, iv, n)
			}
		}
	}
	if newCTRKey(make([]byte, 20)) != nil {
		t.Error("a 20-byte key was expanded")
	}
}

// TestDecryptRTPAllocs: AES-CM decryption allocates nothing per packet.
func TestDecryptRTPAllocs(t *testing.T) {
	if !haveBulkAES {
		t.Skip("no bulk AES on this CPU or build")
	}
	for _, keyLen := range []int{16, 32} {
		p := DefaultPolicy()
		p.KeyLen = keyLen
		c := mustContext(t, p, MasterKey{Key: crossKey32[:keyLen], Salt: crossSalt14})
		pkt, err := c.SealRTP(nil, testRTP(1, 9, 1380), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		st := NewStreamSSRC(9, 0)
		dst := make([]byte, len(pkt))
		if _, _, err := c.DecryptRTP(dst, pkt, st, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() {
			if _, _, err := c.DecryptRTP(dst, pkt, st, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("AES-%d: %.1f allocations per packet", 8*keyLen, n)
		}
	}
}

// TestCTRShortDst: a dst shorter than src panics, as crypto/cipher's
// Stream does, even when dst's capacity would hold the output (the fast
// path would otherwise write past len(dst) into that capacity).
func TestCTRShortDst(t *testing.T) {
	k := newCTRKey(make([]byte, 16))
	backing := make([]byte, 64)
	dst := backing[:16]
	src := make([]byte, 48)
	var iv [16]byte
	defer func() {
		if recover() == nil {
			t.Error("xorKeyStream wrote 48 bytes into a 16-byte dst without panicking")
		}
		for i, b := range backing[16:] {
			if b != 0 {
				t.Fatalf("byte %d past len(dst) written", 16+i)
			}
		}
	}()
	k.xorKeyStream(dst, src, &iv)
}
