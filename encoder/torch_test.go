package encoder

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/internal/graphop"
	G "gorgonia.org/gorgonia"
)

// TestMatchesPyTorch runs one training-mode forward and backward of the
// small encoder, head and NT-Xent on closed-form weights and inputs, and
// compares with PyTorch in float64 (testdata/torch_step.json, written by
// experiments/golden_step.py): loss, projections and every parameter's
// gradient (its norm and its dot product with a fixed probe vector).
func TestMatchesPyTorch(t *testing.T) {
	t.Run("small", func(t *testing.T) { matchPyTorch(t, "testdata/torch_step.json", Config{}) })
	t.Run("resnet18", func(t *testing.T) {
		matchPyTorch(t, "testdata/torch_step_resnet18.json", Config{Arch: "resnet18", Width: 0.125})
	})
}

func matchPyTorch(t *testing.T, golden string, cfg Config) {
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Views  int     `json:"views"`
		Loss   float64 `json:"loss"`
		ZSum   float64 `json:"z_sum"`
		ZProbe float64 `json:"z_probe"`
		Grads  []struct {
			Norm, Probe float64
		} `json:"grads"`
		RunningVar []float64 `json:"running_var_bn1"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Grads) != len(m.Params()) {
		t.Fatalf("golden file has %d gradients, model %d parameters", len(want.Grads), len(m.Params()))
	}
	formula := func(dst []float32, pidx int, scale, base float64) {
		for i := range dst {
			dst[i] = float32(base + scale*math.Sin(0.7*float64(i)+1.1*float64(pidx)+0.3))
		}
	}
	for pidx, p := range m.Params() {
		switch {
		case p.NoDecay && len(p.Shape) == 2: // BatchNorm affine: gamma = 1 + ., beta = .
			formula(p.Data, pidx, 0.1, 0)
			c := p.Shape[1]
			for i := 0; i < c; i++ {
				p.Data[i]++
			}
		case len(p.Shape) == 4:
			formula(p.Data, pidx, 1/math.Sqrt(float64(p.Shape[1]*p.Shape[2]*p.Shape[3])), 0)
		default: // linear weights and the bias: 1/sqrt(features)
			formula(p.Data, pidx, 1/math.Sqrt(float64(m.Features)), 0)
		}
	}
	g, err := m.Graph(want.Views, 32, 32, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Input {
		g.Input[i] = float32(math.Sin(0.013*float64(i)) + 0.5*math.Cos(0.7*float64(i)))
	}
	l, _ := contrastive.New(0.5)
	loss, _ := l.Node(g.Z)
	grads, err := G.Grad(loss, g.Params...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	close := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.7g, PyTorch %.7g", name, got, want)
		}
	}
	lv, _ := graphop.Data(loss.Value())
	close("loss", float64(lv[0]), want.Loss, 1e-5)
	z, _ := graphop.Data(g.Z.Value())
	var zs, zp float64
	for i, v := range z {
		zs += float64(v)
		zp += float64(v) * math.Cos(0.31*float64(i))
	}
	close("sum(z)", zs, want.ZSum, 1e-4)
	close("z·probe", zp, want.ZProbe, 1e-4)
	for i, p := range m.Params() {
		d, _ := graphop.Data(grads[i].Value())
		var norm, pr float64
		for j, v := range d {
			norm += float64(v) * float64(v)
			pr += float64(v) * math.Cos(0.31*float64(j))
		}
		w := want.Grads[i]
		close("|∂L/∂"+p.Name+"|", math.Sqrt(norm), w.Norm, 1e-4)
		close("∂L/∂"+p.Name+"·probe", pr, w.Probe, 1e-4)
	}
	for c, v := range want.RunningVar {
		close("bn1 running var", float64(m.batchNorms()[0].RunVar[c]), v, 1e-5)
	}
}
