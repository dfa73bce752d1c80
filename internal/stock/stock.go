// Package stock builds simclr-go's small encoder, projection head and
// NT-Xent loss from gorgonia's own (stock) operators only: Conv2d,
// Rectify, MaxPool2D, Mean, Mul, broadcasting and elementwise arithmetic.
// It is a cross-check of our custom ops, not a training path: slow and
// memory-hungry, as DEVELOPERS.md measures.
//
// BatchNorm is composed from those primitives: gorgonia's own BatchNorm
// (v0.9.18) makes full-shape Glorot parameters when given none (issue
// #408), and when given per-channel γ=1, β=0 its training-mode output is
// the normalised input plus 1 (measured here), so it cannot serve as a
// reference. Reductions over several axes are chained one axis at a time:
// gorgonia's Sum and Mean over several axes at once give wrong values
// (measured: Mean(x, 2, 3) of a 2×4×3×3 tensor disagrees with the per-plane
// means from the second plane on).
//
// The stock graph holds its own copies of the parameters, in the order of
// encoder.Model.Params with BatchNorm affine split into γ and β; Params
// returns them as encoder.Params so the same optimizer can train either.
package stock

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/simclr-go/simclr/encoder"
)

// Graph is the stock network with its NT-Xent loss and gradients.
type Graph struct {
	G      *G.ExprGraph
	Input  []float32
	Loss   *G.Node
	Grads  G.Nodes
	params []*encoder.Param
	nodes  G.Nodes
}

// Params returns the stock graph's learnable tensors.
func (g *Graph) Params() []*encoder.Param { return g.params }

func (g *Graph) param(name string, data []float32, shape ...int) *G.Node {
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	n := G.NewTensor(g.G, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	g.params = append(g.params, &encoder.Param{Name: name, Shape: shape, Data: data})
	g.nodes = append(g.nodes, n)
	return n
}

// New builds the stock graph for n views of side×side pixels, starting
// from copies of m's parameters, with NT-Xent temperature tau.
func New(m *encoder.Model, n, side int, tau float64) (*Graph, error) {
	ps := m.Params()
	if len(ps) != 12 || m.Config.Arch != "small" {
		return nil, fmt.Errorf("stock: only the small encoder is supported")
	}
	g := &Graph{G: G.NewGraph(), Input: make([]float32, n*3*side*side)}
	x := G.NewTensor(g.G, tensor.Float32, 4, G.WithShape(n, 3, side, side), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(n, 3, side, side), tensor.WithBacking(g.Input))))
	cp := func(p *encoder.Param) []float32 { return append([]float32(nil), p.Data...) }
	must := func(n *G.Node, err error) *G.Node {
		if err != nil {
			panic(err) // construction errors are bugs in this package
		}
		return n
	}
	bn := func(y *G.Node, aff *encoder.Param, relu bool) *G.Node {
		c := aff.Shape[1]
		d := cp(aff)
		shape := []int{1, c, 1, 1}
		if y.Dims() == 2 {
			shape = []int{1, c}
		}
		gamma := g.param(aff.Name+".gamma", d[:c], shape...)
		beta := g.param(aff.Name+".beta", d[c:], shape...)
		axes, pattern := []int{0, 2, 3}, []byte{0, 2, 3}
		if y.Dims() == 2 {
			axes, pattern = []int{0}, []byte{0}
		}
		perChannel := func(v *G.Node) *G.Node { return must(G.Reshape(v, shape)) }
		xc := must(G.BroadcastSub(y, perChannel(mean(y, axes, must)), nil, pattern))
		variance := mean(must(G.Square(xc)), axes, must)
		inv := must(G.Pow(must(G.Add(variance, G.NewConstant(float32(1e-5)))), G.NewConstant(float32(-0.5))))
		xhat := must(G.BroadcastHadamardProd(xc, perChannel(inv), nil, pattern))
		out := must(G.BroadcastAdd(must(G.BroadcastHadamardProd(xhat, gamma, nil, pattern)), beta, nil, pattern))
		if relu {
			out = must(G.Rectify(out))
		}
		return out
	}
	y := x
	for i := 0; i < 4; i++ {
		w := ps[2*i]
		wn := g.param(w.Name, cp(w), w.Shape...)
		y = must(G.Conv2d(y, wn, tensor.Shape{3, 3}, []int{1, 1}, []int{1, 1}, []int{1, 1}))
		y = bn(y, ps[2*i+1], true)
		if i == 1 || i == 2 {
			y = must(G.MaxPool2D(y, tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2}))
		}
	}
	h := mean(y, []int{2, 3}, must)
	w1 := g.param(ps[8].Name, cp(ps[8]), ps[8].Shape...)
	y = bn(must(G.Mul(h, w1)), ps[9], true)
	w2 := g.param(ps[10].Name, cp(ps[10]), ps[10].Shape...)
	b2 := g.param(ps[11].Name, cp(ps[11]), 1, ps[11].Shape[0])
	z := must(G.BroadcastAdd(must(G.Mul(y, w2)), b2, nil, []byte{0}))
	g.Loss = ntxent(g.G, z, n, tau, must)
	grads, err := G.Grad(g.Loss, g.nodes...)
	if err != nil {
		return nil, fmt.Errorf("stock: gradients: %w", err)
	}
	g.Grads = grads
	return g, nil
}

// mean averages x over axes (ascending), one axis at a time from the last.
func mean(x *G.Node, axes []int, must func(*G.Node, error) *G.Node) *G.Node {
	count := 1
	for i := len(axes) - 1; i >= 0; i-- {
		count *= x.Shape()[axes[i]]
		x = must(G.Sum(x, axes[i]))
	}
	return must(G.HadamardDiv(x, G.NewConstant(float32(count))))
}

// ntxent is eq. 1 from elementwise ops. With unit vectors and τ ≥ 0.1 the
// logits lie in [-10, 10], so the log-sum-exp needs no max shift (and
// gorgonia's LogSumExp is wrong); self-similarity is removed by adding a
// constant -1e4 on the diagonal (there is no masked fill).
func ntxent(g *G.ExprGraph, z *G.Node, n int, tau float64, must func(*G.Node, error) *G.Node) *G.Node {
	norm := must(G.Sqrt(must(G.Sum(must(G.Square(z)), 1))))
	zn := must(G.BroadcastHadamardDiv(z, must(G.Reshape(norm, tensor.Shape{n, 1})), nil, []byte{1}))
	sim := must(G.Mul(zn, must(G.Transpose(zn))))
	sim = must(G.HadamardProd(sim, G.NewConstant(float32(1/tau))))
	mask := make([]float32, n*n)
	pos := make([]float32, n*n)
	for i := 0; i < n; i++ {
		mask[i*n+i] = -1e4
		pos[i*n+(i+n/2)%n] = 1
	}
	cm := G.NewConstant(tensor.New(tensor.WithShape(n, n), tensor.WithBacking(mask)))
	cp := G.NewConstant(tensor.New(tensor.WithShape(n, n), tensor.WithBacking(pos)))
	lse := must(G.Log(must(G.Sum(must(G.Exp(must(G.Add(sim, cm)))), 1))))
	positive := must(G.Sum(must(G.HadamardProd(sim, cp)), 1))
	return mean(must(G.Sub(lse, positive)), []int{0}, must)
}
