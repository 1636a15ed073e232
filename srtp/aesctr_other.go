//go:build !amd64 || purego

package srtp

// haveBulkAES: no bulk AES here; counter mode goes through crypto/cipher.
var haveBulkAES = false

func ctrXOR(nr int, rk *[15 * 16]byte, hi, lo uint64, dst, src []byte) (uint64, uint64) {
	panic("srtp: bulk AES is not available")
}
