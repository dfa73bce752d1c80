package augment

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Params are one view's random choices, drawn by Pipeline.Params. Applying
// them (Pipeline.Render) is a pure function of the source pixels and Params.
type Params struct {
	Crop Box  // RandomResizedCrop's box in the source
	Flip bool // mirror left to right

	// Colour jitter: the parts Order[:Parts] run in that order (0
	// brightness, 1 contrast, 2 saturation, 3 hue) with these factors.
	// Parts is 0 when jitter is not applied; a part whose recipe range is
	// 0 is left out, as torchvision leaves out a part given 0.
	Order                                 [4]uint8
	Parts                                 int
	Brightness, Contrast, Saturation, Hue float64

	Gray bool // convert to grey (three equal channels)

	Blur   bool
	Kernel int     // blur kernel side (odd)
	Sigma  float64 // blur σ in pixels

	Noise     bool
	NoiseSeed uint64 // seeds the noise values
}

// rng is a view's generator: PCG seeded by (seed, epoch, index, view), so
// every view's draws are independent of the order views are made in.
type rng struct{ pcg rand.PCG }

// newRNG seeds view's generator. Views 0 and 1 keep the original seeding,
// (seed, epoch<<40 ^ index<<1 ^ view), so runs made before multi-view
// support resume and reproduce bit for bit; that second word is one-to-one
// on (epoch < 2^24, index < 2^39, view < 2). Views 2 and up move the first
// word instead, to seed ^ view·φ (φ the odd 64-bit golden ratio, so the
// product is one-to-one and never 0 for 0 < view < 2^64): no two
// (epoch, index, view) share a seed pair.
func newRNG(seed uint64, epoch, index, view int) rng {
	var r rng
	r.pcg.Seed(viewSeeds(seed, epoch, index, view))
	return r
}

func viewSeeds(seed uint64, epoch, index, view int) (uint64, uint64) {
	lo := uint64(epoch)<<40 ^ uint64(index)<<1
	if view < 2 {
		return seed, lo ^ uint64(view)
	}
	return seed ^ uint64(view)*0x9e3779b97f4a7c15, lo
}

// float is uniform in [0, 1).
func (r *rng) float() float64 { return float64(r.pcg.Uint64()>>11) * 0x1p-53 }

// uniform is uniform in [lo, hi).
func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn is uniform in [0, n).
func (r *rng) intn(n int) int { hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n)); return int(hi) }

// draw draws a view's parameters for an h×w source and an output of side
// pixels, with torchvision's distributions: RandomResizedCrop's ten tries
// of a uniform area and log-uniform ratio (sides rounded half to even, as
// Python's round) then the centre-crop fallback; each RandomApply's coin;
// ColorJitter's random order and factors; GaussianBlur's uniform σ.
func (rc *Recipe) draw(r *rng, h, w, side int) Params {
	var p Params
	p.Crop = rc.cropBox(r, h, w)
	p.Flip = r.float() < rc.FlipP
	if r.float() < rc.JitterP {
		perm := [4]uint8{0, 1, 2, 3}
		for i := 3; i > 0; i-- {
			j := r.intn(i + 1)
			perm[i], perm[j] = perm[j], perm[i]
		}
		ranges := [4]float64{rc.Brightness, rc.Contrast, rc.Saturation, rc.Hue}
		for _, op := range perm {
			if ranges[op] > 0 {
				p.Order[p.Parts] = op
				p.Parts++
			}
		}
		factor := func(x float64) float64 {
			if x == 0 {
				return 1
			}
			return r.uniform(max(0, 1-x), 1+x)
		}
		p.Brightness, p.Contrast, p.Saturation = factor(rc.Brightness), factor(rc.Contrast), factor(rc.Saturation)
		if rc.Hue > 0 {
			p.Hue = r.uniform(-rc.Hue, rc.Hue)
		}
	}
	p.Gray = r.float() < rc.GrayP
	if rc.BlurP > 0 && r.float() < rc.BlurP {
		p.Blur, p.Kernel = true, rc.blurKernel(side)
		p.Sigma = r.uniform(rc.BlurSigma[0], rc.BlurSigma[1])
	}
	if rc.NoiseStd > 0 && r.float() < rc.NoiseP {
		p.Noise, p.NoiseSeed = true, r.pcg.Uint64()
	}
	return p
}

// cropBox is RandomResizedCrop.get_params.
func (rc *Recipe) cropBox(r *rng, hgt, wid int) Box {
	area := float64(hgt * wid)
	lr0, lr1 := math.Log(rc.Ratio[0]), math.Log(rc.Ratio[1])
	for try := 0; try < 10; try++ {
		target := area * r.uniform(rc.Scale[0], rc.Scale[1])
		ratio := math.Exp(r.uniform(lr0, lr1))
		w := int(math.RoundToEven(math.Sqrt(target * ratio)))
		h := int(math.RoundToEven(math.Sqrt(target / ratio)))
		if w > 0 && h > 0 && w <= wid && h <= hgt {
			return Box{Y: r.intn(hgt - h + 1), X: r.intn(wid - w + 1), H: h, W: w}
		}
	}
	in := float64(wid) / float64(hgt)
	h, w := hgt, wid
	switch {
	case in < rc.Ratio[0]:
		h = int(math.RoundToEven(float64(w) / rc.Ratio[0]))
	case in > rc.Ratio[1]:
		w = int(math.RoundToEven(float64(h) * rc.Ratio[1]))
	}
	return Box{Y: (hgt - h) / 2, X: (wid - w) / 2, H: h, W: w}
}
