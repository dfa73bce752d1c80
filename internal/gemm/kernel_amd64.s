//go:build amd64 && !purego

#include "textflag.h"

// The micro-kernels keep a 16-column row of the C tile in two registers.
// TWOROWS multiplies rows i and i+1 (A at byte offset off of the current
// p) by the B row in Y0, Y1 into their accumulators.
#define TWOROWS(off, r0, r1, s0, s1) \
	VBROADCASTSS off(SI), Y2 \
	VBROADCASTSS off+4(SI), Y3 \
	VFMADD231PS Y0, Y2, r0 \
	VFMADD231PS Y1, Y2, r1 \
	VFMADD231PS Y0, Y3, s0 \
	VFMADD231PS Y1, Y3, s1

// ADDROW adds one accumulated row to C at DX and moves DX to the next row;
// STOREROW stores it instead.
#define ADDROW(r0, r1) \
	VADDPS (DX), r0, r0 \
	VMOVUPS r0, (DX) \
	VADDPS 32(DX), r1, r1 \
	VMOVUPS r1, 32(DX) \
	ADDQ R8, DX

#define STOREROW(r0, r1) \
	VMOVUPS r0, (DX) \
	VMOVUPS r1, 32(DX) \
	ADDQ R8, DX

// KERNELARGS loads the arguments (k, a, b, c, ldc in bytes) and clears
// the accumulators Y4..Y11 (Y12..Y15 are the 6-row kernel's).
#define KERNELARGS \
	MOVQ k+0(FP), CX \
	MOVQ a+8(FP), SI \
	MOVQ b+16(FP), DI \
	MOVQ c+24(FP), DX \
	MOVQ ldc+32(FP), R8 \
	SHLQ $2, R8 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11

// func kernelAVX2(k int, a, b, c *float32, ldc int, add bool)
// c[i*ldc+j] (+)= sum_p a[p*6+i] * b[p*16+j] for i < 6, j < 16; k >= 1.
// With add false the sums overwrite c (which may hold anything).
TEXT ·kernelAVX2(SB), NOSPLIT, $0-41
	KERNELARGS
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

loop:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	TWOROWS(0, Y4, Y5, Y6, Y7)
	TWOROWS(8, Y8, Y9, Y10, Y11)
	TWOROWS(16, Y12, Y13, Y14, Y15)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop

	MOVBLZX add+40(FP), AX
	TESTQ AX, AX
	JE    store
	ADDROW(Y4, Y5)
	ADDROW(Y6, Y7)
	ADDROW(Y8, Y9)
	ADDROW(Y10, Y11)
	ADDROW(Y12, Y13)
	ADDROW(Y14, Y15)
	VZEROUPPER
	RET

store:
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	STOREROW(Y12, Y13)
	STOREROW(Y14, Y15)
	VZEROUPPER
	RET

// func kernel4AVX2(k int, a, b, c *float32, ldc int, add bool)
// kernelAVX2 for the first 4 rows of a 6-row sliver of A (a[p*6+i],
// i < 4): c[i*ldc+j] (+)= sum_p a[p*6+i] * b[p*16+j] for i < 4, j < 16.
// Each element's sum runs in the same order as in kernelAVX2: same bits.
TEXT ·kernel4AVX2(SB), NOSPLIT, $0-41
	KERNELARGS

loop4:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	TWOROWS(0, Y4, Y5, Y6, Y7)
	TWOROWS(8, Y8, Y9, Y10, Y11)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop4

	MOVBLZX add+40(FP), AX
	TESTQ AX, AX
	JE    store4
	ADDROW(Y4, Y5)
	ADDROW(Y6, Y7)
	ADDROW(Y8, Y9)
	ADDROW(Y10, Y11)
	VZEROUPPER
	RET

store4:
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	VZEROUPPER
	RET

// TRANSPOSE8 transposes the 8×8 block in Y0..Y7 (rows) with Y8..Y15 as
// scratch and stores its columns as 8 rows of a 16-wide sliver at dst.
#define TRANSPOSE8(dst) \
	VUNPCKLPS Y1, Y0, Y8 \
	VUNPCKHPS Y1, Y0, Y9 \
	VUNPCKLPS Y3, Y2, Y10 \
	VUNPCKHPS Y3, Y2, Y11 \
	VSHUFPS $0x44, Y10, Y8, Y12 \
	VSHUFPS $0xEE, Y10, Y8, Y13 \
	VSHUFPS $0x44, Y11, Y9, Y14 \
	VSHUFPS $0xEE, Y11, Y9, Y15 \
	VUNPCKLPS Y5, Y4, Y0 \
	VUNPCKHPS Y5, Y4, Y1 \
	VUNPCKLPS Y7, Y6, Y2 \
	VUNPCKHPS Y7, Y6, Y3 \
	VSHUFPS $0x44, Y2, Y0, Y4 \
	VSHUFPS $0xEE, Y2, Y0, Y5 \
	VSHUFPS $0x44, Y3, Y1, Y6 \
	VSHUFPS $0xEE, Y3, Y1, Y7 \
	VPERM2F128 $0x20, Y4, Y12, Y0 \
	VMOVUPS Y0, (dst) \
	VPERM2F128 $0x20, Y5, Y13, Y0 \
	VMOVUPS Y0, 64(dst) \
	VPERM2F128 $0x20, Y6, Y14, Y0 \
	VMOVUPS Y0, 128(dst) \
	VPERM2F128 $0x20, Y7, Y15, Y0 \
	VMOVUPS Y0, 192(dst) \
	VPERM2F128 $0x31, Y4, Y12, Y0 \
	VMOVUPS Y0, 256(dst) \
	VPERM2F128 $0x31, Y5, Y13, Y0 \
	VMOVUPS Y0, 320(dst) \
	VPERM2F128 $0x31, Y6, Y14, Y0 \
	VMOVUPS Y0, 384(dst) \
	VPERM2F128 $0x31, Y7, Y15, Y0 \
	VMOVUPS Y0, 448(dst)

