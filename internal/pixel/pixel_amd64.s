//go:build amd64 && !purego

#include "textflag.h"

// Eight bytes at a time: widen to int32, multiply, add the rounding bias,
// shift, and narrow with signed then unsigned saturation (the clamp).

// func madd3AVX2(out, a, b, c *uint8, ka, kb, kc *int32, n int)
TEXT ·madd3AVX2(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ c+24(FP), R9
	MOVQ ka+32(FP), R10
	MOVQ kb+40(FP), R11
	MOVQ kc+48(FP), R12
	MOVQ n+56(FP), CX
	MOVL $0x200000, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	XORQ BX, BX

loop:
	CMPQ BX, CX
	JGE  done
	VPMOVZXBD (SI)(BX*1), Y0
	VPMOVZXBD (R8)(BX*1), Y1
	VPMOVZXBD (R9)(BX*1), Y2
	VPMULLD   (R10)(BX*4), Y0, Y0
	VPMULLD   (R11)(BX*4), Y1, Y1
	VPMULLD   (R12)(BX*4), Y2, Y2
	VPADDD    Y1, Y0, Y0
	VPADDD    Y2, Y0, Y0
	VPADDD    Y15, Y0, Y0
	VPSRAD    $22, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)(BX*1)
	ADDQ      $8, BX
	JMP       loop

done:
	VZEROUPPER
	RET

// func madd3ScalarAVX2(out, a, b, c *uint8, ka, kb, kc int32, n int)
TEXT ·madd3ScalarAVX2(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ c+24(FP), R9
	MOVL ka+32(FP), AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL kb+36(FP), AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL kc+40(FP), AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVQ n+48(FP), CX
	MOVL $0x200000, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	XORQ BX, BX

sloop:
	CMPQ BX, CX
	JGE  sdone
	VPMOVZXBD (SI)(BX*1), Y0
	VPMOVZXBD (R8)(BX*1), Y1
	VPMOVZXBD (R9)(BX*1), Y2
	VPMULLD   Y12, Y0, Y0
	VPMULLD   Y13, Y1, Y1
	VPMULLD   Y14, Y2, Y2
	VPADDD    Y1, Y0, Y0
	VPADDD    Y2, Y0, Y0
	VPADDD    Y15, Y0, Y0
	VPSRAD    $22, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)(BX*1)
	ADDQ      $8, BX
	JMP       sloop

sdone:
	VZEROUPPER
	RET

// func madd3ShufAVX2(out, in *uint8, base *int32, mask *uint8, ka, kb, kc *int32, chunks int)
// Chunk j makes out[8j:8j+8]: it loads the 16 bytes at in[base[j]] and
// picks tap t's inputs with the byte shuffle mask[24j+8t : 24j+8t+8].
TEXT ·madd3ShufAVX2(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ base+16(FP), R13
	MOVQ mask+24(FP), R14
	MOVQ ka+32(FP), R10
	MOVQ kb+40(FP), R11
	MOVQ kc+48(FP), R12
	MOVQ chunks+56(FP), CX
	MOVL $0x200000, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15

hloop:
	TESTQ CX, CX
	JE    hdone
	MOVLQSX (R13), AX
	VMOVDQU (SI)(AX*1), X4
	VMOVQ   (R14), X5
	VMOVQ   8(R14), X6
	VMOVQ   16(R14), X7
	VPSHUFB X5, X4, X0
	VPSHUFB X6, X4, X1
	VPSHUFB X7, X4, X2
	VPMOVZXBD X0, Y0
	VPMOVZXBD X1, Y1
	VPMOVZXBD X2, Y2
	VPMULLD (R10), Y0, Y0
	VPMULLD (R11), Y1, Y1
	VPMULLD (R12), Y2, Y2
	VPADDD  Y1, Y0, Y0
	VPADDD  Y2, Y0, Y0
	VPADDD  Y15, Y0, Y0
	VPSRAD  $22, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ    X0, (DI)
	ADDQ    $8, DI
	ADDQ    $4, R13
	ADDQ    $24, R14
	ADDQ    $32, R10
	ADDQ    $32, R11
	ADDQ    $32, R12
	DECQ    CX
	JMP     hloop

hdone:
	VZEROUPPER
	RET

// func axpyAVX2(dst, src *float32, a float32, n int)
// dst[i] += a*src[i], multiply then add (no FMA), eight at a time.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	VBROADCASTSS a+16(FP), Y1
	MOVQ n+24(FP), CX
	XORQ BX, BX

aloop:
	CMPQ BX, CX
	JGE  adone
	VMULPS  (SI)(BX*4), Y1, Y0
	VADDPS  (DI)(BX*4), Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     aloop

adone:
	VZEROUPPER
	RET

// func roundBytesAVX2(out *uint8, in *float32, n int)
// out[i] = in[i] rounded half to even (the default MXCSR mode) and
// saturated to 0..255, eight at a time.
TEXT ·roundBytesAVX2(SB), NOSPLIT, $0-24
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ BX, BX

rloop:
	CMPQ BX, CX
	JGE  rdone
	VCVTPS2DQ (SI)(BX*4), Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)(BX*1)
	ADDQ      $8, BX
	JMP       rloop

