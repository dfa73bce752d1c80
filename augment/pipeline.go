package augment

import (
	"context"
	"fmt"
	"github.com/simclr-go/simclr/internal/scratch"
	"math/rand/v2"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/simclr-go/simclr/datasets"
)

// Config chooses a recipe and how to run it. The zero value is the paper's
// CIFAR-10 recipe (SimCLRCIFAR) at the source size, on GOMAXPROCS workers.
type Config struct {
	Preset   string  `json:"preset"`           // "cifar" (the default) or "imagenet"
	Strength float64 `json:"strength"`         // colour strength s; 0 means the preset's (cifar 0.5, imagenet 1)
	CropMin  float64 `json:"crop_min"`         // the crop's smallest area fraction (scale min); 0 means the preset's (0.08)
	Recipe   *Recipe `json:"recipe,omitempty"` // a full recipe; replaces Preset and Strength
	Size     int     `json:"size"`             // output side in pixels; 0 means the source side
	NoiseStd float64 `json:"noise_std"`        // > 0: add noise of this σ (on [0,1] pixels) to every view
	Seed     uint64  `json:"seed"`
	Workers  int     `json:"workers"` // 0 means GOMAXPROCS; never changes results
}

// Resolve returns the recipe cfg describes, validated.
func (cfg Config) Resolve() (Recipe, error) {
	var r Recipe
	switch {
	case cfg.Recipe != nil:
		if cfg.Strength != 0 || cfg.CropMin != 0 {
			return r, fmt.Errorf("augment: strength %v or crop_min %v given with a full recipe; set them in the recipe", cfg.Strength, cfg.CropMin)
		}
		r = *cfg.Recipe
	case cfg.Preset == "" || cfg.Preset == "cifar":
		r = SimCLRCIFAR.WithStrength(0.5)
		if cfg.Strength != 0 {
			r = r.WithStrength(cfg.Strength)
		}
	case cfg.Preset == "imagenet":
		r = SimCLRImageNet.WithStrength(1)
		if cfg.Strength != 0 {
			r = r.WithStrength(cfg.Strength)
		}
	default:
		return r, fmt.Errorf("augment: unknown preset %q (want cifar or imagenet)", cfg.Preset)
	}
	if !(cfg.Strength >= 0 && cfg.Strength <= 2.5) {
		return r, fmt.Errorf("augment: colour strength %v outside [0, 2.5]", cfg.Strength)
	}
	if cfg.CropMin != 0 {
		if !(cfg.CropMin > 0 && cfg.CropMin <= r.Scale[1]) {
			return r, fmt.Errorf("augment: crop_min %v outside (0, %v]", cfg.CropMin, r.Scale[1])
		}
		r.Scale[0] = cfg.CropMin
	}
	if !(cfg.NoiseStd >= 0 && cfg.NoiseStd <= 10) {
		return r, fmt.Errorf("augment: noise σ %v outside [0, 10]", cfg.NoiseStd)
	}
	if cfg.NoiseStd > 0 {
		r.NoiseP, r.NoiseStd = 1, cfg.NoiseStd
	}
	return r, r.Validate()
}

// MaxSize is the largest output side a pipeline makes.
const MaxSize = 1024

// Pipeline makes augmented views. It is safe for concurrent use.
type Pipeline struct {
	cfg     Config
	recipe  Recipe
	norm    *Normalizer
	scratch sync.Pool // *worker
}

// New validates cfg and returns a pipeline.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Size < 0 || cfg.Size > MaxSize {
		return nil, fmt.Errorf("augment: size %d outside [0, %d]", cfg.Size, MaxSize)
	}
	if cfg.Workers < 0 {
		return nil, fmt.Errorf("augment: %d workers", cfg.Workers)
	}
	r, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	return &Pipeline{cfg: cfg, recipe: r, norm: NewNormalizer(r.Mean, r.Std)}, nil
}

// Config returns the configuration with Workers resolved.
func (p *Pipeline) Config() Config { return p.cfg }

// Recipe returns the resolved recipe.
func (p *Pipeline) Recipe() Recipe { return p.recipe }

// Side is the output side for a source of side h.
func (p *Pipeline) Side(h int) int {
	if p.cfg.Size > 0 {
		return p.cfg.Size
	}
	return h
}

// ViewSize is the number of float32s of one output view for d.
func (p *Pipeline) ViewSize(d *datasets.Dataset) int { s := p.Side(d.H); return 3 * s * s }

// Params draws the parameters of view (0, 1, ...) of image index in epoch for
// an h×w source. Views, Stream and Render use exactly these.
func (p *Pipeline) Params(epoch, index, view, h, w int) Params {
	r := newRNG(p.cfg.Seed, epoch, index, view)
	return p.recipe.draw(&r, h, w, p.Side(h))
}

// worker is the scratch one goroutine needs to make views without
// allocating.
type worker struct {
	rs    resizer
	bl    blurrer
	view  Image
	luma  []uint8
	src   Image
	noise rand.PCG
}

