package nn

import (
	"math/rand/v2"
	"testing"
)

// Shapes of the small encoder at batch 256 (512 views).
var (
	benchBN   = BatchNorm{N: 512, C: 64, S: 1024, Eps: 1e-5, ReLU: true}
	benchConv = Conv{N: 512, Cin: 32, H: 32, W: 32, Cout: 64, K: 3, Pad: 1}
)

func benchData(n int) []float32 { return randn(rand.New(rand.NewPCG(1, 1)), n) }

func BenchmarkBatchNormForwardTrain(b *testing.B) {
	k := benchBN
	x, y := benchData(k.Size()), make([]float32, k.Size())
	aff := make([]float32, 2*k.C)
	for i := 0; i < k.C; i++ {
		aff[i] = 1
	}
	m, v, s := make([]float32, k.C), make([]float32, k.C), make([]float32, k.C)
	b.SetBytes(int64(8 * k.Size()))
	for i := 0; i < b.N; i++ {
		k.ForwardTrain(y, x, aff, m, v, s)
	}
}

func BenchmarkBatchNormBackward(b *testing.B) {
	k := benchBN
	x, y, dy, dx := benchData(k.Size()), make([]float32, k.Size()), benchData(k.Size()), make([]float32, k.Size())
	aff := make([]float32, 2*k.C)
	for i := 0; i < k.C; i++ {
		aff[i] = 1
	}
	m, v, s, da := make([]float32, k.C), make([]float32, k.C), make([]float32, k.C), make([]float32, 2*k.C)
	k.ForwardTrain(y, x, aff, m, v, s)
	b.SetBytes(int64(28 * k.Size()))
	for i := 0; i < b.N; i++ {
		k.BackwardParams(da, x, y, dy, m, s)
		k.BackwardInput(dx, x, y, dy, aff, da, m, s)
	}
}

func BenchmarkConvForward(b *testing.B) {
	c := benchConv
	x, w, y := benchData(c.InSize()), benchData(c.WeightSize()), make([]float32, c.OutSize())
	for i := 0; i < b.N; i++ {
		c.Forward(y, x, w)
	}
	b.ReportMetric(2*float64(c.OutSize())*float64(c.Cin*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkConvBackwardInput times dx on the small encoder's shape and on
// ResNet-18 ×0.25 at batch 128 (layer 1 and layer 3), as a flipped
// convolution (what BackwardInput does for these) and by col2im.
func BenchmarkConvBackwardInput(b *testing.B) {
	for _, s := range []struct {
		name string
		c    Conv
	}{
		{"small", benchConv},
		{"r18x0.25-layer1", Conv{N: 256, Cin: 16, H: 32, W: 32, Cout: 16, K: 3, Pad: 1}},
		{"r18x0.25-layer3", Conv{N: 256, Cin: 64, H: 8, W: 8, Cout: 64, K: 3, Pad: 1}},
	} {
		c := s.c
		for _, path := range []struct {
			name string
			fn   func(dx, w, dy []float32)
		}{{"flipped", c.BackwardInput}, {"col2im", c.backwardCols}} {
			b.Run(s.name+"/"+path.name, func(b *testing.B) {
				dx, w, dy := make([]float32, c.InSize()), benchData(c.WeightSize()), benchData(c.OutSize())
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					path.fn(dx, w, dy)
				}
				b.ReportMetric(2*float64(c.OutSize())*float64(c.Cin*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func BenchmarkConvBackwardWeight(b *testing.B) {
	c := benchConv
	x, dw, dy := benchData(c.InSize()), make([]float32, c.WeightSize()), benchData(c.OutSize())
	for i := 0; i < b.N; i++ {
		c.BackwardWeight(dw, x, dy)
	}
	b.ReportMetric(2*float64(c.OutSize())*float64(c.Cin*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMaxPoolForward(b *testing.B) {
	p := MaxPool{N: 512, C: 64, H: 32, W: 32}
	x, y, arg := benchData(p.InSize()), make([]float32, p.OutSize()), make([]uint8, p.OutSize())
	b.SetBytes(int64(4 * p.InSize()))
	for i := 0; i < b.N; i++ {
		p.Forward(y, x, arg)
	}
}

// ResNet-18's convolutions at batch 128 (256 views): the stem and width
// 0.25 at each map size (and the small encoder's second layer), width 1
// at 32×32 (64 images, to keep an op near 40 ms); forward as it runs
// (shifted, Winograd or direct), by Winograd and direct, and the weight
// gradient as it runs and by products. The numbers quoted for issue 12
// come from these.
func BenchmarkConvResNet18(b *testing.B) {
	for _, s := range []struct {
		name string
		c    Conv
	}{
		{"stem-x0.25", Conv{N: 256, Cin: 3, H: 32, W: 32, Cout: 16, K: 3, Pad: 1}},
		{"small-conv2-b128", Conv{N: 256, Cin: 32, H: 32, W: 32, Cout: 64, K: 3, Pad: 1}},
		{"x0.25-32x32", Conv{N: 256, Cin: 16, H: 32, W: 32, Cout: 16, K: 3, Pad: 1}},
		{"x0.25-16x16", Conv{N: 256, Cin: 32, H: 16, W: 16, Cout: 32, K: 3, Pad: 1}},
		{"x0.5-32x32", Conv{N: 128, Cin: 32, H: 32, W: 32, Cout: 32, K: 3, Pad: 1}},
		{"x0.5-16x16", Conv{N: 128, Cin: 64, H: 16, W: 16, Cout: 64, K: 3, Pad: 1}},
		{"x0.25-8x8", Conv{N: 256, Cin: 64, H: 8, W: 8, Cout: 64, K: 3, Pad: 1}},
		{"x0.25-4x4", Conv{N: 256, Cin: 128, H: 4, W: 4, Cout: 128, K: 3, Pad: 1}},
		{"x1-32x32", Conv{N: 64, Cin: 64, H: 32, W: 32, Cout: 64, K: 3, Pad: 1}},
	} {
		c := s.c
		x, w, y := benchData(c.InSize()), benchData(c.WeightSize()), benchData(c.OutSize())
		b.Run("forward-"+s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.Forward(y, x, w)
			}
		})
		if shiftVector && c.shiftable() && c.W >= 16 {
			b.Run("shift-"+s.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					c.forwardShift(y, x, w)
				}
			})
		}
		if c.winograd() {
			b.Run("wino-"+s.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					c.forwardWinograd(y, x, w)
				}
			})
		}
		b.Run("direct-"+s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.forward(y, x, w, true)
			}
		})
		b.Run("dx-"+s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.BackwardInput(x, w, y)
			}
		})
		b.Run("dw-"+s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.BackwardWeight(w, x, y)
			}
		})
		b.Run("dwprod-"+s.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c.backwardWeight(w, x, y, true)
			}
		})
	}
}
