package encoder

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/simclr-go/simclr/internal/graphop"
	"github.com/simclr-go/simclr/internal/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is one learnable tensor.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
	// NoDecay marks BatchNorm affine parameters and biases, which LARS
	// and the paper's code exclude from weight decay and adaptation.
	NoDecay bool
}

func newParam(name string, noDecay bool, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param{Name: name, Shape: shape, Data: make([]float32, n), NoDecay: noDecay}
}

// uniform fills p with U(-bound, bound), PyTorch's default for conv and
// linear layers being bound = 1/sqrt(fan_in).
func (p *Param) uniform(r *rand.Rand, bound float64) {
	for i := range p.Data {
		p.Data[i] = float32((2*r.Float64() - 1) * bound)
	}
}

// BatchNorm is one batch-normalisation layer's parameters and running
// statistics. The statistics of a training batch belong to the graph that
// computed them (see builder.batchNorm), so two training graphs of one
// model never overwrite each other's.
type BatchNorm struct {
	Affine          *Param    // 2×C: γ then β
	RunMean, RunVar []float32 // running statistics, C each
	Momentum, Eps   float32
}

func newBatchNorm(name string, c int) *BatchNorm {
	b := &BatchNorm{
		Affine:   newParam(name, true, 2, c),
		RunMean:  make([]float32, c),
		RunVar:   make([]float32, c),
		Momentum: 0.1, Eps: 1e-5,
	}
	for i := 0; i < c; i++ {
		b.Affine.Data[i] = 1
		b.RunVar[i] = 1
	}
	return b
}

// node makes a graph node whose value shares p.Data.
func (p *Param) node(g *G.ExprGraph) *G.Node {
	t := tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(p.Data))
	return G.NewTensor(g, tensor.Float32, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(t))
}

// builder adds layers to a graph and records the parameter nodes.
type builder struct {
	g      *G.ExprGraph
	train  bool
	sync   *nn.Sync // SyncBN over the world, or nil
	params G.Nodes
	err    error
	macs   float64 // multiply-adds per image of the layers built so far
}

func (b *builder) param(p *Param) *G.Node {
	n := p.node(b.g)
	b.params = append(b.params, n)
	return n
}

func (b *builder) apply(op *graphop.Op, in ...*G.Node) *G.Node {
	if b.err != nil {
		return nil
	}
	n, err := graphop.Apply(op, in...)
	if err != nil {
		b.err = err
	}
	return n
}

// conv adds a K×K convolution without bias, padding K/2, with the given
// stride.
func (b *builder) conv(x *G.Node, w *Param, stride int) *G.Node {
	return b.convSkip(x, w, stride, nil)
}

// skip carries the gradient of an identity shortcut from a residual join
// to the first convolution of its block, which reads the same input x.
// That convolution's input gradient adds it in, masked by the join's
// ReLU: x then has one gradient, so gorgonia adds no sum node (a serial
// pass over the whole tensor) and the join builds no second masked copy
// of its gradient. The sum is the same single addition: the same bits.
type skip struct {
	y, dy *G.Node // the join's output and its gradient, set by the join's backward
}

