package gemm

import (
	"fmt"
	"runtime"
	"sync"
)

const (
	mr = 6   // rows of the micro-kernel
	nr = 16  // columns of the micro-kernel
	kc = 256 // depth of one packed panel
	mc = 96  // rows of A packed at once (a multiple of mr)
	nc = 4096
)

// DepthBlock is the depth of one packed panel: the micro-kernel sums up to
// DepthBlock products per output element in registers before it touches C,
// so a product of that depth pays for C's loads and stores once.
const DepthBlock = kc

// Workspace holds the packing buffers of one Sgemm call. Reusing one across
// calls makes Sgemm allocation-free; a Workspace must not be shared by
// concurrent calls.
type Workspace struct {
	a, b []float32
	tile [mr * nr]float32
}

var pool = sync.Pool{New: func() any { return new(Workspace) }}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C with op(A) m×k and op(B)
// k×n. A is m×k (k×m when transA), B is k×n (n×k when transB). It uses a
// pooled Workspace.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w := pool.Get().(*Workspace)
	w.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	pool.Put(w)
}

func check(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	need("a", a, ar, ac, lda)
	need("b", b, br, bc, ldb)
	need("c", c, m, n, ldc)
}

// need panics unless s holds a rows×cols matrix with leading dimension ld.
func need(name string, s []float32, rows, cols, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols {
		panic(fmt.Sprintf("gemm: ld%s=%d < %d columns", name, ld, cols))
	}
	if len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: %s has %d elements, need %d", name, len(s), (rows-1)*ld+cols))
	}
}

// Sgemm is like the package function but uses w's buffers.
func (w *Workspace) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if alpha == 0 {
		k = 0
	}
	w.run(m, n, k, func(ic, pc, mb, kb int) []float32 {
		if cap(w.a) < mc*kc {
			w.a = make([]float32, mc*kc)
		}
		packA(w.a, transA, a, lda, ic, pc, mb, kb, alpha)
		return w.a
	}, func(dst []float32, pc, jc, kb, nb int) {
		packB(dst, transB, b, ldb, pc, jc, kb, nb)
	}, beta, c, ldc)
}

// PackedA is a left operand alpha*op(A) packed once for many products, as
// when one weight matrix multiplies every image of a batch.
type PackedA struct {
	M, K int
	data []float32
}

// Pack packs alpha*op(A) (m×k) into p, reusing p's storage.
func (p *PackedA) Pack(transA bool, m, k int, alpha float32, a []float32, lda int) {
	check(transA, false, m, 0, k, a, lda, nil, 0, nil, 0)
	mpad := (m + mr - 1) / mr * mr
	if cap(p.data) < mpad*k {
		p.data = make([]float32, mpad*k)
	}
	p.M, p.K, p.data = m, k, p.data[:mpad*k]
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		for ic := 0; ic < m; ic += mc {
			packA(p.data[pc*mpad+ic*kb:], transA, a, lda, ic, pc, min(mc, m-ic), kb, alpha)
		}
	}
}

// SgemmPacked computes C = A·op(B) + beta*C with A packed in p (p.M×p.K)
// and op(B) p.K×n.
func (w *Workspace) SgemmPacked(p *PackedA, transB bool, n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	m, k := p.M, p.K
	if transB {
		need("b", b, n, k, ldb)
	} else {
		need("b", b, k, n, ldb)
	}
	need("c", c, m, n, ldc)
	mpad := (m + mr - 1) / mr * mr
	w.run(m, n, k, func(ic, pc, mb, kb int) []float32 {
		return p.data[pc*mpad+ic*kb:]
	}, func(dst []float32, pc, jc, kb, nb int) {
		packB(dst, transB, b, ldb, pc, jc, kb, nb)
	}, beta, c, ldc)
}

// Panel packs the kb×nb block of a right operand B at depth pc and column
// jc into dst in the micro-kernel's layout: slivers of nr columns,
// dst[s*nr*kb+p*nr+q] = B[pc+p][jc+s*nr+q], and zeros in a last sliver's
// columns past nb. A Panel lets a caller pack B straight from where its
// values live (a convolution from the image) instead of laying B out first.
type Panel func(dst []float32, pc, jc, kb, nb int)

// Slivers is the number of columns of one sliver of a packed panel.
const Slivers = nr

