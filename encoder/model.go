package encoder

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/simclr-go/simclr/internal/nn"
)

// Config selects and sizes a model. The zero value is the "small" encoder
// with a 2-layer projection head of hidden width h's and output 128.
type Config struct {
	Arch      string  `json:"arch"`       // "small" (default) or "resnet18"
	Width     float64 `json:"width"`      // channel-width multiplier; 0 means 1
	HeadDepth int     `json:"head_depth"` // linear layers in the projection head: 2 (default) or 3
	ProjDim   int     `json:"proj_dim"`   // output dimension of the head; 0 means 128
	Seed      uint64  `json:"seed"`       // initialisation seed
}

// Resolved returns c with defaults filled in, or an error for bad values.
func (c Config) Resolved() (Config, error) {
	if c.Arch == "" {
		c.Arch = "small"
	}
	if c.Arch != "small" && c.Arch != "resnet18" {
		return c, fmt.Errorf("encoder: unknown architecture %q (want small or resnet18)", c.Arch)
	}
	if c.Width == 0 {
		c.Width = 1
	}
	if !(c.Width > 0) || c.Width > 16 {
		return c, fmt.Errorf("encoder: width multiplier %v outside (0, 16]", c.Width)
	}
	if c.HeadDepth == 0 {
		c.HeadDepth = 2
	}
	if c.HeadDepth != 2 && c.HeadDepth != 3 {
		return c, fmt.Errorf("encoder: projection head depth %d, want 2 or 3", c.HeadDepth)
	}
	if c.ProjDim == 0 {
		c.ProjDim = 128
	}
	if c.ProjDim < 0 || c.ProjDim > 1<<16 {
		return c, fmt.Errorf("encoder: projection dimension %d outside [1, 65536]", c.ProjDim)
	}
	return c, nil
}

func (c Config) width(w int) int { return max(1, int(math.Round(float64(w)*c.Width))) }

// Model is an encoder and its projection head.
type Model struct {
	Config   Config
	Features int // dimension of h

	r      *rand.Rand
	params []*Param
	bns    []*BatchNorm
	// encode builds f: the layers from the input to h.
	encode func(b *builder, x *G.Node) *G.Node
	head   []headLayer
}

// headLayer is one linear layer of the projection head, with BN+ReLU
// after every layer but the last (which has a bias instead).
type headLayer struct {
	w, bias *Param
	bn      *BatchNorm
}

// New makes a model with PyTorch-default initialisation from cfg.Seed:
// conv and linear weights U(±1/sqrt(fan_in)), BatchNorm γ=1, β=0.
func New(cfg Config) (*Model, error) {
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	m := &Model{Config: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0x5eed))}
	switch cfg.Arch {
	case "small":
		m.small()
	case "resnet18":
		m.resnet18()
	}
	f := m.Features
	for i := 0; i < cfg.HeadDepth; i++ {
		name := fmt.Sprintf("head%d", i+1)
		if i == cfg.HeadDepth-1 {
			w := m.linearParam(name+".w", f, cfg.ProjDim)
			b := m.addParam(newParam(name+".b", true, cfg.ProjDim))
			b.uniform(m.r, fanInBound(f))
			m.head = append(m.head, headLayer{w: w, bias: b})
			break
		}
		w := m.linearParam(name+".w", f, f)
		bnName := "head.bn"
		if i > 0 {
			bnName = fmt.Sprintf("head.bn%d", i+1)
		}
		m.head = append(m.head, headLayer{w: w, bn: m.batchNorm(bnName, f)})
	}
	m.r = nil
	return m, nil
}

func (m *Model) addParam(p *Param) *Param {
	m.params = append(m.params, p)
	return p
}

func (m *Model) convParam(name string, cout, cin, k int) *Param {
	p := m.addParam(newParam(name, false, cout, cin, k, k))
	p.uniform(m.r, fanInBound(cin*k*k))
	return p
}

func (m *Model) linearParam(name string, in, out int) *Param {
	p := m.addParam(newParam(name, false, in, out))
	p.uniform(m.r, fanInBound(in))
	return p
}

