package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

func randn(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// dot is Σ a·b in float64: the scalar loss L = Σ r·y used by the checks.
func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// checkGrad compares grad (∂L/∂x as computed by a backward) with central
// finite differences of loss() as x is perturbed, at up to 40 positions.
func checkGrad(t *testing.T, name string, x, grad []float32, loss func() float64, eps, tol float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, uint64(len(x))))
	for trial := 0; trial < 40; trial++ {
		i := r.IntN(len(x))
		old := x[i]
		x[i] = old + float32(eps)
		lp := loss()
		x[i] = old - float32(eps)
		lm := loss()
		x[i] = old
		fd := (lp - lm) / (2 * eps)
		if math.Abs(fd-float64(grad[i])) > tol*(1+math.Abs(fd)) {
			t.Fatalf("%s: grad[%d] = %v, finite difference %v", name, i, grad[i], fd)
		}
	}
}

// convRef is a direct float64 convolution.
func convRef(c Conv, x, w []float32) []float64 {
	ho, wo, st := c.OutH(), c.OutW(), c.stride()
	y := make([]float64, c.OutSize())
	for n := 0; n < c.N; n++ {
		for co := 0; co < c.Cout; co++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					var s float64
					for ci := 0; ci < c.Cin; ci++ {
						for i := 0; i < c.K; i++ {
							for j := 0; j < c.K; j++ {
								iy, ix := oy*st+i-c.Pad, ox*st+j-c.Pad
								if iy < 0 || iy >= c.H || ix < 0 || ix >= c.W {
									continue
								}
								s += float64(x[((n*c.Cin+ci)*c.H+iy)*c.W+ix]) * float64(w[((co*c.Cin+ci)*c.K+i)*c.K+j])
							}
						}
					}
					y[((n*c.Cout+co)*ho+oy)*wo+ox] = s
				}
			}
		}
	}
	return y
}

// convInputGradRef is ∂(Σ dy·conv(x, w))/∂x in float64: every product of
// the convolution scattered back to the input pixel it read.
func convInputGradRef(c Conv, w, dy []float32) []float64 {
	ho, wo, st := c.OutH(), c.OutW(), c.stride()
	dx := make([]float64, c.InSize())
	for n := 0; n < c.N; n++ {
		for co := 0; co < c.Cout; co++ {
			for oy := 0; oy < ho; oy++ {
				for ox := 0; ox < wo; ox++ {
					g := float64(dy[((n*c.Cout+co)*ho+oy)*wo+ox])
					for ci := 0; ci < c.Cin; ci++ {
						for i := 0; i < c.K; i++ {
							for j := 0; j < c.K; j++ {
								iy, ix := oy*st+i-c.Pad, ox*st+j-c.Pad
								if iy >= 0 && iy < c.H && ix >= 0 && ix < c.W {
									dx[((n*c.Cin+ci)*c.H+iy)*c.W+ix] += g * float64(w[((co*c.Cin+ci)*c.K+i)*c.K+j])
								}
							}
						}
					}
				}
			}
		}
	}
	return dx
}

