package augment

import (
	"fmt"
	"math"
)

// Recipe is a complete augmentation recipe: every range and probability,
// applied in SimCLR's order — random resized crop, horizontal flip, colour
// jitter (its four parts in random order), grayscale, Gaussian blur,
// normalisation, additive noise.
type Recipe struct {
	Scale [2]float64 `json:"scale"` // crop area as a fraction of the image: [min, max]
	Ratio [2]float64 `json:"ratio"` // crop aspect ratio w/h, drawn log-uniformly: [min, max]
	FlipP float64    `json:"flip_p"`

	// Colour jitter, applied with probability JitterP: brightness,
	// contrast and saturation factors drawn from [max(0, 1-x), 1+x], hue
	// from [-Hue, Hue] turns.
	JitterP    float64 `json:"jitter_p"`
	Brightness float64 `json:"brightness"`
	Contrast   float64 `json:"contrast"`
	Saturation float64 `json:"saturation"`
	Hue        float64 `json:"hue"` // at most 0.5

	GrayP float64 `json:"gray_p"`

	// Gaussian blur, applied with probability BlurP, σ drawn uniformly
	// from BlurSigma (pixels of the output). The kernel is BlurKernel
	// pixels when set (odd), else BlurKernelFrac of the output side,
	// rounded down and made odd.
	BlurP          float64    `json:"blur_p"`
	BlurSigma      [2]float64 `json:"blur_sigma"`
	BlurKernel     int        `json:"blur_kernel"`
	BlurKernelFrac float64    `json:"blur_kernel_frac"`

	// Additive Gaussian noise on [0,1] pixel values after everything
	// else, with probability NoiseP and standard deviation NoiseStd.
	NoiseP   float64 `json:"noise_p"`
	NoiseStd float64 `json:"noise_std"`

	// Per-channel normalisation on [0,1] pixel values.
	Mean [3]float32 `json:"mean"`
	Std  [3]float32 `json:"std"`
}

// Channel statistics on [0,1]: CIFAR-10's training set and ImageNet's.
var (
	CIFARMean    = [3]float32{0.4914, 0.4822, 0.4465}
	CIFARStd     = [3]float32{0.2470, 0.2435, 0.2616}
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// The paper's recipes (Chen et al. 2020, appendix A and B.9).
var (
	// SimCLRCIFAR is the CIFAR-10 recipe: colour strength s = 0.5, no blur.
	SimCLRCIFAR = Recipe{
		Scale: [2]float64{0.08, 1}, Ratio: [2]float64{3.0 / 4, 4.0 / 3}, FlipP: 0.5,
		JitterP: 0.8, Brightness: 0.4, Contrast: 0.4, Saturation: 0.4, Hue: 0.1,
		GrayP: 0.2, Mean: CIFARMean, Std: CIFARStd,
	}
	// SimCLRImageNet is the ImageNet recipe: s = 1, blur with p 0.5,
	// σ in [0.1, 2.0] and a kernel 10% of the image side.
	SimCLRImageNet = Recipe{
		Scale: [2]float64{0.08, 1}, Ratio: [2]float64{3.0 / 4, 4.0 / 3}, FlipP: 0.5,
		JitterP: 0.8, Brightness: 0.8, Contrast: 0.8, Saturation: 0.8, Hue: 0.2,
		GrayP: 0.2, BlurP: 0.5, BlurSigma: [2]float64{0.1, 2.0}, BlurKernelFrac: 0.1,
		Mean: ImageNetMean, Std: ImageNetStd,
	}
)

// WithStrength returns r with the paper's colour jitter of strength s:
// brightness, contrast and saturation 0.8s, hue 0.2s.
func (r Recipe) WithStrength(s float64) Recipe {
	r.Brightness, r.Contrast, r.Saturation, r.Hue = 0.8*s, 0.8*s, 0.8*s, 0.2*s
	return r
}

// Validate reports the first impossible value, naming its field.
func (r *Recipe) Validate() error {
	bad := func(field string, v any, why string) error {
		return fmt.Errorf("augment: recipe %s %v: %s", field, v, why)
	}
	finite := func(v ...float64) bool {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
		return true
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"flip_p", r.FlipP}, {"jitter_p", r.JitterP}, {"gray_p", r.GrayP}, {"blur_p", r.BlurP}, {"noise_p", r.NoiseP}} {
		if !(p.v >= 0 && p.v <= 1) {
			return bad(p.name, p.v, "a probability must lie in [0, 1]")
		}
	}
	switch {
	case !finite(r.Scale[:]...) || r.Scale[0] <= 0 || r.Scale[1] > 1:
		return bad("scale", r.Scale, "need 0 < min <= max <= 1")
	case r.Scale[0] > r.Scale[1]:
		return bad("scale", r.Scale, "min is above max")
	case !finite(r.Ratio[:]...) || r.Ratio[0] <= 0:
		return bad("ratio", r.Ratio, "need 0 < min <= max")
	case r.Ratio[0] > r.Ratio[1]:
		return bad("ratio", r.Ratio, "min is above max")
	}
	for _, j := range []struct {
		name string
		v    float64
	}{{"brightness", r.Brightness}, {"contrast", r.Contrast}, {"saturation", r.Saturation}, {"hue", r.Hue}} {
		if !(j.v >= 0) || math.IsInf(j.v, 0) {
			return bad(j.name, j.v, "must be a finite number >= 0")
		}
	}
	if r.Hue > 0.5 {
		return bad("hue", r.Hue, "more than half a turn")
	}
	if r.BlurKernel < 0 || (r.BlurKernel > 0 && r.BlurKernel%2 == 0) {
		return bad("blur_kernel", r.BlurKernel, "need an odd kernel size (or 0 for blur_kernel_frac)")
	}
	if !(r.BlurKernelFrac >= 0 && r.BlurKernelFrac <= 1) {
		return bad("blur_kernel_frac", r.BlurKernelFrac, "need a fraction of the side in [0, 1]")
	}
	if r.BlurP > 0 {
		switch {
		case !finite(r.BlurSigma[:]...) || r.BlurSigma[0] <= 0:
			return bad("blur_sigma", r.BlurSigma, "need 0 < min <= max")
		case r.BlurSigma[0] > r.BlurSigma[1]:
			return bad("blur_sigma", r.BlurSigma, "min is above max")
		case r.BlurKernel == 0 && r.BlurKernelFrac == 0:
			return bad("blur_kernel", 0, "blur_p > 0 needs blur_kernel or blur_kernel_frac")
		}
	}
	if !(r.NoiseStd >= 0) || math.IsInf(r.NoiseStd, 0) {
		return bad("noise_std", r.NoiseStd, "must be a finite number >= 0")
	}
	for c := range 3 {
		if !(r.Std[c] > 0) || !finite(float64(r.Mean[c]), float64(r.Std[c])) {
			return bad("std", r.Std, "every channel needs a finite std > 0 (and a finite mean)")
		}
	}
	return nil
}

// blurKernel is the kernel side for an output side.
func (r *Recipe) blurKernel(side int) int {
	if r.BlurKernel > 0 {
		return r.BlurKernel
	}
	k := int(r.BlurKernelFrac * float64(side))
	if k%2 == 0 {
		k++
	}
	return k
}
