package gemm

// PackMasked packs rows of a right operand read from x under masks, the
// way a convolution reads its receptive fields from an image (a field row
// is the image shifted by its tap's offset, zero outside the image): for
// i < len(off) and q < 16, d[i*16+q] = x[off[i]+q0+q] where
// mask[row[i]+q0+q] is set, else +0. x is read only where the mask is set,
// so offsets may reach past x's ends where the mask is clear. d is one
// 16-column sliver of a Panel.
func PackMasked(d, x []float32, mask []uint32, off, row []int, q0 int) {
	if len(off) == 0 {
		return
	}
	_, _ = d[len(off)*nr-1], row[len(off)-1]
	packMasked(d, x, mask, off, row, q0)
}

// PackMaskedT packs the transpose: n rows of 16 columns, column q read
// from x under its mask, d[t*16+q] = x[off[q]+pix+t] where
// mask[row[q]+pix+t] is set, else +0 (off and row hold 16 entries). Rows
// go 8 at a time through register transposes, the last n%8 one by one.
func PackMaskedT(d, x []float32, mask []uint32, off, row []int, pix, n int) {
	if n == 0 {
		return
	}
	_, _, _ = d[n*nr-1], off[nr-1], row[nr-1]
	n8 := n &^ 7
	if n8 > 0 {
		packMaskedT(d, x, mask, off, row, pix, n8)
	}
	packMaskedTGo(d[n8*nr:], x, mask, off, row, pix+n8, n-n8)
}

// maskedAt is x[o] where m is set, else +0.
func maskedAt(x []float32, m uint32, o int) float32 {
	if m == 0 {
		return 0
	}
	return x[o]
}

func packMaskedGo(d, x []float32, mask []uint32, off, row []int, q0 int) {
	for i := range off {
		for q := 0; q < nr; q++ {
			d[i*nr+q] = maskedAt(x, mask[row[i]+q0+q], off[i]+q0+q)
		}
	}
}

func packMaskedTGo(d, x []float32, mask []uint32, off, row []int, pix, n int) {
	for t := 0; t < n; t++ {
		for q := 0; q < nr; q++ {
			d[t*nr+q] = maskedAt(x, mask[row[q]+pix+t], off[q]+pix+t)
		}
	}
}
