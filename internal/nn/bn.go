package nn

import (
	"fmt"
	"math"
)

// BatchNorm describes batch normalisation over N×C×S activations (S is the
// spatial size H*W; 1 for a linear layer's N×C output), optionally followed
// by ReLU. Affine parameters are one 2×C slice: row 0 is γ, row 1 is β.
type BatchNorm struct {
	N, C, S int
	Eps     float32 // added to the variance; PyTorch's default is 1e-5
	ReLU    bool
}

// Size is the activation element count.
func (b BatchNorm) Size() int { return b.N * b.C * b.S }

func (b BatchNorm) check(xs ...[]float32) {
	for _, x := range xs {
		if len(x) != b.Size() {
			panic(fmt.Sprintf("nn: batchnorm %+v: slice of %d elements", b, len(x)))
		}
	}
}

// channel calls fn(n, s0) with the offset of channel c of image n.
func (b BatchNorm) offset(n, c int) int { return (n*b.C + c) * b.S }

// ForwardTrain normalises x with the batch's own statistics into y and
// writes the per-channel batch mean, biased variance and 1/sqrt(var+eps).
func (b BatchNorm) ForwardTrain(y, x, affine, mean, variance, invstd []float32) {
	b.check(x, y)
	m := float64(b.N * b.S)
	forEach(b.C, func(c int) {
		var sum float64
		for n := 0; n < b.N; n++ {
			for _, v := range x[b.offset(n, c):][:b.S] {
				sum += float64(v)
			}
		}
		mu := sum / m
		var ss float64
		for n := 0; n < b.N; n++ {
			for _, v := range x[b.offset(n, c):][:b.S] {
				d := float64(v) - mu
				ss += d * d
			}
		}
		va := ss / m
		is := 1 / math.Sqrt(va+float64(b.Eps))
		mean[c], variance[c], invstd[c] = float32(mu), float32(va), float32(is)
		b.apply(y, x, c, float32(is)*affine[c], affine[b.C+c]-float32(mu*is)*affine[c])
	})
}

// ForwardEval normalises x with running statistics.
func (b BatchNorm) ForwardEval(y, x, affine, runMean, runVar []float32) {
	b.check(x, y)
	forEach(b.C, func(c int) {
		is := float32(1 / math.Sqrt(float64(runVar[c])+float64(b.Eps)))
		b.apply(y, x, c, is*affine[c], affine[b.C+c]-runMean[c]*is*affine[c])
	})
}

// apply sets y = scale*x + shift (then ReLU) on channel c.
func (b BatchNorm) apply(y, x []float32, c int, scale, shift float32) {
	for n := 0; n < b.N; n++ {
		o := b.offset(n, c)
		src, dst := x[o:o+b.S], y[o:o+b.S]
		if b.ReLU {
			for i, v := range src {
				dst[i] = max(scale*v+shift, 0)
			}
		} else {
			for i, v := range src {
				dst[i] = scale*v + shift
			}
		}
	}
}

// BackwardParams computes, for training mode, daffine (2×C: dγ then dβ)
// from the forward's x, output y, the upstream gradient dy and the batch
// statistics.
func (b BatchNorm) BackwardParams(daffine, x, y, dy, mean, invstd []float32) {
	b.check(x, y, dy)
	forEach(b.C, func(c int) {
		mu, is := mean[c], invstd[c]
		var sg, sgx float32
		for n := 0; n < b.N; n++ {
			o := b.offset(n, c)
			xs, ys, ds := x[o:o+b.S], y[o:o+b.S:o+b.S], dy[o:o+b.S:o+b.S]
			var pg, pgx float32 // per-plane partial sums keep float32 error small
			for i, g := range ds {
				if b.ReLU && ys[i] <= 0 {
					continue
				}
				pg += g
				pgx += g * (xs[i] - mu)
			}
			sg += pg
			sgx += pgx
		}
		daffine[c], daffine[b.C+c] = sgx*is, sg
	})
}

// BackwardInput computes, for training mode, dx from the same inputs and
// the daffine that BackwardParams computed.
func (b BatchNorm) BackwardInput(dx, x, y, dy, affine, daffine, mean, invstd []float32) {
	b.check(dx, x, y, dy)
	m := float32(b.N * b.S)
	forEach(b.C, func(c int) {
		mu, is := mean[c], invstd[c]
		k := affine[c] * is
		dg, db := daffine[c]/m, daffine[b.C+c]/m
		for n := 0; n < b.N; n++ {
			o := b.offset(n, c)
			xs, ys, ds, dst := x[o:o+b.S], y[o:o+b.S:o+b.S], dy[o:o+b.S:o+b.S], dx[o:o+b.S:o+b.S]
			for i, g := range ds {
				if b.ReLU && ys[i] <= 0 {
					g = 0
				}
				dst[i] = k * (g - db - (xs[i]-mu)*is*dg)
			}
		}
	})
}
