package mikey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrUnknownEncrAlg is returned for a KEMAC Encr alg no RFC defines.
var ErrUnknownEncrAlg = errors.New("unknown KEMAC encryption algorithm")

// ErrKeyWrapIntegrity is returned when AES key unwrap finds a wrong IV,
// i.e. a wrong key or altered data (RFC 3394 §2.2.3).
var ErrKeyWrapIntegrity = errors.New("AES key wrap integrity check failed")

// EncrKeyLengths returns the encr_key and salt key lengths in bytes that an
// Encr alg needs (RFC 3830 §4.2.3: AES-CM-128 128-bit key and 112-bit salt,
// AES-KW-128 128-bit key and 64-bit salt; RFC 6043 §6.2: AES-CM-256 256-bit
// key, 112-bit salt).
func EncrKeyLengths(encAlg EncrAlg) (keyLen, saltLen int, err error) {
	switch encAlg {
	case EncrNULL:
		return 0, 0, nil
	case EncrAESCM128:
		return 16, 14, nil
	case EncrAESKW128:
		return 16, 8, nil
	case EncrAESCM256:
		return 32, 14, nil
	}
	return 0, 0, fmt.Errorf("%w %d", ErrUnknownEncrAlg, encAlg)
}

// KEMACIV builds the AES-CM IV of RFC 3830 §4.2.3:
//
//	IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000
//
// with S the 112-bit salt key and T the 64-bit timestamp of the Initiator.
func KEMACIV(salt []byte, csbID uint32, ts uint64) ([16]byte, error) {
	var iv [16]byte
	if len(salt) != 14 {
		return iv, fmt.Errorf("AES-CM salt is %d bytes, want 14", len(salt))
	}
	copy(iv[:14], salt)
	var x [14]byte
	binary.BigEndian.PutUint32(x[2:6], csbID)
	binary.BigEndian.PutUint64(x[6:14], ts)
	subtle.XORBytes(iv[:14], iv[:14], x[:])
	return iv, nil
}

// aesCMXOR applies AES counter mode (RFC 3711 §4.1.1 with the IV of
// RFC 3830 §4.2.3) to src into dst; encryption and decryption are the same.
func aesCMXOR(dst, src, key, salt []byte, csbID uint32, ts uint64) error {
	if len(src) > 16*65536 {
		return fmt.Errorf("AES-CM data of %d bytes exceeds 2^16 blocks", len(src))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("AES-CM key: %w", err)
	}
	iv, err := KEMACIV(salt, csbID, ts)
	if err != nil {
		return err
	}
	cipher.NewCTR(block, iv[:]).XORKeyStream(dst, src)
	return nil
}

// KEMACEncrypt encrypts plaintext Key data sub-payloads for the KEMAC Encr
// data field (RFC 3830 §4.2.3, RFC 6043 §6.2). ts is the 64-bit timestamp
// (COUNTER and NTP-UTC-32 padded as Timestamp64 does).
func KEMACEncrypt(encAlg EncrAlg, key, salt []byte, csbID uint32, ts uint64, plain []byte) ([]byte, error) {
	if err := checkEncrKeys(encAlg, key, salt); err != nil {
		return nil, err
	}
	switch encAlg {
	case EncrNULL:
		return append([]byte(nil), plain...), nil
	case EncrAESCM128, EncrAESCM256:
		out := make([]byte, len(plain))
		return out, aesCMXOR(out, plain, key, salt, csbID, ts)
	case EncrAESKW128:
		return AESKeyWrap(key, salt, plain)
	}
	return nil, fmt.Errorf("%w %d", ErrUnknownEncrAlg, encAlg)
}

// KEMACDecrypt decrypts the KEMAC Encr data field. For AES-CM a wrong key
// yields garbage (the MAC tells); for AES-KW it yields ErrKeyWrapIntegrity.
func KEMACDecrypt(encAlg EncrAlg, key, salt []byte, csbID uint32, ts uint64, encData []byte) ([]byte, error) {
	if err := checkEncrKeys(encAlg, key, salt); err != nil {
		return nil, err
	}
	switch encAlg {
	case EncrNULL:
		return append([]byte(nil), encData...), nil
	case EncrAESCM128, EncrAESCM256:
		out := make([]byte, len(encData))
		return out, aesCMXOR(out, encData, key, salt, csbID, ts)
	case EncrAESKW128:
		return AESKeyUnwrap(key, salt, encData)
	}
	return nil, fmt.Errorf("%w %d", ErrUnknownEncrAlg, encAlg)
}

func checkEncrKeys(encAlg EncrAlg, key, salt []byte) error {
	kl, sl, err := EncrKeyLengths(encAlg)
	if err != nil {
		return err
	}
	if len(key) != kl || len(salt) != sl {
		return fmt.Errorf("encr alg %d needs a %d-byte key and %d-byte salt, got %d and %d", encAlg, kl, sl, len(key), len(salt))
	}
	return nil
}

// AESKeyWrap wraps plain (a multiple of 8 bytes, at least 16) with the AES
// key wrap of RFC 3394 §2.2.1, using iv (8 bytes) as the initial value; MIKEY
// sets iv to the 64-bit salt key (RFC 3830 §4.2.3).
func AESKeyWrap(kek, iv, plain []byte) ([]byte, error) {
	if len(iv) != 8 {
		return nil, fmt.Errorf("AES key wrap IV is %d bytes, want 8", len(iv))
	}
	if len(plain)%8 != 0 || len(plain) < 16 {
		return nil, fmt.Errorf("AES key wrap input of %d bytes is not a multiple of 8 of at least 16", len(plain))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("AES key wrap key: %w", err)
	}
	n := len(plain) / 8
	out := make([]byte, 8+len(plain))
	copy(out[:8], iv)
	copy(out[8:], plain)
	var b [16]byte
	for j := 0; j <= 5; j++ {
		for i := 1; i <= n; i++ {
			copy(b[:8], out[:8])
			copy(b[8:], out[8*i:8*i+8])
			block.Encrypt(b[:], b[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(out[:8], binary.BigEndian.Uint64(b[:8])^t)
			copy(out[8*i:8*i+8], b[8:])
		}
	}
	return out, nil
}

// AESKeyUnwrap reverses AESKeyWrap (RFC 3394 §2.2.2) and checks the
// recovered initial value against iv (§2.2.3).
func AESKeyUnwrap(kek, iv, wrapped []byte) ([]byte, error) {
	if len(iv) != 8 {
		return nil, fmt.Errorf("AES key wrap IV is %d bytes, want 8", len(iv))
	}
	if len(wrapped)%8 != 0 || len(wrapped) < 24 {
		return nil, fmt.Errorf("AES key wrap data of %d bytes is not a multiple of 8 of at least 24", len(wrapped))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("AES key wrap key: %w", err)
	}
	n := len(wrapped)/8 - 1
	var a [8]byte
	copy(a[:], wrapped[:8])
	r := make([]byte, 8*n)
	copy(r, wrapped[8:])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(b[:8], binary.BigEndian.Uint64(a[:])^t)
			copy(b[8:], r[8*(i-1):8*i])
			block.Decrypt(b[:], b[:])
			copy(a[:], b[:8])
			copy(r[8*(i-1):8*i], b[8:])
		}
	}
	if subtle.ConstantTimeCompare(a[:], iv) != 1 {
		return nil, ErrKeyWrapIntegrity
	}
	return r, nil
}
