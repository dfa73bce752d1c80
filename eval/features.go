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
	if batch <= 0 {
		batch = 256
	}
	n := d.Len()
	if n == 0 {
		return nil, fmt.Errorf("eval: %s has no images", d.Name)
	}
	batch = min(batch, n)
	pipe, err := augment.New(augment.Config{})
	if err != nil {
		return nil, err
	}
	g, err := m.Graph(batch, d.H, d.W, false)
	if err != nil {
		return nil, err
	}
	vm := G.NewTapeMachine(g.G)
	defer vm.Close()
	f := m.Features
	out := make([]float32, n*f)
	vs := pipe.ViewSize(d)
	idx := make([]int, 0, batch)
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
	return out, nil
}