// func packTransAVX(d, b *float32, ldb, kb8 int)
// Packs a 16-column sliver of op(B) = Bᵀ: d[p*16+q] = b[q*ldb+p] for
// q < 16, p < kb8 (a multiple of 8), as 8×8 register transposes.
TEXT ·packTransAVX(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8                  // row stride in bytes
	MOVQ kb8+24(FP), CX
	XORQ BX, BX                  // p

ploop:
	CMPQ BX, CX
	JGE  pdone
	XORQ R9, R9                  // q block: 0 then 8

qloop:
	// R10 = &b[q*ldb + p]
	MOVQ R9, AX
	IMULQ R8, AX
	LEAQ (SI)(AX*1), R10
	LEAQ (R10)(BX*4), R10
	VMOVUPS (R10), Y0
	ADDQ R8, R10
	VMOVUPS (R10), Y1
	ADDQ R8, R10
	VMOVUPS (R10), Y2
	ADDQ R8, R10
	VMOVUPS (R10), Y3
	ADDQ R8, R10
	VMOVUPS (R10), Y4
	ADDQ R8, R10
	VMOVUPS (R10), Y5
	ADDQ R8, R10
	VMOVUPS (R10), Y6
	ADDQ R8, R10
	VMOVUPS (R10), Y7
	// R11 = &d[p*16 + q]
	MOVQ BX, R11
	SHLQ $4, R11
	ADDQ R9, R11
	LEAQ (DI)(R11*4), R11
	TRANSPOSE8(R11)
	ADDQ $8, R9
	CMPQ R9, $16
	JLT  qloop
	ADDQ $8, BX
	JMP  ploop

pdone:
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


// func packCopyAVX(d, b *float32, ldb, kb int)
// Packs a 16-column sliver of B: d[p*16+q] = b[p*ldb+q], q < 16, p < kb.
TEXT ·packCopyAVX(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8
	MOVQ kb+24(FP), CX

cloop:
	TESTQ CX, CX
	JE    cdone
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ R8, SI
	ADDQ $64, DI
	DECQ CX
	JMP  cloop

cdone:
	VZEROUPPER
	RET

// func packMaskedAVX(d, x *float32, mask *uint32, off, row *int, n, q0 int)
// For i < n: d[i*16+q] = x[off[i]+q0+q] where mask[row[i]+q0+q] is all
// ones, else +0, q < 16. VMASKMOVPS does not touch the masked-off lanes.
TEXT ·packMaskedAVX(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ mask+16(FP), DX
	MOVQ off+24(FP), R8
	MOVQ row+32(FP), R9
	MOVQ n+40(FP), CX
	MOVQ q0+48(FP), R10

floop:
	MOVQ       (R8), AX
	ADDQ       R10, AX
	MOVQ       (R9), BX
	ADDQ       R10, BX
	VMOVDQU    (DX)(BX*4), Y2
	VMOVDQU    32(DX)(BX*4), Y3
	VMASKMOVPS (SI)(AX*4), Y2, Y0
	VMASKMOVPS 32(SI)(AX*4), Y3, Y1
	VMOVUPS    Y0, (DI)
	VMOVUPS    Y1, 32(DI)
	ADDQ       $64, DI
	ADDQ       $8, R8
	ADDQ       $8, R9
	DECQ       CX
	JNZ        floop
	VZEROUPPER
	RET

// FLOAD loads row k of an 8×8 block of transposed fields into Yk under
// its mask: Yk = x[off[qb+k]+R13 : +8] where mask[row[qb+k]+R13 : +8].
#define FLOAD(o, Yk) \
	MOVQ       o(R8)(R11*8), AX \
	ADDQ       R13, AX \
	MOVQ       o(R9)(R11*8), R12 \
	ADDQ       R13, R12 \
	VMOVDQU    (DX)(R12*4), Y8 \
	VMASKMOVPS (SI)(AX*4), Y8, Yk

// func packMaskedTAVX(d, x *float32, mask *uint32, off, row *int, pix, n int)
// For t < n (a multiple of 8), q < 16: d[t*16+q] = x[off[q]+pix+t] where
// mask[row[q]+pix+t] is all ones, else +0; 8×8 register transposes as in
// packTransAVX.
TEXT ·packMaskedTAVX(SB), NOSPLIT, $0-56
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ mask+16(FP), DX
	MOVQ off+24(FP), R8
	MOVQ row+32(FP), R9
	MOVQ pix+40(FP), R10
	MOVQ n+48(FP), CX
	XORQ BX, BX                  // t

tloop:
	CMPQ BX, CX
	JGE  tdone
	LEAQ (R10)(BX*1), R13        // pix + t
	XORQ R11, R11                // q block: 0 then 8

qloop:
	FLOAD(0, Y0)
	FLOAD(8, Y1)
	FLOAD(16, Y2)
	FLOAD(24, Y3)
	FLOAD(32, Y4)
	FLOAD(40, Y5)
	FLOAD(48, Y6)
	FLOAD(56, Y7)
	// AX = &d[t*16 + q]
	MOVQ BX, AX
	SHLQ $4, AX
	ADDQ R11, AX
	LEAQ (DI)(AX*4), AX
	TRANSPOSE8(AX)
	ADDQ $8, R11
	CMPQ R11, $16
	JLT  qloop
	ADDQ $8, BX
	JMP  tloop

tdone:
	VZEROUPPER
	RET