func (p *Pipeline) getWorker() *worker {
	if w, ok := p.scratch.Get().(*worker); ok {
		return w
	}
	return new(worker)
}

// Render applies prm to src and writes the result, before normalisation,
// into dst (its size is the output size). dst must not be src.
func (p *Pipeline) Render(dst, src *Image, prm *Params) {
	w := p.getWorker()
	w.render(dst, src, prm)
	p.scratch.Put(w)
}

func (w *worker) render(dst, src *Image, prm *Params) {
	w.rs.crop(dst, src, prm.Crop, prm.Flip)    // the flip rides on the resize's writes
	w.luma = scratch.Grow(w.luma, dst.H*dst.W) // scratch of contrast and saturation
	for _, op := range prm.Order[:prm.Parts] {
		switch op {
		case 0:
			Brightness(dst, prm.Brightness)
		case 1:
			Contrast(dst, prm.Contrast, w.luma)
		case 2:
			Saturation(dst, prm.Saturation, w.luma)
		case 3:
			Hue(dst, prm.Hue)
		}
	}
	if prm.Gray {
		Grayscale(dst)
	}
	if prm.Blur {
		w.bl.blur(dst, dst, prm.Kernel, prm.Sigma)
	}
}

// view writes view v of image i of d (drawn for epoch) into out.
func (p *Pipeline) view(w *worker, out []float32, d *datasets.Dataset, i, epoch, v int) {
	w.src = Image{Pix: d.Image(i), H: d.H, W: d.W}
	side := p.Side(d.H)
	w.view.H, w.view.W = side, side
	w.view.Pix = scratch.Grow(w.view.Pix, 3*side*side)
	prm := p.Params(epoch, i, v, d.H, d.W)
	w.render(&w.view, &w.src, &prm)
	p.norm.Apply(out, &w.view)
	if prm.Noise {
		w.noise.Seed(prm.NoiseSeed, 0)
		r := rand.New(&w.noise)
		n := side * side
		for c := range 3 {
			s := float32(p.recipe.NoiseStd) / p.recipe.Std[c]
			for j := c * n; j < (c+1)*n; j++ {
				out[j] += float32(s * float32(r.NormFloat64())) // no FMA: same bits on every build
			}
		}
	}
}

// Views writes len(dst) augmented views of images idx of d: dst[v] gets
// view v of every image (len(idx)×3×S×S, image-major), made on the
// pipeline's workers. Panics if a destination has the wrong size.
func (p *Pipeline) Views(ctx context.Context, dst [][]float32, d *datasets.Dataset, idx []int, epoch int) error {
	vs := p.ViewSize(d)
	for v, out := range dst {
		if len(out) != len(idx)*vs {
			panic(fmt.Sprintf("augment: destination of view %d has %d floats for %d views of %d", v, len(out), len(idx), vs))
		}
	}
	if err := p.check(d); err != nil {
		return err
	}
	return p.each(ctx, len(idx), func(w *worker, i int) {
		for v, out := range dst {
			p.view(w, out[i*vs:(i+1)*vs], d, idx[i], epoch, v)
		}
	})
}

func (p *Pipeline) check(d *datasets.Dataset) error {
	if d.C != 3 {
		return fmt.Errorf("augment: %s has %d channels, want 3", d.Name, d.C)
	}
	if p.recipe.BlurP > 0 {
		if k := p.recipe.blurKernel(p.Side(d.H)); k/2 >= p.Side(d.H) {
			return fmt.Errorf("augment: blur kernel %d too large for %d-pixel views", k, p.Side(d.H))
		}
	}
	return nil
}

// Plain writes images idx of d, resized to the output size (Pillow
// bilinear) and normalised but not augmented, for evaluation.
func (p *Pipeline) Plain(ctx context.Context, dst []float32, d *datasets.Dataset, idx []int) error {
	vs := p.ViewSize(d)
	if len(dst) != len(idx)*vs {
		panic("augment: wrong destination size")
	}
	if d.C != 3 {
		return fmt.Errorf("augment: %s has %d channels, want 3", d.Name, d.C)
	}
	side := p.Side(d.H)
	return p.each(ctx, len(idx), func(w *worker, i int) {
		w.src = Image{Pix: d.Image(idx[i]), H: d.H, W: d.W}
		w.view.H, w.view.W = side, side
		w.view.Pix = scratch.Grow(w.view.Pix, vs)
		w.rs.crop(&w.view, &w.src, Box{H: d.H, W: d.W}, false)
		p.norm.Apply(dst[i*vs:(i+1)*vs], &w.view)
	})
}

// each runs fn(i) for i < n on the pipeline's workers in blocks.
func (p *Pipeline) each(ctx context.Context, n int, fn func(w *worker, i int)) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(p.cfg.Workers)
	const block = 16
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			w := p.getWorker()
			for i := lo; i < hi; i++ {
				fn(w, i)
			}
			p.scratch.Put(w)
			return nil
		})
	}
	return g.Wait()
}
