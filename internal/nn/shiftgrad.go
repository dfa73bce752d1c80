package nn

import "runtime"

// shiftGrad reports whether BackwardWeight takes the shifted-dot path
// (backwardWeightShift): shiftable, on maps at least 16 wide, with at most
// shiftMaxCh channels on its smaller side, where the CPU has the vector
// kernel. With 64 channels on both sides the products are faster again
// (their packing is shared by more outputs); smaller maps keep the
// products, which put several images into one.
func (c Conv) shiftGrad() bool {
	return shiftVector && c.shiftable() && c.W >= 16 && min(c.Cin, c.Cout) <= shiftMaxCh
}

// backwardWeightShift is BackwardWeight as dot products, without packing
// receptive fields. With the input padded as shiftLayout lays it out, and
// dy in rows of wp = W+1 with a zero at the end of each, tap (i, j) reads
// the input at a fixed offset i·wp+j from dy's index, so
//
//	dw[co][ci][i][j] = Σ_p dy'[co][p] · x'[ci][p + i·wp + j]
//
// over one flat range of p: a dot product of two contiguous rows. The
// kernel takes 4 output channels × the 3 taps of one kernel row at a
// time: 7 loads for 12 fused multiply-adds, each image's sums reduced in a
// fixed order. Partial sums over images and the split over blocks of
// input channels are as in backwardWeight, so the bits do not depend on
// GOMAXPROCS. (They differ from the product path's, within float32
// rounding.) A NaN or infinity in x can reach one more weight than it
// should: dy's extra column multiplies pixels next to it by zeros.
func (c Conv) backwardWeightShift(dw, x, dy []float32) {
	hw := c.H * c.W
	wp, ld, sx := c.shiftLayout(8)
	span := max(1, partialDepth/hw)
	blocks := min(c.Cin, runtime.GOMAXPROCS(0))
	forEach(blocks, func(bl int) {
		ci0, ci1 := split(c.Cin, blocks, bl)
		nc := ci1 - ci0
		rows := nc * 9
		xpp, dypp, partp := getCol(nc*sx), getCol(c.Cout*ld), getCol(c.Cout*rows)
		xp, dyp, part := *xpp, *dypp, *partp
		clear(xp) // borders stay zero; each image rewrites the insides
		clear(dyp)
		for n := 0; n < c.N; n++ {
			if n%span == 0 {
				clear(part)
			}
			padRows(xp[wp+1:], sx, x[(n*c.Cin+ci0)*hw:], nc, c.H, c.W, wp)
			padRows(dyp, ld, dy[n*c.Cout*hw:], c.Cout, c.H, c.W, wp)
			c.shiftDots(part, dyp, xp, nc)
			if n+1 == c.N || (n+1)%span == 0 {
				addRows(dw[ci0*9:], c.Cin*9, part, rows, c.Cout, n < span)
			}
		}
		colPool.Put(xpp)
		colPool.Put(dypp)
		colPool.Put(partp)
	})
}

// shiftDots adds one image's dot products to part (Cout rows of nc·9
// values): dy' has Cout rows of ld, x' nc planes of sx (shiftLayout(8)).
func (c Conv) shiftDots(part, dyp, xp []float32, nc int) {
	wp, ld, sx := c.shiftLayout(8)
	rows := nc * 9
	var out [12]float32
	for co := 0; co < c.Cout; co += 4 {
		d := dyp[co*ld : (co+4)*ld]
		for ci := 0; ci < nc; ci++ {
			for i := 0; i < 3; i++ {
				wgradDot(&out, d, ld, xp[ci*sx+i*wp:][:ld+2])
				p := part[co*rows+ci*9+i*3:]
				for r := 0; r < 4; r++ {
					q := p[r*rows : r*rows+3]
					q[0] += out[r*3]
					q[1] += out[r*3+1]
					q[2] += out[r*3+2]
				}
			}
		}
	}
}

// padRows copies ch planes of h rows of w values from src into dst,
// plane k's row y at dst[k*ld+y*wp:], leaving the rest of dst alone.
func padRows(dst []float32, ld int, src []float32, ch, h, w, wp int) {
	for k := 0; k < ch; k++ {
		s, d := src[k*h*w:(k+1)*h*w], dst[k*ld:]
		for y := 0; y < h; y++ {
			copy(d[y*wp:y*wp+w], s[y*w:y*w+w])
		}
	}
}

// wgradDotGo is wgradDot in Go, for the tests: out[r*3+j] = Σ_p
// dy[r*ld+p]·x[p+j] over p < ld, r < 4, j < 3, summed in eight lanes
// p mod 8 and the lanes reduced as the kernel reduces them.
func wgradDotGo(out *[12]float32, dy []float32, ld int, x []float32) {
	for r := 0; r < 4; r++ {
		for j := 0; j < 3; j++ {
			var lane [8]float32
			for p := 0; p < ld; p++ {
				lane[p%8] += dy[r*ld+p] * x[p+j]
			}
			out[r*3+j] = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]))
		}
	}
}
