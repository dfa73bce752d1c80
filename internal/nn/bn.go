package nn

import (
	"fmt"
	"math"
)

// BatchNorm describes batch normalisation over N×C×S activations (S is the
// spatial size H*W; 1 for a linear layer's N×C output), optionally followed
// by ReLU. Affine parameters are one 2×C slice: row 0 is γ, row 1 is β.
//
// Loops run image by image over contiguous memory; per-channel sums are
// taken per fixed chunk of images and added in chunk order.
type BatchNorm struct {
	N, C, S int
	Eps     float32 // added to the variance; PyTorch's default is 1e-5
	ReLU    bool
	// Sync, when set, makes the statistics those of a data-parallel
	// world's whole batch (SyncBN): Sync.Sum adds per-channel partial sums
	// over the ranks in place, and Sync.Ranks ranks hold N images each.
	Sync *Sync
}

// Sync is SyncBN's reduction over the ranks of a data-parallel world. The
// sums travel in float64, as one process keeps them, so that the
// statistics, and the ReLU masks that depend on them, match one process's
// but for the order of additions.
type Sync struct {
	Ranks int
	Sum   func([]float64)
}

// count is the number of values each channel's statistics are over.
func (b BatchNorm) count() int {
	if b.Sync != nil {
		return b.N * b.S * b.Sync.Ranks
	}
	return b.N * b.S
}

// global sums per-channel sums over the world (SyncBN; no-op otherwise).
func (b BatchNorm) global(s ...[]float64) {
	if b.Sync == nil {
		return
	}
	for _, x := range s {
		b.Sync.Sum(x)
	}
}

// Count is the number of values each channel's statistics are over: N·S,
// times the ranks under SyncBN.
func (b BatchNorm) Count() int { return b.count() }

// Size is the activation element count.
func (b BatchNorm) Size() int { return b.N * b.C * b.S }

func (b BatchNorm) check(xs ...[]float32) {
	for _, x := range xs {
		if len(x) != b.Size() {
			panic(fmt.Sprintf("nn: batchnorm %+v: slice of %d elements", b, len(x)))
		}
	}
}

// offset is where channel c of image n starts.
func (b BatchNorm) offset(n, c int) int { return (n*b.C + c) * b.S }

// channelSums returns, per channel, Σ f(n, c, plane) over all images,
// summed per chunk of images in parallel and then in chunk order.
func (b BatchNorm) channelSums(f func(n, c int) (float64, float64)) (s1, s2 []float64) {
	part := make([]float64, 2*chunks*b.C)
	forEach(chunks, func(ch int) {
		lo, hi := split(b.N, chunks, ch)
		p := part[2*ch*b.C : 2*(ch+1)*b.C]
		for n := lo; n < hi; n++ {
			for c := 0; c < b.C; c++ {
				a, bb := f(n, c)
				p[c] += a
				p[b.C+c] += bb
			}
		}
	})
	s1, s2 = make([]float64, b.C), make([]float64, b.C)
	for ch := 0; ch < chunks; ch++ {
		p := part[2*ch*b.C : 2*(ch+1)*b.C]
		for c := 0; c < b.C; c++ {
			s1[c] += p[c]
			s2[c] += p[b.C+c]
		}
	}
	return s1, s2
}

// ForwardTrain normalises x with the batch's own statistics into y and
// writes the per-channel batch mean, biased variance and 1/sqrt(var+eps).
func (b BatchNorm) ForwardTrain(y, x, affine, mean, variance, invstd []float32) {
	b.ForwardTrainAdd(y, x, nil, affine, mean, variance, invstd)
}

