package nn

import (
	"math"

	"github.com/simclr-go/simclr/internal/gemm"
)

// fields packs the receptive fields of a same() convolution straight from
// the image into gemm's panels: im2col without the column buffer. Row
// p = ci*K*K+t of the im2col matrix is plane ci shifted by tap t's offset,
// zero where the field leaves the image, so a sliver's row is 16
// consecutive input values ANDed with the tap's mask: the bits im2col
// followed by packing would give. One fields serves every image of a call.
type fields struct {
	off  []int    // per row p: ci*H*W plus tap t's offset
	row  []int    // per row p: t*Ho*Wo, the start of tap t's mask
	mask []uint32 // K*K rows of Ho*Wo: all ones where the tap's field is inside the image
}

// fields lays out c's tables (c.same() must hold).
func (c Conv) fields() *fields {
	var buf [9]tap
	ts := c.taps(&buf)
	if c.K*c.K > len(buf) {
		ts = nil
		for i := 0; i < c.K; i++ {
			for j := 0; j < c.K; j++ {
				lo, hi := c.span(j, c.W)
				ts = append(ts, tap{off: (i-c.Pad)*c.W + j - c.Pad, oyLo: max(0, c.Pad-i), oyHi: min(c.OutH(), c.H+c.Pad-i), lo: lo, hi: hi})
			}
		}
	}
	hw, kt := c.OutH()*c.W, len(ts)
	f := &fields{off: make([]int, c.Cin*kt), row: make([]int, c.Cin*kt), mask: make([]uint32, kt*hw)}
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
		for s := 0; s < nb; s += nr {
			d := dst[s*kb : s*kb+nr*kb]
			q0, cols := jc+s, min(nr, nb-s)
			if cols < nr {
				clear(d)
			}
			for p := 0; p < kb; {
				r := p
				for cols == nr && r < kb && f.inside(pc+r, q0, len(x)) {
					r++
				}
				if r > p {
					packFields(d[p*nr:r*nr], x, f.mask, f.off[pc+p:pc+r], f.row[pc+p:pc+r], q0)
					p = r
					continue
				}
				f.packRow(d[p*nr:p*nr+cols], x, pc+p, q0)
				p++
			}
		}
	}
}

// inside reports whether row p's 16 values at column q0 lie inside x.
func (f *fields) inside(p, q0, n int) bool {
	o := f.off[p] + q0
	return o >= 0 && o+gemm.Slivers <= n
}

// packRow packs row p of the columns from q0 into d, one value at a time:
// for slivers at the ends of x and partial slivers.
func (f *fields) packRow(d, x []float32, p, q0 int) {
	o, m := f.off[p]+q0, f.mask[f.row[p]+q0:]
	for q := range d {
		d[q] = 0
		if m[q] != 0 {
			d[q] = x[o+q]
		}
	}
}

// packFieldsGo is packFields in Go: d[i*16+q] = x[off[i]+q0+q] AND
// mask[row[i]+q0+q], bit for bit.
func packFieldsGo(d, x []float32, mask []uint32, off, row []int, q0 int) {
	const nr = gemm.Slivers
	for i := range off {
		dst, src, m := d[i*nr:i*nr+nr], x[off[i]+q0:][:nr], mask[row[i]+q0:][:nr]
		for q := range dst {
			dst[q] = math.Float32frombits(math.Float32bits(src[q]) & m[q])
		}
	}
}
