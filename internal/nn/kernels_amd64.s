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

// func affineAVX2(dst, src, add *float32, n int, sc, sh float32, relu bool)
// dst[i] = sc·src[i] + sh (multiply, then add), then + add[i] when add is
// not nil, then Go's max(·, 0) when relu: x > 0 ? x : 0, NaN kept.
TEXT ·affineAVX2(SB), NOSPLIT, $0-41
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ add+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS sc+32(FP), Y14
	VBROADCASTSS sh+36(FP), Y15
	MOVBLZX relu+40(FP), AX
	VXORPS Y13, Y13, Y13
	XORQ BX, BX

aloop:
	CMPQ BX, CX
	JGE  adone
	VMULPS  (SI)(BX*4), Y14, Y0
	VADDPS  Y15, Y0, Y0
	TESTQ   DX, DX
	JE      arelu
	VADDPS  (DX)(BX*4), Y0, Y0
arelu:
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

// func winoRowsAVX2(eo *float32, ld int, p0, p1, p2, p3 *float32, n int)
// winoRowsGo for n tiles (a multiple of 8): 16 columns of the four input
// rows at a time, their 4 rows q = Bᵀ p split into even columns (stored
// at o_i[t], eo row 2i+1) and odd ones (at e_i[t+1], eo row 2i).
TEXT ·winoRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ eo+0(FP), DI
	MOVQ ld+8(FP), R9
	MOVQ p0+16(FP), SI
	MOVQ p1+24(FP), R8
	MOVQ p2+32(FP), R10
	MOVQ p3+40(FP), R11
	MOVQ n+48(FP), CX
	SHLQ $2, R9               // ld in bytes
	LEAQ (DI)(R9*1), DI       // o0
	MOVQ R9, AX
	NEGQ AX
	LEAQ 4(DI)(AX*1), AX      // e0 + 1
	MOVQ R9, R12
	SHLQ $1, R12              // 2·ld: from row i to row i+1 of the same kind
	LEAQ (R12)(R12*2), R13    // 6·ld: to row 3

wrows:
	CMPQ CX, $0
	JLE  wrowsdone
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS (R8), Y2
	VMOVUPS 32(R8), Y3
	VMOVUPS (R10), Y4
	VMOVUPS 32(R10), Y5
	VMOVUPS (R11), Y6
	VMOVUPS 32(R11), Y7
	VSUBPS Y4, Y0, Y8         // q0 = p0 − p2
	VSUBPS Y5, Y1, Y9
	VADDPS Y4, Y2, Y10        // q1 = p1 + p2
	VADDPS Y5, Y3, Y11
	VSUBPS Y2, Y4, Y12        // q2 = p2 − p1
	VSUBPS Y3, Y5, Y13
	VSUBPS Y6, Y2, Y14        // q3 = p1 − p3
	VSUBPS Y7, Y3, Y15
	VSHUFPS $0x88, Y9, Y8, Y0
	VSHUFPS $0xDD, Y9, Y8, Y1
	VSHUFPS $0x88, Y11, Y10, Y2
	VSHUFPS $0xDD, Y11, Y10, Y3
	VSHUFPS $0x88, Y13, Y12, Y4
	VSHUFPS $0xDD, Y13, Y12, Y5
	VSHUFPS $0x88, Y15, Y14, Y6
	VSHUFPS $0xDD, Y15, Y14, Y7
	VPERMPD $0xd8, Y0, Y0
	VPERMPD $0xd8, Y1, Y1
	VPERMPD $0xd8, Y2, Y2
	VPERMPD $0xd8, Y3, Y3
	VPERMPD $0xd8, Y4, Y4
	VPERMPD $0xd8, Y5, Y5
	VPERMPD $0xd8, Y6, Y6
	VPERMPD $0xd8, Y7, Y7
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, (AX)
	VMOVUPS Y2, (DI)(R12*1)
	VMOVUPS Y3, (AX)(R12*1)
	VMOVUPS Y4, (DI)(R12*2)
	VMOVUPS Y5, (AX)(R12*2)
	VMOVUPS Y6, (DI)(R13*1)
	VMOVUPS Y7, (AX)(R13*1)
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $32, DI
	ADDQ $32, AX
	SUBQ $8, CX
	JMP  wrows

wrowsdone:
	VZEROUPPER
	RET

// func winoColsAVX2(v0 *float32, stride int, e, o *float32, n int)
// winoColsGo for n tiles (a multiple of 8); v1, v2, v3 are stride
// floats after each other.
TEXT ·winoColsAVX2(SB), NOSPLIT, $0-40
	MOVQ v0+0(FP), DI
	MOVQ stride+8(FP), R9
	MOVQ e+16(FP), SI
	MOVQ o+24(FP), R8
	MOVQ n+32(FP), CX
	SHLQ $2, R9
	LEAQ (DI)(R9*1), DX
	LEAQ (DX)(R9*1), R10
	LEAQ (R10)(R9*1), R11
	XORQ BX, BX
	SHLQ $2, CX               // n in bytes