// convSkip is conv whose input gradient adds the identity shortcut's
// gradient from sk (when not nil).
func (b *builder) convSkip(x *G.Node, w *Param, stride int, sk *skip) *G.Node {
	if b.err != nil {
		return nil
	}
	s := x.Shape()
	c := nn.Conv{N: s[0], Cin: s[1], H: s[2], W: s[3], Cout: w.Shape[0], K: w.Shape[2], Pad: w.Shape[2] / 2, Stride: stride}
	b.macs += float64(c.Cout * c.Cin * c.K * c.K * c.OutH() * c.OutW())
	if w.Shape[1] != c.Cin {
		b.err = fmt.Errorf("%s: input has %d channels, weights expect %d", w.Name, c.Cin, w.Shape[1])
		return nil
	}
	wn := b.param(w)
	out := tensor.Shape{c.N, c.Cout, c.OutH(), c.OutW()}
	// The images themselves (a leaf that no operator computes) need no
	// gradient: the first layer's dx would be computed and never read.
	needDx := x.Op() != nil
	op := &graphop.Op{Name: "conv." + w.Name, InDims: []int{4, 4}, Shape: out, Diff: []bool{needDx, true},
		Fwd: func(y []float32, in [][]float32) { c.Forward(y, in[0], in[1]) }}
	op.Bwd = func(in G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		var dx *G.Node
		switch {
		case needDx && sk == nil:
			dx = b.apply(&graphop.Op{Name: "dconv.x." + w.Name, InDims: []int{4, 4}, Shape: s.Clone(),
				Fwd: func(dx []float32, in [][]float32) { c.BackwardInput(dx, in[0], in[1]) }}, in[1], dy)
		case needDx:
			if sk.dy == nil {
				return nil, fmt.Errorf("%s: the residual join's gradient is not built before its block's first convolution's", w.Name)
			}
			dx = b.apply(&graphop.Op{Name: "dconv.x." + w.Name, InDims: []int{4, 4, 4, 4}, Shape: s.Clone(),
				Fwd: func(dx []float32, in [][]float32) {
					c.BackwardInput(dx, in[0], in[1])
					nn.AddReLUGrad(dx, in[2], in[3])
				}}, in[1], dy, sk.y, sk.dy)
		}
		dw := b.apply(&graphop.Op{Name: "dconv.w." + w.Name, InDims: []int{4, 4}, Shape: tensor.Shape(w.Shape).Clone(),
			Fwd: func(dw []float32, in [][]float32) { c.BackwardWeight(dw, in[0], in[1]) }}, in[0], dy)
		return G.Nodes{dx, dw}, b.err
	}
	return b.apply(op, x, wn)
}

// batchNorm adds batch normalisation over the channel axis (axis 1) of a
// 4-d or 2-d node, followed by ReLU when relu is set.
func (b *builder) batchNorm(x *G.Node, bn *BatchNorm, relu bool) *G.Node {
	return b.batchNormJoin(x, bn, relu, nil)
}

// join hands a residual join's output and gradient to the BatchNorm that
// computes its first addend. That BatchNorm's backward masks the join's
// gradient itself, by the join's output, as its own ReLU's mask would be
// applied: the same bits, and the join builds no masked copy of its
// gradient for that addend (a pass over the tensor).
type join struct {
	y, dy *G.Node // the join's output and its gradient, set by the join's backward
}

