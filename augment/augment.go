package augment

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/simclr-go/simclr/datasets"
)

// Mean and Std are CIFAR-10's per-channel pixel statistics on [0,1].
var (
	Mean = [3]float32{0.4914, 0.4822, 0.4465}
	Std  = [3]float32{0.2470, 0.2435, 0.2616}
)

// Config sets the recipe. The zero value is the paper's CIFAR-10 recipe.
type Config struct {
	Size     int     `json:"size"`      // output side in pixels; 0 means the source side
	Strength float64 `json:"strength"`  // colour strength s; 0 means 0.5 (CIFAR); jitter is 0.8s, 0.8s, 0.8s, 0.2s
	NoiseStd float64 `json:"noise_std"` // σ of additive Gaussian noise on [0,1] pixels; 0 means none
	Seed     uint64  `json:"seed"`
	Workers  int     `json:"workers"` // 0 means GOMAXPROCS; does not change results
}

// Pipeline makes augmented views.
type Pipeline struct {
	cfg                          Config
	bright, contrast, sat, hue   float64
	scaleMin, scaleMax           float64
	logRatioMin, logRatioMax     float64
	flipP, jitterP, grayP, noise float64
	scratch                      sync.Pool
}

// New validates cfg and returns a pipeline.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Size < 0 {
		return nil, fmt.Errorf("augment: size %d is negative", cfg.Size)
	}
	if cfg.Strength == 0 {
		cfg.Strength = 0.5
	}
	if cfg.Strength < 0 || cfg.Strength > 1.25 {
		return nil, fmt.Errorf("augment: colour strength %v outside (0, 1.25]", cfg.Strength)
	}
	if cfg.NoiseStd < 0 {
		return nil, fmt.Errorf("augment: noise σ %v is negative", cfg.NoiseStd)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	s := cfg.Strength
	return &Pipeline{
		cfg:    cfg,
		bright: 0.8 * s, contrast: 0.8 * s, sat: 0.8 * s, hue: 0.2 * s,
		scaleMin: 0.08, scaleMax: 1,
		logRatioMin: math.Log(3.0 / 4), logRatioMax: math.Log(4.0 / 3),
		flipP: 0.5, jitterP: 0.8, grayP: 0.2, noise: cfg.NoiseStd,
	}, nil
}

// Config returns the resolved configuration.
func (p *Pipeline) Config() Config { return p.cfg }

func (p *Pipeline) side(d *datasets.Dataset) int {
	if p.cfg.Size > 0 {
		return p.cfg.Size
	}
	return d.H
}

// ViewSize is the number of float32s of one output view for d.
func (p *Pipeline) ViewSize(d *datasets.Dataset) int { s := p.side(d); return 3 * s * s }

// Views writes two augmented views of images idx of d into v1 and v2
// (each len(idx)×3×S×S).
func (p *Pipeline) Views(ctx context.Context, v1, v2 []float32, d *datasets.Dataset, idx []int, epoch int) error {
	vs := p.ViewSize(d)
	if len(v1) != len(idx)*vs || len(v2) != len(idx)*vs {
		panic(fmt.Sprintf("augment: destinations of %d and %d floats for %d views of %d", len(v1), len(v2), len(idx), vs))
	}
	if d.C != 3 {
		return fmt.Errorf("augment: %s has %d channels, want 3", d.Name, d.C)
	}
	return p.each(ctx, len(idx), func(i int) {
		for view, dst := range [2][]float32{v1, v2} {
			r := rand.New(rand.NewPCG(p.cfg.Seed, stream(epoch, idx[i], view)))
			p.augment(dst[i*vs:(i+1)*vs], d, idx[i], r)
		}
	})
}

// Plain writes images idx of d, resized to the output size and normalised
// but not augmented (for evaluation), into dst.
func (p *Pipeline) Plain(ctx context.Context, dst []float32, d *datasets.Dataset, idx []int) error {
	vs := p.ViewSize(d)
	if len(dst) != len(idx)*vs {
		panic("augment: wrong destination size")
	}
	return p.each(ctx, len(idx), func(i int) {
		img := p.load(d, idx[i])
		out := dst[i*vs : (i+1)*vs]
		resize(out, p.side(d), *img, d.H, d.W, 0, 0, d.H, d.W)
		normalise(out)
		p.scratch.Put(img)
	})
}

// each runs fn(i) for i < n on the pipeline's workers in contiguous blocks.
func (p *Pipeline) each(ctx context.Context, n int, fn func(i int)) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(p.cfg.Workers)
	const block = 16
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			for i := lo; i < hi; i++ {
				fn(i)
			}
			return nil
		})
	}
	return g.Wait()
}