wcols:
	CMPQ BX, CX
	JGE  wcolsdone
	VMOVUPS (SI)(BX*1), Y0    // e[t]
	VMOVUPS 4(SI)(BX*1), Y1   // e[t+1]
	VMOVUPS (R8)(BX*1), Y2    // o[t]
	VMOVUPS 4(R8)(BX*1), Y3   // o[t+1]
	VSUBPS Y1, Y0, Y4
	VADDPS Y1, Y2, Y5
	VSUBPS Y2, Y1, Y6
	VSUBPS Y3, Y2, Y7
	VMOVUPS Y4, (DI)(BX*1)
	VMOVUPS Y5, (DX)(BX*1)
	VMOVUPS Y6, (R10)(BX*1)
	VMOVUPS Y7, (R11)(BX*1)
	ADDQ $32, BX
	JMP  wcols

wcolsdone:
	VZEROUPPER
	RET

// WOUT_COL reads column j of 8 tiles' M, the rows M_j, M_4+j, M_8+j and
// M_12+j at index idx from SI, R8, R10 and R11, and writes s0_j = M_j +
// M_4+j + M_8+j into s0 and s1_j = M_4+j − M_8+j − M_12+j into s1.
#define WOUT_COL(idx, s0, s1) \
	VMOVUPS (SI)idx, Y0; \
	VMOVUPS (R8)idx, Y1; \
	VMOVUPS (R10)idx, Y2; \
	VMOVUPS (R11)idx, Y3; \
	VADDPS Y1, Y0, s0; \
	VADDPS Y2, s0, s0; \
	VSUBPS Y2, Y1, s1; \
	VSUBPS Y3, s1, s1

// func winoOutAVX2(y0, y1, m *float32, stride int, n int)
// winoOutGo for n tiles (a multiple of 8): the 16 matrices M_ξ are
// stride floats apart; the even and odd output columns are interleaved
// back into rows y0 and y1.
TEXT ·winoOutAVX2(SB), NOSPLIT, $0-40
	MOVQ y0+0(FP), DI
	MOVQ y1+8(FP), DX
	MOVQ m+16(FP), SI
	MOVQ stride+24(FP), R9
	MOVQ n+32(FP), CX
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R12      // 3·stride
	LEAQ (SI)(R9*4), R8       // M_4
	LEAQ (R8)(R9*4), R10      // M_8
	LEAQ (R10)(R9*4), R11     // M_12
	XORQ R13, R13             // column 0's offset

wout:
	CMPQ CX, $0
	JLE  woutdone
	WOUT_COL((R13*1), Y8, Y12)
	WOUT_COL((R9*1), Y9, Y13)
	WOUT_COL((R9*2), Y10, Y14)
	WOUT_COL((R12*1), Y11, Y15)
	// rows: even = s_0 + s_1 + s_2, odd = s_1 − s_2 − s_3
	VADDPS Y9, Y8, Y0
	VADDPS Y10, Y0, Y0
	VSUBPS Y10, Y9, Y1
	VSUBPS Y11, Y1, Y1
	VADDPS Y13, Y12, Y2
	VADDPS Y14, Y2, Y2
	VSUBPS Y14, Y13, Y3
	VSUBPS Y15, Y3, Y3
	VUNPCKLPS Y1, Y0, Y4
	VUNPCKHPS Y1, Y0, Y5
	VUNPCKLPS Y3, Y2, Y6
	VUNPCKHPS Y3, Y2, Y7
	VPERM2F128 $0x20, Y5, Y4, Y0
	VPERM2F128 $0x31, Y5, Y4, Y1
	VPERM2F128 $0x20, Y7, Y6, Y2
	VPERM2F128 $0x31, Y7, Y6, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $64, DI
	ADDQ $64, DX
	SUBQ $8, CX
	JMP  wout

woutdone:
	VZEROUPPER
	RET

// ZERO_ACC12 clears the twelve accumulators Y0..Y11.
#define ZERO_ACC12 \
	VXORPS Y0, Y0, Y0; VXORPS Y1, Y1, Y1; VXORPS Y2, Y2, Y2; VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; VXORPS Y5, Y5, Y5; VXORPS Y6, Y6, Y6; VXORPS Y7, Y7, Y7; \
	VXORPS Y8, Y8, Y8; VXORPS Y9, Y9, Y9; VXORPS Y10, Y10, Y10; VXORPS Y11, Y11, Y11

// HSUM4 writes the lane sums of a, b, c and d to off(DI), four floats:
// pairwise within 128-bit halves, then the halves; xa and xb are the X
// names of a and b.
#define HSUM4(a, b, c, d, xa, xb, off) \
	VHADDPS b, a, a; \
	VHADDPS d, c, c; \
	VHADDPS c, a, a; \
	VEXTRACTF128 $1, a, xb; \
	VADDPS xb, xa, xa; \
	VMOVUPS xa, off(DI)

// func wgradDotAVX2(out *[12]float32, dy *float32, ld int, x *float32)
// out[r*3+j] = Σ_{p<ld} dy[r*ld+p]·x[p+j] for r < 4, j < 3; ld is a
// positive multiple of 8. Eight lanes p mod 8 per sum, reduced as
// ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)).
TEXT ·wgradDotAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ ld+16(FP), CX
	MOVQ x+24(FP), R8
	LEAQ (SI)(CX*4), R9
	LEAQ (R9)(CX*4), R10
	LEAQ (R10)(CX*4), R11
	ZERO_ACC12
	XORQ BX, BX