func TestConv(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []Conv{
		{N: 1, Cin: 1, H: 1, W: 1, Cout: 1, K: 3, Pad: 1},
		{N: 3, Cin: 2, H: 5, W: 7, Cout: 4, K: 3, Pad: 1},
		{N: 2, Cin: 3, H: 6, W: 6, Cout: 5, K: 3, Pad: 0},
		{N: 17, Cin: 4, H: 8, W: 8, Cout: 7, K: 5, Pad: 2},
		{N: 3, Cin: 3, H: 8, W: 8, Cout: 4, K: 3, Pad: 1, Stride: 2},
		{N: 2, Cin: 5, H: 7, W: 9, Cout: 3, K: 3, Pad: 1, Stride: 2},
		{N: 2, Cin: 4, H: 8, W: 8, Cout: 6, K: 1, Pad: 0, Stride: 2},
		{N: 2, Cin: 5, H: 4, W: 6, Cout: 3, K: 1, Pad: 0},
		{N: 5, Cin: 16, H: 8, W: 8, Cout: 24, K: 3, Pad: 1},
		// Winograd's shapes (see TestWinograd) through Forward.
		{N: 3, Cin: 5, H: 4, W: 6, Cout: 7, K: 3, Pad: 1},
		{N: 2, Cin: 3, H: 32, W: 32, Cout: 4, K: 3, Pad: 1},
		{N: 4, Cin: 9, H: 2, W: 2, Cout: 2, K: 3, Pad: 1},
	} {
		x, w := randn(r, c.InSize()), randn(r, c.WeightSize())
		y := make([]float32, c.OutSize())
		c.Forward(y, x, w)
		for i, v := range convRef(c, x, w) {
			if math.Abs(v-float64(y[i])) > 1e-4*(1+math.Abs(v)) {
				t.Fatalf("%+v: y[%d] = %v, want %v", c, i, y[i], v)
			}
		}
		dy := randn(r, c.OutSize())
		dx := make([]float32, c.InSize())
		dw := make([]float32, c.WeightSize())
		c.BackwardInput(dx, w, dy)
		for i, v := range convInputGradRef(c, w, dy) {
			if math.Abs(v-float64(dx[i])) > 1e-4*(1+math.Abs(v)) {
				t.Fatalf("%+v: dx[%d] = %v, want %v", c, i, dx[i], v)
			}
		}
		c.BackwardWeight(dw, x, dy)
		loss := func() float64 {
			var s float64
			for i, v := range convRef(c, x, w) {
				s += v * float64(dy[i])
			}
			return s
		}
		checkGrad(t, "conv dx", x, dx, loss, 1e-2, 1e-3)
		checkGrad(t, "conv dw", w, dw, loss, 1e-2, 1e-3)
	}
}

// weightGradRef is ∂(Σ dy·conv(x, w))/∂w in float64.
func weightGradRef(c Conv, x, dy []float32) []float64 {
	ho, wo, st := c.OutH(), c.OutW(), c.stride()
	want := make([]float64, c.WeightSize())
	for n := 0; n < c.N; n++ {
		for co := 0; co < c.Cout; co++ {
			for ci := 0; ci < c.Cin; ci++ {
				for i := 0; i < c.K; i++ {
					for j := 0; j < c.K; j++ {
						for oy := 0; oy < ho; oy++ {
							for ox := 0; ox < wo; ox++ {
								iy, ix := oy*st+i-c.Pad, ox*st+j-c.Pad
								if iy < 0 || iy >= c.H || ix < 0 || ix >= c.W {
									continue
								}
								want[((co*c.Cin+ci)*c.K+i)*c.K+j] += float64(x[((n*c.Cin+ci)*c.H+iy)*c.W+ix]) *
									float64(dy[((n*c.Cout+co)*ho+oy)*wo+ox])
							}
						}
					}
				}
			}
		}
	}
	return want
}

