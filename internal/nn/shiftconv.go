package nn

// shiftable reports whether the shifted paths can compute c: a 3×3 same
// convolution with padding 1 and Cout a multiple of 4 (their kernels take
// 4 output channels at a time). Whether they are the fastest is
// shiftConv's and shiftGrad's question.
func (c Conv) shiftable() bool {
	return c.same() && c.K == 3 && c.Pad == 1 && c.Cout%4 == 0
}

// shiftConv reports whether Forward takes the shifted direct path
// (forwardShift): shiftable, on maps at least 16 wide, with at most
// shiftMaxCh channels on either side (more favour Winograd: at 64
// channels it takes 0.74× the time), where the CPU has the vector kernel.
func (c Conv) shiftConv() bool {
	return shiftVector && c.shiftable() && c.W >= 16 && max(c.Cin, c.Cout) <= shiftMaxCh
}

// shiftMaxCh bounds the channels of the shifted paths: both sides for the
// forward, the smaller side for the weight gradient.
const shiftMaxCh = 32

// shiftLayout is the padded layout of the shifted paths. An input plane
// is laid out in rows of wp = W+1 floats behind one zero row, each row a
// zero and then the W pixels, and a zero row and more zeros after the
// last (sx floats a plane): a row's leading zero is the padding both left
// of its own pixels and right of the row above. Outputs take rows of wp
// too, the last of each row dropped (ld floats a plane, a multiple of
// blk). Then tap (i, j) of output p reads the input at p + i·wp + j.
func (c Conv) shiftLayout(blk int) (wp, ld, sx int) {
	wp = c.W + 1
	ld = (c.H*wp + blk - 1) / blk * blk
	sx = (2*wp + ld + 2 + 7) &^ 7
	return wp, ld, sx
}

// forwardShift is Forward as a direct convolution on the padded layout:
//
//	y'[co][p] = Σ_ci Σ_i,j w[co][ci][i][j] · x'[ci][p + i·wp + j]
//
// 4 output channels × 24 outputs at a time in registers, over all input
// channels and taps: 7 loads (3 of x', 4 weights broadcast) for 12 fused
// multiply-adds, and no receptive fields packed. The sums run over ci,
// then i, then j, the same for any GOMAXPROCS. The outputs in the padding
// column are computed and dropped.
func (c Conv) forwardShift(y, x, w []float32) {
	wp, ld, sx := c.shiftLayout(24)
	in, out := c.Cin*c.H*c.W, c.Cout*c.H*c.W
	wk := getCol(len(w))
	c.packShift(*wk, w)
	forEach(c.N, func(n int) {
		xpp, ypp := getCol(c.Cin*sx), getCol(c.Cout*ld)
		xp, yp := *xpp, *ypp
		clear(xp)
		padRows(xp[wp+1:], sx, x[n*in:(n+1)*in], c.Cin, c.H, c.W, wp)
		for co := 0; co < c.Cout; co += 4 {
			wb := (*wk)[co*c.Cin*9 : (co+4)*c.Cin*9]
			for p := 0; p < ld; p += 24 {
				convShift(yp[co*ld+p:], ld, wb, xp[p:], sx, wp, c.Cin)
			}
		}
		unpadRows(y[n*out:(n+1)*out], yp, ld, c.Cout, c.H, c.W, wp)
		colPool.Put(xpp)
		colPool.Put(ypp)
	})
	colPool.Put(wk)
}

// packShift lays w out for convShift: for each block of 4 output
// channels, [ci][tap][r] = w[co0+r][ci][tap].
func (c Conv) packShift(wk, w []float32) {
	for co0 := 0; co0 < c.Cout; co0 += 4 {
		b := wk[co0*c.Cin*9:]
		for ci := 0; ci < c.Cin; ci++ {
			for t := 0; t < 9; t++ {
				for r := 0; r < 4; r++ {
					b[(ci*9+t)*4+r] = w[((co0+r)*c.Cin+ci)*9+t]
				}
			}
		}
	}
}

// unpadRows is padRows backwards: ch planes of h rows of w values from src
// (plane k's row y at src[k*ld+y*wp:]) into dst.
func unpadRows(dst, src []float32, ld, ch, h, w, wp int) {
	for k := 0; k < ch; k++ {
		s, d := src[k*ld:], dst[k*h*w:(k+1)*h*w]
		for y := 0; y < h; y++ {
			copy(d[y*w:y*w+w], s[y*wp:y*wp+w])
		}
	}
}

// convShiftGo is convShift in Go, for the tests: y[r*ld+q] = Σ_ci Σ_t
// wb[(ci*9+t)*4+r] · x[ci*sx + (t/3)*wp + t%3 + q] for r < 4, q < 24.
func convShiftGo(y []float32, ld int, wb, x []float32, sx, wp, nc int) {
	for r := 0; r < 4; r++ {
		for q := 0; q < 24; q++ {
			var s float32
			for ci := 0; ci < nc; ci++ {
				for t := 0; t < 9; t++ {
					s += wb[(ci*9+t)*4+r] * x[ci*sx+t/3*wp+t%3+q]
				}
			}
			y[r*ld+q] = s
		}
	}
}
