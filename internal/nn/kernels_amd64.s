//go:build amd64 && !purego

#include "textflag.h"

// func maxPoolRowAVX2(y *float32, arg *uint8, r0, r1 *float32, n int)
// Eight 2×2 windows at a time: the maximum of r0[2i], r0[2i+1], r1[2i],
// r1[2i+1] in that order, a later element winning only if strictly
// greater (so NaNs and ties go as in the Go loop), and its index.
TEXT ·maxPoolRowAVX2(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), DI
	MOVQ arg+8(FP), DX
	MOVQ r0+16(FP), SI
	MOVQ r1+24(FP), R8
	MOVQ n+32(FP), CX
	MOVL $1, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL $2, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $3, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	XORQ BX, BX

loop:
	CMPQ BX, CX
	JGE  done
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2     // r0 evens (lane-shuffled)
	VSHUFPS $0xDD, Y1, Y0, Y3     // r0 odds
	VMOVUPS (R8), Y0
	VMOVUPS 32(R8), Y1
	VSHUFPS $0x88, Y1, Y0, Y4     // r1 evens
	VSHUFPS $0xDD, Y1, Y0, Y5     // r1 odds
	VPXOR   Y6, Y6, Y6            // index 0
	VCMPPS  $0x1e, Y2, Y3, Y7     // r0 odd > best
	VBLENDVPS Y7, Y3, Y2, Y2
	VBLENDVPS Y7, Y13, Y6, Y6
	VCMPPS  $0x1e, Y2, Y4, Y7     // r1 even > best
	VBLENDVPS Y7, Y4, Y2, Y2
	VBLENDVPS Y7, Y14, Y6, Y6
	VCMPPS  $0x1e, Y2, Y5, Y7     // r1 odd > best
	VBLENDVPS Y7, Y5, Y2, Y2
	VBLENDVPS Y7, Y15, Y6, Y6
	VPERMPD $0xd8, Y2, Y2         // undo the lane shuffle
	VMOVUPS Y2, (DI)
	VPERMQ  $0xd8, Y6, Y6
	VEXTRACTI128 $1, Y6, X7
	VPACKSSDW X7, X6, X6
	VPACKUSWB X6, X6, X6
	MOVQ    X6, (DX)
	ADDQ    $32, DI
	ADDQ    $8, DX
	ADDQ    $64, SI
	ADDQ    $64, R8
	ADDQ    $8, BX
	JMP     loop

done:
	VZEROUPPER
	RET

// func affineAVX2(dst, src *float32, n int, sc, sh float32, relu bool)
// dst[i] = sc·src[i] + sh (multiply, then add), then Go's max(·, 0) when
// relu: x > 0 ? x : 0, NaN kept.
TEXT ·affineAVX2(SB), NOSPLIT, $0-33
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS sc+24(FP), Y14
	VBROADCASTSS sh+28(FP), Y15
	MOVBLZX relu+32(FP), AX
	VXORPS Y13, Y13, Y13
	XORQ BX, BX

aloop:
	CMPQ BX, CX
	JGE  adone
	VMULPS  (SI)(BX*4), Y14, Y0
	VADDPS  Y15, Y0, Y0
	TESTQ   AX, AX
	JE      astore
	VMAXPS  Y13, Y0, Y1           // x > 0 ? x : 0
	VCMPPS  $3, Y0, Y0, Y2        // unordered: x is NaN
	VBLENDVPS Y2, Y0, Y1, Y0      // keep the NaN, as Go's max does
astore:
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     aloop

adone:
	VZEROUPPER
	RET

// func bnGradAVX2(dst, gp, x, y *float32, n int, k, a, off float32, relu bool)
// dst[i] = k·g' + x[i]·a + off, summed left to right, where g' is g[i]
// masked by reluMask(g[i], y[i]) when relu.
TEXT ·bnGradAVX2(SB), NOSPLIT, $0-53
	MOVQ dst+0(FP), DI
	MOVQ gp+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ y+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS k+40(FP), Y13
	VBROADCASTSS a+44(FP), Y14
	VBROADCASTSS off+48(FP), Y15
	MOVBLZX relu+52(FP), AX
	VPXOR Y12, Y12, Y12
	XORQ BX, BX

gloop:
	CMPQ BX, CX
	JGE  gdone
	VMOVUPS (SI)(BX*4), Y0
	TESTQ   AX, AX
	JE      gnomask
	VMOVDQU (R9)(BX*4), Y1
	VPSUBD  Y1, Y12, Y1           // −bits(y)
	VPSRAD  $31, Y1, Y1           // all ones where −bits < 0
	VPAND   Y1, Y0, Y0
gnomask:
	VMULPS  Y13, Y0, Y0           // k·g'
	VMULPS  (R8)(BX*4), Y14, Y2   // x·a
	VADDPS  Y2, Y0, Y0
	VADDPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ    $8, BX
	JMP     gloop

gdone:
	VZEROUPPER
	RET
