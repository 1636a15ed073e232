package srtp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"testing"
)

// FuzzCTRMatchesCipher: the bulk AES-CTR keystream equals crypto/cipher's
// for every key size, any IV (counters near the 64- and 128-bit carries),
// lengths 0 to 4,096, source and destination at any offset into larger
// buffers (alignment), and in place; the bytes around the destination are
// left alone.
func FuzzCTRMatchesCipher(f *testing.F) {
	f.Add(uint8(0), []byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210"), uint16(0), uint8(0), uint8(0), false, uint8(0))
	f.Add(uint8(1), []byte("k"), []byte{}, uint16(129), uint8(3), uint8(7), true, uint8(1))
	f.Add(uint8(2), []byte{}, []byte{1}, uint16(4096), uint8(15), uint8(1), false, uint8(2))
	f.Add(uint8(0), []byte{}, []byte{}, uint16(17), uint8(1), uint8(2), false, uint8(3))
	f.Fuzz(func(t *testing.T, ks uint8, key, ivIn []byte, n uint16, srcOff, dstOff uint8, inPlace bool, carry uint8) {
		if !haveBulkAES {
			t.Skip("no bulk AES on this CPU or build")
		}
		keyLen := []int{16, 24, 32}[int(ks)%3]
		k0 := make([]byte, keyLen)
		copy(k0, key)
		var iv [16]byte
		copy(iv[:], ivIn)
		switch carry % 4 {
		case 1: // low 64 bits close to wrapping
			binary.BigEndian.PutUint64(iv[8:], ^uint64(0)-uint64(iv[15]%40))
		case 2: // all 128 bits close to wrapping
			for j := 0; j < 15; j++ {
				iv[j] = 0xff
			}
			iv[15] = 0xff - iv[15]%20
		}
		length := int(n) % 4097
		so, do := int(srcOff)%64, int(dstOff)%64
		src := make([]byte, so+length+64)
		for i := range src {
			src[i] = byte(i*7 + 3)
		}
		in := src[so : so+length]
		b, err := aes.NewCipher(k0)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, length)
		cipher.NewCTR(b, iv[:]).XORKeyStream(want, in)
		ivCopy := iv
		k := newCTRKey(k0)
		if inPlace {
			before := bytes.Clone(src)
			k.xorKeyStream(in, in, &iv)
			if !bytes.Equal(in, want) {
				t.Fatalf("key %d, iv %x, %d bytes at %d in place: keystream differs", keyLen, ivCopy, length, so)
			}
			if !bytes.Equal(src[:so], before[:so]) || !bytes.Equal(src[so+length:], before[so+length:]) {
				t.Fatalf("key %d, %d bytes at %d in place: bytes outside written", keyLen, length, so)
			}
		} else {
			orig := bytes.Clone(in)
			dst := make([]byte, do+length+64)
			for i := range dst {
				dst[i] = 0xa5
			}
			out := dst[do : do+length]
			k.xorKeyStream(out, in, &iv)
			if !bytes.Equal(out, want) {
				t.Fatalf("key %d, iv %x, %d bytes src@%d dst@%d: keystream differs", keyLen, ivCopy, length, so, do)
			}
			for i, c := range dst {
				if (i < do || i >= do+length) && c != 0xa5 {
					t.Fatalf("key %d, %d bytes dst@%d: byte %d outside written", keyLen, length, do, i)
				}
			}
			if !bytes.Equal(in, orig) {
				t.Fatal("source changed")
			}
		}
		if iv != ivCopy {
			t.Fatal("iv changed")
		}
	})
}
