package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naive is the float64 reference: C = alpha*op(A)*op(B) + beta*C.
func naive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = float64(alpha)*s + float64(beta)*float64(c[i*ldc+j])
		}
	}
	return out
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestSgemmMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 3, 300}, {97, 33, 257}, {13, 4100, 5}, {200, 70, 600}, {64, 1024, 27}, {16, 40, 20}, {4, 16, 9}, {3, 33, 7}}
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			m, n, k := s[0], s[1], s[2]
			lda, ldb, ldc := k+1, n+2, n+3
			if tr[0] {
				lda = m + 1
			}
			if tr[1] {
				ldb = k + 2
			}
			ar := m
			if tr[0] {
				ar = k
			}
			br := k
			if tr[1] {
				br = n
			}
			a := randSlice(r, ar*lda)
			b := randSlice(r, br*ldb)
			c := randSlice(r, m*ldc)
			alpha, beta := float32(0.7), float32(-1.5)
			want := naive(tr[0], tr[1], m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			c2 := append([]float32(nil), c...)
			Sgemm(tr[0], tr[1], m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			Parallel(3, tr[0], tr[1], m, n, k, alpha, a, lda, b, ldb, beta, c2, ldc)
			name := fmt.Sprintf("m%d n%d k%d t%v", m, n, k, tr)
			tol := 1e-5 * math.Sqrt(float64(k)) * 4
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					got := float64(c[i*ldc+j])
					if d := math.Abs(got - want[i*n+j]); d > tol*(1+math.Abs(want[i*n+j])) {
						t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, got, want[i*n+j])
					}
					if c2[i*ldc+j] != c[i*ldc+j] {
						t.Fatalf("%s: Parallel differs from Sgemm at [%d,%d]", name, i, j)
					}
				}
				// Padding between rows must be untouched.
				for j := n; j < ldc && i < m-1; j++ {
					if c[i*ldc+j] != c2[i*ldc+j] {
						t.Fatalf("%s: wrote outside C", name)
					}
				}
			}
		}
	}
}

func TestBetaZeroIgnoresNaN(t *testing.T) {
	c := []float32{float32(math.NaN()), 1}
	Sgemm(false, false, 1, 2, 1, 1, []float32{2}, 1, []float32{3, 4}, 2, 0, c, 2)
	if c[0] != 6 || c[1] != 8 {
		t.Fatalf("got %v, want [6 8]", c)
	}
}

func TestKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	k := 37
	a, b := randSlice(r, k*mr), randSlice(r, k*nr)
	c1 := make([]float32, mr*nr)
	c2 := make([]float32, mr*nr)
	kernel(k, a, b, c1, nr, true)
	kernelGo(k, a, b, c2, nr, true)
	for i := range c1 {
		if d := math.Abs(float64(c1[i] - c2[i])); d > 1e-4 {
			t.Fatalf("kernel %s differs from Go kernel at %d: %v vs %v", Kernel(), i, c1[i], c2[i])
		}
	}
	// The 4-row kernel gives the first 4 rows of the 6-row one, bit for bit
	// (each sum runs in the same order), and writes nothing past them.
	for _, pair := range [][2]func(int, []float32, []float32, []float32, int, bool){{kernel, kernel4}, {kernelGo, func(k int, a, b, c []float32, ldc int, add bool) { kernelRowsGo(4, k, a, b, c, ldc, add) }}} {
		six, four := randSlice(r, mr*nr), randSlice(r, mr*nr)
		copy(four, six)
		pair[0](k, a, b, six, nr, true)
		pair[1](k, a, b, four, nr, true)
		for i := range six {
			if i < 4*nr && math.Float32bits(six[i]) != math.Float32bits(four[i]) {
				t.Fatalf("4-row kernel differs from the 6-row one at %d: %v vs %v", i, four[i], six[i])
			}
			if i >= 4*nr && four[i] == six[i] {
				t.Fatalf("4-row kernel wrote row %d", i/nr)
			}
		}
	}
	// Storing (add false) over garbage equals adding onto zeros, bit for
	// bit, on both kernels.
	for _, kern := range []func(int, []float32, []float32, []float32, int, bool){kernel, kernelGo} {
		added, stored := make([]float32, mr*nr), randSlice(r, mr*nr)
		stored[3] = float32(math.NaN())
		kern(k, a, b, added, nr, true)
		kern(k, a, b, stored, nr, false)
		for i := range added {
			if math.Float32bits(added[i]) != math.Float32bits(stored[i]) {
				t.Fatalf("stored tile differs from added-to-zero tile at %d: %v vs %v", i, stored[i], added[i])
			}
		}
	}
}

func benchmarkSgemm(bm *testing.B, m, n, k int, par bool) {
	r := rand.New(rand.NewPCG(1, 1))
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	bm.SetBytes(0)
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		if par {
			Parallel(0, false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		} else {
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		}
	}
	bm.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(bm.N)/bm.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSgemm512(b *testing.B)    { benchmarkSgemm(b, 512, 512, 512, false) }
func BenchmarkParallel512(b *testing.B) { benchmarkSgemm(b, 512, 512, 512, true) }
func BenchmarkConv2Shape(b *testing.B)  { benchmarkSgemm(b, 64, 1024, 288, false) }
func BenchmarkConv4Shape(b *testing.B)  { benchmarkSgemm(b, 256, 64, 1152, false) }

func TestSgemmPackedMatchesSgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range [][3]int{{7, 9, 3}, {64, 1024, 288}, {300, 50, 600}, {5, 17, 1}} {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			a := randSlice(r, m*k)
			lda := k
			if ta {
				lda = m
			}
			b := randSlice(r, k*n)
			want := randSlice(r, m*n)
			got := append([]float32(nil), want...)
			Sgemm(ta, false, m, n, k, 0.5, a, lda, b, n, 1, want, n)
			var p PackedA
			p.Pack(ta, m, k, 0.5, a, lda)
			SgemmPacked(&p, false, n, b, n, 1, got, n)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v trans %v: packed result differs at %d: %v vs %v", s, ta, i, got[i], want[i])
				}
			}
		}
	}
}