// The weight gradient against a float64 reference, on shapes whose images
// go into one product several at a time (4×4 and 8×8 maps, with a last
// group that is not full) and shapes for the shifted dot products (also
// run explicitly, so that a CPU without the vector kernel checks them
// too), and bit for bit the same for any number of goroutines (which
// changes how many channel blocks there are).
func TestConvWeightGradGroupsAndWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, c := range []Conv{
		{N: 37, Cin: 5, H: 4, W: 4, Cout: 13, K: 3, Pad: 1},
		{N: 9, Cin: 3, H: 8, W: 8, Cout: 7, K: 3, Pad: 1},
		{N: 6, Cin: 4, H: 8, W: 8, Cout: 8, K: 1, Pad: 0, Stride: 2},
		{N: 5, Cin: 3, H: 10, W: 10, Cout: 4, K: 3, Pad: 1}, // the block im2col, two images per product
		{N: 3, Cin: 2, H: 20, W: 20, Cout: 6, K: 3, Pad: 1},
		{N: 37, Cin: 2, H: 16, W: 16, Cout: 7, K: 3, Pad: 1}, // three partial sums: 16, 16 and 5 images
		// Shifted dot products: three partial sums; 17 rows of 21 padded to
		// 360; 32×32 maps with three blocks of output channels.
		{N: 37, Cin: 3, H: 16, W: 16, Cout: 8, K: 3, Pad: 1},
		{N: 3, Cin: 5, H: 17, W: 20, Cout: 4, K: 3, Pad: 1},
		{N: 2, Cin: 3, H: 32, W: 32, Cout: 12, K: 3, Pad: 1},
	} {
		x, dy := randn(r, c.InSize()), randn(r, c.OutSize())
		want := weightGradRef(c, x, dy)
		paths := map[string]func(dw []float32){"BackwardWeight": func(dw []float32) { c.BackwardWeight(dw, x, dy) }}
		if c.shiftable() {
			paths["shift"] = func(dw []float32) { c.backwardWeightShift(dw, x, dy) }
		}
		for name, run := range paths {
			var first []float32
			for _, procs := range []int{1, 2, 3, 8} {
				old := runtime.GOMAXPROCS(procs)
				dw := randn(r, c.WeightSize()) // stale values must be overwritten
				run(dw)
				runtime.GOMAXPROCS(old)
				if first == nil {
					first = dw
					for i, v := range want {
						if math.Abs(v-float64(dw[i])) > 1e-4*(1+math.Abs(v)) {
							t.Fatalf("%+v %s: dw[%d] = %v, want %v", c, name, i, dw[i], v)
						}
					}
					continue
				}
				for i := range dw {
					if math.Float32bits(dw[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%+v %s: GOMAXPROCS %d: dw[%d] = %v, with 1 goroutine %v", c, name, procs, i, dw[i], first[i])
					}
				}
			}
		}
	}
}

// The weight gradient's dot kernel against its Go loop on every row length
// up to 10 vectors: the same sums up to float32 rounding (the kernel fuses
// its multiply-adds; the Go loop need not).
func TestWgradDotAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for ld := 8; ld <= 80; ld += 8 {
		dy, x := randn(r, 4*ld), randn(r, ld+2)
		var got, want [12]float32
		wgradDot(&got, dy, ld, x)
		wgradDotGo(&want, dy, ld, x)
		for k := range got {
			ref := 0.0
			for p := 0; p < ld; p++ {
				ref += float64(dy[k/3*ld+p]) * float64(x[p+k%3])
			}
			if math.Abs(float64(got[k])-ref) > 1e-5*float64(ld) || math.Abs(float64(want[k])-ref) > 1e-5*float64(ld) {
				t.Fatalf("ld=%d: out[%d] = %v (Go loop %v), want %v", ld, k, got[k], want[k], ref)
			}
		}
	}
}

func TestBatchNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, b := range []BatchNorm{{N: 4, C: 3, S: 5, Eps: 1e-5}, {N: 6, C: 2, S: 1, Eps: 1e-5, ReLU: true}, {N: 3, C: 4, S: 9, Eps: 1e-5, ReLU: true}} {
		x := randn(r, b.Size())
		for i := range x {
			x[i] = 2*x[i] + 0.5
		}
		affine := randn(r, 2*b.C)
		mean, va, is := make([]float32, b.C), make([]float32, b.C), make([]float32, b.C)
		y := make([]float32, b.Size())
		b.ForwardTrain(y, x, affine, mean, va, is)
		// Reference statistics in float64.
		for c := 0; c < b.C; c++ {
			var s, ss float64
			m := float64(b.N * b.S)
			for n := 0; n < b.N; n++ {
				for _, v := range x[b.offset(n, c):][:b.S] {
					s += float64(v)
				}
			}
			mu := s / m
			for n := 0; n < b.N; n++ {
				for _, v := range x[b.offset(n, c):][:b.S] {
					ss += (float64(v) - mu) * (float64(v) - mu)
				}
			}
			if math.Abs(float64(mean[c])-mu) > 1e-5 || math.Abs(float64(va[c])-ss/m) > 1e-4 {
				t.Fatalf("stats of channel %d: %v %v, want %v %v", c, mean[c], va[c], mu, ss/m)
			}
			for n := 0; n < b.N; n++ {
				o := b.offset(n, c)
				for i := 0; i < b.S; i++ {
					want := float64(affine[c])*(float64(x[o+i])-mu)/math.Sqrt(ss/m+1e-5) + float64(affine[b.C+c])
					if b.ReLU {
						want = math.Max(want, 0)
					}
					if math.Abs(want-float64(y[o+i])) > 1e-4 {
						t.Fatalf("y[%d] = %v, want %v", o+i, y[o+i], want)
					}
				}
			}
		}
		dy := randn(r, b.Size())
		dx, da := make([]float32, b.Size()), make([]float32, 2*b.C)
		b.BackwardParams(da, x, y, dy, mean, is)
		b.BackwardInput(dx, x, y, dy, affine, da, mean, is)
		y2 := make([]float32, b.Size())
		loss := func() float64 {
			b.ForwardTrain(y2, x, affine, make([]float32, b.C), make([]float32, b.C), make([]float32, b.C))
			return dot(y2, dy)
		}
		checkGrad(t, "bn dx", x, dx, loss, 1e-3, 2e-2)
		checkGrad(t, "bn daffine", affine, da, loss, 1e-3, 2e-2)
	}
}

