package augment

import (
	"fmt"
	"github.com/simclr-go/simclr/internal/scratch"
	"math"

	"github.com/simclr-go/simclr/internal/pixel"
)

// blurrer holds GaussianBlur's scratch.
type blurrer struct {
	k, tmp, line, acc []float32
	offs              []int
}

// GaussianBlur blurs src into dst (same size; dst may be src) with an odd
// ksize×ksize Gaussian of standard deviation sigma pixels, as
// torchvision's F.gaussian_blur on a PIL image: float32 kernel
// exp(-x²/2σ²)/Σ, reflect padding, rounding half to even. torchvision
// convolves with the 2-D kernel; this runs the two 1-D passes, which agrees
// to within one unit. Panics if ksize is even or not below twice the
// image side (reflect padding needs ksize/2 < side).
func GaussianBlur(dst, src *Image, ksize int, sigma float64) {
	new(blurrer).blur(dst, src, ksize, sigma)
}

func (z *blurrer) blur(dst, src *Image, ksize int, sigma float64) {
	if ksize < 1 || ksize%2 == 0 || ksize/2 >= min(src.H, src.W) || sigma <= 0 {
		panic(fmt.Sprintf("augment: blur kernel %d, σ %v on %dx%d", ksize, sigma, src.H, src.W))
	}
	z.k = scratch.Grow(z.k, ksize)
	half := float32(ksize-1) * 0.5
	sig := float32(sigma)
	var sum float32
	for i := range z.k {
		x := (-half + float32(i)) / sig
		z.k[i] = float32(math.Exp(float64(-0.5 * (x * x))))
		sum += z.k[i]
	}
	for i := range z.k {
		z.k[i] /= sum
	}
	h, w, r := src.H, src.W, ksize/2
	// Each pass sums kernel-weighted shifted copies of whole rows (taps in
	// order, so every output sums k[0]·x[0] + k[1]·x[1] + ...): pixel.TapSum
	// with the row offsets of the taps.
	z.tmp = scratch.Grow(z.tmp, h*w)
	z.line = scratch.Grow(z.line, w+2*r)
	z.acc = scratch.Grow(z.acc, w)
	z.offs = scratch.Grow(z.offs, ksize)
	k, line, acc, offs := z.k, z.line, z.acc, z.offs
	for c := 0; c < 3; c++ {
		in, out := src.plane(c), dst.plane(c)
		for j := range offs { // horizontal taps: the padded row shifted by j
			offs[j] = j
		}
		for y := 0; y < h; y++ { // horizontal pass into tmp, from a reflect-padded row
			row := in[y*w : (y+1)*w]
			mid := line[r : r+w]
			for i, v := range row {
				mid[i] = float32(v)
			}
			for i := 0; i < r; i++ {
				line[i], line[r+w+i] = float32(row[r-i]), float32(row[w-2-i])
			}
			pixel.TapSum(z.tmp[y*w:(y+1)*w], line, offs, k)
		}
		for y := 0; y < h; y++ { // vertical pass: rows y-r..y+r, reflected at the edges
			for j := range offs {
				offs[j] = reflect(y+j-r, h) * w
			}
			pixel.TapSum(acc, z.tmp, offs, k)
			pixel.RoundBytes(out[y*w:(y+1)*w], acc) // half to even, as torch.round
		}
	}
}

// reflect maps i in [-(n-1), 2n-2] into [0, n) by reflection without
// repeating the edge, as torch's reflect padding.
func reflect(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// Normalizer turns bytes into normalised float32s exactly as torchvision's
// ToTensor then Normalize: ((v/255) - mean) / std in float32 (AVX2
// arithmetic, or one table per channel).
type Normalizer struct {
	mean, std [3]float32
	t         [3][256]float32
}

// NewNormalizer returns the normaliser for per-channel mean and std (on
// [0,1]).
func NewNormalizer(mean, std [3]float32) *Normalizer {
	n := &Normalizer{mean: mean, std: std}
	for c := range 3 {
		for v := range 256 {
			x := float32(v) / 255
			x -= mean[c]
			n.t[c][v] = x / std[c]
		}
	}
	return n
}

// Apply writes m as a 3×H×W float32 tensor into dst.
func (n *Normalizer) Apply(dst []float32, m *Image) {
	if len(dst) != len(m.Pix) {
		panic("augment: normalise destination size")
	}
	p := m.H * m.W
	for c := range 3 {
		pixel.Normalize(dst[c*p:(c+1)*p], m.Pix[c*p:(c+1)*p], n.mean[c], n.std[c], &n.t[c])
	}
}
