package nn

import "github.com/simclr-go/simclr/internal/gemm"

// Linear describes y = x·W (+ b) with x N×In, W In×Out, b Out, y N×Out.
type Linear struct{ N, In, Out int }

// Forward computes y; b may be nil.
func (l Linear) Forward(y, x, w, b []float32) {
	gemm.Parallel(0, false, false, l.N, l.Out, l.In, 1, x, l.In, w, l.Out, 0, y, l.Out)
	if b != nil {
		for n := 0; n < l.N; n++ {
			row := y[n*l.Out : (n+1)*l.Out]
			for j := range row {
				row[j] += b[j]
			}
		}
	}
}

// BackwardInput computes dx = dy·Wᵀ.
func (l Linear) BackwardInput(dx, w, dy []float32) {
	gemm.Parallel(0, false, true, l.N, l.In, l.Out, 1, dy, l.Out, w, l.Out, 0, dx, l.In)
}

// BackwardWeight computes dW = xᵀ·dy.
func (l Linear) BackwardWeight(dw, x, dy []float32) {
	gemm.Parallel(0, true, false, l.In, l.Out, l.N, 1, x, l.In, dy, l.Out, 0, dw, l.Out)
}

// BackwardBias computes db = Σ_n dy[n].
func (l Linear) BackwardBias(db, dy []float32) {
	clear(db)
	for n := 0; n < l.N; n++ {
		for j, g := range dy[n*l.Out : (n+1)*l.Out] {
			db[j] += g
		}
	}
}
