package tlsdec

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"hash"
)

// pHash is P_hash of RFC 5246 §5: HMAC-expansion of secret and seed into out.
func pHash(out []byte, h func() hash.Hash, secret, label, seed1, seed2 []byte) {
	mac := hmac.New(h, secret)
	// A(1) = HMAC(secret, label + seed)
	mac.Write(label)
	mac.Write(seed1)
	mac.Write(seed2)
	a := mac.Sum(nil)
	var block []byte
	for len(out) > 0 {
		mac.Reset()
		mac.Write(a)
		mac.Write(label)
		mac.Write(seed1)
		mac.Write(seed2)
		block = mac.Sum(block[:0])
		n := copy(out, block)
		out = out[n:]
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
}

// prf12 is the TLS 1.2 PRF (RFC 5246 §5) with the suite's hash.
func prf12(out []byte, h func() hash.Hash, secret []byte, label string, seed1, seed2 []byte) {
	pHash(out, h, secret, []byte(label), seed1, seed2)
}

// prf10 is the TLS 1.0/1.1 PRF (RFC 2246 §5, RFC 4346 §5): P_MD5 over the
// first half of the secret XOR P_SHA-1 over the second half.
func prf10(out []byte, secret []byte, label string, seed1, seed2 []byte) {
	half := (len(secret) + 1) / 2
	s1, s2 := secret[:half], secret[len(secret)-half:]
	pHash(out, md5.New, s1, []byte(label), seed1, seed2)
	tmp := make([]byte, len(out))
	pHash(tmp, sha1.New, s2, []byte(label), seed1, seed2)
	for i := range out {
		out[i] ^= tmp[i]
	}
}

// keyBlock12 holds the connection keys of RFC 5246 §6.3.
type keyBlock12 struct {
	clientMAC, serverMAC []byte
	clientKey, serverKey []byte
	clientIV, serverIV   []byte
}

// deriveKeyBlock computes key_block = PRF(master_secret, "key expansion",
// server_random + client_random) and splits it (RFC 5246 §6.3). Versions
// before TLS 1.2 use the MD5/SHA-1 PRF; TLS 1.1+ CBC suites take no IV from
// the key block, but TLS 1.0 does (RFC 2246 §6.3).
func deriveKeyBlock(s *suite, version uint16, master []byte, clientRandom, serverRandom *[32]byte) keyBlock12 {
	ivLen := s.ivLen
	if s.kind == kindCBC && version >= VersionTLS11 {
		ivLen = 0
	}
	n := 2*s.macLen + 2*s.keyLen + 2*ivLen
	kb := make([]byte, n)
	if version >= VersionTLS12 {
		prf12(kb, s.prfHash, master, "key expansion", serverRandom[:], clientRandom[:])
	} else {
		prf10(kb, master, "key expansion", serverRandom[:], clientRandom[:])
	}
	var k keyBlock12
	take := func(n int) []byte {
		b := kb[:n:n]
		kb = kb[n:]
		return b
	}
	k.clientMAC, k.serverMAC = take(s.macLen), take(s.macLen)
	k.clientKey, k.serverKey = take(s.keyLen), take(s.keyLen)
	k.clientIV, k.serverIV = take(ivLen), take(ivLen)
	return k
}
