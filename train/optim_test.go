package train

import (
	"math"
	"testing"

	"github.com/simclr-go/simclr/encoder"
)

func params() []*encoder.Param {
	return []*encoder.Param{
		{Name: "w", Shape: []int{3}, Data: []float32{3, 0, -4}},
		{Name: "bn", Shape: []int{2}, Data: []float32{1, 2}, NoDecay: true},
	}
}

func near(t *testing.T, what string, got float32, want float64) {
	t.Helper()
	if math.Abs(float64(got)-want) > 1e-6*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.8g, want %.8g", what, got, want)
	}
}

func TestLARSStepByHand(t *testing.T) {
	ps := params()
	l := NewLARS(ps, 0.9, 0.1, 0.001)
	grads := [][]float32{{1, 2, 2}, {0.5, -0.5}}
	l.Step(2, grads)
	// w: g' = g + 0.1 w = (1.3, 2, 1.6); ‖w‖ = 5, ‖g'‖ = √(1.69+4+2.56) = √8.25;
	// lr' = 2·0.001·5/√8.25; v = lr'·g'; w −= v.
	lr := 2 * 0.001 * 5 / math.Sqrt(8.25)
	near(t, "w[0]", ps[0].Data[0], 3-lr*1.3)
	near(t, "w[1]", ps[0].Data[1], 0-lr*2)
	near(t, "w[2]", ps[0].Data[2], -4-lr*1.6)
	// bn is excluded: no decay, no adaptation: w −= 2·g.
	near(t, "bn[0]", ps[1].Data[0], 1-2*0.5)
	near(t, "bn[1]", ps[1].Data[1], 2+2*0.5)
	// Second step on the bn parameter (no adaptation): v = 0.9·v + 2·g.
	l.Step(2, [][]float32{{0, 0, 0}, {1, 0}})
	near(t, "bn[0] after momentum", ps[1].Data[0], 0-(0.9*1+2*1))
}

func TestAdamWStepByHand(t *testing.T) {
	ps := params()
	a := NewAdamW(ps, 0.9, 0.999, 1e-8, 0.01)
	a.Step(0.1, [][]float32{{1, -2, 0.5}, {0, 1}})
	// First step: m̂ = g, v̂ = g², so the step is lr·g/(|g|+ε) = ±lr, after
	// decoupled decay w·(1 − lr·wd).
	near(t, "w[0]", ps[0].Data[0], 3*(1-0.001)-0.1)
	near(t, "w[1]", ps[0].Data[1], 0+0.1)
	near(t, "w[2]", ps[0].Data[2], -4*(1-0.001)-0.1)
	near(t, "bn[0]", ps[1].Data[0], 1*(1-0.001)) // zero gradient: decay only
	st := a.State()
	b := NewAdamW(params(), 0.9, 0.999, 1e-8, 0.01)
	if err := b.Load(st); err != nil || b.t != 1 {
		t.Fatalf("load: %v, t=%d", err, b.t)
	}
}

func TestSGDNesterov(t *testing.T) {
	ps := params()
	s := NewSGD(ps, 0.9, 0, true)
	s.Step(0.1, [][]float32{{1, 1, 1}, {1, 1}})
	// buf = g; update = g + 0.9·buf = 1.9 g.
	near(t, "w[0]", ps[0].Data[0], 3-0.19)
	s.Step(0.1, [][]float32{{1, 1, 1}, {1, 1}})
	// buf = 0.9 + 1 = 1.9; update = 1 + 0.9·1.9 = 2.71.
	near(t, "w[0]", ps[0].Data[0], 3-0.19-0.271)
}
