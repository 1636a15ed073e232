package tlsdec

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strconv"
)

// cipherKind is how a suite protects records.
type cipherKind uint8

const (
	kindGCM12    cipherKind = iota + 1 // AES-GCM, TLS 1.2: 4-byte salt + 8-byte explicit nonce (RFC 5288 §3)
	kindChaCha12                       // ChaCha20-Poly1305, TLS 1.2: 12-byte IV XOR seq (RFC 7905 §2)
	kindCBC                            // AES-CBC with HMAC (RFC 5246 §6.2.3.2)
	kindAEAD13                         // TLS 1.3 AEAD (RFC 8446 §5.2)
)

// suite describes a cipher suite this package can decrypt.
type suite struct {
	id       uint16
	name     string
	kind     cipherKind
	chacha   bool // AEAD is ChaCha20-Poly1305 rather than AES-GCM
	keyLen   int  // encryption key bytes
	ivLen    int  // fixed IV bytes taken from the key block / key schedule
	macLen   int  // HMAC key and tag bytes (CBC only)
	mac      func() hash.Hash
	prfHash  func() hash.Hash // TLS 1.2 PRF hash; TLS 1.3 HKDF hash
	hashSize int              // output size of prfHash
}

func sha384() hash.Hash { return sha512.New384() }

// suites lists the supported suites by IANA number (TLS Cipher Suites registry).
var suites = map[uint16]*suite{}

func init() {
	add := func(s suite) {
		s.hashSize = s.prfHash().Size()
		suites[s.id] = &s
	}
	gcm := func(id uint16, name string, keyLen int, h func() hash.Hash) {
		add(suite{id: id, name: name, kind: kindGCM12, keyLen: keyLen, ivLen: 4, prfHash: h})
	}
	gcm(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", 16, sha256.New)
	gcm(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", 32, sha384)
	gcm(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 16, sha256.New)
	gcm(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 32, sha384)
	gcm(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 16, sha256.New)
	gcm(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 32, sha384)
	gcm(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 16, sha256.New)
	gcm(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 32, sha384)

	chacha := func(id uint16, name string) {
		add(suite{id: id, name: name, kind: kindChaCha12, chacha: true, keyLen: 32, ivLen: 12, prfHash: sha256.New})
	}
	chacha(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
	chacha(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")
	chacha(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256")

	cbc := func(id uint16, name string, keyLen int, mac func() hash.Hash, prf func() hash.Hash) {
		add(suite{id: id, name: name, kind: kindCBC, keyLen: keyLen, ivLen: 16, macLen: mac().Size(), mac: mac, prfHash: prf})
	}
	cbc(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", 16, sha1.New, sha256.New)
	cbc(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", 32, sha1.New, sha256.New)
	cbc(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", 16, sha256.New, sha256.New)
	cbc(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", 32, sha256.New, sha256.New)
	cbc(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 16, sha1.New, sha256.New)
	cbc(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 32, sha1.New, sha256.New)
	cbc(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 16, sha256.New, sha256.New)
	cbc(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 32, sha256.New, sha256.New)
	cbc(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 16, sha1.New, sha256.New)
	cbc(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 32, sha1.New, sha256.New)
	cbc(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 16, sha1.New, sha256.New)
	cbc(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 32, sha1.New, sha256.New)
	cbc(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 16, sha256.New, sha256.New)
	cbc(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 32, sha384, sha384)
	cbc(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 16, sha256.New, sha256.New)
	cbc(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 32, sha384, sha384)

	add(suite{id: 0x1301, name: "TLS_AES_128_GCM_SHA256", kind: kindAEAD13, keyLen: 16, ivLen: 12, prfHash: sha256.New})
	add(suite{id: 0x1302, name: "TLS_AES_256_GCM_SHA384", kind: kindAEAD13, keyLen: 32, ivLen: 12, prfHash: sha384})
	add(suite{id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", kind: kindAEAD13, chacha: true, keyLen: 32, ivLen: 12, prfHash: sha256.New})
}

// unsupportedSuiteNames names a few suites seen in the wild that this
// package does not decrypt, so a status can say what was negotiated.
var unsupportedSuiteNames = map[uint16]string{
	0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0005: "TLS_RSA_WITH_RC4_128_SHA",
	0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0xC011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
	0xC0AC: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
	0xC0AD: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
	0xC09C: "TLS_RSA_WITH_AES_128_CCM",
	0x1304: "TLS_AES_128_CCM_SHA256",
	0x1305: "TLS_AES_128_CCM_8_SHA256",
	0x00A8: "TLS_PSK_WITH_AES_128_GCM_SHA256",
	0x008C: "TLS_PSK_WITH_AES_128_CBC_SHA",
}

// SuiteName returns the IANA name of a cipher suite, or its number in hex.
func SuiteName(id uint16) string {
	if s := suites[id]; s != nil {
		return s.name
	}
	if n, ok := unsupportedSuiteNames[id]; ok {
		return n
	}
	return "0x" + strconv.FormatUint(uint64(id)|0x10000, 16)[1:]
}

// Protocol versions (RFC 8446 §4.2.1).
const (
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// VersionName returns "TLS 1.2" style names, or the number in hex.
func VersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return "0x" + strconv.FormatUint(uint64(v)|0x10000, 16)[1:]
}