// batchNormJoin is batchNorm whose output is the first addend of the
// residual join jn (when not nil; relu must then be false).
func (b *builder) batchNormJoin(x *G.Node, bn *BatchNorm, relu bool, jn *join) *G.Node {
	if b.err != nil {
		return nil
	}
	s := x.Shape()
	k := nn.BatchNorm{N: s[0], C: s[1], S: 1, Eps: bn.Eps, ReLU: relu}
	for _, d := range s[2:] {
		k.S *= d
	}
	an := b.param(bn.Affine)
	op := &graphop.Op{Name: "bn." + bn.Affine.Name, InDims: []int{len(s), 2}, Shape: s.Clone(), Diff: []bool{true, true}}
	if !b.train {
		op.Fwd = func(y []float32, in [][]float32) { k.ForwardEval(y, in[0], in[1], bn.RunMean, bn.RunVar) }
		op.Bwd = nil
		return b.apply(op, x, an)
	}
	k.Sync = b.sync
	m := float32(k.Count())
	// This graph's batch statistics: written by the forward op, read by
	// the backward ops of the same graph.
	mean, vari, istd := make([]float32, k.C), make([]float32, k.C), make([]float32, k.C)
	op.Fwd = func(y []float32, in [][]float32) {
		k.ForwardTrain(y, in[0], in[1], mean, vari, istd)
		unbiased := m / max(m-1, 1)
		for c := range bn.RunMean {
			bn.RunMean[c] = (1-bn.Momentum)*bn.RunMean[c] + bn.Momentum*mean[c]
			bn.RunVar[c] = (1-bn.Momentum)*bn.RunVar[c] + bn.Momentum*vari[c]*unbiased
		}
	}
	op.Bwd = func(in G.Nodes, y, dy *G.Node) (G.Nodes, error) {
		// dx reuses daffine, so it takes that node as an input, and runs
		// after the daffine op: it is dy's last reader and overwrites it,
		// unless dy is a join's gradient, which the shortcut reads too.
		kb, inPlace := k, 4
		if jn != nil {
			if jn.dy != dy {
				return nil, fmt.Errorf("%s: the residual join's gradient is not this BatchNorm's", bn.Affine.Name)
			}
			kb.ReLU, y, inPlace = true, jn.y, 0
		}
		da := b.apply(&graphop.Op{Name: "dbn.affine." + bn.Affine.Name, InDims: []int{len(s), len(s), len(s)}, Shape: tensor.Shape{2, k.C},
			Fwd: func(da []float32, in [][]float32) { kb.BackwardParams(da, in[0], in[1], in[2], mean, istd) }},
			in[0], y, dy)
		dx := b.apply(&graphop.Op{Name: "dbn.x." + bn.Affine.Name, InDims: []int{len(s), 2, len(s), len(s), 2}, Shape: s.Clone(), InPlace: inPlace,
			Fwd: func(dx []float32, in [][]float32) {
				kb.BackwardInput(dx, in[0], in[2], in[3], in[1], in[4], mean, istd)
			}},
			in[0], in[1], y, dy, da)
		return G.Nodes{dx, da}, b.err
	}
	return b.apply(op, x, an)
}

// maxPool adds 2×2 stride-2 max pooling.
func (b *builder) maxPool(x *G.Node) *G.Node {
	if b.err != nil {
		return nil
	}
	s := x.Shape()
	p := nn.MaxPool{N: s[0], C: s[1], H: s[2], W: s[3]}
	if p.H%2 != 0 || p.W%2 != 0 {
		b.err = fmt.Errorf("max pool needs even spatial size, got %dx%d", p.H, p.W)
		return nil
	}
	arg := make([]uint8, p.OutSize())
	op := &graphop.Op{Name: "maxpool", InDims: []int{4}, Shape: tensor.Shape{p.N, p.C, p.H / 2, p.W / 2}, Diff: []bool{true},
		Fwd: func(y []float32, in [][]float32) { p.Forward(y, in[0], arg) }}
	op.Bwd = func(_ G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx := b.apply(&graphop.Op{Name: "dmaxpool", InDims: []int{4}, Shape: s.Clone(),
			Fwd: func(dx []float32, in [][]float32) { p.Backward(dx, in[0], arg) }}, dy)
		return G.Nodes{dx}, b.err
	}
	return b.apply(op, x)
}

// avgPool adds global average pooling: N×C×H×W → N×C.
func (b *builder) avgPool(x *G.Node) *G.Node {
	if b.err != nil {
		return nil
	}
	s := x.Shape()
	n, c, hw := s[0], s[1], s[2]*s[3]
	op := &graphop.Op{Name: "avgpool", InDims: []int{4}, Shape: tensor.Shape{n, c}, Diff: []bool{true},
		Fwd: func(y []float32, in [][]float32) { nn.GlobalAvgPool(y, in[0], n, c, hw) }}
	op.Bwd = func(_ G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		dx := b.apply(&graphop.Op{Name: "davgpool", InDims: []int{2}, Shape: s.Clone(),
			Fwd: func(dx []float32, in [][]float32) { nn.GlobalAvgPoolBackward(dx, in[0], hw) }}, dy)
		return G.Nodes{dx}, b.err
	}
	return b.apply(op, x)
}

