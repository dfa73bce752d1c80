package eval

import (
	"container/heap"
	"context"
	"errors"
	"math"

	"github.com/simclr-go/simclr/internal/gemm"
)

// KNN classifies each test row by a weighted vote of its k nearest
// training rows under cosine similarity, each neighbour voting
// exp(similarity/τ) for its class (the protocol of InstDisc and lightly's
// kNN monitor; k = 200, τ = 0.1 there). It returns top-1 accuracy.
func KNN(ctx context.Context, train, test Set, classes, k int, tau float64) (float64, error) {
	if err := train.check(classes); err != nil {
		return 0, err
	}
	if err := test.check(classes); err != nil {
		return 0, err
	}
	if train.D != test.D {
		return 0, errors.New("eval: train and test features differ in dimension")
	}
	if k < 1 || !(tau > 0) {
		return 0, errors.New("eval: kNN needs k >= 1 and τ > 0")
	}
	k = min(k, train.N())
	a, b := unitRows(train), unitRows(test)
	d, n := train.D, train.N()
	const chunk = 256
	sim := make([]float32, chunk*n)
	votes := make([]float64, classes)
	var h nearest
	hit := 0
	for lo := 0; lo < test.N(); lo += chunk {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		rows := min(chunk, test.N()-lo)
		gemm.Parallel(0, false, true, rows, n, d, 1, b[lo*d:], d, a, d, 0, sim, n)
		for r := 0; r < rows; r++ {
			h = h[:0]
			for j, s := range sim[r*n : (r+1)*n] {
				if len(h) < k {
					heap.Push(&h, neighbour{s, j})
				} else if s > h[0].sim {
					h[0] = neighbour{s, j}
					heap.Fix(&h, 0)
				}
			}
			// Votes exp(s/τ), scaled by exp(−max/τ) so that a small τ
			// cannot overflow to +Inf and tie every class.
			top := float64(h[0].sim)
			for _, nb := range h {
				top = max(top, float64(nb.sim))
			}
			clear(votes)
			for _, nb := range h {
				votes[train.Labels[nb.idx]] += math.Exp((float64(nb.sim) - top) / tau)
			}
			if int32(Argmax(votes)) == test.Labels[lo+r] {
				hit++
			}
		}
	}
	return float64(hit) / float64(test.N()), nil
}

// unitRows returns s's rows scaled to unit length (zero rows stay zero).
func unitRows(s Set) []float32 {
	out := make([]float32, len(s.X))
	for i := 0; i < s.N(); i++ {
		row := s.X[i*s.D : (i+1)*s.D]
		var ss float64
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		inv := float32(1 / math.Max(math.Sqrt(ss), 1e-12))
		for j, v := range row {
			out[i*s.D+j] = v * inv
		}
	}
	return out
}

type neighbour struct {
	sim float32
	idx int
}

// nearest is a min-heap on similarity: its root is the weakest of the k kept.
type nearest []neighbour

func (h nearest) Len() int           { return len(h) }
func (h nearest) Less(i, j int) bool { return h[i].sim < h[j].sim }
func (h nearest) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nearest) Push(x any)        { *h = append(*h, x.(neighbour)) }
func (h *nearest) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
