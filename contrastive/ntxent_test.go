package contrastive

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simclr-go/simclr/internal/graphop"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// reference is an independent float64 NT-Xent, written from eq. 1 with
// explicit loops and no tricks but the max shift.
func reference(z []float32, rows, d int, tau float64) float64 {
	sim := func(i, k int) float64 {
		var dot, ni, nk float64
		for j := 0; j < d; j++ {
			a, b := float64(z[i*d+j]), float64(z[k*d+j])
			dot += a * b
			ni += a * a
			nk += b * b
		}
		return dot / (math.Max(math.Sqrt(ni), 1e-12) * math.Max(math.Sqrt(nk), 1e-12))
	}
	var total float64
	for i := 0; i < rows; i++ {
		p := (i + rows/2) % rows
		var den float64
		for k := 0; k < rows; k++ {
			if k != i {
				den += math.Exp(sim(i, k) / tau)
			}
		}
		total += -math.Log(math.Exp(sim(i, p)/tau) / den)
	}
	return total / float64(rows)
}

func randz(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	z := make([]float32, n)
	for i := range z {
		z[i] = float32(r.NormFloat64())
	}
	return z
}

func TestIdenticalEmbeddingsGiveLog2NMinus1(t *testing.T) {
	for _, n := range []int{1, 2, 8, 64} {
		rows, d := 2*n, 16
		z := make([]float32, rows*d)
		for i := 0; i < rows; i++ {
			for j := 0; j < d; j++ {
				z[i*d+j] = float32(j + 1)
			}
		}
		l, _ := New(0.5)
		got, err := l.Loss(z, rows, d)
		if err != nil {
			t.Fatal(err)
		}
		if want := math.Log(float64(rows - 1)); math.Abs(float64(got)-want) > 1e-5 {
			t.Errorf("N=%d: loss %v, want ln(2N-1) = %v", n, got, want)
		}
	}
}

func TestMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		rows, d int
		tau     float64
	}{{2, 3, 0.5}, {8, 5, 0.1}, {64, 128, 0.5}, {30, 7, 2}, {16, 4, 0.05}} {
		z := randz(uint64(tc.rows*tc.d), tc.rows*tc.d)
		l, _ := New(tc.tau)
		got, err := l.Loss(z, tc.rows, tc.d)
		if err != nil {
			t.Fatal(err)
		}
		want := reference(z, tc.rows, tc.d, tc.tau)
		if math.Abs(float64(got)-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("%+v: loss %v, reference %v", tc, got, want)
		}
	}
}

func TestSwappingViewsLeavesLossUnchanged(t *testing.T) {
	rows, d := 20, 6
	z := randz(9, rows*d)
	sw := append(append([]float32(nil), z[rows/2*d:]...), z[:rows/2*d]...)
	l, _ := New(0.3)
	a, _ := l.Loss(z, rows, d)
	b, _ := l.Loss(sw, rows, d)
	if math.Abs(float64(a-b)) > 1e-6 {
		t.Fatalf("loss %v after swap, %v before", b, a)
	}
}

func TestStableAtSmallTemperature(t *testing.T) {
	z := randz(4, 8*4)
	l, _ := New(1e-3)
	got, _ := l.Loss(z, 8, 4)
	want := reference(z, 8, 4, 1e-3) // may be Inf/NaN in the naive form
	if math.IsNaN(float64(got)) || math.IsInf(float64(got), 0) {
		t.Fatalf("loss %v at tau=1e-3", got)
	}
	if !math.IsInf(want, 0) && !math.IsNaN(want) && math.Abs(float64(got)-want) > 1e-3*math.Abs(want) {
		t.Fatalf("loss %v, reference %v", got, want)
	}
}

