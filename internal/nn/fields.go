package nn

import "github.com/simclr-go/simclr/internal/gemm"

// fields packs the receptive fields of a same() convolution straight from
// the image into gemm's panels: im2col without the column buffer. Row
// p = ci*K*K+t of the im2col matrix is plane ci shifted by tap t's offset,
// zero where the field leaves the image, so a sliver's row is 16
// consecutive input values loaded under the tap's mask (lanes outside the
// image read as +0 and are never touched): the bits im2col followed by
// packing would give. One fields serves every image of a call.
type fields struct {
	off  []int    // per row p: ci*H*W plus tap t's offset
	row  []int    // per row p: t*Ho*Wo, the start of tap t's mask
	mask []uint32 // K*K rows of Ho*Wo: all ones where the tap's field is inside the image, then a row of zeros
	zero int      // the start of the zero row: a column that packs as +0
}

// fields lays out c's tables (c.same() must hold).
func (c Conv) fields() *fields {
	var buf [9]tap
	ts := c.taps(&buf) // more than 9 taps grow past buf
	hw, kt := c.OutH()*c.W, len(ts)
	f := &fields{off: make([]int, c.Cin*kt), row: make([]int, c.Cin*kt), mask: make([]uint32, (kt+1)*hw), zero: kt * hw}
	for k, t := range ts {
		m := f.mask[k*hw : (k+1)*hw]
		for oy := t.oyLo; oy < t.oyHi; oy++ {
			for ox := t.lo; ox < t.hi; ox++ {
				m[oy*c.W+ox] = ^uint32(0)
			}
		}
	}
	for ci := 0; ci < c.Cin; ci++ {
		for k, t := range ts {
			f.off[ci*kt+k] = ci*c.H*c.W + t.off
			f.row[ci*kt+k] = k * hw
		}
	}
	return f
}

// panel returns the gemm.Panel of image x's receptive fields.
func (f *fields) panel(x []float32) gemm.Panel {
	return func(dst []float32, pc, jc, kb, nb int) {
		const nr = gemm.Slivers
		off, row := f.off[pc:pc+kb], f.row[pc:pc+kb]
		for s := 0; s < nb; s += nr {
			d := dst[s*kb : s*kb+nr*kb]
			q0, cols := jc+s, min(nr, nb-s)
			if cols == nr {
				gemm.PackMasked(d, x, f.mask, off, row, q0)
				continue
			}
			clear(d)
			for p := range off {
				packRow(d[p*nr:p*nr+cols], x, f.mask[row[p]+q0:], off[p]+q0)
			}
		}
	}
}

// packRow sets d[q] = x[o+q] where m[q] is set, else 0: x is read only
// inside the field, which is inside the image.
func packRow(d, x []float32, m []uint32, o int) {
	for q := range d {
		d[q] = 0
		if m[q] != 0 {
			d[q] = x[o+q]
		}
	}
}

// panelT returns the gemm.Panel of the transposed fields of ng images side
// by side (x from the first image, in values per image): row p of B is
// output pixel p%hw of image p/hw, column r is field row r0+r, so B is
// the im2col matrix transposed, as the weight gradient multiplies it.
func (f *fields) panelT(x []float32, in, hw, r0 int) gemm.Panel {
	return func(dst []float32, pc, jc, kb, nb int) {
		const nr = gemm.Slivers
		for s := 0; s < nb; s += nr {
			d := dst[s*kb : s*kb+nr*kb]
			// A last sliver's missing columns read the zero mask.
			var off, row [nr]int
			for q := range off {
				off[q], row[q] = 0, f.zero
				if r := r0 + jc + s + q; q < nb-s {
					off[q], row[q] = f.off[r], f.row[r]
				}
			}
			for p := 0; p < kb; {
				i, pix := (pc+p)/hw, (pc+p)%hw
				run := min(kb-p, hw-pix) // within image i
				gemm.PackMaskedT(d[p*nr:], x[i*in:(i+1)*in], f.mask, off[:], row[:], pix, run)
				p += run
			}
		}
	}
}
