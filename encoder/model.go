package encoder

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Config selects and sizes a model. The zero value is the paper-style
// CIFAR setting at CPU size: the "small" encoder with a 2-layer projection
// head of hidden width 256 and output 128.
type Config struct {
	Arch    string `json:"arch"`     // "small" (default)
	ProjDim int    `json:"proj_dim"` // output dimension of the head; 0 means 128
	Seed    uint64 `json:"seed"`     // initialisation seed
}

// Resolved returns c with defaults filled in, or an error for bad values.
func (c Config) Resolved() (Config, error) {
	if c.Arch == "" {
		c.Arch = "small"
	}
	if c.Arch != "small" {
		return c, fmt.Errorf("encoder: unknown architecture %q (want small)", c.Arch)
	}
	if c.ProjDim == 0 {
		c.ProjDim = 128
	}
	if c.ProjDim < 0 {
		return c, fmt.Errorf("encoder: projection dimension %d must be positive", c.ProjDim)
	}
	return c, nil
}

// smallWidths are the small encoder's conv widths; pools follow convs 2 and 3.
var smallWidths = [4]int{32, 64, 128, 256}

// Model is an encoder and its projection head.
type Model struct {
	Config   Config
	Features int // dimension of h

	convs  [4]*Param
	bns    [4]*BatchNorm
	head1  *Param // Features × Features, no bias (BN follows)
	headBN *BatchNorm
	head2  *Param // Features × ProjDim
	head2b *Param
}

// New makes a model with PyTorch-default initialisation from cfg.Seed:
// conv and linear weights U(±1/sqrt(fan_in)), BatchNorm γ=1, β=0.
func New(cfg Config) (*Model, error) {
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	m := &Model{Config: cfg, Features: smallWidths[3]}
	in := 3
	for i, w := range smallWidths {
		m.convs[i] = newParam(fmt.Sprintf("conv%d.w", i+1), false, w, in, 3, 3)
		m.convs[i].uniform(r, fanInBound(in*9))
		m.bns[i] = newBatchNorm(fmt.Sprintf("bn%d", i+1), w)
		in = w
	}
	f := m.Features
	m.head1 = newParam("head1.w", false, f, f)
	m.head1.uniform(r, fanInBound(f))
	m.headBN = newBatchNorm("head.bn", f)
	m.head2 = newParam("head2.w", false, f, cfg.ProjDim)
	m.head2.uniform(r, fanInBound(f))
	m.head2b = newParam("head2.b", true, cfg.ProjDim)
	m.head2b.uniform(r, fanInBound(f))
	return m, nil
}

// Params lists the learnable tensors in a fixed order.
func (m *Model) Params() []*Param {
	ps := make([]*Param, 0, 12)
	for i := range m.convs {
		ps = append(ps, m.convs[i], m.bns[i].Affine)
	}
	return append(ps, m.head1, m.headBN.Affine, m.head2, m.head2b)
}

func (m *Model) batchNorms() []*BatchNorm {
	return append(m.bns[:], m.headBN)
}

// Graph is a model laid out on a gorgonia graph for one batch size and mode.
type Graph struct {
	G      *G.ExprGraph
	X      *G.Node   // input, N×3×H×W; its value's backing is Input
	H, Z   *G.Node   // representation and projection
	Params G.Nodes   // parameter nodes, in Model.Params order
	Input  []float32 // write the batch here before running
}

// Graph builds the model for batches of n images of h×w pixels; train
// selects batch statistics (and running-statistic updates) over running
// statistics. Parameter gradients are not part of the graph: add a loss on
// Z (or H) and call gorgonia.Grad(loss, g.Params...).
func (m *Model) Graph(n, h, w int, train bool) (*Graph, error) {
	if n < 1 || h%4 != 0 || w%4 != 0 || h < 4 || w < 4 {
		return nil, fmt.Errorf("encoder: cannot build for %d images of %dx%d (need n>=1, sides divisible by 4)", n, h, w)
	}
	if train && n < 2 {
		return nil, fmt.Errorf("encoder: training batch norm needs at least 2 images, got %d", n)
	}
	g := G.NewGraph()
	input := make([]float32, n*3*h*w)
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(n, 3, h, w), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(n, 3, h, w), tensor.WithBacking(input))))
	b := &builder{g: g, train: train}
	y := x
	for i := range m.convs {
		y = b.batchNorm(b.conv(y, m.convs[i]), m.bns[i], true)
		if i == 1 || i == 2 {
			y = b.maxPool(y)
		}
	}
	hn := b.avgPool(y)
	z := b.linear(b.batchNorm(b.linear(hn, m.head1, nil), m.headBN, true), m.head2, m.head2b)
	if b.err != nil {
		return nil, b.err
	}
	// builder records params in build order; reorder to Model.Params order.
	byName := map[string]*G.Node{}
	for _, p := range b.params {
		byName[p.Name()] = p
	}
	var params G.Nodes
	for _, p := range m.Params() {
		params = append(params, byName[p.Name])
	}
	return &Graph{G: g, X: x, H: hn, Z: z, Params: params, Input: input}, nil
}

// State returns copies of every tensor that defines the model: parameters
// by name, and each BatchNorm's running statistics as NAME.mean / NAME.var.
func (m *Model) State() map[string][]float32 {
	s := map[string][]float32{}
	for _, p := range m.Params() {
		s[p.Name] = append([]float32(nil), p.Data...)
	}
	for _, bn := range m.batchNorms() {
		s[bn.Affine.Name+".mean"] = append([]float32(nil), bn.RunMean...)
		s[bn.Affine.Name+".var"] = append([]float32(nil), bn.RunVar...)
	}
	return s
}

// Load copies a State into the model; every tensor must be present and
// sized as the model's.
func (m *Model) Load(s map[string][]float32) error {
	set := func(name string, dst []float32) error {
		src, ok := s[name]
		if !ok {
			return fmt.Errorf("encoder: state has no tensor %q", name)
		}
		if len(src) != len(dst) {
			return fmt.Errorf("encoder: tensor %q has %d elements, model needs %d", name, len(src), len(dst))
		}
		copy(dst, src)
		return nil
	}
	for _, p := range m.Params() {
		if err := set(p.Name, p.Data); err != nil {
			return err
		}
	}
	for _, bn := range m.batchNorms() {
		if err := set(bn.Affine.Name+".mean", bn.RunMean); err != nil {
			return err
		}
		if err := set(bn.Affine.Name+".var", bn.RunVar); err != nil {
			return err
		}
	}
	return nil
}

// TrainFLOPsPerView is the arithmetic of one training step per input
// view of h×w pixels: forward multiply-adds of the convolutions and linear
// layers, ×2 for FLOPs, ×3 for forward plus the two backward products.
// Elementwise work (BatchNorm, pooling, the loss) is not counted.
func (m *Model) TrainFLOPsPerView(h, w int) float64 {
	var macs float64
	in, s := 3, float64(h*w)
	for i, p := range m.convs {
		out := p.Shape[0]
		macs += float64(in*p.Shape[2]*p.Shape[3]*out) * s
		in = out
		if i == 1 || i == 2 {
			s /= 4
		}
	}
	macs += float64(len(m.head1.Data) + len(m.head2.Data))
	return 6 * macs
}
