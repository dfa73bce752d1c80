package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sizes of the synthetic splits Load makes.
const (
	SyntheticTrainSize = 5000
	SyntheticTestSize  = 1000
)

// SyntheticConfig sizes a synthetic dataset. Zero values mean 10 classes of
// 32×32 RGB images.
type SyntheticConfig struct {
	N       int    // images
	Classes int    // 0 means 10
	Side    int    // 0 means 32
	Seed    uint64 // images and labels are a pure function of the config
}

// NewSynthetic makes a CIFAR-shaped dataset whose classes differ in
// structure that survives SimCLR's augmentations (crops, flips, colour
// jitter): class k is a grating at orientation (k mod 5)·22.5° (0° to 90°,
// distinct even under horizontal flips), smooth (sine) for k < 5 and hard
// (square wave) otherwise. Frequency, phase, colour, contrast and pixel
// noise are random per image, so neither colour nor scale carries class
// information and a model must learn orientation and edge structure.
// With more than 10 classes the orientations are spread more finely.
func NewSynthetic(cfg SyntheticConfig) *Dataset {
	if cfg.Classes <= 0 {
		cfg.Classes = 10
	}
	if cfg.Side <= 0 {
		cfg.Side = 32
	}
	s := cfg.Side
	d := &Dataset{Name: Synthetic, C: 3, H: s, W: s, Pixels: make([]uint8, cfg.N*3*s*s), Labels: make([]int32, cfg.N)}
	for k := 0; k < cfg.Classes; k++ {
		d.Classes = append(d.Classes, fmt.Sprintf("grating%d", k))
	}
	for i := 0; i < cfg.N; i++ {
		r := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		k := r.IntN(cfg.Classes)
		d.Labels[i] = int32(k)
		half := (cfg.Classes + 1) / 2
		theta := math.Pi / 2 * float64(k%half) / float64(max(half-1, 1))
		square := k >= half
		freq := 2 * math.Pi * (2 + 3*r.Float64()) / float64(s)
		phase := r.Float64() * 2 * math.Pi
		contrast := 0.25 + 0.2*r.Float64()
		var base, tint [3]float64
		for c := range base {
			base[c] = 0.3 + 0.4*r.Float64()
			tint[c] = 0.5 + r.Float64()
		}
		cx, sy := math.Cos(theta), math.Sin(theta)
		img := d.Image(i)
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				v := math.Sin(freq*(cx*float64(x)+sy*float64(y)) + phase)
				if square {
					v = math.Copysign(1, v)
				}
				for c := 0; c < 3; c++ {
					p := base[c] + contrast*tint[c]*v + 0.05*r.NormFloat64()
					img[(c*s+y)*s+x] = uint8(math.Round(255 * math.Min(1, math.Max(0, p))))
				}
			}
		}
	}
	return d
}
