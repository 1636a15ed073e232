package srtp

import (
	"fmt"
	"testing"
	"time"

	pion "github.com/pion/srtp/v3"
)

// benchPacket returns a sealed RTP packet of about size bytes (header 12 +
// payload + tag) under p, and the context.
func benchPacket(b *testing.B, p Policy, payload int) (*Context, []byte) {
	k := MasterKey{Key: crossKey32[:p.KeyLen], Salt: crossSalt14[:p.SaltLen]}
	c := mustContext(b, p, k)
	plain := make([]byte, 12+payload)
	copy(plain, []byte{0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9})
	pkt, err := c.SealRTP(nil, plain, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	return c, pkt
}

func benchDecryptRTP(b *testing.B, p Policy, payload int) {
	c, pkt := benchPacket(b, p, payload)
	st := NewStreamSSRC(9, 0)
	dst := make([]byte, len(pkt))
	at := time.Unix(1, 0)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := c.DecryptRTP(dst, pkt, st, at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
}

func BenchmarkDecryptRTP(b *testing.B) {
	b.Run("AES_CM_128_HMAC_SHA1_80/160B", func(b *testing.B) { benchDecryptRTP(b, DefaultPolicy(), 160) })
	b.Run("AES_CM_128_HMAC_SHA1_80/1400B", func(b *testing.B) { benchDecryptRTP(b, DefaultPolicy(), 1400-12-10) })
	b.Run("AEAD_AES_128_GCM/160B", func(b *testing.B) { benchDecryptRTP(b, GCMPolicy(16), 160) })
	b.Run("AEAD_AES_128_GCM/1400B", func(b *testing.B) { benchDecryptRTP(b, GCMPolicy(16), 1400-12-16) })
	b.Run("AEAD_AES_256_GCM/1400B", func(b *testing.B) { benchDecryptRTP(b, GCMPolicy(32), 1400-12-16) })
	f8 := DefaultPolicy()
	f8.Cipher = CipherAESF8
	b.Run("F8_128_HMAC_SHA1_80/1400B", func(b *testing.B) { benchDecryptRTP(b, f8, 1400-12-10) })
}

// BenchmarkDecryptRTCP measures SRTCP with the default policy.
func BenchmarkDecryptRTCP(b *testing.B) {
	c := mustContext(b, DefaultPolicy(), defaultKey())
	pkt, err := c.SealRTCP(nil, testRTCP(1, 9), 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	st := NewStream(0)
	dst := make([]byte, len(pkt))
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := c.DecryptRTCP(dst, pkt, st, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPionDecryptRTP is the pion/srtp baseline for the same packets.
func BenchmarkPionDecryptRTP(b *testing.B) {
	run := func(b *testing.B, prof pion.ProtectionProfile, p Policy, payload int) {
		key, salt := crossKeys(p)
		tx, _ := pion.CreateContext(key, salt, prof)
		plain := make([]byte, 12+payload)
		copy(plain, []byte{0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9})
		pkt, err := tx.EncryptRTP(nil, plain, nil)
		if err != nil {
			b.Fatal(err)
		}
		rx, _ := pion.CreateContext(key, salt, prof, pion.SRTPNoReplayProtection())
		dst := make([]byte, len(pkt))
		b.SetBytes(int64(len(pkt)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := rx.DecryptRTP(dst, pkt, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("AES_CM_128_HMAC_SHA1_80/1400B", func(b *testing.B) {
		run(b, pion.ProtectionProfileAes128CmHmacSha1_80, DefaultPolicy(), 1400-12-10)
	})
	b.Run("AEAD_AES_128_GCM/1400B", func(b *testing.B) {
		run(b, pion.ProtectionProfileAeadAes128Gcm, GCMPolicy(16), 1400-12-16)
	})
}

// BenchmarkAESCM compares, on one 1,400-byte packet, AES-CM decryption with
// the bulk counter-mode keystream (aesctr.go) and with crypto/cipher.NewCTR
// per packet, the path of CPUs without AES instructions.
func BenchmarkAESCM(b *testing.B) {
	bulk := haveBulkAES
	defer func() { haveBulkAES = bulk }()
	for _, size := range []int{160, 1400 - 12 - 10} {
		for _, path := range []struct {
			name string
			bulk bool
		}{{"bulk", bulk}, {"NewCTR", false}} {
			b.Run(fmt.Sprintf("%s/%dB", path.name, size), func(b *testing.B) {
				haveBulkAES = path.bulk
				benchDecryptRTP(b, DefaultPolicy(), size)
			})
		}
	}
}
