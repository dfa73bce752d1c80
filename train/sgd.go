package train

import "github.com/simclr-go/simclr/encoder"

// SGD is stochastic gradient descent with momentum and L2 weight decay,
// with PyTorch's update: g += wd·w; buf = μ·buf + g; w −= lr·buf.
type SGD struct {
	Momentum, WeightDecay float64
	params                []*encoder.Param
	buf                   [][]float32
}

// NewSGD makes an optimizer over params with zeroed momentum buffers.
func NewSGD(params []*encoder.Param, momentum, weightDecay float64) *SGD {
	s := &SGD{Momentum: momentum, WeightDecay: max(weightDecay, 0), params: params}
	for _, p := range params {
		s.buf = append(s.buf, make([]float32, len(p.Data)))
	}
	return s
}

// Step applies one update with learning rate lr; grads[i] is ∂L/∂params[i].
func (s *SGD) Step(lr float64, grads [][]float32) {
	mu, wd, eta := float32(s.Momentum), float32(s.WeightDecay), float32(lr)
	for i, p := range s.params {
		g, b := grads[i], s.buf[i]
		for j, w := range p.Data {
			d := g[j] + wd*w
			b[j] = mu*b[j] + d
			p.Data[j] = w - eta*b[j]
		}
	}
}

// State returns copies of the momentum buffers by parameter name.
func (s *SGD) State() map[string][]float32 {
	m := map[string][]float32{}
	for i, p := range s.params {
		m[p.Name] = append([]float32(nil), s.buf[i]...)
	}
	return m
}