// A residual join fused into its BatchNorm gives the bits of the
// BatchNorm's output added to the shortcut, then ReLU (AddReLU), in
// training and in eval mode.
func TestBatchNormAddIsJoin(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	b := BatchNorm{N: 5, C: 3, S: 21, Eps: 1e-5}
	x, short, affine := randn(r, b.Size()), randn(r, b.Size()), randn(r, 2*b.C)
	runMean, runVar := randn(r, b.C), make([]float32, b.C)
	for c := range runVar {
		runVar[c] = 0.5 + float32(c)
	}
	mean, vari, istd := make([]float32, b.C), make([]float32, b.C), make([]float32, b.C)
	for _, train := range []bool{true, false} {
		plain, want, got := make([]float32, b.Size()), make([]float32, b.Size()), make([]float32, b.Size())
		rb := b
		rb.ReLU = true
		if train {
			b.ForwardTrain(plain, x, affine, mean, vari, istd)
			rb.ForwardTrainAdd(got, x, short, affine, mean, vari, istd)
		} else {
			b.ForwardEval(plain, x, affine, runMean, runVar)
			rb.ForwardEvalAdd(got, x, short, affine, runMean, runVar)
		}
		AddReLU(want, plain, short)
		sameBits(t, fmt.Sprintf("train=%v: fused join", train), got, want)
	}
}

func TestBatchNormEvalUsesRunningStats(t *testing.T) {
	b := BatchNorm{N: 1, C: 1, S: 2, Eps: 0}
	y := make([]float32, 2)
	b.ForwardEval(y, []float32{3, 5}, []float32{2, 1}, []float32{1}, []float32{4})
	// (3-1)/2*2+1 = 3, (5-1)/2*2+1 = 5
	if y[0] != 3 || y[1] != 5 {
		t.Fatalf("got %v, want [3 5]", y)
	}
}

func TestMaxPool(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	p := MaxPool{N: 2, C: 3, H: 4, W: 6}
	x := randn(r, p.InSize())
	y, arg := make([]float32, p.OutSize()), make([]uint8, p.OutSize())
	p.Forward(y, x, arg)
	for n := 0; n < p.N; n++ {
		for c := 0; c < p.C; c++ {
			for oy := 0; oy < 2; oy++ {
				for ox := 0; ox < 3; ox++ {
					b := ((n*p.C+c)*p.H+2*oy)*p.W + 2*ox
					want := max(x[b], x[b+1], x[b+p.W], x[b+p.W+1])
					if got := y[((n*p.C+c)*2+oy)*3+ox]; got != want {
						t.Fatalf("max = %v, want %v", got, want)
					}
				}
			}
		}
	}
	dy := randn(r, p.OutSize())
	dx := make([]float32, p.InSize())
	p.Backward(dx, dy, arg)
	loss := func() float64 { p.Forward(y, x, arg); return dot(y, dy) }
	checkGrad(t, "maxpool dx", x, dx, loss, 1e-3, 1e-2)
}

