//go:build !amd64 || purego

package gemm

// kernel adds the mr×nr tile product to c, or with add false stores it.
func kernel(k int, a, b, c []float32, ldc int, add bool) { kernelGo(k, a, b, c, ldc, add) }

// kernel4 is kernel for the first 4 rows of the sliver (c holds 4 rows).
func kernel4(k int, a, b, c []float32, ldc int, add bool) { kernelRowsGo(4, k, a, b, c, ldc, add) }

// Kernel names the micro-kernel in use, for benchmarks and reports.
func Kernel() string { return "go 6x16" }

// packTrans16 packs a full 16-column sliver of Bᵀ: d[p*nr+q] = b[q*ldb+p].
func packTrans16(d, b []float32, ldb, kb int) {
	for q := 0; q < nr; q++ {
		src := b[q*ldb : q*ldb+kb]
		for p, v := range src {
			d[p*nr+q] = v
		}
	}
}

// Axpy adds a·src to dst element by element (BLAS saxpy), rounding the
// product to float32 before the sum (never a fused multiply-add).
func Axpy(dst, src []float32, a float32) { axpyGo(dst, src, a) }

// packCopy16 packs a full 16-column sliver of B: d[p*nr+q] = b[p*ldb+q].
func packCopy16(d, b []float32, ldb, kb int) {
	for p := 0; p < kb; p++ {
		copy(d[p*nr:p*nr+nr], b[p*ldb:p*ldb+nr])
	}
}

func packMasked(d, x []float32, mask []uint32, off, row []int, q0 int) {
	packMaskedGo(d, x, mask, off, row, q0)
}

func packMaskedT(d, x []float32, mask []uint32, off, row []int, pix, n int) {
	packMaskedTGo(d, x, mask, off, row, pix, n)
}