// ForwardTrainAdd is ForwardTrain with add (when not nil) added to the
// normalised x before the ReLU: a residual join fused into its
// BatchNorm, with the bits of the BatchNorm's output added to add.
func (b BatchNorm) ForwardTrainAdd(y, x, add, affine, mean, variance, invstd []float32) {
	b.check(x, y)
	if add != nil {
		b.check(add)
	}
	m := float64(b.count())
	sum, _ := b.channelSums(func(n, c int) (float64, float64) {
		return float64(sum4(x[b.offset(n, c):][:b.S])), 0
	})
	b.global(sum)
	for c := range sum {
		mean[c] = float32(sum[c] / m)
	}
	ss, _ := b.channelSums(func(n, c int) (float64, float64) {
		return float64(sumSqDev4(x[b.offset(n, c):][:b.S], mean[c])), 0
	})
	b.global(ss)
	scale, shift := make([]float32, b.C), make([]float32, b.C)
	for c := range ss {
		va := ss[c] / m
		is := 1 / math.Sqrt(va+float64(b.Eps))
		variance[c], invstd[c] = float32(va), float32(is)
		scale[c] = float32(is) * affine[c]
		shift[c] = affine[b.C+c] - mean[c]*scale[c]
	}
	b.apply(y, x, add, scale, shift)
}

// ForwardEval normalises x with running statistics.
func (b BatchNorm) ForwardEval(y, x, affine, runMean, runVar []float32) {
	b.ForwardEvalAdd(y, x, nil, affine, runMean, runVar)
}

// ForwardEvalAdd is ForwardEval with add (when not nil) added before the
// ReLU, as ForwardTrainAdd.
func (b BatchNorm) ForwardEvalAdd(y, x, add, affine, runMean, runVar []float32) {
	b.check(x, y)
	if add != nil {
		b.check(add)
	}
	scale, shift := make([]float32, b.C), make([]float32, b.C)
	for c := range scale {
		is := float32(1 / math.Sqrt(float64(runVar[c])+float64(b.Eps)))
		scale[c] = is * affine[c]
		shift[c] = affine[b.C+c] - runMean[c]*scale[c]
	}
	b.apply(y, x, add, scale, shift)
}

// apply sets y = scale·x + shift per channel, plus add when not nil (then
// ReLU).
func (b BatchNorm) apply(y, x, add, scale, shift []float32) {
	forEach(b.N, func(n int) {
		for c := 0; c < b.C; c++ {
			o := b.offset(n, c)
			src, dst := x[o:o+b.S], y[o:o+b.S:o+b.S]
			var a []float32
			if add != nil {
				a = add[o : o+b.S]
			}
			affine(dst, src, a, scale[c], shift[c], b.ReLU)
		}
	})
}

// affineGo is the portable affine: sc·v + sh (no fused multiply-add),
// plus add[i] when add is not nil, each step rounded, then max(·, 0) with
// Go's NaN and signed-zero rules when relu.
func affineGo(dst, src, add []float32, sc, sh float32, relu bool) {
	src = src[:len(dst)]
	if add != nil {
		add = add[:len(dst)]
	}
	for i, v := range src {
		r := float32(sc*v) + sh
		if add != nil {
			r += add[i]
		}
		if relu {
			r = max(r, 0)
		}
		dst[i] = r
	}
}

// reluMask returns g where y > 0 and 0 elsewhere, without a branch: y is a
// ReLU output (never negative), so y > 0 exactly when its bits are not 0,
// and the sign of -bits spreads that into an all-ones mask. The
// comparison it replaces is unpredictable and mispredicted half the time.
func reluMask(g, y float32) float32 {
	m := uint32(-int32(math.Float32bits(y)) >> 31)
	return math.Float32frombits(math.Float32bits(g) & m)
}

// BackwardParams computes, for training mode, daffine (2×C: dγ then dβ)
// from the forward's x, output y, the upstream gradient dy and the batch
// statistics.
func (b BatchNorm) BackwardParams(daffine, x, y, dy, mean, invstd []float32) {
	b.check(x, y, dy)
	b.gradAffine(daffine, x, y, dy, mean, invstd, false)
}

// gradAffine writes dγ and dβ: this rank's, or with global the world's.
func (b BatchNorm) gradAffine(daffine, x, y, dy, mean, invstd []float32, global bool) {
	sg, sgx := b.channelSums(func(n, c int) (float64, float64) {
		o := b.offset(n, c)
		xs, ys, ds := x[o:o+b.S], y[o:o+b.S:o+b.S], dy[o:o+b.S:o+b.S]
		pg, pgx := gradSums4(ds, xs, ys, mean[c], b.ReLU)
		return float64(pg), float64(pgx)
	})
	if global {
		b.global(sg, sgx)
	}
	for c := 0; c < b.C; c++ {
		daffine[c], daffine[b.C+c] = float32(sgx[c])*invstd[c], float32(sg[c])
	}
}