func TestGlobalAvgPool(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	x := randn(r, 2*3*5)
	y := make([]float32, 6)
	GlobalAvgPool(y, x, 2, 3, 5)
	dy := randn(r, 6)
	dx := make([]float32, 30)
	GlobalAvgPoolBackward(dx, dy, 5)
	checkGrad(t, "gap dx", x, dx, func() float64 { GlobalAvgPool(y, x, 2, 3, 5); return dot(y, dy) }, 1e-2, 1e-3)
}

func TestLinear(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	l := Linear{N: 5, In: 7, Out: 3}
	x, w, b := randn(r, l.N*l.In), randn(r, l.In*l.Out), randn(r, l.Out)
	y := make([]float32, l.N*l.Out)
	l.Forward(y, x, w, b)
	for n := 0; n < l.N; n++ {
		for j := 0; j < l.Out; j++ {
			s := float64(b[j])
			for i := 0; i < l.In; i++ {
				s += float64(x[n*l.In+i]) * float64(w[i*l.Out+j])
			}
			if math.Abs(s-float64(y[n*l.Out+j])) > 1e-5*(1+math.Abs(s)) {
				t.Fatalf("y = %v, want %v", y[n*l.Out+j], s)
			}
		}
	}
	dy := randn(r, len(y))
	dx, dw, db := make([]float32, len(x)), make([]float32, len(w)), make([]float32, len(b))
	l.BackwardInput(dx, w, dy)
	l.BackwardWeight(dw, x, dy)
	l.BackwardBias(db, dy)
	loss := func() float64 { l.Forward(y, x, w, b); return dot(y, dy) }
	checkGrad(t, "linear dx", x, dx, loss, 1e-2, 1e-3)
	checkGrad(t, "linear dw", w, dw, loss, 1e-2, 1e-3)
	checkGrad(t, "linear db", b, db, loss, 1e-2, 1e-3)
}

func TestAddReLU(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	a, b, dy := randn(r, 50), randn(r, 50), randn(r, 50)
	y, dx := make([]float32, 50), make([]float32, 50)
	AddReLU(y, a, b)
	AddReLUBackward(dx, y, dy)
	loss := func() float64 { AddReLU(y, a, b); return dot(y, dy) }
	checkGrad(t, "addrelu da", a, dx, loss, 1e-3, 1e-2)
	checkGrad(t, "addrelu db", b, dx, loss, 1e-3, 1e-2)
	// AddReLUGrad adds that same gradient onto another one, bit for bit
	// the sum of the two.
	g := randn(r, 50)
	want := make([]float32, 50)
	for i := range want {
		want[i] = g[i] + dx[i]
	}
	AddReLUGrad(g, y, dy)
	for i := range g {
		if math.Float32bits(g[i]) != math.Float32bits(want[i]) {
			t.Fatalf("AddReLUGrad[%d] = %v, want %v", i, g[i], want[i])
		}
	}
}