// SgemmPanel computes C = A·B + beta*C with A packed in p (p.M×p.K) and
// B (p.K×n) packed by panel.
func (w *Workspace) SgemmPanel(p *PackedA, n int, panel Panel, beta float32, c []float32, ldc int) {
	m := p.M
	need("c", c, m, n, ldc)
	mpad := (m + mr - 1) / mr * mr
	w.run(m, n, p.K, func(ic, pc, mb, kb int) []float32 {
		return p.data[pc*mpad+ic*kb:]
	}, panel, beta, c, ldc)
}

// SgemmPanel is the package-level form of Workspace.SgemmPanel.
func SgemmPanel(p *PackedA, n int, panel Panel, beta float32, c []float32, ldc int) {
	w := pool.Get().(*Workspace)
	w.SgemmPanel(p, n, panel, beta, c, ldc)
	pool.Put(w)
}

// SgemmPacked is the package-level form of Workspace.SgemmPacked.
func SgemmPacked(p *PackedA, transB bool, n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	w := pool.Get().(*Workspace)
	w.SgemmPacked(p, transB, n, b, ldb, beta, c, ldc)
	pool.Put(w)
}

// run is the blocked loop; ablock returns the packed mb×kb block of A at
// (ic, pc), and panel packs B.
func (w *Workspace) run(m, n, k int, ablock func(ic, pc, mb, kb int) []float32, panel Panel, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	// With beta 0 the first depth block stores its products instead of
	// adding them to a cleared C: the same bits (a sum that starts at +0
	// never ends at −0, so +0 + sum is sum) without the clearing pass.
	overwrite := beta == 0 && k > 0
	if beta != 1 && !overwrite {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else {
				for j := range row {
					row[j] *= beta
				}
			}
		}
	}
	if k == 0 {
		return
	}
	if nb := kc * ((min(n, nc) + nr - 1) / nr * nr); cap(w.b) < nb {
		w.b = make([]float32, nb)
	}
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			add := !overwrite || pc > 0
			if m <= mc {
				// One block of A: pack each sliver of B just before its
				// products, while it is in L1, not the whole panel first.
				w.macro(ablock(0, pc, m, kb), m, nb, kb, c[jc:], ldc, add, func(dst []float32, jr, ncol int) {
					panel(dst, pc, jc+jr, kb, ncol)
				})
				continue
			}
			panel(w.b, pc, jc, kb, nb)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				w.macro(ablock(ic, pc, mb, kb), mb, nb, kb, c[ic*ldc+jc:], ldc, add, nil)
			}
		}
	}
}

// macro multiplies one packed A block by one packed B panel into c. With
// pack non-nil the panel is not packed yet: pack packs the sliver of ncol
// columns at jr into dst before its products.
func (w *Workspace) macro(a []float32, mb, nb, kb int, c []float32, ldc int, add bool, pack func(dst []float32, jr, ncol int)) {
	for jr := 0; jr < nb; jr += nr {
		bp := w.b[jr*kb:]
		ncol := min(nr, nb-jr)
		if pack != nil {
			bp = w.b[:nr*kb]
			pack(bp, jr, ncol)
		}
		for ir := 0; ir < mb; ir += mr {
			ap := a[ir*kb:]
			nrow := min(mr, mb-ir)
			off := ir*ldc + jr
			if nrow == mr && ncol == nr {
				kernel(kb, ap, bp, c[off:], ldc, add)
				continue
			}
			// A sliver of up to 4 rows (16 output channels are 6+6+4)
			// takes the 4-row kernel: two thirds of the work of 6 rows.
			kern := kernel
			if nrow <= 4 {
				kern = kernel4
				if nrow == 4 && ncol == nr {
					kern(kb, ap, bp, c[off:], ldc, add)
					continue
				}
			}
			t := w.tile[:]
			kern(kb, ap, bp, t, nr, false)
			for i := 0; i < nrow; i++ {
				dst := c[off+i*ldc : off+i*ldc+ncol]
				if !add {
					copy(dst, t[i*nr:i*nr+ncol])
					continue
				}
				for j := range dst {
					dst[j] += t[i*nr+j]
				}
			}
		}
	}
}

// packA copies the mb×kb block of alpha*op(A) at (ic, pc) into slivers of
// mr rows: sliver s holds, for each p, the mr values of rows s*mr.. .
func packA(dst []float32, trans bool, a []float32, lda, ic, pc, mb, kb int, alpha float32) {
	for s := 0; s < mb; s += mr {
		d := dst[s*kb : s*kb+mr*kb]
		rows := min(mr, mb-s)
		if rows < mr {
			clear(d)
		}
		if !trans && rows == mr {
			packRows6(d, a[(ic+s)*lda+pc:], lda, kb, alpha)
			continue
		}
		for r := 0; r < rows; r++ {
			i := ic + s + r
			if trans {
				for p := 0; p < kb; p++ {
					d[p*mr+r] = alpha * a[(pc+p)*lda+i]
				}
			} else {
				src := a[i*lda+pc : i*lda+pc+kb]
				for p, v := range src {
					d[p*mr+r] = alpha * v
				}
			}
		}
	}
}

