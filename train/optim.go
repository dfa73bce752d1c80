package train

import (
	"fmt"
	"math"

	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/run"
)

// Optimizer updates parameters in place from their gradients.
type Optimizer interface {
	// Step applies one update with learning rate lr; grads[i] is
	// ∂L/∂params[i] for the params the optimizer was made with.
	Step(lr float64, grads [][]float32)
	// State returns copies of the optimizer's buffers by name; Load
	// restores them (for exact resume).
	State() map[string][]float32
	Load(map[string][]float32) error
}

// NewOptimizer makes the optimizer cfg names over params.
func NewOptimizer(cfg run.Config, params []*encoder.Param) (Optimizer, error) {
	wd := max(cfg.WeightDecay, 0)
	switch cfg.Optimizer {
	case run.OptSGD, "":
		return NewSGD(params, cfg.Momentum, wd, cfg.Nesterov), nil
	case run.OptLARS:
		return NewLARS(params, cfg.Momentum, wd, 0.001), nil
	case run.OptAdamW:
		return NewAdamW(params, 0.9, 0.999, 1e-8, wd), nil
	}
	return nil, fmt.Errorf("train: unknown optimizer %q (want sgd, lars or adamw)", cfg.Optimizer)
}

// buffers is named per-parameter state.
type buffers struct {
	params []*encoder.Param
	bufs   [][][]float32 // [kind][param]
	kinds  []string
}

func newBuffers(params []*encoder.Param, kinds ...string) buffers {
	b := buffers{params: params, kinds: kinds}
	for range kinds {
		var per [][]float32
		for _, p := range params {
			per = append(per, make([]float32, len(p.Data)))
		}
		b.bufs = append(b.bufs, per)
	}
	return b
}

func (b *buffers) State() map[string][]float32 {
	m := map[string][]float32{}
	for k, kind := range b.kinds {
		for i, p := range b.params {
			m[kind+"/"+p.Name] = append([]float32(nil), b.bufs[k][i]...)
		}
	}
	return m
}

func (b *buffers) Load(m map[string][]float32) error {
	for k, kind := range b.kinds {
		for i, p := range b.params {
			v, ok := m[kind+"/"+p.Name]
			if !ok || len(v) != len(p.Data) {
				return fmt.Errorf("train: optimizer state lacks %s/%s of %d values", kind, p.Name, len(p.Data))
			}
			copy(b.bufs[k][i], v)
		}
	}
	return nil
}

// SGD is stochastic gradient descent with momentum and L2 weight decay,
// with PyTorch's update: g += wd·w; buf = μ·buf + g; w −= lr·buf (with
// Nesterov, w −= lr·(g + μ·buf)).
type SGD struct {
	Momentum, WeightDecay float64
	Nesterov              bool
	buffers
}

// NewSGD makes an SGD optimizer over params with zeroed momentum buffers.
func NewSGD(params []*encoder.Param, momentum, weightDecay float64, nesterov bool) *SGD {
	return &SGD{Momentum: momentum, WeightDecay: max(weightDecay, 0), Nesterov: nesterov, buffers: newBuffers(params, "momentum")}
}

func (s *SGD) Step(lr float64, grads [][]float32) {
	mu, wd, eta := float32(s.Momentum), float32(s.WeightDecay), float32(lr)
	for i, p := range s.params {
		g, b := grads[i], s.bufs[0][i]
		for j, w := range p.Data {
			d := g[j] + wd*w
			b[j] = mu*b[j] + d
			if s.Nesterov {
				d += mu * b[j]
			} else {
				d = b[j]
			}
			p.Data[j] = w - eta*d
		}
	}
}

// LARS is layer-wise adaptive rate scaling as in SimCLR's code: for each
// parameter not marked NoDecay, g += wd·w and the learning rate is scaled
// by η‖w‖/‖g‖ (1 when either norm is 0); BatchNorm parameters and biases
// get neither weight decay nor adaptation. Then v = μ·v + lr'·g; w −= v.
type LARS struct {
	Momentum, WeightDecay, Trust float64
	buffers
}

// NewLARS makes a LARS optimizer; trust is η (0.001 in the paper).
func NewLARS(params []*encoder.Param, momentum, weightDecay, trust float64) *LARS {
	return &LARS{Momentum: momentum, WeightDecay: weightDecay, Trust: trust, buffers: newBuffers(params, "momentum")}
}

func (l *LARS) Step(lr float64, grads [][]float32) {
	for i, p := range l.params {
		g, v := grads[i], l.bufs[0][i]
		scaled := lr
		wd := 0.0
		if !p.NoDecay {
			wd = l.WeightDecay
			var wn, gn float64
			for j, w := range p.Data {
				d := float64(g[j]) + wd*float64(w)
				wn += float64(w) * float64(w)
				gn += d * d
			}
			if wn > 0 && gn > 0 {
				scaled = lr * l.Trust * math.Sqrt(wn) / math.Sqrt(gn)
			}
		}
		mu, s, wd32 := float32(l.Momentum), float32(scaled), float32(wd)
		for j, w := range p.Data {
			d := g[j] + wd32*w
			v[j] = mu*v[j] + s*d
			p.Data[j] = w - v[j]
		}
	}
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), with
// PyTorch's update: w −= lr·wd·w; m, v moving averages with bias
// correction; w −= lr·m̂/(√v̂ + ε).
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	t                              int
	buffers
}

// NewAdamW makes an AdamW optimizer.
func NewAdamW(params []*encoder.Param, beta1, beta2, eps, weightDecay float64) *AdamW {
	return &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: weightDecay, buffers: newBuffers(params, "m", "v")}
}

func (a *AdamW) Step(lr float64, grads [][]float32) {
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	for i, p := range a.params {
		g, m, v := grads[i], a.bufs[0][i], a.bufs[1][i]
		decay := float32(1 - lr*a.WeightDecay)
		step := float32(lr / c1)
		sc2 := float32(1 / math.Sqrt(c2))
		for j, w := range p.Data {
			m[j] = b1*m[j] + (1-b1)*g[j]
			v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
			p.Data[j] = w*decay - step*m[j]/(float32(math.Sqrt(float64(v[j])))*sc2+float32(a.Eps))
		}
	}
}

// State includes the step count, which the bias correction needs.
func (a *AdamW) State() map[string][]float32 {
	m := a.buffers.State()
	m["adamw/t"] = []float32{float32(a.t)}
	return m
}

func (a *AdamW) Load(m map[string][]float32) error {
	if err := a.buffers.Load(m); err != nil {
		return err
	}
	t, ok := m["adamw/t"]
	if !ok || len(t) != 1 {
		return fmt.Errorf("train: AdamW state lacks its step count")
	}
	a.t = int(t[0])
	return nil
}
