//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the assembly micro-kernel may run.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernelAVX2(k int, a, b, c *float32, ldc int, add bool)

// kernel adds the mr×nr tile product to c, or with add false stores it.
func kernel(k int, a, b, c []float32, ldc int, add bool) {
	if hasAVX2 && k > 0 {
		_ = a[k*mr-1]
		_ = b[k*nr-1]
		_ = c[(mr-1)*ldc+nr-1]
		kernelAVX2(k, &a[0], &b[0], &c[0], ldc, add)
		return
	}
	kernelGo(k, a, b, c, ldc, add)
}

//go:noescape
func kernel4AVX2(k int, a, b, c *float32, ldc int, add bool)

// kernel4 is kernel for the first 4 rows of the sliver (c holds 4 rows).
func kernel4(k int, a, b, c []float32, ldc int, add bool) {
	if hasAVX2 && k > 0 {
		_ = a[k*mr-1]
		_ = b[k*nr-1]
		_ = c[3*ldc+nr-1]
		kernel4AVX2(k, &a[0], &b[0], &c[0], ldc, add)
		return
	}
	kernelRowsGo(4, k, a, b, c, ldc, add)
}

//go:noescape
func packTransAVX(d, b *float32, ldb, kb8 int)

//go:noescape
func packCopyAVX(d, b *float32, ldb, kb int)

// packCopy16 packs a full 16-column sliver of B: d[p*nr+q] = b[p*ldb+q].
// (A 64-byte array assignment in Go compiles to a memmove call.)
func packCopy16(d, b []float32, ldb, kb int) {
	if hasAVX2 && kb > 0 {
		_ = b[(kb-1)*ldb+nr-1]
		_ = d[kb*nr-1]
		packCopyAVX(&d[0], &b[0], ldb, kb)
		return
	}
	for p := 0; p < kb; p++ {
		copy(d[p*nr:p*nr+nr], b[p*ldb:p*ldb+nr])
	}
}

// packTrans16 packs a full 16-column sliver of Bᵀ: d[p*nr+q] =
// b[q*ldb+p], in 8×8 register transposes where it can.
func packTrans16(d, b []float32, ldb, kb int) {
	kb8 := 0
	if hasAVX2 && kb >= 8 {
		kb8 = kb &^ 7
		_ = b[(nr-1)*ldb+kb8-1]
		_ = d[kb8*nr-1]
		packTransAVX(&d[0], &b[0], ldb, kb8)
	}
	for q := 0; q < nr; q++ {
		src := b[q*ldb+kb8 : q*ldb+kb]
		for p, v := range src {
			d[(kb8+p)*nr+q] = v
		}
	}
}

//go:noescape
func axpyAVX2(dst, src *float32, a float32, n int)

// Axpy adds a·src to dst element by element (BLAS saxpy), rounding the
// product to float32 before the sum — never a fused multiply-add — so
// that every path and build gives the same bits.
func Axpy(dst, src []float32, a float32) {
	n := len(dst) &^ 7
	if hasAVX2 && n > 0 {
		_ = src[n-1]
		axpyAVX2(&dst[0], &src[0], a, n)
		dst, src = dst[n:], src[n:]
	}
	axpyGo(dst, src, a)
}

// Kernel names the micro-kernel in use, for benchmarks and reports.
func Kernel() string {
	if hasAVX2 {
		return "avx2-fma 6x16"
	}
	return "go 6x16"
}

//go:noescape
func packMaskedAVX(d, x *float32, mask *uint32, off, row *int, n, q0 int)

//go:noescape
func packMaskedTAVX(d, x *float32, mask *uint32, off, row *int, pix, n int)

// packMasked and packMaskedT (n a multiple of 8) load under the mask
// (VMASKMOVPS), so the lanes it clears are never touched.
func packMasked(d, x []float32, mask []uint32, off, row []int, q0 int) {
	if !hasAVX2 {
		packMaskedGo(d, x, mask, off, row, q0)
		return
	}
	packMaskedAVX(&d[0], &x[0], &mask[0], &off[0], &row[0], len(off), q0)
}

func packMaskedT(d, x []float32, mask []uint32, off, row []int, pix, n int) {
	if !hasAVX2 {
		packMaskedTGo(d, x, mask, off, row, pix, n)
		return
	}
	packMaskedTAVX(&d[0], &x[0], &mask[0], &off[0], &row[0], pix, n)
}
