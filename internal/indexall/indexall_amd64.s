//go:build !purego

#include "textflag.h"

// func indexByte(b []byte, i int, c byte, out []int) int
//
// SI, BX: b's base and length; AL: c; DI, R12: out's base and length; R8:
// offsets written; R9: the offset of the block being compared, from i on.
TEXT ·indexByte(SB), NOSPLIT, $0-72
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	MOVQ	i+24(FP), R9
	MOVBLZX	c+32(FP), AX
	MOVQ	out_base+40(FP), DI
	MOVQ	out_len+48(FP), R12
	XORQ	R8, R8
	CMPQ	BX, $32
	JB	sse2
	CMPB	·hasAVX2(SB), $0
	JNE	avx2

sse2:
	CMPQ	BX, $16
	JB	small

	// X0: c in every byte.
	MOVQ	AX, X0
	PUNPCKLBW	X0, X0
	PUNPCKLBW	X0, X0
	PSHUFL	$0, X0, X0

	// R10: the last offset at which 32 bytes are left.
	LEAQ	-32(BX), R10
	CMPQ	R9, R10
	JGT	last16

loop32:
	// DX: a bit per byte of the 32 from R9 that equals c.
	MOVOU	(SI)(R9*1), X1
	MOVOU	16(SI)(R9*1), X2
	PCMPEQB	X0, X1
	PCMPEQB	X0, X2
	PMOVMSKB	X1, DX
	PMOVMSKB	X2, R11
	SHLL	$16, R11
	ORL	R11, DX
	JNZ	bits32
	ADDQ	$32, R9
	CMPQ	R9, R10
	JLE	loop32
	JMP	last16

bits32:
	BSFL	DX, R11
	ADDQ	R9, R11
	MOVQ	R11, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	done
	LEAL	-1(DX), R11
	ANDL	R11, DX
	JNZ	bits32
	ADDQ	$32, R9
	CMPQ	R9, R10
	JLE	loop32

last16:
	// Fewer than 32 bytes left: one block of 16 if they are that many.
	LEAQ	16(R9), R10
	CMPQ	R10, BX
	JA	lastpart
	MOVOU	(SI)(R9*1), X1
	PCMPEQB	X0, X1
	PMOVMSKB	X1, DX
	TESTL	DX, DX
	JZ	next16

bits16:
	BSFL	DX, R11
	ADDQ	R9, R11
	MOVQ	R11, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	done
	LEAL	-1(DX), R11
	ANDL	R11, DX
	JNZ	bits16

next16:
	MOVQ	R10, R9

lastpart:
	// Fewer than 16 bytes left, and b has at least 16: compare its last
	// 16 and drop the bits of the bytes already compared.
	CMPQ	R9, BX
	JEQ	done
	LEAQ	-16(BX), R10
	MOVOU	(SI)(R10*1), X1
	PCMPEQB	X0, X1
	PMOVMSKB	X1, DX
	MOVQ	R9, CX
	SUBQ	R10, CX
	SHRL	CX, DX
	TESTL	DX, DX
	JZ	done

bitslast:
	BSFL	DX, R11
	ADDQ	R9, R11
	MOVQ	R11, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	done
	LEAL	-1(DX), R11
	ANDL	R11, DX
	JNZ	bitslast
	JMP	done

small:
	// b has fewer than 16 bytes: one at a time.
	CMPQ	R9, BX
	JEQ	done

smallloop:
	CMPB	(SI)(R9*1), AL
	JNE	smallnext
	MOVQ	R9, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	done

smallnext:
	INCQ	R9
	CMPQ	R9, BX
	JB	smallloop

done:
	MOVQ	R8, ret+64(FP)
	RET

avx2:
	// b has at least 32 bytes. Y0: c in every byte.
	MOVQ	AX, X0
	VPBROADCASTB	X0, Y0

	// R10: the last offset at which 64 bytes are left.
	LEAQ	-64(BX), R10
	CMPQ	R9, R10
	JGT	avxlast32

avxloop64:
	// DX: a bit per byte of the 64 from R9 that equals c.
	VPCMPEQB	(SI)(R9*1), Y0, Y1
	VPCMPEQB	32(SI)(R9*1), Y0, Y2
	VPMOVMSKB	Y1, DX
	VPMOVMSKB	Y2, R11
	SHLQ	$32, R11
	ORQ	R11, DX
	JNZ	avxbits64
	ADDQ	$64, R9
	CMPQ	R9, R10
	JLE	avxloop64
	JMP	avxlast32

avxbits64:
	BSFQ	DX, R11
	ADDQ	R9, R11
	MOVQ	R11, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	avxdone
	LEAQ	-1(DX), R11
	ANDQ	R11, DX
	JNZ	avxbits64
	ADDQ	$64, R9
	CMPQ	R9, R10
	JLE	avxloop64

avxlast32:
	// Fewer than 64 bytes left: one block of 32 if they are that many.
	LEAQ	32(R9), R10
	CMPQ	R10, BX
	JA	avxlastpart
	VPCMPEQB	(SI)(R9*1), Y0, Y1
	VPMOVMSKB	Y1, DX
	TESTL	DX, DX
	JZ	avxnext32

avxbits32:
	BSFL	DX, R11
	ADDQ	R9, R11
	MOVQ	R11, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	avxdone
	LEAL	-1(DX), R11
	ANDL	R11, DX
	JNZ	avxbits32

avxnext32:
	MOVQ	R10, R9

avxlastpart:
	// Fewer than 32 bytes left, and b has at least 32: compare its last
	// 32 and drop the bits of the bytes already compared.
	CMPQ	R9, BX
	JEQ	avxdone
	LEAQ	-32(BX), R10
	VPCMPEQB	(SI)(R10*1), Y0, Y1
	VPMOVMSKB	Y1, DX
	MOVQ	R9, CX
	SUBQ	R10, CX
	SHRL	CX, DX
	TESTL	DX, DX
	JZ	avxdone

avxbitslast:
	BSFL	DX, R11
	ADDQ	R9, R11
	MOVQ	R11, (DI)(R8*8)
	INCQ	R8
	CMPQ	R8, R12
	JEQ	avxdone
	LEAL	-1(DX), R11
	ANDL	R11, DX
	JNZ	avxbitslast

avxdone:
	VZEROUPPER
	MOVQ	R8, ret+64(FP)
	RET
