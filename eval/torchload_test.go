package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/graphop"
	G "gorgonia.org/gorgonia"
)

var update = flag.Bool("update", false, "rewrite testdata/torchload/*/model.safetensors and images.u8 (then run experiments/torch_load.py --golden DIR for features.json)")

// torchModel is a model with every tensor non-trivial: weights from the
// seed, BatchNorm γ, β and running statistics set from closed forms.
func torchModel(t *testing.T, cfg encoder.Config) *Encoder {
	m, err := encoder.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := m.State()
	for name, v := range s {
		switch {
		case strings.HasSuffix(name, ".mean"):
			for i := range v {
				v[i] = 0.2 * float32(math.Sin(float64(i)))
			}
		case strings.HasSuffix(name, ".var"):
			for i := range v {
				v[i] = 0.5 + 0.4*float32(math.Cos(float64(i)))
			}
		case strings.Contains(name, "bn"): // γ then β
			for i := range v {
				v[i] = 0.9 + 0.1*float32(math.Sin(float64(3*i)))
			}
		}
	}
	if err := m.Load(s); err != nil {
		t.Fatal(err)
	}
	p, err := augment.New(augment.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &Encoder{Model: m, Pipe: p, Side: 32}
}

// A model exported with WriteWeights and loaded by experiments/torch_load.py
// gives the features Go computes, to 1e-4 (goldens made by that script from
// the committed files; this test needs no Python). The export is
// deterministic: it reproduces the committed file byte for byte.
func TestTorchLoaderFeatures(t *testing.T) {
	for name, cfg := range map[string]encoder.Config{
		"small":    {Arch: "small", Width: 0.25, ProjDim: 16, Seed: 3},
		"resnet18": {Arch: "resnet18", Width: 0.125, HeadDepth: 3, ProjDim: 8, Seed: 4},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "torchload", name)
			e := torchModel(t, cfg)
			var w bytes.Buffer
			if err := e.WriteWeights(&w); err != nil {
				t.Fatal(err)
			}
			const n = 6
			d := &datasets.Dataset{Name: "golden", C: 3, H: 32, W: 32, Labels: make([]int32, n), Classes: []string{"x"}}
			nhwc := make([]byte, n*32*32*3)
			for i := range nhwc {
				nhwc[i] = byte((i*i/7 + i/3) % 256)
			}
			d.Pixels = make([]uint8, len(nhwc)) // planar, as datasets hold images
			for i := range n {
				for p := range 32 * 32 {
					for c := range 3 {
						d.Pixels[i*3072+c*1024+p] = nhwc[i*3072+p*3+c]
					}
				}
			}
			if *update {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, "model.safetensors"), w.Bytes(), 0o644)
				os.WriteFile(filepath.Join(dir, "images.u8"), nhwc, 0o644)
				t.Skip("wrote the inputs; now run experiments/torch_load.py --golden " + dir)
			}
			if b, err := os.ReadFile(filepath.Join(dir, "model.safetensors")); err != nil || !bytes.Equal(b, w.Bytes()) {
				t.Fatalf("the export differs from the committed %s (%v)", filepath.Join(dir, "model.safetensors"), err)
			}
			var golden struct {
				Shape       []int
				Features    []float64
				Projections []float64
			}
			b, err := os.ReadFile(filepath.Join(dir, "features.json"))
			if err == nil {
				err = json.Unmarshal(b, &golden)
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := FeaturesWith(context.Background(), e.Model, e.Pipe, 0, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(golden.Features) != len(got[0]) || golden.Shape[1] != e.Model.Features {
				t.Fatalf("golden %v, Go %d×%d", golden.Shape, n, e.Model.Features)
			}
			z := projections(t, e, d)
			if len(golden.Projections) != len(z) {
				t.Fatalf("golden has %d projections, Go %d", len(golden.Projections), len(z))
			}
			for what, pair := range map[string][2][]float64{"features": {golden.Features, widen(got[0])}, "projections": {golden.Projections, widen(z)}} {
				worst := 0.0
				for i, v := range pair[1] {
					worst = math.Max(worst, math.Abs(v-pair[0][i])/math.Max(1, math.Abs(pair[0][i])))
				}
				if worst > 1e-4 {
					t.Fatalf("%s differ from PyTorch's by %.3g (relative), want ≤ 1e-4", what, worst)
				}
				t.Logf("%s %s: worst difference from PyTorch %.2g over %d values", name, what, worst, len(pair[1]))
			}
		})
	}
}

func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// projections is z of every image of d (eval-mode BatchNorm), one batch.
func projections(t *testing.T, e *Encoder, d *datasets.Dataset) []float32 {
	g, err := e.Model.Graph(d.Len(), 32, 32, false)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	if err := e.Pipe.Plain(context.Background(), g.Input, d, idx); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	z, err := graphop.Data(g.Z.Value())
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), z...)
}