func (m *Model) batchNorm(name string, c int) *BatchNorm {
	bn := newBatchNorm(name, c)
	m.addParam(bn.Affine)
	m.bns = append(m.bns, bn)
	return bn
}

// small is conv3x3(3→32)-BN-ReLU, conv3x3(32→64)-BN-ReLU, maxpool2,
// conv3x3(64→128)-BN-ReLU, maxpool2, conv3x3(128→256)-BN-ReLU, global
// average pool (widths × Width).
func (m *Model) small() {
	var ws [4]*Param
	var bns [4]*BatchNorm
	in := 3
	for i, w := range [4]int{32, 64, 128, 256} {
		w = m.Config.width(w)
		ws[i] = m.convParam(fmt.Sprintf("conv%d.w", i+1), w, in, 3)
		bns[i] = m.batchNorm(fmt.Sprintf("bn%d", i+1), w)
		in = w
	}
	m.Features = in
	m.encode = func(b *builder, x *G.Node) *G.Node {
		for i := range ws {
			x = b.batchNorm(b.conv(x, ws[i], 1), bns[i], true)
			if i == 1 || i == 2 {
				x = b.maxPool(x)
			}
		}
		return b.avgPool(x)
	}
}

// resnet18 is the CIFAR variant of ResNet-18 (as in the paper's CIFAR
// experiments): a 3×3 stride-1 stem without max-pool, then basic blocks
// [2, 2, 2, 2] of widths 64, 128, 256, 512 (× Width), strides 1, 2, 2, 2,
// 1×1 projection shortcuts where the shape changes, global average pool.
func (m *Model) resnet18() {
	type block struct {
		w1, w2, ws *Param
		b1, b2, bs *BatchNorm
		stride     int
	}
	stem := m.convParam("stem.w", m.Config.width(64), 3, 3)
	stemBN := m.batchNorm("stem.bn", m.Config.width(64))
	in := m.Config.width(64)
	var blocks []block
	for s, w := range [4]int{64, 128, 256, 512} {
		w = m.Config.width(w)
		for j := 0; j < 2; j++ {
			name := fmt.Sprintf("layer%d.%d", s+1, j)
			bl := block{stride: 1}
			if j == 0 && s > 0 {
				bl.stride = 2
			}
			bl.w1 = m.convParam(name+".conv1.w", w, in, 3)
			bl.b1 = m.batchNorm(name+".bn1", w)
			bl.w2 = m.convParam(name+".conv2.w", w, w, 3)
			bl.b2 = m.batchNorm(name+".bn2", w)
			if bl.stride != 1 || in != w {
				bl.ws = m.convParam(name+".shortcut.w", w, in, 1)
				bl.bs = m.batchNorm(name+".shortcut.bn", w)
			}
			blocks = append(blocks, bl)
			in = w
		}
	}
	m.Features = in
	m.encode = func(b *builder, x *G.Node) *G.Node {
		x = b.batchNorm(b.conv(x, stem, 1), stemBN, true)
		for _, bl := range blocks {
			var sk *skip // identity shortcut: conv1 adds its gradient
			if bl.ws == nil {
				sk = new(skip)
			}
			y := b.batchNorm(b.convSkip(x, bl.w1, bl.stride, sk), bl.b1, true)
			y = b.conv(y, bl.w2, 1)
			short := x
			if bl.ws != nil {
				short = b.batchNorm(b.conv(x, bl.ws, bl.stride), bl.bs, false)
			}
			// bn2 and the join, max(bn2(y) + short, 0), as one op.
			x = b.batchNormAdd(y, bl.b2, true, short, sk)
		}
		return b.avgPool(x)
	}
}

// Params lists the learnable tensors in a fixed order.
func (m *Model) Params() []*Param { return m.params }

func (m *Model) batchNorms() []*BatchNorm { return m.bns }

// Graph is a model laid out on a gorgonia graph for one batch size and mode.
type Graph struct {
	G       *G.ExprGraph
	X       *G.Node   // input, N×3×H×W; its value's backing is Input
	H, Z    *G.Node   // representation and projection (Z is nil without the head)
	Params  G.Nodes   // parameter nodes, in Model.Params order
	Tensors []*Param  // the parameters behind Params, in the same order
	Input   []float32 // write the batch here before running
}