// BackwardInput computes, for training mode, dx from the same inputs and
// the daffine that BackwardParams computed (this rank's: under SyncBN the
// world's sums are taken again here, daffine itself is left as it is).
func (b BatchNorm) BackwardInput(dx, x, y, dy, affine, daffine, mean, invstd []float32) {
	b.check(dx, x, y, dy)
	m := float32(b.count())
	if b.Sync != nil {
		daffine = make([]float32, 2*b.C)
		b.gradAffine(daffine, x, y, dy, mean, invstd, true)
	}
	// dx = k·(g − dβ/m − (x−μ)·is·dγ/m) = k·g + x·a + off per channel.
	k, a, off := make([]float32, b.C), make([]float32, b.C), make([]float32, b.C)
	for c := 0; c < b.C; c++ {
		is := invstd[c]
		k[c] = affine[c] * is
		dg, db := daffine[c]/m, daffine[b.C+c]/m
		a[c] = -k[c] * is * dg
		off[c] = -k[c]*db + k[c]*is*dg*mean[c]
	}
	forEach(b.N, func(n int) {
		for c := 0; c < b.C; c++ {
			o := b.offset(n, c)
			xs, ys, ds, dst := x[o:o+b.S], y[o:o+b.S:o+b.S], dy[o:o+b.S:o+b.S], dx[o:o+b.S:o+b.S]
			bnGrad(dst, ds, xs, ys, k[c], a[c], off[c], b.ReLU)
		}
	})
}

// bnGradGo is the portable bnGrad: k·g' + x·a + off summed left to right,
// each product rounded first (no fused multiply-add).
func bnGradGo(dst, g, x, y []float32, k, a, off float32, relu bool) {
	g, x, y = g[:len(dst)], x[:len(dst)], y[:len(dst)]
	for i, gi := range g {
		if relu {
			gi = reluMask(gi, y[i])
		}
		dst[i] = float32(float32(k*gi)+float32(x[i]*a)) + off
	}
}

// The reductions below keep four independent accumulators: a single one
// makes every add wait for the previous (4 cycles of latency each).

func sum4(x []float32) float32 {
	var s0, s1, s2, s3 float32
	for ; len(x) >= 4; x = x[4:] {
		s0 += x[0]
		s1 += x[1]
		s2 += x[2]
		s3 += x[3]
	}
	for _, v := range x {
		s0 += v
	}
	return (s0 + s1) + (s2 + s3)
}

func sumSqDev4(x []float32, mu float32) float32 {
	var s0, s1, s2, s3 float32
	for ; len(x) >= 4; x = x[4:] {
		d0, d1, d2, d3 := x[0]-mu, x[1]-mu, x[2]-mu, x[3]-mu
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for _, v := range x {
		s0 += (v - mu) * (v - mu)
	}
	return (s0 + s1) + (s2 + s3)
}

// gradSums4 returns Σg and Σg·(x−μ), with g masked by y > 0 when relu.
func gradSums4(g, x, y []float32, mu float32, relu bool) (float32, float32) {
	var a0, a1, b0, b1 float32
	n := len(g)
	x, y = x[:n], y[:n]
	i := 0
	for ; i+1 < n; i += 2 {
		g0, g1 := g[i], g[i+1]
		if relu {
			g0, g1 = reluMask(g0, y[i]), reluMask(g1, y[i+1])
		}
		a0 += g0
		a1 += g1
		b0 += g0 * (x[i] - mu)
		b1 += g1 * (x[i+1] - mu)
	}
	for ; i < n; i++ {
		gi := g[i]
		if relu {
			gi = reluMask(gi, y[i])
		}
		a0 += gi
		b0 += gi * (x[i] - mu)
	}
	return a0 + a1, b0 + b1
}