func TestGradFiniteDifferences(t *testing.T) {
	rows, d, tau := 6, 5, 0.5
	z := randz(11, rows*d)
	l, _ := New(tau)
	if _, err := l.Loss(z, rows, d); err != nil {
		t.Fatal(err)
	}
	dz := make([]float32, rows*d)
	l.Grad(dz, z, rows, d, 1)
	zz := make([]float32, len(z))
	for i := range z {
		copy(zz, z)
		const eps = 1e-3
		zz[i] = z[i] + eps
		lp := reference(zz, rows, d, tau)
		zz[i] = z[i] - eps
		lm := reference(zz, rows, d, tau)
		fd := (lp - lm) / (2 * eps)
		if math.Abs(fd-float64(dz[i])) > 1e-3*(1+math.Abs(fd)) {
			t.Fatalf("dz[%d] = %v, finite difference %v", i, dz[i], fd)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tau := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := New(tau); err == nil {
			t.Errorf("New(%v) gave no error", tau)
		}
	}
	l, _ := New(0.5)
	if _, err := l.Loss(nil, 0, 4); err == nil {
		t.Error("empty batch gave no error")
	}
	if _, err := l.Loss(make([]float32, 12), 3, 4); err == nil {
		t.Error("odd batch gave no error")
	}
	if _, err := l.Loss(make([]float32, 11), 4, 3); err == nil {
		t.Error("short z gave no error")
	}
}

// TestGraphGradient checks the op through gorgonia: loss value and the
// gradient gorgonia.Grad delivers equal the direct computation.
func TestGraphGradient(t *testing.T) {
	rows, d := 8, 4
	z := randz(13, rows*d)
	g := G.NewGraph()
	zn := G.NewMatrix(g, tensor.Float32, G.WithShape(rows, d), G.WithName("z"),
		G.WithValue(tensor.New(tensor.WithShape(rows, d), tensor.WithBacking(append([]float32(nil), z...)))))
	l, _ := New(0.5)
	loss, err := l.Node(zn)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(loss, zn)
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	got, _ := graphop.Data(loss.Value())
	want := reference(z, rows, d, 0.5)
	if math.Abs(float64(got[0])-want) > 1e-5 {
		t.Fatalf("graph loss %v, reference %v", got[0], want)
	}
	gz, _ := graphop.Data(grads[0].Value())
	direct := make([]float32, rows*d)
	l2, _ := New(0.5)
	l2.Loss(z, rows, d)
	l2.Grad(direct, z, rows, d, 1)
	for i := range direct {
		if math.Abs(float64(gz[i]-direct[i])) > 1e-6 {
			t.Fatalf("graph grad[%d] = %v, direct %v", i, gz[i], direct[i])
		}
	}
}

// Split over ranks, each rank's loss over its own anchors against every
// key: the mean of the ranks' losses is the whole batch's loss, and the
// mean of their gradients (with respect to the whole matrix) its gradient.
func TestPartsAddUpToTheBatch(t *testing.T) {
	const n, d, size = 6, 5, 3
	rows := 2 * n
	z := make([]float32, rows*d)
	for i := range z {
		z[i] = float32(math.Sin(float64(7*i+1)) * 2)
	}
	full, _ := New(0.3)
	want, _ := full.Loss(z, rows, d)
	wantGrad := make([]float32, len(z))
	full.Grad(wantGrad, z, rows, d, 1)
	var mean float64
	gsum := make([]float64, len(z))
	for r := range size {
		l, _ := New(0.3)
		l.part = Part{Rank: r, Size: size}
		loss, err := l.Loss(z, rows, d)
		if err != nil {
			t.Fatal(err)
		}
		mean += float64(loss) / size
		g := make([]float32, len(z))
		l.Grad(g, z, rows, d, 1)
		for i, v := range g {
			gsum[i] += float64(v) / size
		}
	}
	if math.Abs(mean-float64(want)) > 1e-6 {
		t.Fatalf("mean of part losses %v, batch loss %v", mean, want)
	}
	for i, v := range wantGrad {
		if math.Abs(gsum[i]-float64(v)) > 1e-6 {
			t.Fatalf("gradient %d: mean of parts %v, batch %v", i, gsum[i], v)
		}
	}
}
