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
	return b.batchNormAdd(x, bn, relu, nil, nil)
}

// batchNormAdd is batchNorm with short (when not nil) added before the
// ReLU: a residual block's join, max(BN(x) + short, 0), fused into the
// BatchNorm of its first addend, with the bits of the BatchNorm followed
// by the join and no tensor in between. The backward masks the join's
// gradient by its output, as the BatchNorm's own ReLU does; the shortcut's
// gradient is that masked gradient, which the block's first convolution
// adds when sk is not nil (an identity shortcut, see skip).
func (b *builder) batchNormAdd(x *G.Node, bn *BatchNorm, relu bool, short *G.Node, sk *skip) *G.Node {
	if b.err != nil {
		return nil
	}
	s := x.Shape()
	k := nn.BatchNorm{N: s[0], C: s[1], S: 1, Eps: bn.Eps, ReLU: relu}
	for _, d := range s[2:] {
		k.S *= d
	}
	ins, dims := G.Nodes{x, b.param(bn.Affine)}, []int{len(s), 2}
	if short != nil {
		if !s.Eq(short.Shape()) {
			b.err = fmt.Errorf("%s: residual join of shapes %v and %v", bn.Affine.Name, s, short.Shape())
			return nil
		}
		ins, dims = append(ins, short), append(dims, len(s))
	}
	addend := func(in [][]float32) []float32 {
		if short == nil {
			return nil
		}
		return in[2]
	}
	op := &graphop.Op{Name: "bn." + bn.Affine.Name, InDims: dims, Shape: s.Clone(), Diff: []bool{true, true, sk == nil}[:len(dims)]}
	if !b.train {
		op.Fwd = func(y []float32, in [][]float32) {
			k.ForwardEvalAdd(y, in[0], addend(in), in[1], bn.RunMean, bn.RunVar)
		}
		return b.apply(op, ins...)
	}
	k.Sync = b.sync
	m := float32(k.Count())
	// This graph's batch statistics: written by the forward op, read by
	// the backward ops of the same graph.
	st := &bnStats{make([]float32, k.C), make([]float32, k.C), make([]float32, k.C)}
	op.Fwd = func(y []float32, in [][]float32) {
		k.ForwardTrainAdd(y, in[0], addend(in), in[1], st.mean, st.vari, st.istd)
		unbiased := m / max(m-1, 1)
		for c := range bn.RunMean {
			bn.RunMean[c] = (1-bn.Momentum)*bn.RunMean[c] + bn.Momentum*st.mean[c]
			bn.RunVar[c] = (1-bn.Momentum)*bn.RunVar[c] + bn.Momentum*st.vari[c]*unbiased
		}
	}
	op.Bwd = func(in G.Nodes, y, dy *G.Node) (G.Nodes, error) {
		grads := b.bnBackward(k, bn, st, in, y, dy, short == nil)
		switch {
		case short == nil:
		case sk != nil:
			sk.y, sk.dy = y, dy
			grads = append(grads, nil)
		default:
			grads = append(grads, b.apply(&graphop.Op{Name: "daddrelu", InDims: []int{len(s), len(s)}, Shape: s.Clone(),
				Fwd: func(dx []float32, in [][]float32) { nn.AddReLUBackward(dx, in[0], in[1]) }}, y, dy))
		}
		return grads, b.err
	}
	return b.apply(op, ins...)
}

// bnStats are one graph's batch statistics of one BatchNorm.
type bnStats struct{ mean, vari, istd []float32 }

// bnBackward builds a training BatchNorm's dx and daffine from its input,
// output y and gradient dy. dx reuses daffine, so it takes that node as
// an input and runs after the daffine op; when last, dx is dy's last
// reader and overwrites it (not so when a shortcut reads dy too).
func (b *builder) bnBackward(k nn.BatchNorm, bn *BatchNorm, st *bnStats, in G.Nodes, y, dy *G.Node, last bool) G.Nodes {
	s := y.Shape()
	inPlace := 0
	if last {
		inPlace = 4
	}
	da := b.apply(&graphop.Op{Name: "dbn.affine." + bn.Affine.Name, InDims: []int{len(s), len(s), len(s)}, Shape: tensor.Shape{2, k.C},
		Fwd: func(da []float32, in [][]float32) { k.BackwardParams(da, in[0], in[1], in[2], st.mean, st.istd) }},
		in[0], y, dy)
	dx := b.apply(&graphop.Op{Name: "dbn.x." + bn.Affine.Name, InDims: []int{len(s), 2, len(s), len(s), 2}, Shape: s.Clone(), InPlace: inPlace,
		Fwd: func(dx []float32, in [][]float32) {
			k.BackwardInput(dx, in[0], in[2], in[3], in[1], in[4], st.mean, st.istd)
		}},
		in[0], in[1], y, dy, da)
	return G.Nodes{dx, da}
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

func fanInBound(fanIn int) float64 { return 1 / math.Sqrt(float64(fanIn)) }