// linear adds y = x·W (+ bias when bias is not nil).
func (b *builder) linear(x *G.Node, w, bias *Param) *G.Node {
	if b.err != nil {
		return nil
	}
	s := x.Shape()
	l := nn.Linear{N: s[0], In: w.Shape[0], Out: w.Shape[1]}
	b.macs += float64(l.In * l.Out)
	if s[1] != l.In {
		b.err = fmt.Errorf("%s: input has %d features, weights expect %d", w.Name, s[1], l.In)
		return nil
	}
	ins := G.Nodes{x, b.param(w)}
	dims := []int{2, 2}
	if bias != nil {
		ins = append(ins, b.param(bias))
		dims = append(dims, 1)
	}
	op := &graphop.Op{Name: "linear." + w.Name, InDims: dims, Shape: tensor.Shape{l.N, l.Out}, Diff: []bool{true, true, true}[:len(dims)],
		Fwd: func(y []float32, in [][]float32) {
			var bv []float32
			if len(in) == 3 {
				bv = in[2]
			}
			l.Forward(y, in[0], in[1], bv)
		}}
	op.Bwd = func(in G.Nodes, _, dy *G.Node) (G.Nodes, error) {
		grads := G.Nodes{
			b.apply(&graphop.Op{Name: "dlinear.x." + w.Name, InDims: []int{2, 2}, Shape: s.Clone(),
				Fwd: func(dx []float32, in [][]float32) { l.BackwardInput(dx, in[0], in[1]) }}, in[1], dy),
			b.apply(&graphop.Op{Name: "dlinear.w." + w.Name, InDims: []int{2, 2}, Shape: tensor.Shape(w.Shape).Clone(),
				Fwd: func(dw []float32, in [][]float32) { l.BackwardWeight(dw, in[0], in[1]) }}, in[0], dy),
		}
		if len(in) == 3 {
			grads = append(grads, b.apply(&graphop.Op{Name: "dlinear.b." + w.Name, InDims: []int{2}, Shape: tensor.Shape{l.Out},
				Fwd: func(db []float32, in [][]float32) { l.BackwardBias(db, in[0]) }}, dy))
		}
		return grads, b.err
	}
	return b.apply(op, ins...)
}

// addReLU adds the join of a residual block: max(a+b, 0). With sk not nil,
// c is an identity shortcut whose gradient the block's first convolution
// adds (see skip): the join differentiates a only, and hands its output
// and gradient to sk. With jn not nil, a is the output of the BatchNorm
// that masks the join's gradient itself (see join): a's gradient is the
// join's, unmasked.
func (b *builder) addReLU(a, c *G.Node, sk *skip, jn *join) *G.Node {
	if b.err != nil {
		return nil
	}
	s := a.Shape()
	if !s.Eq(c.Shape()) {
		b.err = fmt.Errorf("residual join of shapes %v and %v", s, c.Shape())
		return nil
	}
	op := &graphop.Op{Name: "addrelu", InDims: []int{len(s), len(s)}, Shape: s.Clone(), Diff: []bool{true, sk == nil},
		Fwd: func(y []float32, in [][]float32) { nn.AddReLU(y, in[0], in[1]) }}
	// Each addend gets its own gradient node: a consumer may overwrite its
	// gradient in place (graphop.Op.InPlace), so the two must not share one.
	op.Bwd = func(_ G.Nodes, y, dy *G.Node) (G.Nodes, error) {
		grad := func() *G.Node {
			return b.apply(&graphop.Op{Name: "daddrelu", InDims: []int{len(s), len(s)}, Shape: s.Clone(),
				Fwd: func(dx []float32, in [][]float32) { nn.AddReLUBackward(dx, in[0], in[1]) }}, y, dy)
		}
		ga := grad
		if jn != nil {
			jn.y, jn.dy = y, dy
			ga = func() *G.Node { return dy }
		}
		if sk != nil {
			sk.y, sk.dy = y, dy
			return G.Nodes{ga(), nil}, b.err
		}
		return G.Nodes{ga(), grad()}, b.err
	}
	return b.apply(op, a, c)
}

func fanInBound(fanIn int) float64 { return 1 / math.Sqrt(float64(fanIn)) }
