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

func BenchmarkConvBackwardInput(b *testing.B) {
	c := benchConv
	dx, w, dy := make([]float32, c.InSize()), benchData(c.WeightSize()), benchData(c.OutSize())
	for i := 0; i < b.N; i++ {
		c.BackwardInput(dx, w, dy)
	}
	b.ReportMetric(2*float64(c.OutSize())*float64(c.Cin*9)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
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
