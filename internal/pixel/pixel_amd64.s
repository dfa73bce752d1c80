//go:build amd64 && !purego

#include "textflag.h"

// NARROW8 saturates the eight int32 lanes of Y (X is its low half) to
// bytes, as Pillow's clip8 does, and stores them at DST; T is scratch.
#define NARROW8(Y, X, T, DST) \
	VEXTRACTI128 $1, Y, T; \
	VPACKSSDW T, X, X; \
	VPACKUSWB X, X, X; \
	MOVQ X, DST

// BCASTD broadcasts a 32-bit immediate into every lane of Y through AX.
#define BCASTD(IMM, X, Y) \
	MOVL IMM, AX; \
	VMOVD AX, X; \
	VPBROADCASTD X, Y

// Eight bytes at a time: widen to int32, multiply, add the rounding bias,
// shift, and narrow with signed then unsigned saturation (the clamp).

// func madd3ScalarAVX2(out, a, b, c *uint8, ka, kb, kc int32, n int)
TEXT ·madd3ScalarAVX2(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), R8
	MOVQ c+24(FP), R9
	VBROADCASTSS ka+32(FP), Y12 // int32 weights: their bits in every lane
	VBROADCASTSS kb+36(FP), Y13
	VBROADCASTSS kc+40(FP), Y14
	MOVQ n+48(FP), CX
	BCASTD($0x200000, X15, Y15)
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
	NARROW8(Y0, X0, X1, (DI)(BX*1))
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
	BCASTD($0x200000, X15, Y15)
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
	NARROW8(Y0, X0, X1, (DI))
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
	NARROW8(Y0, X0, X1, (DI)(BX*1))
	ADDQ      $8, BX
	JMP       rloop

rdone:
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
	NARROW8(Y0, X0, X1, (DI)(BX*1))
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
	VBROADCASTSS deg+16(FP), Y14 // the int32 in every lane
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
	NARROW8(Y0, X0, X1, (DI)(BX*1))
	ADDQ      $8, BX
	JMP       cloop

cdone:
	VZEROUPPER
	RET

// func hsvShiftAVX2(r, g, b *uint8, n int, shift int32, hue, sat, sector *uint8, frac, fs *float32, omf *float64, p *uint8)
// Pillow's RGB→HSV, hue + shift, HSV→RGB on eight pixels at a time from
// the tables of HSVTables (see hsvShiftGo for the same steps in Go). The
// byte tables are read with 4-byte gathers and so carry 3 bytes of padding.
TEXT ·hsvShiftAVX2(SB), NOSPLIT, $0-96
	MOVQ rp+0(FP), SI
	MOVQ gp+8(FP), DI
	MOVQ bp+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSS shift+32(FP), Y14 // the int32 shift in every lane
	MOVQ hue+40(FP), R9
	MOVQ sat+48(FP), R10
	MOVQ sector+56(FP), R11
	MOVQ frac+64(FP), R12
	MOVQ fs+72(FP), R13
	MOVQ omf+80(FP), DX
	BCASTD($0xff, X15, Y15) // byte mask
	MOVQ $0x3ff0000000000000, AX   // 1.0
	VMOVQ AX, X13
	VBROADCASTSD X13, Y13
	MOVQ $0x3fe0000000000000, AX   // 0.5
	VMOVQ AX, X12
	VBROADCASTSD X12, Y12
	XORQ BX, BX

