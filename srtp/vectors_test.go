package srtp

import (
	"bytes"
	"crypto/aes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// unhex decodes hex with spaces and newlines, failing the test on error.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TestKeyDerivationVectors checks the AES-CM PRF against RFC 3711 B.3 and
// RFC 6188 §7.2 (AES_256_CM_PRF) and §7.4 (AES_192_CM_PRF).
func TestKeyDerivationVectors(t *testing.T) {
	tests := []struct {
		name                  string
		masterKey, masterSalt string
		cipherKey, salt, auth string
	}{
		{
			name:       "RFC3711 B.3 AES-128",
			masterKey:  "E1F97A0D3E018BE0D64FA32C06DE4139",
			masterSalt: "0EC675AD498AFEEBB6960B3AABE6",
			cipherKey:  "C61E7A93744F39EE10734AFE3FF7A087",
			salt:       "30CBBC08863D8C85D49DB34A9AE1",
			auth: "CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE" +
				"E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25" +
				"6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2",
		},
		{
			name:       "RFC6188 7.2 AES_256_CM_PRF",
			masterKey:  "f0f04914b513f2763a1b1fa130f10e29 98f6f6e43e4309d1e622a0e332b9f1b6",
			masterSalt: "3b04803de51ee7c96423ab5b78d2",
			cipherKey:  "5ba1064e30ec51613cad926c5a28ef73 1ec7fb397f70a960653caf06554cd8c4",
			salt:       "fa31791685ca444a9e07c6c64e93",
			auth:       "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05",
		},
		{
			name:       "RFC6188 7.4 AES_192_CM_PRF",
			masterKey:  "73edc66c4fa15776fb57f9505c171365 50ffda71f3e8e5f1",
			masterSalt: "c8522f3acd4ce86d5add78edbb11",
			cipherKey:  "31874736a8f1143870c26e4857d8a5b2 c4a354407faadabb",
			salt:       "2372b82d639b6d8503a47adc0a6c",
			auth:       "355b10973cd95b9eacf4061c7e1a7151e7cfbfcb",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mk, ms := unhex(t, tc.masterKey), unhex(t, tc.masterSalt)
			prf, err := aes.NewCipher(mk)
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range []struct {
				label byte
				want  []byte
			}{
				{labelRTPEncryption, unhex(t, tc.cipherKey)},
				{labelRTPSalt, unhex(t, tc.salt)},
				{labelRTPAuth, unhex(t, tc.auth)},
			} {
				got := make([]byte, len(out.want))
				prfOutput(prf, ms, out.label, 0, got)
				if !bytes.Equal(got, out.want) {
					t.Errorf("label %d: got %x, want %x", out.label, got, out.want)
				}
			}
			// The derive path used by contexts gives the same keys.
			p := DefaultPolicy()
			p.KeyLen = len(mk)
			c, err := NewContext(p, MasterKey{Key: mk, Salt: ms})
			if err != nil {
				t.Fatal(err)
			}
			s, err := c.rtpKeys(0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := s.salt[:14], unhex(t, tc.salt); !bytes.Equal(got, want) {
				t.Errorf("context session salt %x, want %x", got, want)
			}
		})
	}
}

// TestAESCMKeystreamVectors checks the AES-CM keystream of RFC 3711 B.2 and
// RFC 6188 §7.1 (AES-256) and §7.3 (AES-192) through the packet IV path:
// session salt F0..FD, SSRC 0, index 0, over the whole 65282-block segment.
func TestAESCMKeystreamVectors(t *testing.T) {
	tests := []struct {
		name, key string
		blocks    [6]string // first three and last three keystream blocks
	}{
		{"RFC3711 B.2 AES-128", "2B7E151628AED2A6ABF7158809CF4F3C", [6]string{
			"E03EAD0935C95E80E166B16DD92B4EB4", "D23513162B02D0F72A43A2FE4A5F97AB", "41E95B3BB0A2E8DD477901E4FCA894C0",
			"EC8CDF7398607CB0F2D21675EA9EA1E4", "362B7C3C6773516318A077D7FC5073AE", "6A2CC3787889374FBEB4C81B17BA6C44"}},
		{"RFC6188 7.1 AES-256", "57f82fe3613fd170a85ec93c40b1f092 2ec4cb0dc025b58272147cc438944a98", [6]string{
			"92bdd28a93c3f52511c677d08b5515a4", "9da71b2378a854f67050756ded165bac", "63c4868b7096d88421b563b8c94c9a31",
			"cea518c90fd91ced9cbb18c078a54711", "3dbc4814f4da5f00a08772b63c6a046d", "6eb246913062a16891433e97dd01a57f"}},
		{"RFC6188 7.3 AES-192", "eab234764e517b2d3d160d587d8c8621 9740f65f99b6bcf7", [6]string{
			"35096cba4610028dc1b57503804ce37c", "5de986291dcce161d5165ec4568f5c9a", "474a40c77894bc17180202272a4c264d",
			"d108d1a31a00bad6367ec23eb044b415", "c8f57129fdeb970b59f917b257662d4c", "a5dab625811034e8cebdfeb6dc158dd3"}},
	}
	salt := unhex(t, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD")
	const blocks = 65282
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := unhex(t, tc.key)
			p := DefaultPolicy()
			p.KeyLen = len(key)
			c, err := newSessionContext(p, key, salt, make([]byte, 20))
			if err != nil {
				t.Fatal(err)
			}
			s := &c.keys[0].rtp
			c.setCMIV(s, 0, 0)
			ks := make([]byte, blocks*16)
			c.xorCM(s, ks, ks)
			for i, want := range tc.blocks {
				b := i
				if i >= 3 {
					b = blocks - 6 + i
				}
				if got := ks[b*16 : b*16+16]; !bytes.Equal(got, unhex(t, want)) {
					t.Errorf("block %d: got %x, want %s", b, got, want)
				}
			}
		})
	}
}

