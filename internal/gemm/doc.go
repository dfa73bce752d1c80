// Package gemm is the single-precision matrix multiply that every hot
// operator in simclr-go (convolution, linear layers, the NT-Xent similarity)
// is built on.
//
// Matrices are dense and row-major: element (i, j) of a matrix with leading
// dimension ld lives at index i*ld+j. Sgemm computes
//
//	C = alpha * op(A) * op(B) + beta * C
//
// where op(X) is X or Xᵀ. The caller owns every slice; Sgemm writes only C.
//
// The algorithm is the classic Goto/BLIS blocking: B is packed into
// panels of kc×16, A into slivers of 6×kc, and a 6×16 micro-kernel
// accumulates in registers. On amd64 with AVX2 and FMA the micro-kernel is
// assembly, chosen at run time; elsewhere, or with -tags purego, it is a
// portable Go loop with the same summation order per output element.
//
// A caller that can pack B faster than it can lay it out (a convolution
// reading its receptive fields from the image) passes a Panel to
// SgemmPanel. When A fits one block of rows, each 16-column sliver of B is
// packed just before its products, while it is in L1.
//
// Sgemm is single-threaded and deterministic: the same inputs give the same
// bits. Parallel splits C into row blocks whose boundaries depend only on
// the shape, so its result is bit-identical to Sgemm's for any number of
// workers. Dimension or slice-length mismatches are programmer errors and
// panic.
package gemm
