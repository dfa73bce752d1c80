package encoder

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/internal/graphop"
	G "gorgonia.org/gorgonia"
)

func TestBatchNormDefaults(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bn := range m.batchNorms() {
		c := len(bn.RunMean)
		if got := bn.Affine.Shape; len(got) != 2 || got[0] != 2 || got[1] != c {
			t.Fatalf("%s: affine shape %v, want [2 %d]", bn.Affine.Name, got, c)
		}
		for i := 0; i < c; i++ {
			if bn.Affine.Data[i] != 1 || bn.Affine.Data[c+i] != 0 || bn.RunMean[i] != 0 || bn.RunVar[i] != 1 {
				t.Fatalf("%s: channel %d not gamma=1 beta=0 mean=0 var=1", bn.Affine.Name, i)
			}
		}
		if bn.Momentum != 0.1 || bn.Eps != 1e-5 {
			t.Fatalf("momentum/eps %v/%v", bn.Momentum, bn.Eps)
		}
	}
	if m.Features != 256 || m.Config.ProjDim != 128 {
		t.Fatalf("features %d proj %d", m.Features, m.Config.ProjDim)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := New(Config{Arch: "vgg"}); err == nil {
		t.Error("unknown arch accepted")
	}
	if _, err := New(Config{ProjDim: -1}); err == nil {
		t.Error("negative projection accepted")
	}
	m, _ := New(Config{})
	if _, err := m.Graph(4, 30, 30, false); err == nil {
		t.Error("30x30 accepted")
	}
	for _, c := range []Config{{Width: -1}, {HeadDepth: 4}} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := m.Graph(1, 32, 32, true); err == nil {
		t.Error("training batch of 1 accepted")
	}
}

// lossGraph builds model + NT-Xent for a batch of n images (n/2 pairs).
func lossGraph(t *testing.T, m *Model, n, side int) (*Graph, *G.Node, G.Nodes, G.VM) {
	t.Helper()
	g, err := m.Graph(n, side, side, true)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := contrastive.New(0.5)
	loss, err := l.Node(g.Z)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(loss, g.Params...)
	if err != nil {
		t.Fatal(err)
	}
	return g, loss, grads, G.NewTapeMachine(g.G)
}

func run(t *testing.T, vm G.VM, loss *G.Node) float64 {
	t.Helper()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	defer vm.Reset()
	v, _ := graphop.Data(loss.Value())
	return float64(v[0])
}

// TestGradientsThroughGraph checks every parameter's gradient, as
// gorgonia.Grad assembles it from our ops, against finite differences of
// the loss computed by the same graph.
func TestGradientsThroughGraph(t *testing.T) {
	m, _ := New(Config{Seed: 3, ProjDim: 16})
	n, side := 6, 8
	g, loss, grads, vm := lossGraph(t, m, n, side)
	defer vm.Close()
	r := rand.New(rand.NewPCG(1, 1))
	for i := range g.Input {
		g.Input[i] = float32(r.NormFloat64())
	}
	run(t, vm, loss)
	analytic := make([][]float32, len(grads))
	for i, gn := range grads {
		d, _ := graphop.Data(gn.Value())
		analytic[i] = append([]float32(nil), d...)
	}
	// ReLU and max-pool kinks bias single finite differences in float32, so
	// each pair gets a loose bound (which wiring mistakes still break) and
	// the whole set must agree in direction to 0.995.
	var dot, na, nf float64
	for pi, p := range m.Params() {
		for trial := 0; trial < 6; trial++ {
			j := r.IntN(len(p.Data))
			old := p.Data[j]
			const eps = 1e-3
			p.Data[j] = old + eps
			lp := run(t, vm, loss)
			p.Data[j] = old - eps
			lm := run(t, vm, loss)
			p.Data[j] = old
			fd := (lp - lm) / (2 * eps)
			got := float64(analytic[pi][j])
			if math.Abs(got-fd) > 0.25*math.Abs(fd)+0.02 {
				t.Errorf("%s[%d]: grad %v, finite difference %v", p.Name, j, got, fd)
			}
			dot += got * fd
			na += got * got
			nf += fd * fd
		}
	}
	if cos := dot / math.Sqrt(na*nf); cos < 0.995 {
		t.Errorf("analytic and finite-difference gradients have cosine %v, want >= 0.995", cos)
	}
}

// The backward pass computes the input gradient of every convolution but
// the first: nothing reads the gradient of the images.
func TestNoGradientForTheImages(t *testing.T) {
	for _, arch := range []string{"small", "resnet18"} {
		m, _ := New(Config{Arch: arch, Width: 0.25, Seed: 3, ProjDim: 16})
		g, _, _, vm := lossGraph(t, m, 4, 8)
		vm.Close()
		dx := map[string]bool{}
		for _, n := range g.G.AllNodes() {
			if op, ok := n.Op().(*graphop.Op); ok && strings.HasPrefix(op.Name, "dconv.x.") {
				dx[strings.TrimPrefix(op.Name, "dconv.x.")] = true
			}
		}
		convs := 0
		for i, p := range m.Params() {
			if len(p.Shape) != 4 {
				continue
			}
			convs++
			if dx[p.Name] == (i == 0) {
				t.Errorf("%s: %s has an input-gradient node: %v (want only for convolutions after the first)", arch, p.Name, dx[p.Name])
			}
		}
		if len(dx) != convs-1 {
			t.Errorf("%s: %d input-gradient nodes for %d convolutions", arch, len(dx), convs)
		}
	}
}

func TestEvalGraphUsesRunningStatsAndSharesParams(t *testing.T) {
	m, _ := New(Config{Seed: 1})
	g, err := m.Graph(3, 8, 8, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Input {
		g.Input[i] = float32(i%7) / 7
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	h1 := runH(t, vm, g)
	// Eval output of an image must not depend on the other images.
	g.Input[len(g.Input)-1] += 5
	h2 := runH(t, vm, g)
	for i := 0; i < m.Features; i++ {
		if h1[i] != h2[i] {
			t.Fatal("eval-mode h of image 0 changed when image 2 changed")
		}
	}
	// Updating Param.Data in place must change the graph's output.
	for i := range m.Params()[0].Data {
		m.Params()[0].Data[i] *= 2
	}
	h3 := runH(t, vm, g)
	same := true
	for i := range h3 {
		same = same && h3[i] == h2[i]
	}
	if same {
		t.Fatal("graph did not see the parameter update")
	}
}

func runH(t *testing.T, vm G.VM, g *Graph) []float32 {
	t.Helper()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	defer vm.Reset()
	d, _ := graphop.Data(g.H.Value())
	return append([]float32(nil), d...)
}

func TestStateRoundTrip(t *testing.T) {
	a, _ := New(Config{Seed: 1})
	b, _ := New(Config{Seed: 2})
	if err := b.Load(a.State()); err != nil {
		t.Fatal(err)
	}
	for name, v := range a.State() {
		w := b.State()[name]
		for i := range v {
			if v[i] != w[i] {
				t.Fatalf("%s differs after Load", name)
			}
		}
	}
	s := a.State()
	delete(s, "conv1.w")
	if err := b.Load(s); err == nil {
		t.Fatal("missing tensor accepted")
	}
}
