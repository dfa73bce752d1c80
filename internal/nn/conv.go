package nn

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/simclr-go/simclr/internal/gemm"
)

// Conv describes a 2-D convolution without bias: input N×Cin×H×W, weights
// Cout×Cin×K×K, output N×Cout×Ho×Wo with Ho = (H+2*Pad-K)/Stride + 1.
// Stride 0 means 1.
type Conv struct {
	N, Cin, H, W int
	Cout, K, Pad int
	Stride       int
}

func (c Conv) stride() int { return max(c.Stride, 1) }

// OutH and OutW are the output's spatial size.
func (c Conv) OutH() int { return (c.H+2*c.Pad-c.K)/c.stride() + 1 }
func (c Conv) OutW() int { return (c.W+2*c.Pad-c.K)/c.stride() + 1 }

// InSize, OutSize and WeightSize are element counts.
func (c Conv) InSize() int     { return c.N * c.Cin * c.H * c.W }
func (c Conv) OutSize() int    { return c.N * c.Cout * c.OutH() * c.OutW() }
func (c Conv) WeightSize() int { return c.Cout * c.Cin * c.K * c.K }

func (c Conv) check(x, w, y []float32) {
	if len(x) != c.InSize() || len(w) != c.WeightSize() || len(y) != c.OutSize() {
		panic(fmt.Sprintf("nn: conv %+v: got x=%d w=%d y=%d elements", c, len(x), len(w), len(y)))
	}
}

var (
	colPool    sync.Pool
	packedPool = sync.Pool{New: func() any { return new(gemm.PackedA) }}
)

func getCol(n int) *[]float32 {
	if p, ok := colPool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]float32, n)
	return &s
}

// span is the range [lo, hi) of output columns ox whose input column
// ox*S+j-Pad falls inside the image for kernel column j.
func (c Conv) span(j, wo int) (lo, hi int) {
	st := c.stride()
	lo = min(max(0, (c.Pad-j+st-1)/st), wo)
	hi = min(wo, max(lo, (c.W+c.Pad-j+st-1)/st))
	return lo, hi
}