// im2col and col2im, on every element, against direct loops: the block
// paths of same() convolutions and the row paths of the others.
func TestIm2colCol2imAgainstDirect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, c := range []Conv{
		{N: 1, Cin: 2, H: 5, W: 7, Cout: 1, K: 3, Pad: 1},
		{N: 1, Cin: 3, H: 8, W: 8, Cout: 1, K: 5, Pad: 2},
		{N: 1, Cin: 2, H: 6, W: 6, Cout: 1, K: 3, Pad: 0},
		{N: 1, Cin: 2, H: 1, W: 1, Cout: 1, K: 3, Pad: 1},
		{N: 1, Cin: 2, H: 2, W: 9, Cout: 1, K: 3, Pad: 1},
		{N: 1, Cin: 1, H: 4, W: 4, Cout: 1, K: 1, Pad: 0},
		{N: 1, Cin: 2, H: 7, W: 9, Cout: 1, K: 3, Pad: 1, Stride: 2},
		{N: 1, Cin: 2, H: 32, W: 32, Cout: 1, K: 1, Pad: 0, Stride: 2},
	} {
		ho, wo, st := c.OutH(), c.OutW(), c.stride()
		x := randn(r, c.Cin*c.H*c.W)
		col := randn(r, c.Cin*c.K*c.K*ho*wo) // stale values must be overwritten
		c.im2col(x, col, ho*wo, 0, c.Cin)
		g := randn(r, len(col))
		dx := randn(r, len(x))
		want := make([]float64, len(x))
		for i, v := range dx {
			want[i] = float64(v)
		}
		for ci := 0; ci < c.Cin; ci++ {
			for i := 0; i < c.K; i++ {
				for j := 0; j < c.K; j++ {
					for oy := 0; oy < ho; oy++ {
						for ox := 0; ox < wo; ox++ {
							k := (((ci*c.K+i)*c.K+j)*ho+oy)*wo + ox
							iy, ix := oy*st+i-c.Pad, ox*st+j-c.Pad
							var v float32
							if iy >= 0 && iy < c.H && ix >= 0 && ix < c.W {
								v = x[(ci*c.H+iy)*c.W+ix]
								want[(ci*c.H+iy)*c.W+ix] += float64(g[k])
							}
							if col[k] != v {
								t.Fatalf("%+v: im2col[%d] = %v, want %v", c, k, col[k], v)
							}
						}
					}
				}
			}
		}
		c.col2im(g, dx)
		for i := range dx {
			if math.Abs(float64(dx[i])-want[i]) > 1e-5*(1+math.Abs(want[i])) {
				t.Fatalf("%+v: col2im[%d] = %v, want %v", c, i, dx[i], want[i])
			}
		}
	}
}

// The pooling kernel against the Go row on every length, with ties (the
// first maximum wins), signed zeros and NaNs (a NaN first stays, later ones
// never win).
func TestMaxPoolRowPathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	vals := []float32{-1, 0, float32(math.Copysign(0, -1)), 1, 2, float32(math.NaN())}
	for n := 0; n < 40; n++ {
		r0, r1 := make([]float32, 2*n), make([]float32, 2*n)
		for i := range r0 {
			r0[i], r1[i] = vals[r.IntN(len(vals))], vals[r.IntN(len(vals))]
		}
		y, y2 := make([]float32, n), make([]float32, n)
		a, a2 := make([]uint8, n), make([]uint8, n)
		maxPoolRow(y, a, r0, r1)
		maxPoolRowGo(y2, a2, r0, r1)
		for i := range y {
			if math.Float32bits(y[i]) != math.Float32bits(y2[i]) || a[i] != a2[i] {
				t.Fatalf("n=%d window %d: %v (%d), Go row %v (%d)", n, i, y[i], a[i], y2[i], a2[i])
			}
		}
	}
}

// The BatchNorm elementwise kernels against their Go loops, bit for bit,
// on every length, with zeros of both signs, NaNs and infinities.
func TestBNKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	pick := func(n int) []float32 { return randnSpecial(r, n) }
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	for n := 0; n < 40; n++ {
		for _, relu := range []bool{false, true} {
			src, g, x, y := pick(n), pick(n), pick(n), pick(n)
			d1, d2 := make([]float32, n), make([]float32, n)
			affine(d1, src, nil, 1.7, -0.3, relu)
			affineGo(d2, src, nil, 1.7, -0.3, relu)
			if !same(d1, d2) {
				t.Fatalf("affine n=%d relu=%v: %v, Go %v", n, relu, d1, d2)
			}
			bnGrad(d1, g, x, y, 0.9, -1.3, 0.25, relu)
			bnGradGo(d2, g, x, y, 0.9, -1.3, 0.25, relu)
			if !same(d1, d2) {
				t.Fatalf("bnGrad n=%d relu=%v: %v, Go %v", n, relu, d1, d2)
			}
			affine(d1, src, g, 1.7, -0.3, relu)
			affineGo(d2, src, g, 1.7, -0.3, relu)
			sameWino(t, fmt.Sprintf("affine with add n=%d relu=%v", n, relu), d1, d2)
		}
	}
}