// A Panel written from its documented layout alone, packing a plain
// row-major B, must give Sgemm's bits: with A in one block of rows (B
// packed sliver by sliver) and in several (the whole panel first), with
// partial slivers, several depth blocks, and beta 0 over NaNs.
func TestSgemmPanelMatchesSgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range [][3]int{{16, 1024, 144}, {7, 37, 3}, {96, 50, 600}, {300, 50, 600}, {5, 17, 1}} {
		m, n, k := s[0], s[1], s[2]
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		panel := func(dst []float32, pc, jc, kb, nb int) {
			for i := range dst[:(nb+Slivers-1)/Slivers*Slivers*kb] {
				sl, p, q := i/(Slivers*kb), i%(Slivers*kb)/Slivers, i%Slivers
				dst[i] = 0
				if col := sl*Slivers + q; col < nb {
					dst[i] = b[(pc+p)*n+jc+col]
				}
			}
		}
		for _, beta := range []float32{0, 1} {
			want := randSlice(r, m*n)
			want[0] = float32(math.NaN())
			got := append([]float32(nil), want...)
			Sgemm(false, false, m, n, k, 1, a, k, b, n, beta, want, n)
			var p PackedA
			p.Pack(false, m, k, 1, a, k)
			SgemmPanel(&p, n, panel, beta, got, n)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v beta %v: [%d] = %v, Sgemm gives %v", s, beta, i, got[i], want[i])
				}
			}
		}
	}
}

func TestAxpyMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 40; n++ {
		dst, src := make([]float32, n), make([]float32, n)
		for i := range dst {
			dst[i], src[i] = float32(r.NormFloat64()*100), float32(r.NormFloat64())
		}
		want := append([]float32(nil), dst...)
		a := float32(r.Float64())
		for i := range want {
			p := a * src[i]
			want[i] = want[i] + p
		}
		Axpy(dst, src, a)
		for i := range dst {
			if dst[i] != want[i] {
				t.Fatalf("%s n=%d i=%d: %v, want %v", Kernel(), n, i, dst[i], want[i])
			}
		}
	}
}

// ResNet-18 ×0.25 layer 1 (16 channels, 32×32): the forward product of one
// image, 16 rows (6+6+4).
func BenchmarkR18Layer1Shape(b *testing.B) { benchmarkSgemm(b, 16, 1024, 144, false) }

// maskedInput is x (400 values, a NaN among them) with a random mask of
// 200, where rows 5 and 6 of testOff (at q0 = pix = 11) read x[387:403]
// and x[-14:2]: their masks are clear past x's ends.
func maskedInput() (x []float32, mask []uint32) {
	r := rand.New(rand.NewPCG(8, 8))
	x = randSlice(r, 400)
	x[37] = float32(math.NaN())
	mask = make([]uint32, 200)
	for i := range mask {
		if r.IntN(3) > 0 || i >= 150+11 && i < 150+11+13 || i >= 170+11+14 && i < 170+11+16 {
			mask[i] = ^uint32(0)
		}
		if i >= 150+11+13 && i < 150+11+16 || i >= 170+11 && i < 170+11+14 {
			mask[i] = 0
		}
	}
	return x, mask
}

var (
	testOff = []int{0, 5, 100, 3, 300, 376, -25, 40, 41, 42, 200, 7, 9, 250, 370, 1}
	testRow = []int{0, 60, 20, 100, 7, 150, 170, 3, 3, 3, 90, 120, 130, 140, 1, 2}
)

// The assembly masked packers against the Go loops, bit for bit, and the
// lanes past x's ends +0.
func TestPackMaskedPathsAgree(t *testing.T) {
	x, mask := maskedInput()
	want, got := make([]float32, 16*16), make([]float32, 16*16)
	packMaskedGo(want, x, mask, testOff, testRow, 11)
	PackMasked(got, x, mask, testOff, testRow, 11)
	if want[5*16+12] != x[399] || want[5*16+13] != 0 || want[6*16+14] != x[0] || want[6*16+13] != 0 {
		t.Fatalf("masked ends: %v / %v", want[5*16:6*16], want[6*16:7*16])
	}
	sameBits(t, "PackMasked", got, want)
	off, row := make([]int, 16), make([]int, 16)
	for q := range off { // columns that stay inside x and the mask for 11 rows
		off[q], row[q] = testOff[q]%300+20, testRow[q]%150
	}
	wantT, gotT := make([]float32, 11*16), make([]float32, 11*16) // 8 transposed, 3 one by one
	packMaskedTGo(wantT, x, mask, off, row, 11, 11)
	PackMaskedT(gotT, x, mask, off, row, 11, 11)
	sameBits(t, "PackMaskedT", gotT, wantT)
}

func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v, Go gives %v", what, i, got[i], want[i])
		}
	}
}
