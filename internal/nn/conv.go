package nn

import (
	"fmt"
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

// im2col lays out one image's receptive fields:
// col[(ci*K+i)*K+j][oy*Wo+ox] = x[ci][oy*S+i-Pad][ox*S+j-Pad], zero outside
// the image.
func (c Conv) im2col(x, col []float32) {
	if c.same() {
		c.im2colSame(x, col)
		return
	}
	ho, wo, st := c.OutH(), c.OutW(), c.stride()
	for ci := 0; ci < c.Cin; ci++ {
		plane := x[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for i := 0; i < c.K; i++ {
			for j := 0; j < c.K; j++ {
				dst := col[((ci*c.K+i)*c.K+j)*ho*wo:][:ho*wo]
				lo, hi := c.span(j, wo)
				for oy := 0; oy < ho; oy++ {
					iy := oy*st + i - c.Pad
					row := dst[oy*wo : oy*wo+wo]
					if iy < 0 || iy >= c.H || hi <= lo {
						clear(row)
						continue
					}
					src := plane[iy*c.W : iy*c.W+c.W]
					clear(row[:lo])
					if st == 1 {
						copy(row[lo:hi], src[lo+j-c.Pad:hi+j-c.Pad])
					} else {
						for ox := lo; ox < hi; ox++ {
							row[ox] = src[ox*st+j-c.Pad]
						}
					}
					clear(row[hi:])
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

// sameBlock is, for kernel tap (i, j) of a same() convolution, the offset
// of the input from the output index, the valid output rows [oyLo, oyHi)
// and columns [lo, hi); empty when oyLo >= oyHi or lo >= hi.
func (c Conv) sameBlock(i, j int) (off, oyLo, oyHi, lo, hi int) {
	lo, hi = c.span(j, c.W)
	return (i-c.Pad)*c.W + j - c.Pad, max(0, c.Pad-i), min(c.OutH(), c.H+c.Pad-i), lo, hi
}

// clearEdges zeroes columns [0, lo) and [hi, wo) of rows [oyLo, oyHi) of
// a tap's ho×wo block: the outputs whose field leaves the image.
func clearEdges(block []float32, wo, oyLo, oyHi, lo, hi int) {
	if lo == 0 && hi == wo {
		return
	}
	for oy := oyLo; oy < oyHi; oy++ {
		clear(block[oy*wo : oy*wo+lo])
		clear(block[oy*wo+hi : oy*wo+wo])
	}
}

// im2colSame is im2col for same() convolutions: one copy per tap, then
// zeros where the field leaves the image.
func (c Conv) im2colSame(x, col []float32) {
	ho, wo := c.OutH(), c.W
	for ci := 0; ci < c.Cin; ci++ {
		plane := x[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for i := 0; i < c.K; i++ {
			for j := 0; j < c.K; j++ {
				dst := col[((ci*c.K+i)*c.K+j)*ho*wo:][:ho*wo]
				off, oyLo, oyHi, lo, hi := c.sameBlock(i, j)
				if oyLo >= oyHi || lo >= hi {
					clear(dst)
					continue
				}
				a, b := oyLo*wo+lo, (oyHi-1)*wo+hi
				clear(dst[:a])
				copy(dst[a:b], plane[a+off:b+off])
				clear(dst[b:])
				clearEdges(dst, wo, oyLo, oyHi, lo, hi)
			}
		}
	}
}

// col2imSame is col2im for same() convolutions: it zeroes the entries of
// col whose field leaves the image (col is scratch), then adds each tap's
// block in one pass; those zeros land on neighbouring pixels unchanged.
func (c Conv) col2imSame(col, dx []float32) {
	ho, wo := c.OutH(), c.W
	for ci := 0; ci < c.Cin; ci++ {
		plane := dx[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for i := 0; i < c.K; i++ {
			for j := 0; j < c.K; j++ {
				src := col[((ci*c.K+i)*c.K+j)*ho*wo:][:ho*wo]
				off, oyLo, oyHi, lo, hi := c.sameBlock(i, j)
				if oyLo >= oyHi || lo >= hi {
					continue
				}
				clearEdges(src, wo, oyLo, oyHi, lo, hi)
				a, b := oyLo*wo+lo, (oyHi-1)*wo+hi
				gemm.Axpy(plane[a+off:b+off], src[a:b], 1)
			}
		}
	}
}

// Forward computes y = conv(x, w).
func (c Conv) Forward(y, x, w []float32) {
	c.check(x, w, y)
	kk := c.Cin * c.K * c.K
	hw := c.OutH() * c.OutW()
	in, out := c.Cin*c.H*c.W, c.Cout*hw
	pa := packedPool.Get().(*gemm.PackedA)
	defer packedPool.Put(pa)
	pa.Pack(false, c.Cout, kk, 1, w, kk)
	forEach(c.N, func(n int) {
		col := getCol(kk * hw)
		c.im2col(x[n*in:(n+1)*in], *col)
		gemm.SgemmPacked(pa, false, hw, *col, hw, 0, y[n*out:(n+1)*out], hw)
		colPool.Put(col)
	})
}

// BackwardInput computes dx = ∂L/∂x from dy = ∂L/∂y.
func (c Conv) BackwardInput(dx, w, dy []float32) {
	c.check(dx, w, dy)
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

// BackwardWeight computes dw = ∂L/∂w from x and dy. partial must hold
// chunks*WeightSize() elements (scratch); it is overwritten.
func (c Conv) BackwardWeight(dw, x, dy, partial []float32) {
	c.check(x, dw, dy)
	ws := c.WeightSize()
	if len(partial) < chunks*ws {
		panic("nn: conv weight-gradient scratch too small")
	}
	kk := c.Cin * c.K * c.K
	hw := c.OutH() * c.OutW()
	in, out := c.Cin*c.H*c.W, c.Cout*hw
	forEach(chunks, func(ch int) {
		p := partial[ch*ws : (ch+1)*ws]
		clear(p)
		lo, hi := split(c.N, chunks, ch)
		if lo == hi {
			return
		}
		col := getCol(kk * hw)
		for n := lo; n < hi; n++ {
			c.im2col(x[n*in:(n+1)*in], *col)
			gemm.Sgemm(false, true, c.Cout, kk, hw, 1, dy[n*out:(n+1)*out], hw, *col, hw, 1, p, kk)
		}
		colPool.Put(col)
	})
	reduceChunks(dw, partial)
}

// reduceChunks sets dst to the sum of the chunks consecutive len(dst)-sized
// pieces of partial, added in order.
func reduceChunks(dst, partial []float32) {
	n := len(dst)
	copy(dst, partial[:n])
	for ch := 1; ch < chunks; ch++ {
		p := partial[ch*n : (ch+1)*n]
		for i, v := range p {
			dst[i] += v
		}
	}
}