// TestF8Vector checks AES-f8 against RFC 3711 B.1 (a 4-byte salt key, so
// the key mask is salt || 0x55...).
func TestF8Vector(t *testing.T) {
	hdr := unhex(t, "806e5cba50681de55c621599")
	plain := unhex(t, "70736575646f72616e646f6d6e657373 20697320746865206e65787420626573 74207468696e67")
	key := unhex(t, "234829008467be186c3de14aae72d62c")
	saltKey := unhex(t, "32f2870d")
	want := unhex(t, "019ce7a26e7854014a6366aa95d4eefd 1ad4172a14f9faf455b7f1d4b62bd08f 562c0eef7c4802")
	if got := f8KeyMask(key, saltKey); !bytes.Equal(got, unhex(t, "11baae0dd132eb4d3968b41ffb278379")) {
		t.Fatalf("key XOR mask = %x", got)
	}
	p := DefaultPolicy()
	p.Cipher = CipherAESF8
	c, err := newSessionContext(p, key, saltKey, make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	s := &c.keys[0].rtp
	c.setF8IVRTP(hdr, 0xd462564a)
	if got := c.f8iv[:]; !bytes.Equal(got, unhex(t, "006e5cba50681de55c621599d462564a")) {
		t.Fatalf("IV = %x", got)
	}
	got := make([]byte, len(plain))
	c.xorF8(s, got, plain)
	if !bytes.Equal(got, want) {
		t.Fatalf("f8 ciphertext\n got %x\nwant %x", got, want)
	}
	// IV' from the vector.
	var ivp [16]byte
	s.f8Block.Encrypt(ivp[:], c.f8iv[:])
	if !bytes.Equal(ivp[:], unhex(t, "595b699bbd3bc0df26062093c1ad8f73")) {
		t.Fatalf("IV' = %x", ivp)
	}
	// The sender side (SealRTP, which the F8_128 SDES sample's media is
	// sealed with) gives the vector's ciphertext under the vector's ROC;
	// with no authentication, nothing follows it.
	p.Auth, p.TagLen, p.SRTPAuth = AuthNull, 0, false
	c, err = newSessionContext(p, key, saltKey, make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := c.SealRTP(nil, append(append([]byte(nil), hdr...), plain...), 0xd462564a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sealed, append(append([]byte(nil), hdr...), want...)) {
		t.Fatalf("SealRTP f8\n got %x\nwant %x%x", sealed, hdr, want)
	}
}

// RFC 7714 §16/§17 vectors: session keys are given directly.
const (
	gcmKey128 = "000102030405060708090a0b0c0d0e0f"
	gcmKey256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	gcmSalt   = "517569642070726f2071756f"
	gcmRTP    = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573"
	gcmRTCP   = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef"
)

func TestGCMVectors(t *testing.T) {
	tests := []struct {
		name    string
		key     string
		rtcp    bool
		encrypt bool
		srtp    string
	}{
		{"16.1.1/16.1.2 AEAD_AES_128_GCM", gcmKey128, false, true,
			"8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce"},
		{"16.1.3/16.1.4 AEAD_AES_128_GCM tagging only", gcmKey128, false, false,
			"8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 65732249 3f82d2bc e397e9d7 9e3b19aa 4216"},
		{"16.2.1/16.2.2 AEAD_AES_256_GCM", gcmKey256, false, true,
			"8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13"},
		{"16.2.4 AEAD_AES_256_GCM tagging only", gcmKey256, false, false,
			"8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573a866 d5910f88 7463067c eefec452 15d4"},
		{"17.1 SRTCP AEAD_AES_128_GCM", gcmKey128, true, true,
			"81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4"},
		{"17.2 SRTCP AEAD_AES_256_GCM", gcmKey256, true, true,
			"81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4"},
		{"17.3 SRTCP AEAD_AES_128_GCM tagging only", gcmKey128, true, false,
			"81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790 125f62b3 000005d4"},
		{"17.4 SRTCP AEAD_AES_256_GCM tagging only", gcmKey256, true, false,
			"81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb feee5a97 8fab4393 ed2615fe 000005d4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := unhex(t, tc.key)
			p := GCMPolicy(len(key))
			p.SRTPEncrypt, p.SRTCPEncrypt = tc.encrypt, tc.encrypt
			c, err := newSessionContext(p, key, unhex(t, gcmSalt), nil)
			if err != nil {
				t.Fatal(err)
			}
			plain, want := unhex(t, gcmRTP), unhex(t, tc.srtp)
			if tc.rtcp {
				plain = unhex(t, gcmRTCP)
			}
			// Sender side.
			var got []byte
			if tc.rtcp {
				got, err = c.SealRTCP(nil, plain, 0x5d4, 0)
			} else {
				got, err = c.SealRTP(nil, plain, 0, 0)
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("seal\n got %x\nwant %x", got, want)
			}
			// Receiver side.
			var dec []byte
			var res Result
			if tc.rtcp {
				dec, res, err = c.DecryptRTCP(nil, want, NewStream(0), time.Time{})
			} else {
				dec, res, err = c.DecryptRTP(nil, want, NewStream(0), time.Time{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec, plain) {
				t.Errorf("open\n got %x\nwant %x", dec, plain)
			}
			if !res.Authenticated || res.Decrypted != tc.encrypt {
				t.Errorf("result %+v", res)
			}
			if tc.rtcp && res.Index != 0x5d4 {
				t.Errorf("SRTCP index %#x", res.Index)
			}
			// One flipped bit anywhere in the protected part fails.
			for _, pos := range []int{1, 9, len(want) / 2, len(want) - 1} {
				bad := bytes.Clone(want)
				bad[pos] ^= 0x10
				if tc.rtcp {
					_, _, err = c.DecryptRTCP(nil, bad, NewStream(0), time.Time{})
				} else {
					st := NewStream(0)
					st.ROCSearch = 0
					_, _, err = c.DecryptRTP(nil, bad, st, time.Time{})
				}
				if err == nil {
					t.Errorf("bit flip at %d accepted", pos)
				}
			}
		})
	}
}
