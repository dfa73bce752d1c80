package augment

import (
	"github.com/simclr-go/simclr/internal/scratch"
	"math"

	"github.com/simclr-go/simclr/internal/pixel"
)

// Pillow's two-pass convolution resampler with its BILINEAR filter, the
// resize behind torchvision's RandomResizedCrop and Resize on PIL images:
// a triangle filter stretched by the reduction factor (so shrinking
// averages, "antialias"), weights normalised in float64 and rounded to
// 22-bit fixed point, a horizontal pass over the rows the vertical pass
// needs, rounded to bytes, then a vertical pass.

const precisionBits = pixel.Shift // 32 - 8 - 2, as Pillow

// taps are one axis's filter: output i reads count[i] inputs from first[i]
// with weights k[i*ksize:].
type taps struct {
	first, count []int
	k            []int32
	ksize        int
	k3           [3][]int32 // for ksize 3: tap t of every output, contiguous
	g            pixel.Gather
}

// compute fills t for resampling in input pixels onto out outputs.
func (t *taps) compute(in, out int) {
	scale := float64(in) / float64(out)
	fscale := max(scale, 1)
	support := 1.0 * fscale
	t.ksize = int(math.Ceil(support))*2 + 1
	t.first = scratch.Grow(t.first, out)
	t.count = scratch.Grow(t.count, out)
	t.k = scratch.Grow(t.k, out*t.ksize)
	var w [64]float64
	for o := 0; o < out; o++ {
		center := (float64(o) + 0.5) * scale
		ss := 1.0 / fscale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), in)
		n := hi - lo
		var ww float64
		ws := w[:0]
		if n > len(w) {
			ws = make([]float64, 0, n)
		}
		for x := 0; x < n; x++ {
			v := triangle((float64(x+lo) - center + 0.5) * ss)
			ws = append(ws, v)
			ww += v
		}
		// Pad to a fixed window of ksize taps that stays inside the input;
		// the extra taps weigh 0, so sums are unchanged.
		start := min(lo, max(in-t.ksize, 0))
		k := t.k[o*t.ksize : (o+1)*t.ksize]
		for x := range k {
			k[x] = 0
		}
		for x, v := range ws {
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				k[x+lo-start] = int32(-0.5 + v*(1<<precisionBits))
			} else {
				k[x+lo-start] = int32(0.5 + v*(1<<precisionBits))
			}
		}
		t.first[o], t.count[o] = start, min(t.ksize, in-start)
	}
	if t.ksize == 3 && in >= 3 {
		for j := range 3 {
			t.k3[j] = scratch.Grow(t.k3[j], out)
			for o := range out {
				t.k3[j][o] = t.k[3*o+j]
			}
		}
		t.g.First = scratch.Grow(t.g.First, out)
		for o, f := range t.first[:out] {
			t.g.First[o] = int32(f)
		}
		t.g.Prepare()
	}
}

func triangle(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return 1 - x
	}
	return 0
}

func clipFixed(ss int32) uint8 {
	return uint8(min(max(ss>>precisionBits, 0), 255))
}

// resizer holds the scratch of ResizedCrop so that repeated calls do not
// allocate.
type resizer struct {
	taps map[[3]int]*taps // by (input size, output size, mirrored): a view's axes reuse them
	tmp  []uint8
}

// warm computes the taps of every input size up to maxIn (if at most 1024)
// onto out and sizes the scratch, so that later calls never allocate.
func (z *resizer) warm(maxIn, out int) {
	if maxIn <= 1024 {
		for in := 1; in <= maxIn; in++ {
			z.axis(in, out, false)
			z.axis(in, out, true)
		}
	}
	z.tmp = scratch.Grow(z.tmp, 3*(maxIn+3)*out)
}

// axis returns the taps for resampling in pixels onto out, mirrored (the
// last output first) if asked, computing them the first time.
func (z *resizer) axis(in, out int, mirror bool) *taps {
	key := [3]int{in, out, 0}
	if mirror {
		key[2] = 1
	}
	if t, ok := z.taps[key]; ok {
		return t
	}
	if z.taps == nil || len(z.taps) > 4096 {
		z.taps = map[[3]int]*taps{}
	}
	t := new(taps)
	t.compute(in, out)
	if mirror {
		t.mirror()
	}
	z.taps[key] = t
	return t
}

