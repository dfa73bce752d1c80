package eval

import (
	"context"
	"math/rand/v2"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/graphop"
)

// BenchFeatures times what Features runs per batch, the encoder's
// eval-mode forward pass to h, on fixed random side×side images: warmup
// untimed batches, then the mean of steps. It returns images per second.
func BenchFeatures(ctx context.Context, m *encoder.Model, batch, side, warmup, steps int) (float64, error) {
	g, err := m.EncoderGraph(batch, side, side, false)
	if err != nil {
		return 0, err
	}
	vm, err := graphop.NewMachine(g.G, G.Nodes{g.H})
	if err != nil {
		return 0, err
	}
	defer vm.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range g.Input {
		g.Input[i] = float32(r.NormFloat64())
	}
	var start time.Time
	for i := range warmup + steps {
		if i == warmup {
			start = time.Now()
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := vm.RunAll(); err != nil {
			return 0, err
		}
		vm.Reset()
	}
	return float64(batch*steps) / time.Since(start).Seconds(), nil
}