// im2col lays out the receptive fields of one image's channels [ci0, ci1)
// (x holds the whole image): row r = ((ci-ci0)*K+i)*K+j of col, at
// col[r*ld:][:Ho*Wo], holds x[ci][oy*S+i-Pad][ox*S+j-Pad] at oy*Wo+ox,
// zero outside the image. ld >= Ho*Wo lets several images share col's
// rows side by side.
func (c Conv) im2col(x, col []float32, ld, ci0, ci1 int) {
	if c.same() {
		c.im2colSame(x, col, ld, ci0, ci1)
		return
	}
	ho, wo, st := c.OutH(), c.OutW(), c.stride()
	for ci := ci0; ci < ci1; ci++ {
		plane := x[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for i := 0; i < c.K; i++ {
			for j := 0; j < c.K; j++ {
				dst := col[(((ci-ci0)*c.K+i)*c.K+j)*ld:][:ho*wo]
				lo, hi := c.span(j, wo)
				for oy := 0; oy < ho; oy++ {
					iy := oy*st + i - c.Pad
					row := dst[oy*wo : oy*wo+wo]
					if iy < 0 || iy >= c.H || hi <= lo {
						clear(row)
						continue
					}
					src := plane[iy*c.W : iy*c.W+c.W]
					// Edges a pixel or two wide: plain stores, not memclr calls.
					for ox := 0; ox < lo; ox++ {
						row[ox] = 0
					}
					if st == 1 {
						copy(row[lo:hi], src[lo+j-c.Pad:hi+j-c.Pad])
					} else {
						s, r := src[lo*st+j-c.Pad:], row[lo:hi]
						for t := range r {
							r[t] = s[t*st]
						}
					}
					for ox := hi; ox < wo; ox++ {
						row[ox] = 0
					}
				}
			}
		}
	}
}

// col2im adds col's receptive fields back into dx (the adjoint of im2col).
func (c Conv) col2im(col, dx []float32) {
	if c.same() {
		c.col2imSame(col, dx)
		return
	}
	ho, wo, st := c.OutH(), c.OutW(), c.stride()
	for ci := 0; ci < c.Cin; ci++ {
		plane := dx[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for i := 0; i < c.K; i++ {
			for j := 0; j < c.K; j++ {
				src := col[((ci*c.K+i)*c.K+j)*ho*wo:][:ho*wo]
				lo, hi := c.span(j, wo)
				if hi <= lo {
					continue
				}
				for oy := 0; oy < ho; oy++ {
					iy := oy*st + i - c.Pad
					if iy < 0 || iy >= c.H {
						continue
					}
					s := src[oy*wo+lo : oy*wo+hi]
					if st == 1 {
						gemm.Axpy(plane[iy*c.W+lo+j-c.Pad:iy*c.W+hi+j-c.Pad], s, 1) // 1·v is v: a plain add
					} else {
						row := plane[iy*c.W : iy*c.W+c.W]
						for t, v := range s {
							row[(lo+t)*st+j-c.Pad] += v
						}
					}
				}
			}
		}
	}
}

// same reports a stride-1 convolution whose output rows are as wide as its
// input rows: then one kernel tap's receptive field is the input plane
// shifted by a constant offset, and im2col/col2im move whole blocks.
func (c Conv) same() bool { return c.stride() == 1 && c.OutW() == c.W }

// tap is, for one kernel tap (i, j) of a same() convolution, the offset of
// the input from the output index, the valid output rows [oyLo, oyHi) and
// columns [lo, hi), and the valid flat range [a, b) of the ho×wo block;
// empty when a >= b.
type tap struct{ off, oyLo, oyHi, lo, hi, a, b int }

// taps lists the K*K taps of a same() convolution in (i, j) order. They do
// not depend on the channel, so im2col and col2im work them out once per
// image instead of once per channel and tap.
func (c Conv) taps(buf *[9]tap) []tap {
	ts := buf[:0]
	wo := c.W
	for i := 0; i < c.K; i++ {
		for j := 0; j < c.K; j++ {
			lo, hi := c.span(j, wo)
			t := tap{off: (i-c.Pad)*c.W + j - c.Pad, oyLo: max(0, c.Pad-i), oyHi: min(c.OutH(), c.H+c.Pad-i), lo: lo, hi: hi}
			if t.oyLo < t.oyHi && lo < hi {
				t.a, t.b = t.oyLo*wo+lo, (t.oyHi-1)*wo+hi
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// clearEdges zeroes columns [0, lo) and [hi, wo) of rows [oyLo, oyHi) of
// a tap's ho×wo block: the outputs whose field leaves the image.
func (t *tap) clearEdges(block []float32, wo int) {
	if t.lo == 0 && t.hi == wo {
		return
	}
	// The edges are a pixel or two wide: one strided loop of plain stores
	// per edge column, not loops (or memclr calls) per row.
	end := t.oyHi * wo
	for x := 0; x < t.lo; x++ {
		for i := t.oyLo*wo + x; i < end; i += wo {
			block[i] = 0
		}
	}
	for x := t.hi; x < wo; x++ {
		for i := t.oyLo*wo + x; i < end; i += wo {
			block[i] = 0
		}
	}
}

// im2colSame is im2col for same() convolutions: one copy per tap, then
// zeros where the field leaves the image.
func (c Conv) im2colSame(x, col []float32, ld, ci0, ci1 int) {
	var buf [9]tap
	ts := c.taps(&buf)
	hw, wo := c.OutH()*c.W, c.W
	for ci := ci0; ci < ci1; ci++ {
		plane := x[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for k := range ts {
			t := &ts[k]
			dst := col[((ci-ci0)*len(ts)+k)*ld:][:hw]
			if t.a >= t.b {
				clear(dst)
				continue
			}
			clear(dst[:t.a])
			copy(dst[t.a:t.b], plane[t.a+t.off:t.b+t.off])
			clear(dst[t.b:])
			t.clearEdges(dst, wo)
		}
	}
}

// col2imSame is col2im for same() convolutions: it zeroes the entries of
// col whose field leaves the image (col is scratch), then adds each tap's
// block in one pass; those zeros land on neighbouring pixels unchanged.
func (c Conv) col2imSame(col, dx []float32) {
	var buf [9]tap
	ts := c.taps(&buf)
	hw, wo := c.OutH()*c.W, c.W
	for ci := 0; ci < c.Cin; ci++ {
		plane := dx[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for k := range ts {
			t := &ts[k]
			if t.a >= t.b {
				continue
			}
			src := col[(ci*len(ts)+k)*hw:][:hw]
			t.clearEdges(src, wo)
			gemm.Axpy(plane[t.a+t.off:t.b+t.off], src[t.a:t.b], 1)
		}
	}
}

// Forward computes y = conv(x, w). A same() convolution packs its
// receptive fields straight from x (see fields); others lay them out with
// im2col first. Both give the same bits.
func (c Conv) Forward(y, x, w []float32) {
	c.check(x, w, y)
	if c.shiftConv() {
		c.forwardShift(y, x, w)
		return
	}
	if c.winograd() {
		c.forwardWinograd(y, x, w)
		return
	}
	c.forward(y, x, w, c.same())
}

// forward is Forward, packing from x when direct (c.same() must hold).
func (c Conv) forward(y, x, w []float32, direct bool) {
	kk := c.Cin * c.K * c.K
	hw := c.OutH() * c.OutW()
	in, out := c.Cin*c.H*c.W, c.Cout*hw
	pa := packedPool.Get().(*gemm.PackedA)
	defer packedPool.Put(pa)
	pa.Pack(false, c.Cout, kk, 1, w, kk)
	if direct {
		f := c.fields()
		forEach(c.N, func(n int) {
			gemm.SgemmPanel(pa, hw, f.panel(x[n*in:(n+1)*in]), 0, y[n*out:(n+1)*out], hw)
		})
		return
	}
	forEach(c.N, func(n int) {
		col := getCol(kk * hw)
		c.im2col(x[n*in:(n+1)*in], *col, hw, 0, c.Cin)
		gemm.SgemmPacked(pa, false, hw, *col, hw, 0, y[n*out:(n+1)*out], hw)
		colPool.Put(col)
	})
}

// BackwardInput computes dx = ∂L/∂x from dy = ∂L/∂y.
//
// For a same() convolution dx is itself a same convolution: of dy, with
// the kernel flipped and its channels swapped. That runs as Forward, one
// product of depth Cout·K·K per image, instead of a product of depth Cout
// into a K·K times larger column buffer added back by col2im. Other
// convolutions (strided ones) take the col2im path.
func (c Conv) BackwardInput(dx, w, dy []float32) {
	c.check(dx, w, dy)
	if !c.same() {
		c.backwardCols(dx, w, dy)
		return
	}
	t := Conv{N: c.N, Cin: c.Cout, H: c.OutH(), W: c.OutW(), Cout: c.Cin, K: c.K, Pad: c.K - 1 - c.Pad}
	wt := getCol(len(w))
	c.flip(*wt, w)
	t.Forward(dx, dy, *wt)
	colPool.Put(wt)
}

// flip writes w's kernel turned by 180° with input and output channels
// swapped: wt[ci][co][i][j] = w[co][ci][K-1-i][K-1-j].
func (c Conv) flip(wt, w []float32) {
	kt := c.K * c.K
	for co := 0; co < c.Cout; co++ {
		for ci := 0; ci < c.Cin; ci++ {
			src, dst := w[(co*c.Cin+ci)*kt:][:kt], wt[(ci*c.Cout+co)*kt:][:kt]
			for t, v := range src {
				dst[kt-1-t] = v
			}
		}
	}
}

// backwardCols is BackwardInput by a product into receptive fields and
// col2im.
func (c Conv) backwardCols(dx, w, dy []float32) {
	kk := c.Cin * c.K * c.K
	hw := c.OutH() * c.OutW()
	in, out := c.Cin*c.H*c.W, c.Cout*hw
	pa := packedPool.Get().(*gemm.PackedA)
	defer packedPool.Put(pa)
	pa.Pack(true, kk, c.Cout, 1, w, kk)
	forEach(c.N, func(n int) {
		col := getCol(kk * hw)
		gemm.SgemmPacked(pa, false, hw, dy[n*out:(n+1)*out], hw, 0, *col, hw)
		d := dx[n*in : (n+1)*in]
		clear(d)
		c.col2im(*col, d)
		colPool.Put(col)
	})
}

// BackwardWeight computes dw = ∂L/∂w from x and dy.
//
// dw is one product per group of images, Σ_n dy_n·col_nᵀ with depth
// (the images' output pixels) up to gemm.DepthBlock: small feature maps
// (8×8, 4×4) put several images into one product instead of a product
// of depth 16 or 64 per image. Each goroutine owns a block of input
// channels (columns of dw) and runs through every image: no barrier per
// image, and one packing of dy per goroutine. Products are summed into a
// partial gradient over up to partialDepth output pixels, and the partials
// into dw, both in image order: two levels keep float32 rounding near that
// of 16 partial sums, and the bits depend on neither the number of blocks
// nor GOMAXPROCS.
//
// A same() convolution packs the fields straight from x (see fields);
// others lay them out with im2col. Both give the same bits. 3×3 same
// convolutions on maps at least 16 wide take dot products of shifted rows
// instead, without packing (see backwardWeightShift).
func (c Conv) BackwardWeight(dw, x, dy []float32) {
	c.check(x, dw, dy)
	if c.shiftGrad() {
		c.backwardWeightShift(dw, x, dy)
		return
	}
	c.backwardWeight(dw, x, dy, c.same())
}

// backwardWeight is BackwardWeight, packing from x when direct (c.same()
// must hold).
func (c Conv) backwardWeight(dw, x, dy []float32, direct bool) {
	kk, kt, hw := c.Cin*c.K*c.K, c.K*c.K, c.OutH()*c.OutW()
	in, out := c.Cin*c.H*c.W, c.Cout*hw
	g := max(1, gemm.DepthBlock/hw)     // images per product
	span := max(g, partialDepth/hw/g*g) // images per partial sum
	blocks := min(c.Cin, runtime.GOMAXPROCS(0))
	var f *fields
	if direct {
		f = c.fields()
	}
	forEach(blocks, func(bl int) {
		ci0, ci1 := split(c.Cin, blocks, bl)
		rows := (ci1 - ci0) * kt
		cols := rows * g * hw // im2col's buffer, when not direct
		if direct {
			cols = 0
		}
		dyg, colp, partp := getCol(c.Cout*g*hw), getCol(cols), getCol(c.Cout*rows)
		pa := packedPool.Get().(*gemm.PackedA)
		part := *partp
		for n := 0; n < c.N; n += g {
			ng := min(g, c.N-n)
			depth := ng * hw
			beta := float32(1)
			if n%span == 0 {
				beta = 0
			}
			a := c.gather(*dyg, dy[n*out:], ng)
			if f != nil {
				pa.Pack(false, c.Cout, depth, 1, a, depth)
				gemm.SgemmPanel(pa, rows, f.panelT(x[n*in:(n+ng)*in], in, hw, ci0*kt), beta, part, rows)
			} else {
				for i := 0; i < ng; i++ {
					c.im2col(x[(n+i)*in:(n+i+1)*in], (*colp)[i*hw:], depth, ci0, ci1)
				}
				gemm.Sgemm(false, true, c.Cout, rows, depth, 1, a, depth, *colp, depth, beta, part, rows)
			}
			if n+ng == c.N || (n+ng)%span == 0 {
				addRows(dw[ci0*kt:], kk, part, rows, c.Cout, n < span)
			}
		}
		packedPool.Put(pa)
		colPool.Put(dyg)
		colPool.Put(colp)
		colPool.Put(partp)
	})
}

// partialDepth is how many output pixels (terms per weight) the weight
// gradient sums before adding the sum to dw.
const partialDepth = 16 * gemm.DepthBlock

// addRows adds (sets, when first) the m rows of n values of src (stride n)
// to dst (stride ld).
func addRows(dst []float32, ld int, src []float32, n, m int, first bool) {
	for i := 0; i < m; i++ {
		d, s := dst[i*ld:i*ld+n], src[i*n:i*n+n]
		if first {
			copy(d, s)
			continue
		}
		gemm.Axpy(d, s, 1) // 1·v is v: a plain add
	}
}

// gather lays the output gradients of ng consecutive images (dy from the
// first) side by side, Cout rows of ng·Ho·Wo, into buf; one image's are
// returned in place.
func (c Conv) gather(buf, dy []float32, ng int) []float32 {
	hw := c.OutH() * c.OutW()
	if ng == 1 {
		return dy
	}
	depth, out := ng*hw, c.Cout*hw
	for i := 0; i < ng; i++ {
		for co := 0; co < c.Cout; co++ {
			copy(buf[co*depth+i*hw:][:hw], dy[i*out+co*hw:][:hw])
		}
	}
	return buf
}
