//go:build !purego

#include "textflag.h"

// func ctrXORAsm(nr int, rk *[240]byte, hi, lo uint64, dst, src *byte, n int)
//
// AES-CTR over n whole blocks: block j of the keystream is the encryption
// of the 128-bit big-endian counter hi||(lo+j) (the caller keeps lo+j from
// wrapping), XORed with src into dst. Eight blocks at a time (the AES-NI
// units are pipelined), then one at a time.
TEXT ·ctrXORAsm(SB), NOSPLIT, $0-56
	MOVQ nr+0(FP), CX
	MOVQ rk+8(FP), AX
	MOVQ hi+16(FP), R10
	MOVQ lo+24(FP), R11
	MOVQ dst+32(FP), DI
	MOVQ src+40(FP), SI
	MOVQ n+48(FP), DX
	DECQ CX           // middle rounds
	BSWAPQ R10
	MOVQ R10, X9     // low half: hi, big-endian

#define CTR(x) \
	MOVQ   R11, R9  \
	BSWAPQ R9       \
	MOVO   X9, x   \
	PINSRQ $1, R9, x \
	INCQ   R11

loop8:
	CMPQ DX, $8
	JB   loop1
	CTR(X0)
	CTR(X1)
	CTR(X2)
	CTR(X3)
	CTR(X4)
	CTR(X5)
	CTR(X6)
	CTR(X7)
	MOVOU (AX), X8
	PXOR  X8, X0
	PXOR  X8, X1
	PXOR  X8, X2
	PXOR  X8, X3
	PXOR  X8, X4
	PXOR  X8, X5
	PXOR  X8, X6
	PXOR  X8, X7
	LEAQ  16(AX), BX
	MOVQ  CX, R8

round8:
	MOVOU  (BX), X8
	AESENC X8, X0
	AESENC X8, X1
	AESENC X8, X2
	AESENC X8, X3
	AESENC X8, X4
	AESENC X8, X5
	AESENC X8, X6
	AESENC X8, X7
	ADDQ   $16, BX
	DECQ   R8
	JNZ    round8
	MOVOU      (BX), X8
	AESENCLAST X8, X0
	AESENCLAST X8, X1
	AESENCLAST X8, X2
	AESENCLAST X8, X3
	AESENCLAST X8, X4
	AESENCLAST X8, X5
	AESENCLAST X8, X6
	AESENCLAST X8, X7
	MOVOU 0(SI), X8
	PXOR  X8, X0
	MOVOU 16(SI), X8
	PXOR  X8, X1
	MOVOU 32(SI), X8
	PXOR  X8, X2
	MOVOU 48(SI), X8
	PXOR  X8, X3
	MOVOU 64(SI), X8
	PXOR  X8, X4
	MOVOU 80(SI), X8
	PXOR  X8, X5
	MOVOU 96(SI), X8
	PXOR  X8, X6
	MOVOU 112(SI), X8
	PXOR  X8, X7
	MOVOU X0, 0(DI)
	MOVOU X1, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X3, 48(DI)
	MOVOU X4, 64(DI)
	MOVOU X5, 80(DI)
	MOVOU X6, 96(DI)
	MOVOU X7, 112(DI)
	ADDQ  $128, SI
	ADDQ  $128, DI
	SUBQ  $8, DX
	JMP   loop8

loop1:
	TESTQ DX, DX
	JZ    done
	CTR(X0)
	MOVOU (AX), X8
	PXOR  X8, X0
	LEAQ  16(AX), BX
	MOVQ  CX, R8

round1:
	MOVOU  (BX), X8
	AESENC X8, X0
	ADDQ   $16, BX
	DECQ   R8
	JNZ    round1
	MOVOU      (BX), X8
	AESENCLAST X8, X0
	MOVOU (SI), X8
	PXOR  X8, X0
	MOVOU X0, (DI)
	ADDQ  $16, SI
	ADDQ  $16, DI
	DECQ  DX
	JMP   loop1

done:
	RET
