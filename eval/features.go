package eval

import (
	"context"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/graphop"
)

// Features returns h for every image of d (N×m.Features), computed in
// batches of batch images (0 means 256) with eval-mode BatchNorm.
func Features(ctx context.Context, m *encoder.Model, d *datasets.Dataset, batch int) ([]float32, error) {
	fs, err := FeaturesOf(ctx, m, batch, d)
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// FeaturesOf is Features for several datasets of one image size (a train
// and a test split, say), sharing one compiled eval graph.
func FeaturesOf(ctx context.Context, m *encoder.Model, batch int, ds ...*datasets.Dataset) ([][]float32, error) {
	return FeaturesWith(ctx, m, nil, batch, ds...)
}

// FeaturesWith is FeaturesOf with the images prepared by pipe's Plain
// (resized to its output size, normalised with its recipe's mean and std),
// as the encoder saw them in training; nil means augment's zero Config.
func FeaturesWith(ctx context.Context, m *encoder.Model, pipe *augment.Pipeline, batch int, ds ...*datasets.Dataset) ([][]float32, error) {
	if batch <= 0 {
		batch = 256
	}
	if len(ds) == 0 {
		return nil, nil
	}
	most := 0
	for _, d := range ds {
		if d.Len() == 0 {
			return nil, fmt.Errorf("eval: %s has no images", d.Name)
		}
		if d.H != ds[0].H || d.W != ds[0].W {
			return nil, fmt.Errorf("eval: %s is %dx%d, %s %dx%d", d.Name, d.H, d.W, ds[0].Name, ds[0].H, ds[0].W)
		}
		most = max(most, d.Len())
	}
	batch = min(batch, most)
	if pipe == nil {
		var err error
		if pipe, err = augment.New(augment.Config{}); err != nil {
			return nil, err
		}
	}
	side := pipe.Side(ds[0].H)
	g, err := m.EncoderGraph(batch, side, side, false) // h only: no head
	if err != nil {
		return nil, err
	}
	vm, err := graphop.NewMachine(g.G, G.Nodes{g.H})
	if err != nil {
		return nil, err
	}
	defer vm.Close()
	f := m.Features
	vs := pipe.ViewSize(ds[0])
	idx := make([]int, 0, batch)
	var outs [][]float32
	for _, d := range ds {
		n := d.Len()
		out := make([]float32, n*f)
		for lo := 0; lo < n; lo += batch {
			hi := min(lo+batch, n)
			idx = idx[:0]
			for i := lo; i < hi; i++ {
				idx = append(idx, i)
			}
			if err := pipe.Plain(ctx, g.Input[:len(idx)*vs], d, idx); err != nil {
				return nil, err
			}
			clear(g.Input[len(idx)*vs:]) // a short last batch; eval BN is per image
			if err := vm.RunAll(); err != nil {
				return nil, fmt.Errorf("eval: forward: %w", err)
			}
			h, err := graphop.Data(g.H.Value())
			if err != nil {
				return nil, err
			}
			copy(out[lo*f:hi*f], h)
			vm.Reset()
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// PixelFeatures is the raw-pixel baseline: each image of ds as the
// normalised pixels of augment's zero Config (CIFAR mean and std), no
// encoder. It returns the features of each dataset and their dimension.
func PixelFeatures(ctx context.Context, ds ...*datasets.Dataset) ([][]float32, int, error) {
	p, err := augment.New(augment.Config{})
	if err != nil || len(ds) == 0 {
		return nil, 0, err
	}
	var out [][]float32
	for _, d := range ds {
		idx := make([]int, d.Len())
		for i := range idx {
			idx[i] = i
		}
		x := make([]float32, d.Len()*p.ViewSize(d))
		if err := p.Plain(ctx, x, d, idx); err != nil {
			return nil, 0, err
		}
		out = append(out, x)
	}
	return out, p.ViewSize(ds[0]), nil
}