// Graph builds the model for batches of n images of h×w pixels; train
// selects batch statistics (and running-statistic updates) over running
// statistics. Each graph has its own batch statistics. Parameter gradients
// are not part of the graph: add a loss on Z (or H) and call
// gorgonia.Grad(loss, g.Params...).
func (m *Model) Graph(n, h, w int, train bool) (*Graph, error) {
	return m.Build(n, h, w, Build{Train: train})
}

// EncoderGraph is Graph without the projection head: it ends at H, and
// Params lists the encoder's parameters only (for a loss on H alone).
func (m *Model) EncoderGraph(n, h, w int, train bool) (*Graph, error) {
	return m.Build(n, h, w, Build{Train: train, NoHead: true})
}

// Build says how Model.Build lays a model out.
type Build struct {
	Train  bool    // batch statistics (and running-statistic updates), else running statistics
	NoHead bool    // end at H: no projection head
	Sync   *SyncBN // training BatchNorm over a data-parallel world's whole batch
}

// SyncBN is the reduction of synchronised BatchNorm: Sum adds a slice of
// per-channel partial sums over the Ranks ranks of the world, in place
// (an all-reduce, in float64), each rank holding the same number of images.
type SyncBN struct {
	Ranks int
	Sum   func([]float64)
}

// Build is Graph with every option.
func (m *Model) Build(n, h, w int, o Build) (*Graph, error) {
	train, head := o.Train, !o.NoHead
	if n < 1 || h%8 != 0 || w%8 != 0 {
		return nil, fmt.Errorf("encoder: cannot build for %d images of %dx%d (need n>=1, sides divisible by 8)", n, h, w)
	}
	if train && n < 2 {
		return nil, fmt.Errorf("encoder: training batch norm needs at least 2 images, got %d", n)
	}
	g := G.NewGraph()
	input := make([]float32, n*3*h*w)
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(n, 3, h, w), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(n, 3, h, w), tensor.WithBacking(input))))
	b := &builder{g: g, train: train}
	if o.Sync != nil && o.Sync.Ranks > 1 {
		b.sync = &nn.Sync{Ranks: o.Sync.Ranks, Sum: o.Sync.Sum}
	}
	hn := m.encode(b, x)
	var z *G.Node
	if head {
		z = hn
		for _, l := range m.head {
			z = b.linear(z, l.w, l.bias)
			if l.bn != nil {
				z = b.batchNorm(z, l.bn, true)
			}
		}
	}
	if b.err != nil {
		return nil, b.err
	}
	gr := &Graph{G: g, X: x, H: hn, Z: z, Input: input}
	// builder records params in build order; reorder to Model.Params order.
	byName := map[string]*G.Node{}
	for _, p := range b.params {
		byName[p.Name()] = p
	}
	for _, p := range m.Params() {
		if nd, ok := byName[p.Name]; ok {
			gr.Params = append(gr.Params, nd)
			gr.Tensors = append(gr.Tensors, p)
		}
	}
	return gr, nil
}

// NewLinear makes the weight (in×out) and bias (out) of a linear layer
// named name, with PyTorch's default initialisation U(±1/√in) from seed:
// a classifier on H, say.
func NewLinear(name string, in, out int, seed uint64) (w, bias *Param) {
	r := rand.New(rand.NewPCG(seed, 0x11ea7))
	w, bias = newParam(name+".w", false, in, out), newParam(name+".b", true, out)
	w.uniform(r, fanInBound(in))
	bias.uniform(r, fanInBound(in))
	return w, bias
}

// Linear adds y = x·w + bias to x's graph (x is N×in). It returns y and
// the nodes of w and bias, for gradients.
func Linear(x *G.Node, w, bias *Param) (*G.Node, G.Nodes, error) {
	b := &builder{g: x.Graph()}
	y := b.linear(x, w, bias)
	return y, b.params, b.err
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
	b := &builder{g: G.NewGraph()}
	x := G.NewTensor(b.g, tensor.Float32, 4, G.WithShape(1, 3, h, w), G.WithName("x"))
	z := m.encode(b, x)
	for _, l := range m.head {
		z = b.linear(z, l.w, l.bias)
	}
	return 6 * b.macs
}
