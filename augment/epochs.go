package augment

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"time"

	"github.com/simclr-go/simclr/datasets"
)

// EpochSeconds times rounds fresh epochs of d through a Stream (two views
// per image, batches of batch, a new shuffle each round), drained as the
// trainer drains it: the augmentation's own speed, for benchmarks.
func (p *Pipeline) EpochSeconds(ctx context.Context, d *datasets.Dataset, batch, rounds int) ([]float64, error) {
	var secs []float64
	for r := range rounds {
		order := rand.New(rand.NewPCG(1, uint64(r))).Perm(d.Len())
		start := time.Now()
		st, err := p.Stream(ctx, d, order, batch, 2, r, 0)
		if err != nil {
			return nil, err
		}
		for {
			_, err := st.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				st.Close()
				return nil, err
			}
		}
		st.Close()
		secs = append(secs, time.Since(start).Seconds())
	}
	return secs, nil
}