hsvloop:
	CMPQ BX, CX
	JGE  hsvdone
	VPMOVZXBD (SI)(BX*1), Y0       // r
	VPMOVZXBD (DI)(BX*1), Y1       // g
	VPMOVZXBD (R8)(BX*1), Y2       // b
	VPMAXSD   Y1, Y0, Y3
	VPMAXSD   Y2, Y3, Y3           // v = max
	VPMINSD   Y1, Y0, Y4
	VPMINSD   Y2, Y4, Y4
	VPSUBD    Y4, Y3, Y4           // cr = max - min
	VPCMPEQD  Y3, Y0, Y5           // isR: r is the maximum
	VPCMPEQD  Y3, Y1, Y6
	VPANDN    Y6, Y5, Y6           // isG: g is, r is not
	VPOR      Y5, Y6, Y7           // isR | isG
	VPSUBD    Y0, Y3, Y0           // max - r
	VPSUBD    Y1, Y3, Y1           // max - g
	VPSUBD    Y2, Y3, Y2           // max - b
	VPBLENDVB Y6, Y0, Y1, Y8       // d1 = isG ? max-r : max-g
	VPBLENDVB Y7, Y2, Y0, Y9       // d2 = isR|isG ? max-b : max-r
	BCASTD($0x10000, X10, Y10)
	VPAND     Y10, Y6, Y6          // isG → 1<<16
	VPSLLD    $1, Y10, Y10
	VPANDN    Y10, Y7, Y7          // isB → 2<<16
	VPOR      Y6, Y7, Y7
	VPSLLD    $8, Y8, Y8
	VPOR      Y8, Y9, Y9
	VPOR      Y7, Y9, Y9           // hue table index
	VPCMPEQD  Y10, Y10, Y10
	VPGATHERDD Y10, (R9)(Y9*1), Y5
	VPAND     Y15, Y5, Y5          // 8-bit hue
	VPSLLD    $8, Y3, Y6
	VPOR      Y4, Y6, Y6           // max<<8 | cr
	VPCMPEQD  Y10, Y10, Y10
	VPGATHERDD Y10, (R10)(Y6*1), Y4
	VPAND     Y15, Y4, Y4          // s
	VPADDD    Y14, Y5, Y5
	VPAND     Y15, Y5, Y5          // h = hue + shift mod 256
	VPCMPEQD  Y10, Y10, Y10
	VPGATHERDD Y10, (R11)(Y5*1), Y6
	VPAND     Y15, Y6, Y6          // sector
	VPCMPEQD  Y10, Y10, Y10
	VGATHERDPS Y10, (R12)(Y5*4), Y7 // f
	VPCMPEQD  Y10, Y10, Y10
	VGATHERDPS Y10, (R13)(Y4*4), Y8 // fs
	VPSLLD    $8, Y4, Y9
	VPOR      Y3, Y9, Y9           // s<<8 | v
	MOVQ      p+88(FP), AX
	VPCMPEQD  Y10, Y10, Y10
	VPGATHERDD Y10, (AX)(Y9*1), Y0
	VPAND     Y15, Y0, Y0          // p
	VEXTRACTI128 $1, Y3, X11       // v, high four

	// q = int(v·(1 − (double)(fs·f)) + 0.5)
	VMULPS    Y7, Y8, Y1           // fs·f in float32
	VCVTPS2PD X1, Y2
	VSUBPD    Y2, Y13, Y2
	VCVTDQ2PD X3, Y9
	VMULPD    Y9, Y2, Y2
	VADDPD    Y12, Y2, Y2
	VCVTTPD2DQY Y2, X2
	VEXTRACTF128 $1, Y1, X1
	VCVTPS2PD X1, Y1
	VSUBPD    Y1, Y13, Y1
	VCVTDQ2PD X11, Y9
	VMULPD    Y9, Y1, Y1
	VADDPD    Y12, Y1, Y1
	VCVTTPD2DQY Y1, X1
	VINSERTI128 $1, X1, Y2, Y1     // q

	// t = int(v·(1 − (double)fs·(1−f)) + 0.5)
	VPCMPEQD  Y10, Y10, Y10
	VGATHERDPD Y10, (DX)(X5*8), Y2 // 1−f, low four
	VCVTPS2PD X8, Y9
	VMULPD    Y9, Y2, Y2
	VSUBPD    Y2, Y13, Y2
	VCVTDQ2PD X3, Y9
	VMULPD    Y9, Y2, Y2
	VADDPD    Y12, Y2, Y2
	VCVTTPD2DQY Y2, X2
	VEXTRACTI128 $1, Y5, X9
	VPCMPEQD  Y10, Y10, Y10
	VGATHERDPD Y10, (DX)(X9*8), Y7 // 1−f, high four
	VEXTRACTF128 $1, Y8, X8
	VCVTPS2PD X8, Y8
	VMULPD    Y8, Y7, Y7
	VSUBPD    Y7, Y13, Y7
	VCVTDQ2PD X11, Y8
	VMULPD    Y8, Y7, Y7
	VADDPD    Y12, Y7, Y7
	VCVTTPD2DQY Y7, X7
	VINSERTI128 $1, X7, Y2, Y2     // t

	// Sector k picks (r, g, b) from (v, p, q, t): 0 (v,t,p) 1 (q,v,p)
	// 2 (p,v,t) 3 (p,q,v) 4 (t,p,v) 5 (v,p,q).
	VMOVDQU   Y3, Y5               // r = v
	VMOVDQU   Y0, Y8               // g = p
	VMOVDQU   Y0, Y9               // b = p
	VPXOR     Y10, Y10, Y10
	VPCMPEQD  Y10, Y6, Y7          // sector 0
	VPBLENDVB Y7, Y2, Y8, Y8
	BCASTD($1, X10, Y11)           // Y11 = 1, counts sectors up
	VPCMPEQD  Y11, Y6, Y7          // sector 1
	VPBLENDVB Y7, Y1, Y5, Y5
	VPBLENDVB Y7, Y3, Y8, Y8
	VPBROADCASTD X10, Y10          // Y10 = 1 (X10's low dword still holds it)
	VPADDD    Y10, Y11, Y11        // 2
	VPCMPEQD  Y11, Y6, Y7          // sector 2
	VPBLENDVB Y7, Y0, Y5, Y5
	VPBLENDVB Y7, Y3, Y8, Y8
	VPBLENDVB Y7, Y2, Y9, Y9
	VPADDD    Y10, Y11, Y11        // 3
	VPCMPEQD  Y11, Y6, Y7          // sector 3
	VPBLENDVB Y7, Y0, Y5, Y5
	VPBLENDVB Y7, Y1, Y8, Y8
	VPBLENDVB Y7, Y3, Y9, Y9
	VPADDD    Y10, Y11, Y11        // 4
	VPCMPEQD  Y11, Y6, Y7          // sector 4
	VPBLENDVB Y7, Y2, Y5, Y5
	VPBLENDVB Y7, Y3, Y9, Y9
	VPADDD    Y10, Y11, Y11        // 5
	VPCMPEQD  Y11, Y6, Y7          // sector 5
	VPBLENDVB Y7, Y1, Y9, Y9

	// s = 0 (grey, or nearly): (v, v, v)
	VPXOR     Y10, Y10, Y10
	VPCMPEQD  Y10, Y4, Y7
	VPBLENDVB Y7, Y3, Y5, Y5
	VPBLENDVB Y7, Y3, Y8, Y8
	VPBLENDVB Y7, Y3, Y9, Y9

	NARROW8(Y5, X5, X10, (SI)(BX*1))
	NARROW8(Y8, X8, X10, (DI)(BX*1))
	NARROW8(Y9, X9, X10, (R8)(BX*1))
	ADDQ      $8, BX
	JMP       hsvloop