// ResizedCrop writes box b of src, resized to dst's size with Pillow's
// BILINEAR filter, into dst: torchvision's F.resized_crop(img, b.Y, b.X,
// b.H, b.W, [dst.H, dst.W]) on a PIL image. b must lie inside src; dst
// must not be src.
func ResizedCrop(dst, src *Image, b Box) { new(resizer).crop(dst, src, b, false) }

func (z *resizer) crop(dst, src *Image, b Box, flip bool) {
	dst.check("destination")
	src.check("source")
	if b.Y < 0 || b.X < 0 || b.H < 1 || b.W < 1 || b.Y+b.H > src.H || b.X+b.W > src.W {
		panic("augment: crop box outside the source image")
	}
	// A flip mirrors the horizontal taps (an unscaled axis gets identity
	// taps, weights 1, 0, 0): the same bytes as flipping afterwards.
	needH, needV := dst.W != b.W || flip, dst.H != b.H
	tv := z.axis(b.H, dst.H, false)
	y0 := tv.first[0]
	y1 := tv.first[dst.H-1] + tv.count[dst.H-1]
	if !needV {
		y0, y1 = 0, b.H
	}
	// rows, stride and origin of the image the vertical pass reads
	var rows []uint8
	var stride, plane, origin int
	if needH {
		th := z.axis(b.W, dst.W, flip)
		nr := y1 - y0
		z.tmp = scratch.Grow(z.tmp, 3*nr*dst.W)
		for c := 0; c < 3; c++ {
			in := src.Pix[c*src.H*src.W:]
			out := z.tmp[c*nr*dst.W : (c+1)*nr*dst.W]
			for r := 0; r < nr; r++ {
				at := (b.Y+y0+r)*src.W + b.X
				th.apply(out[r*dst.W:(r+1)*dst.W], in[at:at+b.W], in[at:])
			}
		}
		rows, stride, plane, origin = z.tmp, dst.W, nr*dst.W, 0
	} else {
		rows, stride, plane, origin = src.Pix, src.W, src.H*src.W, (b.Y+y0)*src.W+b.X
	}
	W := dst.W
	for c := 0; c < 3; c++ {
		for yy := 0; yy < dst.H; yy++ {
			o := dst.Pix[(c*dst.H+yy)*W : (c*dst.H+yy+1)*W]
			base := origin + c*plane + (tv.first[yy]-y0)*stride
			switch {
			case !needV:
				copy(o, rows[origin+c*plane+yy*stride:][:W])
			case tv.count[yy] == 3:
				k := tv.k[yy*3 : yy*3+3]
				pixel.Madd3Scalar(o, rows[base:base+W], rows[base+stride:base+stride+W], rows[base+2*stride:base+2*stride+W], k[0], k[1], k[2])
			default:
				k := tv.k[yy*tv.ksize : yy*tv.ksize+tv.count[yy]]
				for x := range o {
					ss := int32(1 << (precisionBits - 1))
					for t, w := range k {
						ss += int32(rows[base+t*stride+x]) * w
					}
					o[x] = clipFixed(ss)
				}
			}
		}
	}
}

// mirror reverses the order of t's outputs.
func (t *taps) mirror() {
	n := len(t.first)
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		t.first[i], t.first[j] = t.first[j], t.first[i]
		t.count[i], t.count[j] = t.count[j], t.count[i]
		ki, kj := t.k[i*t.ksize:(i+1)*t.ksize], t.k[j*t.ksize:(j+1)*t.ksize]
		for x := range ki {
			ki[x], kj[x] = kj[x], ki[x]
		}
	}
	if t.k3[0] != nil {
		for _, s := range [][]int32{t.k3[0], t.k3[1], t.k3[2], t.g.First} {
			for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
				s[i], s[j] = s[j], s[i]
			}
		}
		t.g.Prepare()
	}
}

// apply resamples one row, in; rest is in and the buffer after it, which
// the kernel may read but ignores.
func (t *taps) apply(out, in, rest []uint8) {
	if t.ksize == 3 && len(in) >= 3 {
		pixel.Madd3Gather(out, rest, len(rest), &t.g, t.k3[0], t.k3[1], t.k3[2])
		return
	}
	for o := range out {
		k := t.k[o*t.ksize : o*t.ksize+t.count[o]]
		src := in[t.first[o] : t.first[o]+len(k)]
		ss := int32(1 << (precisionBits - 1))
		for x, w := range k {
			ss += int32(src[x]) * w
		}
		out[o] = clipFixed(ss)
	}
}
