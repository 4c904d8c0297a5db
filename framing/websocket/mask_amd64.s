//go:build amd64 && !purego

#include "textflag.h"

// The short tail both routines share: DI dst, SI src, CX bytes left (< 16),
// AX the key word rotated to SI's payload offset. 8 bytes, then 4, then one
// at a time, the key shifted a byte for each.
#define TAIL \
	CMPQ CX, $8 \
	JB   tail4 \
	MOVQ (SI), DX \
	XORQ AX, DX \
	MOVQ DX, (DI) \
	ADDQ $8, SI \
	ADDQ $8, DI \
	SUBQ $8, CX \
tail4: \
	CMPQ CX, $4 \
	JB   tail1 \
	MOVL (SI), DX \
	XORL AX, DX \
	MOVL DX, (DI) \
	ADDQ $4, SI \
	ADDQ $4, DI \
	SUBQ $4, CX \
tail1: \
	TESTQ CX, CX \
	JZ    done \
	MOVB (SI), DX \
	XORB AX, DX \
	MOVB DX, (DI) \
	SHRQ $8, AX \
	INCQ SI \
	INCQ DI \
	DECQ CX \
	JMP  tail1 \
done: \
	RET

// func xorAVX2(dst, src *byte, n int, k uint64)
TEXT ·xorAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), AX
	CMPQ CX, $256
	JB   avxkey

	// A long run first XORs the DX bytes up to dst's next 32-byte
	// boundary, so that the loop's stores do not straddle cache lines:
	// one, two, four, eight and sixteen bytes as DX has those bits, the
	// key rotated by each odd and two-byte step.
	MOVQ DI, DX
	NEGQ DX
	ANDQ $31, DX
	SUBQ DX, CX
	TESTQ $1, DX
	JZ    head2
	MOVB  (SI), R8
	XORB  AX, R8
	MOVB  R8, (DI)
	INCQ  SI
	INCQ  DI
	RORQ  $8, AX

head2:
	TESTQ $2, DX
	JZ    head4
	MOVW  (SI), R8
	XORW  AX, R8
	MOVW  R8, (DI)
	ADDQ  $2, SI
	ADDQ  $2, DI
	RORQ  $16, AX

head4:
	TESTQ $4, DX
	JZ    head8
	MOVL  (SI), R8
	XORL  AX, R8
	MOVL  R8, (DI)
	ADDQ  $4, SI
	ADDQ  $4, DI

head8:
	TESTQ $8, DX
	JZ    head16
	MOVQ  (SI), R8
	XORQ  AX, R8
	MOVQ  R8, (DI)
	ADDQ  $8, SI
	ADDQ  $8, DI

head16:
	TESTQ        $16, DX
	JZ           avxkey
	MOVQ         AX, X0
	VPBROADCASTQ X0, X0
	VPXOR        (SI), X0, X1
	VMOVDQU      X1, (DI)
	ADDQ         $16, SI
	ADDQ         $16, DI

avxkey:
	MOVQ AX, X0
	VPBROADCASTQ X0, Y0
	CMPQ CX, $128
	JB   avx32
	PCALIGN $32

avx128:
	// All four loads before the stores: in place, dst is src.
	VPXOR   (SI), Y0, Y1
	VPXOR   32(SI), Y0, Y2
	VPXOR   64(SI), Y0, Y3
	VPXOR   96(SI), Y0, Y4
	VMOVDQU Y1, (DI)
	VMOVDQU Y2, 32(DI)
	VMOVDQU Y3, 64(DI)
	VMOVDQU Y4, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $128, CX
	CMPQ    CX, $128
	JAE     avx128

avx32:
	CMPQ    CX, $32
	JB      avx16
	VPXOR   (SI), Y0, Y1
	VMOVDQU Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $32, CX
	JMP     avx32

avx16:
	CMPQ    CX, $16
	JB      avxtail
	VPXOR   (SI), X0, X1
	VMOVDQU X1, (DI)
	ADDQ    $16, SI
	ADDQ    $16, DI
	SUBQ    $16, CX

avxtail:
	VZEROUPPER
	TAIL

// func xorSSE2(dst, src *byte, n int, k uint64)
TEXT ·xorSSE2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), AX
	MOVQ AX, X0
	PUNPCKLQDQ X0, X0
	CMPQ CX, $64
	JB   sse16

sse64:
	// Unaligned loads first (a legacy SSE memory operand must be
	// aligned), all four before the stores: in place, dst is src.
	MOVOU (SI), X1
	MOVOU 16(SI), X2
	MOVOU 32(SI), X3
	MOVOU 48(SI), X4
	PXOR  X0, X1
	PXOR  X0, X2
	PXOR  X0, X3
	PXOR  X0, X4
	MOVOU X1, (DI)
	MOVOU X2, 16(DI)
	MOVOU X3, 32(DI)
	MOVOU X4, 48(DI)
	ADDQ  $64, SI
	ADDQ  $64, DI
	SUBQ  $64, CX
	CMPQ  CX, $64
	JAE   sse64

sse16:
	CMPQ  CX, $16
	JB    ssetail
	MOVOU (SI), X1
	PXOR  X0, X1
	MOVOU X1, (DI)
	ADDQ  $16, SI
	ADDQ  $16, DI
	SUBQ  $16, CX
	JMP   sse16

ssetail:
	TAIL