hsvdone:
	VZEROUPPER
	RET

// func tapSumAVX2(out, base *float32, offs *int, k *float32, taps, n int)
// out[i] = Σ_j k[j]·base[offs[j]+i], j ascending from +0, each product
// rounded before its add (VMULPS then VADDPS), eight outputs at a time.
TEXT ·tapSumAVX2(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ base+8(FP), SI
	MOVQ offs+16(FP), R8
	MOVQ k+24(FP), R9
	MOVQ taps+32(FP), R10
	MOVQ n+40(FP), CX
	XORQ BX, BX

tiloop:
	CMPQ BX, CX
	JGE  tdone
	VXORPS Y0, Y0, Y0
	LEAQ (SI)(BX*4), R12
	XORQ R11, R11

tjloop:
	CMPQ R11, R10
	JGE  tjdone
	MOVQ (R8)(R11*8), AX
	VBROADCASTSS (R9)(R11*4), Y1
	VMULPS (R12)(AX*4), Y1, Y2
	VADDPS Y2, Y0, Y0
	INCQ R11
	JMP  tjloop

tjdone:
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ $8, BX
	JMP  tiloop

tdone:
	VZEROUPPER
	RET

// func normalizeAVX2(out *float32, in *uint8, n int, mean, std float32)
// out[i] = (in[i]/255 − mean)/std in float32, as ToTensor then Normalize.
TEXT ·normalizeAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS mean+24(FP), Y14
	VBROADCASTSS std+28(FP), Y15
	MOVL $0x437f0000, AX          // 255.0
	VMOVD AX, X13
	VBROADCASTSS X13, Y13
	XORQ BX, BX

nloop:
	CMPQ BX, CX
	JGE  ndone
	VPMOVZXBD (SI)(BX*1), Y0
	VCVTDQ2PS Y0, Y0
	VDIVPS    Y13, Y0, Y0
	VSUBPS    Y14, Y0, Y0
	VDIVPS    Y15, Y0, Y0
	VMOVUPS   Y0, (DI)(BX*4)
	ADDQ      $8, BX
	JMP       nloop

ndone:
	VZEROUPPER
	RET
