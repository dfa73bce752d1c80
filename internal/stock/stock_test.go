package stock

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/graphop"
)

// TestCustomOpsMatchStockOps compares loss and every gradient of our
// custom-op graph with the same network built from gorgonia's stock ops.
func TestCustomOpsMatchStockOps(t *testing.T) {
	m, _ := encoder.New(encoder.Config{Seed: 4})
	const n, side = 8, 16
	s, err := New(m, n, side, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := m.Graph(n, side, side, true)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(2, 2))
	for i := range ours.Input {
		v := float32(r.NormFloat64())
		ours.Input[i], s.Input[i] = v, v
	}
	l, _ := contrastive.New(0.5)
	loss, _ := l.Node(ours.Z)
	grads, err := G.Grad(loss, ours.Params...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(ours.G)
	defer vm.Close()
	svm := G.NewTapeMachine(s.G)
	defer svm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if err := svm.RunAll(); err != nil {
		t.Fatal(err)
	}
	a, _ := graphop.Data(loss.Value())
	b, _ := graphop.Data(s.Loss.Value())
	if math.Abs(float64(a[0]-b[0])) > 1e-5 {
		t.Fatalf("loss %v (custom ops) vs %v (stock ops)", a[0], b[0])
	}
	// Stock params split BN affine into gamma and beta; compare each piece.
	si := 0
	for i, p := range m.Params() {
		got, _ := graphop.Data(grads[i].Value())
		var want []float32
		if p.NoDecay && len(p.Shape) == 2 {
			g1, _ := graphop.Data(s.Grads[si].Value())
			g2, _ := graphop.Data(s.Grads[si+1].Value())
			want = append(append(want, g1...), g2...)
			si += 2
		} else {
			want, _ = graphop.Data(s.Grads[si].Value())
			si++
		}
		if len(want) != len(got) {
			t.Fatalf("%s: %d vs %d gradient elements", p.Name, len(got), len(want))
		}
		var diff, norm float64
		for j := range got {
			diff += math.Abs(float64(got[j] - want[j]))
			norm += math.Abs(float64(want[j]))
		}
		if diff > 1e-4*norm+1e-6 {
			t.Errorf("%s: custom and stock gradients differ: relative L1 %.3g", p.Name, diff/norm)
		}
	}
}