// stream is a view's generator stream: distinct for every (epoch, index, view).
func stream(epoch, index, view int) uint64 {
	return uint64(epoch)<<40 ^ uint64(index)<<1 ^ uint64(view)
}

// load converts image i to planar float32 in [0,1] in a pooled buffer.
func (p *Pipeline) load(d *datasets.Dataset, i int) *[]float32 {
	n := d.ImageSize()
	b, _ := p.scratch.Get().(*[]float32)
	if b == nil || cap(*b) < n {
		s := make([]float32, n)
		b = &s
	}
	*b = (*b)[:n]
	for j, v := range d.Image(i) {
		(*b)[j] = float32(v) * (1.0 / 255)
	}
	return b
}

// augment writes one view of image i into out.
func (p *Pipeline) augment(out []float32, d *datasets.Dataset, i int, r *rand.Rand) {
	img := p.load(d, i)
	defer p.scratch.Put(img)
	y0, x0, h, w := p.cropBox(r, d.H, d.W)
	side := p.side(d)
	resize(out, side, *img, d.H, d.W, y0, x0, h, w)
	if r.Float64() < p.flipP {
		flip(out, side)
	}
	if r.Float64() < p.jitterP {
		p.jitter(out, r)
	}
	if r.Float64() < p.grayP {
		grayscale(out)
	}
	if p.noise > 0 {
		for j := range out {
			out[j] += float32(p.noise * r.NormFloat64())
		}
	}
	normalise(out)
}

// cropBox draws torchvision's RandomResizedCrop box: up to 10 tries of a
// random area and log-uniform aspect ratio, else a centre crop with the
// ratio clamped to the allowed range.
func (p *Pipeline) cropBox(r *rand.Rand, hgt, wid int) (y0, x0, h, w int) {
	area := float64(hgt * wid)
	for try := 0; try < 10; try++ {
		target := area * (p.scaleMin + (p.scaleMax-p.scaleMin)*r.Float64())
		ratio := math.Exp(p.logRatioMin + (p.logRatioMax-p.logRatioMin)*r.Float64())
		w = int(math.Round(math.Sqrt(target * ratio)))
		h = int(math.Round(math.Sqrt(target / ratio)))
		if w > 0 && h > 0 && w <= wid && h <= hgt {
			return r.IntN(hgt - h + 1), r.IntN(wid - w + 1), h, w
		}
	}
	in := float64(wid) / float64(hgt)
	switch {
	case in < math.Exp(p.logRatioMin):
		w, h = wid, int(math.Round(float64(wid)/math.Exp(p.logRatioMin)))
	case in > math.Exp(p.logRatioMax):
		h, w = hgt, int(math.Round(float64(hgt)*math.Exp(p.logRatioMax)))
	default:
		h, w = hgt, wid
	}
	return (hgt - h) / 2, (wid - w) / 2, h, w
}

// resize samples the h×w box at (y0, x0) of a planar 3×H×W image onto
// out (3×side×side) bilinearly with half-pixel centres
// (align_corners=False).
func resize(out []float32, side int, img []float32, hgt, wid, y0, x0, h, w int) {
	sy, sx := float64(h)/float64(side), float64(w)/float64(side)
	for oy := 0; oy < side; oy++ {
		fy := max((float64(oy)+0.5)*sy-0.5, 0)
		iy := min(int(fy), h-1)
		iy1 := min(iy+1, h-1)
		ty := float32(fy - float64(iy))
		for ox := 0; ox < side; ox++ {
			fx := max((float64(ox)+0.5)*sx-0.5, 0)
			ix := min(int(fx), w-1)
			ix1 := min(ix+1, w-1)
			tx := float32(fx - float64(ix))
			for c := 0; c < 3; c++ {
				pl := img[c*hgt*wid:]
				r0 := pl[(y0+iy)*wid+x0:]
				r1 := pl[(y0+iy1)*wid+x0:]
				top := r0[ix] + (r0[ix1]-r0[ix])*tx
				bot := r1[ix] + (r1[ix1]-r1[ix])*tx
				out[(c*side+oy)*side+ox] = top + (bot-top)*ty
			}
		}
	}
}

func flip(out []float32, side int) {
	for row := 0; row < 3*side; row++ {
		r := out[row*side : (row+1)*side]
		for i, j := 0, side-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
	}
}

func normalise(out []float32) {
	n := len(out) / 3
	for c := 0; c < 3; c++ {
		inv := 1 / Std[c]
		for j := range out[c*n : (c+1)*n] {
			out[c*n+j] = (out[c*n+j] - Mean[c]) * inv
		}
	}
}