// A same() convolution's forward and weight gradient pack their fields
// from the image; they must give im2col's bits, at every map size the
// networks use (maps of 4×4 and 2×2 fit in one sliver; 10×10 leaves
// partial slivers; a 5×5 kernel has more taps than the table), through
// NaN, ±Inf and -0 in the image, at one worker and several.
func TestFieldsMatchIm2col(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, c := range []Conv{
		{N: 3, Cin: 5, H: 32, W: 32, Cout: 16, K: 3, Pad: 1},
		{N: 2, Cin: 16, H: 16, W: 16, Cout: 7, K: 3, Pad: 1},
		{N: 4, Cin: 9, H: 4, W: 4, Cout: 12, K: 3, Pad: 1},
		{N: 3, Cin: 4, H: 2, W: 2, Cout: 6, K: 3, Pad: 1},
		{N: 2, Cin: 3, H: 10, W: 10, Cout: 5, K: 3, Pad: 1},
		{N: 2, Cin: 30, H: 8, W: 8, Cout: 13, K: 3, Pad: 1}, // 270 rows: two depth blocks
		{N: 2, Cin: 3, H: 8, W: 8, Cout: 4, K: 5, Pad: 2},
		{N: 2, Cin: 20, H: 8, W: 8, Cout: 6, K: 1, Pad: 0},
	} {
		if !c.same() {
			t.Fatalf("%+v is not same()", c)
		}
		x, w := randn(r, c.InSize()), randn(r, c.WeightSize())
		x[0], x[1], x[len(x)-1] = float32(math.NaN()), float32(math.Copysign(0, -1)), float32(math.Inf(1))
		x[len(x)/2] = float32(math.Inf(-1))
		dy := randn(r, c.OutSize())
		want, wantW := make([]float32, c.OutSize()), make([]float32, c.WeightSize())
		c.forward(want, x, w, false)
		c.backwardWeight(wantW, x, dy, false)
		for _, procs := range []int{1, 3} {
			prev := runtime.GOMAXPROCS(procs)
			got, gotW := randn(r, c.OutSize()), randn(r, c.WeightSize()) // stale values must be overwritten
			c.forward(got, x, w, true)                                   // Forward may run Winograd or the shifted paths
			c.backwardWeight(gotW, x, dy, true)
			runtime.GOMAXPROCS(prev)
			sameBits(t, fmt.Sprintf("%+v GOMAXPROCS=%d: y", c, procs), got, want)
			sameBits(t, fmt.Sprintf("%+v GOMAXPROCS=%d: dw", c, procs), gotW, wantW)
		}
	}
}

// sameBits fails unless got and want hold the same bits.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] = %v, im2col gives %v", what, i, got[i], want[i])
		}
	}
}

// Winograd's F(2×2, 3×3) against the float64 convolution, on units of
// tile rows that cross images (3 tiles a row), bands of one image (16 and
// 24 tiles a row), 2×2 maps and a width whose vector loops leave a scalar
// tail (20 tiles a row), and bit for bit the same at any GOMAXPROCS.
func TestWinograd(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	for _, c := range []Conv{
		{N: 3, Cin: 5, H: 4, W: 6, Cout: 7, K: 3, Pad: 1},
		{N: 2, Cin: 3, H: 32, W: 32, Cout: 4, K: 3, Pad: 1},
		{N: 4, Cin: 9, H: 2, W: 2, Cout: 2, K: 3, Pad: 1},
		{N: 3, Cin: 4, H: 6, W: 48, Cout: 5, K: 3, Pad: 1},
		{N: 2, Cin: 2, H: 4, W: 40, Cout: 3, K: 3, Pad: 1},
		{N: 5, Cin: 17, H: 16, W: 16, Cout: 33, K: 3, Pad: 1},
	} {
		checkForward(t, r, c, c.forwardWinograd)
	}
}

// checkForward checks a forward path against the float64 convolution and
// for the same bits at GOMAXPROCS 1 and 3.
func checkForward(t *testing.T, r *rand.Rand, c Conv, fwd func(y, x, w []float32)) {
	t.Helper()
	x, w := randn(r, c.InSize()), randn(r, c.WeightSize())
	want := make([]float32, c.OutSize())
	fwd(want, x, w)
	for i, v := range convRef(c, x, w) {
		if math.Abs(v-float64(want[i])) > 1e-5*float64(c.Cin*9) {
			t.Fatalf("%+v: y[%d] = %v, want %v", c, i, want[i], v)
		}
	}
	for _, procs := range []int{1, 3} {
		prev := runtime.GOMAXPROCS(procs)
		got := randn(r, c.OutSize())
		fwd(got, x, w)
		runtime.GOMAXPROCS(prev)
		sameBits(t, fmt.Sprintf("%+v GOMAXPROCS=%d: y", c, procs), got, want)
	}
}