// packRows6 packs a full sliver of mr = 6 rows of a (not transposed):
// d[p*6+r] = alpha*a[r*lda+p]. Walking p outermost writes d in order, and
// the six row slices let the compiler drop the bounds checks.
func packRows6(d, a []float32, lda, kb int, alpha float32) {
	r0, r1, r2 := a[:kb], a[lda:lda+kb], a[2*lda:2*lda+kb]
	r3, r4, r5 := a[3*lda:3*lda+kb], a[4*lda:4*lda+kb], a[5*lda:5*lda+kb]
	d = d[:kb*mr]
	for p := range r0 {
		q := d[p*mr : p*mr+mr : p*mr+mr]
		q[0], q[1], q[2] = alpha*r0[p], alpha*r1[p], alpha*r2[p]
		q[3], q[4], q[5] = alpha*r3[p], alpha*r4[p], alpha*r5[p]
	}
}

// packB copies the kb×nb block of op(B) at (pc, jc) into slivers of nr
// columns: sliver s holds, for each p, the nr values of columns s*nr.. .
func packB(dst []float32, trans bool, b []float32, ldb, pc, jc, kb, nb int) {
	for s := 0; s < nb; s += nr {
		d := dst[s*kb : s*kb+nr*kb]
		cols := min(nr, nb-s)
		if cols < nr {
			clear(d)
		}
		if trans && cols == nr {
			packTrans16(d, b[(jc+s)*ldb+pc:], ldb, kb)
			continue
		}
		if trans {
			for q := 0; q < cols; q++ {
				j := jc + s + q
				src := b[j*ldb+pc : j*ldb+pc+kb]
				for p, v := range src {
					d[p*nr+q] = v
				}
			}
			continue
		}
		if cols == nr {
			packCopy16(d, b[pc*ldb+jc+s:], ldb, kb)
			continue
		}
		for p := 0; p < kb; p++ {
			row := (pc+p)*ldb + jc + s
			copy(d[p*nr:p*nr+cols], b[row:row+cols])
		}
	}
}

// kernelGo is the portable micro-kernel: c[i*ldc+j] += Σ_p a[p*mr+i]*b[p*nr+j]
// for the full mr×nr tile.
func kernelGo(k int, a, b, c []float32, ldc int, add bool) {
	kernelRowsGo(mr, k, a, b, c, ldc, add)
}

// kernelRowsGo is kernelGo for the first rows rows of the tile.
func kernelRowsGo(rows, k int, a, b, c []float32, ldc int, add bool) {
	var acc [mr * nr]float32
	a = a[:k*mr]
	b = b[:k*nr]
	for p := 0; p < k; p++ {
		bp := b[p*nr : p*nr+nr : p*nr+nr]
		ap := a[p*mr : p*mr+rows : p*mr+rows]
		for i, av := range ap {
			row := acc[i*nr : i*nr+nr : i*nr+nr]
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+nr]
		if !add {
			copy(dst, acc[i*nr:i*nr+nr])
			continue
		}
		for j := range dst {
			dst[j] += acc[i*nr+j]
		}
	}
}

// Parallel computes the same result as Sgemm, bit for bit, splitting the
// rows of C into fixed blocks shared among up to workers goroutines
// (GOMAXPROCS when workers <= 0).
func Parallel(workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Blocks of mc rows keep each row's arithmetic identical to Sgemm's.
	blocks := (m + mc - 1) / mc
	if workers == 1 || blocks < 2 || int64(m)*int64(n)*int64(k) < 1<<18 {
		Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	var wg sync.WaitGroup
	var next = make(chan int, blocks)
	for i := 0; i < blocks; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < min(workers, blocks); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for blk := range next {
				i0 := blk * mc
				rows := min(mc, m-i0)
				ai := i0 * lda
				if transA {
					ai = i0
				}
				Sgemm(transA, transB, rows, n, k, alpha, a[ai:], lda, b, ldb, beta, c[i0*ldc:], ldc)
			}
		}()
	}
	wg.Wait()
}

func axpyGo(dst, src []float32, a float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += float32(a * src[i]) // the conversion forbids fusing into an FMA
	}
}