dotloop:
	VMOVUPS (R8)(BX*4), Y12       // x[p:], x[p+1:], x[p+2:]
	VMOVUPS 4(R8)(BX*4), Y13
	VMOVUPS 8(R8)(BX*4), Y14
	VMOVUPS (SI)(BX*4), Y15       // dy row 0
	VFMADD231PS Y12, Y15, Y0
	VFMADD231PS Y13, Y15, Y1
	VFMADD231PS Y14, Y15, Y2
	VMOVUPS (R9)(BX*4), Y15       // row 1
	VFMADD231PS Y12, Y15, Y3
	VFMADD231PS Y13, Y15, Y4
	VFMADD231PS Y14, Y15, Y5
	VMOVUPS (R10)(BX*4), Y15      // row 2
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VFMADD231PS Y14, Y15, Y8
	VMOVUPS (R11)(BX*4), Y15      // row 3
	VFMADD231PS Y12, Y15, Y9
	VFMADD231PS Y13, Y15, Y10
	VFMADD231PS Y14, Y15, Y11
	ADDQ $8, BX
	CMPQ BX, CX
	JLT  dotloop

	HSUM4(Y0, Y1, Y2, Y3, X0, X1, 0)
	HSUM4(Y4, Y5, Y6, Y7, X4, X5, 16)
	HSUM4(Y8, Y9, Y10, Y11, X8, X9, 32)
	VZEROUPPER
	RET

// One tap of convShiftAVX2: three vectors of x' at byte offset off from
// ptr, times the 4 weights at woff(SI) broadcast, into Y0..Y11.
#define SHIFT_TAP(ptr, off, woff) \
	VMOVUPS      off(ptr), Y12; \
	VMOVUPS      off+32(ptr), Y13; \
	VMOVUPS      off+64(ptr), Y14; \
	VBROADCASTSS woff(SI), Y15; \
	VFMADD231PS  Y12, Y15, Y0; \
	VFMADD231PS  Y13, Y15, Y1; \
	VFMADD231PS  Y14, Y15, Y2; \
	VBROADCASTSS woff+4(SI), Y15; \
	VFMADD231PS  Y12, Y15, Y3; \
	VFMADD231PS  Y13, Y15, Y4; \
	VFMADD231PS  Y14, Y15, Y5; \
	VBROADCASTSS woff+8(SI), Y15; \
	VFMADD231PS  Y12, Y15, Y6; \
	VFMADD231PS  Y13, Y15, Y7; \
	VFMADD231PS  Y14, Y15, Y8; \
	VBROADCASTSS woff+12(SI), Y15; \
	VFMADD231PS  Y12, Y15, Y9; \
	VFMADD231PS  Y13, Y15, Y10; \
	VFMADD231PS  Y14, Y15, Y11

// func convShiftAVX2(y *float32, ld int, wb *float32, x *float32, sx, wp, nc int)
// y[r*ld+q] = Σ_{ci<nc} Σ_{t<9} wb[(ci*9+t)*4+r]·x[ci*sx+(t/3)*wp+t%3+q]
// for r < 4, q < 24, summed in that order with fused multiply-adds; nc > 0.
TEXT ·convShiftAVX2(SB), NOSPLIT, $0-56
	MOVQ y+0(FP), DI
	MOVQ ld+8(FP), BX
	MOVQ wb+16(FP), SI
	MOVQ x+24(FP), R8
	MOVQ sx+32(FP), DX
	MOVQ wp+40(FP), AX
	MOVQ nc+48(FP), CX
	SHLQ $2, DX
	LEAQ (R8)(AX*4), R9
	LEAQ (R9)(AX*4), R10
	ZERO_ACC12

shiftloop:
	SHIFT_TAP(R8, 0, 0)
	SHIFT_TAP(R8, 4, 16)
	SHIFT_TAP(R8, 8, 32)
	SHIFT_TAP(R9, 0, 48)
	SHIFT_TAP(R9, 4, 64)
	SHIFT_TAP(R9, 8, 80)
	SHIFT_TAP(R10, 0, 96)
	SHIFT_TAP(R10, 4, 112)
	SHIFT_TAP(R10, 8, 128)
	ADDQ $144, SI
	ADDQ DX, R8
	ADDQ DX, R9
	ADDQ DX, R10
	DECQ CX
	JNZ  shiftloop

	SHLQ    $2, BX
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	ADDQ    BX, DI
	VMOVUPS Y3, (DI)
	VMOVUPS Y4, 32(DI)
	VMOVUPS Y5, 64(DI)
	ADDQ    BX, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	VMOVUPS Y8, 64(DI)
	ADDQ    BX, DI
	VMOVUPS Y9, (DI)
	VMOVUPS Y10, 32(DI)
	VMOVUPS Y11, 64(DI)
	VZEROUPPER
	RET