// Winograd's vector transforms against their Go loops, bit for bit, on
// every length up to 5 vectors, with zeros of both signs, NaNs and
// infinities (any NaN matches any NaN: Go's compiler may swap the
// operands of an addition, and with them which NaN comes through).
func TestWinoKernelsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 12))
	pick := func(n int) []float32 { return randnSpecial(r, n) }
	for w := 2; w <= 80; w += 2 {
		var p [4][]float32
		for i := range p {
			p[i] = pick(w)
		}
		ld := w/2 + 1
		got, want := pick(8*ld), pick(8*ld)
		winoRows(got, p)
		winoRowsGo(want, p)
		sameWino(t, fmt.Sprintf("winoRows w=%d", w), got, want)
	}
	for n := 0; n <= 40; n++ {
		stride := n + 3
		e, o := pick(n+1), pick(n+1)
		got, want := make([]float32, 4*stride), make([]float32, 4*stride)
		winoCols(got, stride, n, e, o)
		winoColsGo(want, stride, n, e, o)
		sameWino(t, fmt.Sprintf("winoCols n=%d", n), got, want)
		m := pick(16 * stride)
		g0, g1, w0, w1 := make([]float32, 2*n), make([]float32, 2*n), make([]float32, 2*n), make([]float32, 2*n)
		winoOut(g0, g1, m, stride)
		winoOutGo(w0, w1, m, stride)
		sameWino(t, fmt.Sprintf("winoOut n=%d row 0", n), g0, w0)
		sameWino(t, fmt.Sprintf("winoOut n=%d row 1", n), g1, w1)
	}
}

func sameWino(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range got {
		g, w := got[i], want[i]
		if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s[%d] = %v, Go loop gives %v", what, i, g, w)
		}
	}
}

// randnSpecial is randn with about one value in five replaced by 0, -0,
// NaN, +Inf or -Inf.
func randnSpecial(r *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	s := randn(r, n)
	for i := range s {
		if r.IntN(5) == 0 {
			s[i] = special[r.IntN(len(special))]
		}
	}
	return s
}

// The shifted direct convolution against the float64 convolution, called
// explicitly (so a CPU without the vector kernel checks it through the Go
// loop): rows of 21 whose last block of 24 outputs runs past the map, one
// input channel, and ResNet-18's 16-channel layer; bit for bit the same at
// any GOMAXPROCS.
func TestShiftConv(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 14))
	for _, c := range []Conv{
		{N: 3, Cin: 5, H: 17, W: 20, Cout: 8, K: 3, Pad: 1},
		{N: 2, Cin: 1, H: 16, W: 16, Cout: 4, K: 3, Pad: 1},
		{N: 2, Cin: 16, H: 32, W: 32, Cout: 16, K: 3, Pad: 1},
	} {
		checkForward(t, r, c, c.forwardShift)
	}
}

// The shifted convolution's kernel against its Go loop, for 1 to 5 input
// channels: the same sums up to float32 rounding.
func TestConvShiftAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 15))
	const ld, wp, sx = 40, 10, 72
	for nc := 1; nc <= 5; nc++ {
		wb, x := randn(r, nc*36), randn(r, nc*sx)
		got, want := make([]float32, 4*ld), make([]float32, 4*ld)
		convShift(got, ld, wb, x, sx, wp, nc)
		convShiftGo(want, ld, wb, x, sx, wp, nc)
		for i := range got {
			if math.Abs(float64(got[i]-want[i])) > 1e-5*float64(nc*9) {
				t.Fatalf("nc=%d: y[%d] = %v, Go loop %v", nc, i, got[i], want[i])
			}
		}
	}
}