rdone:
	VZEROUPPER
	RET

// func lumaAVX2(l, rp, gp, bp *uint8, n int)
// l[i] = (19595 r + 38470 g + 7471 b + 0x8000) >> 16, Pillow's RGB→L.
TEXT ·lumaAVX2(SB), NOSPLIT, $0-40
	MOVQ l+0(FP), DI
	MOVQ rp+8(FP), SI
	MOVQ gp+16(FP), R8
	MOVQ bp+24(FP), R9
	MOVQ n+32(FP), CX
	MOVL $19595, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $38470, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $7471, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $0x8000, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	XORQ BX, BX

lloop:
	CMPQ BX, CX
	JGE  ldone
	VPMOVZXBD (SI)(BX*1), Y0
	VPMOVZXBD (R8)(BX*1), Y1
	VPMOVZXBD (R9)(BX*1), Y2
	VPMULLD   Y12, Y0, Y0
	VPMULLD   Y13, Y1, Y1
	VPMULLD   Y14, Y2, Y2
	VPADDD    Y1, Y0, Y0
	VPADDD    Y2, Y0, Y0
	VPADDD    Y15, Y0, Y0
	VPSRLD    $16, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)(BX*1)
	ADDQ      $8, BX
	JMP       lloop

ldone:
	VZEROUPPER
	RET

// func blendAVX2(out, in, deg *uint8, a float32, n int)
// Pillow's ImagingBlend of bytes: deg + a·(in - deg) in float32,
// truncated, saturated to 0..255.
TEXT ·blendAVX2(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ deg+16(FP), R8
	VBROADCASTSS a+24(FP), Y15
	MOVQ n+32(FP), CX
	XORQ BX, BX

bloop:
	CMPQ BX, CX
	JGE  bdone
	VPMOVZXBD (SI)(BX*1), Y0
	VPMOVZXBD (R8)(BX*1), Y1
	VPSUBD    Y1, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y15, Y0, Y0
	VCVTDQ2PS Y1, Y1
	VADDPS    Y1, Y0, Y0
	VCVTTPS2DQ Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)(BX*1)
	ADDQ      $8, BX
	JMP       bloop

bdone:
	VZEROUPPER
	RET

// func blendConstAVX2(out, in *uint8, deg int32, a float32, n int)
// blendAVX2 with one degenerate value for every byte.
TEXT ·blendConstAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVL deg+16(FP), AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	VCVTDQ2PS Y14, Y13
	VBROADCASTSS a+20(FP), Y15
	MOVQ n+24(FP), CX
	XORQ BX, BX

cloop:
	CMPQ BX, CX
	JGE  cdone
	VPMOVZXBD (SI)(BX*1), Y0
	VPSUBD    Y14, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y15, Y0, Y0
	VADDPS    Y13, Y0, Y0
	VCVTTPS2DQ Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPACKSSDW X1, X0, X0
	VPACKUSWB X0, X0, X0
	MOVQ      X0, (DI)(BX*1)
	ADDQ      $8, BX
	JMP       cloop

cdone:
	VZEROUPPER
	RET
