//go:build !purego

package srtp

import "golang.org/x/sys/cpu"

// haveBulkAES: the CPU has AES-NI (and SSE4.1 for PINSRQ).
var haveBulkAES = cpu.X86.HasAES && cpu.X86.HasSSE41

// ctrXORAsm XORs n whole blocks of src with the AES-CTR keystream of
// counters hi||lo, hi||lo+1, ... (lo+n-1 must not wrap) into dst, with the
// round keys rk of an AES with nr rounds.
//
//go:noescape
func ctrXORAsm(nr int, rk *[15 * 16]byte, hi, lo uint64, dst, src *byte, n int)

// ctrXOR XORs the whole blocks of src (len(dst) >= len(src)) with the
// keystream from counter hi||lo, and returns the counter after them.
func ctrXOR(nr int, rk *[15 * 16]byte, hi, lo uint64, dst, src []byte) (uint64, uint64) {
	n := uint64(len(src) / 16)
	for n > 0 {
		// Blocks up to where the low 64 bits wrap (then hi carries).
		m := n
		if room := -lo; room != 0 && room < m {
			m = room
		}
		ctrXORAsm(nr, rk, hi, lo, &dst[0], &src[0], int(m))
		dst, src = dst[16*m:], src[16*m:]
		n -= m
		if lo += m; lo == 0 {
			hi++
		}
	}
	return hi, lo
}
