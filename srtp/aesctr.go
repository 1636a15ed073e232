package srtp

import (
	"crypto/cipher"
	"encoding/binary"
)

// AES counter mode without an allocation per packet.
//
// crypto/cipher cannot restart an AES-CTR stream at another IV, so
// cipher.NewCTR per packet allocated 512 bytes (a copy of the key
// schedule) and made garbage at the packet rate. ctrKey keeps the
// expanded encryption key of a session key once; each packet's counter blocks
// are made, encrypted and XORed into the payload in registers (AES-NI,
// eight blocks at a time, on amd64). Where the CPU has no AES instructions, cipher.NewCTR is
// used as before.

// ctrKey is an AES key expanded for counter mode (FIPS-197 §5.2 key
// schedule: rounds+1 round keys of 16 bytes, in the byte order AES-NI
// reads them).
type ctrKey struct {
	rounds int
	rk     [15 * 16]byte
}

// newCTRKey expands key (16, 24 or 32 bytes) for counter mode, or returns
// nil when the bulk path is unavailable or the key size is not AES's.
func newCTRKey(key []byte) *ctrKey {
	if !haveBulkAES {
		return nil
	}
	nk := len(key) / 4
	if len(key) != 16 && len(key) != 24 && len(key) != 32 {
		return nil
	}
	k := &ctrKey{rounds: nk + 6}
	var w [60]uint32
	for i := 0; i < nk; i++ {
		w[i] = binary.BigEndian.Uint32(key[4*i:])
	}
	rcon := uint32(1)
	for i := nk; i < 4*(k.rounds+1); i++ {
		t := w[i-1]
		switch {
		case i%nk == 0:
			t = subWord(t<<8|t>>24) ^ rcon<<24
			rcon = uint32(gfDouble(byte(rcon)))
		case nk > 6 && i%nk == 4:
			t = subWord(t)
		}
		w[i] = w[i-nk] ^ t
	}
	for i := 0; i < 4*(k.rounds+1); i++ {
		binary.BigEndian.PutUint32(k.rk[4*i:], w[i])
	}
	clear(w[:])
	return k
}

// xorKeyStream XORs src with the AES-CTR keystream starting at counter
// block iv (a 128-bit big-endian counter, RFC 3711 §4.1.1) into dst
// (len(dst) >= len(src); dst may be src).
func (k *ctrKey) xorKeyStream(dst, src []byte, iv *[16]byte) {
	if len(dst) < len(src) {
		// As crypto/cipher's Stream: dst[:whole] below would reslice into
		// dst's spare capacity and the assembly would write past len(dst).
		panic("srtp: output smaller than input")
	}
	hi := binary.BigEndian.Uint64(iv[:8])
	lo := binary.BigEndian.Uint64(iv[8:])
	whole := len(src) &^ 15
	if whole > 0 {
		hi, lo = ctrXOR(k.rounds, &k.rk, hi, lo, dst[:whole], src[:whole])
	}
	if rest := len(src) - whole; rest > 0 {
		var b [16]byte
		copy(b[:], src[whole:])
		ctrXOR(k.rounds, &k.rk, hi, lo, b[:], b[:])
		copy(dst[whole:len(src)], b[:rest])
	}
}

// xorCTR XORs src with the AES-CTR keystream for iv under the session key:
// the bulk path when the key has one, else crypto/cipher.
func xorCTR(k *ctrKey, b cipher.Block, dst, src []byte, iv *[16]byte) {
	if len(src) == 0 {
		return
	}
	if k != nil {
		k.xorKeyStream(dst, src, iv)
		return
	}
	cipher.NewCTR(b, iv[:]).XORKeyStream(dst, src)
}

// sbox is the AES S-box (FIPS-197 §5.1.1), computed at start-up: the
// multiplicative inverse in GF(2^8) followed by the affine transform.
var sbox = func() (s [256]byte) {
	// p runs through the field by powers of the generator 3, q through
	// their inverses.
	p, q := byte(1), byte(1)
	for {
		p = p ^ gfDouble(p) // p * 3
		q ^= q << 1         // q / 3
		q ^= q << 2
		q ^= q << 4
		if q&0x80 != 0 {
			q ^= 0x09
		}
		x := q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4)
		s[p] = x ^ 0x63
		if p == 1 {
			break
		}
	}
	s[0] = 0x63
	return s
}()

func rotl8(x byte, n uint) byte { return x<<n | x>>(8-n) }

// gfDouble multiplies by x in GF(2^8) modulo x^8+x^4+x^3+x+1.
func gfDouble(b byte) byte {
	if b&0x80 != 0 {
		return b<<1 ^ 0x1b
	}
	return b << 1
}

func subWord(w uint32) uint32 {
	return uint32(sbox[w>>24])<<24 | uint32(sbox[w>>16&0xff])<<16 | uint32(sbox[w>>8&0xff])<<8 | uint32(sbox[w&0xff])
}
