package eval

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
)

// blobs makes n points in d dimensions around c well-separated centres.
func blobs(seed uint64, n, d, c int, spread float64) Set {
	r := rand.New(rand.NewPCG(seed, 0))
	centres := rand.New(rand.NewPCG(99, 0))
	mu := make([]float64, c*d)
	for i := range mu {
		mu[i] = 3 * centres.NormFloat64()
	}
	s := Set{X: make([]float32, n*d), Labels: make([]int32, n), D: d}
	for i := 0; i < n; i++ {
		k := i % c
		s.Labels[i] = int32(k)
		for j := 0; j < d; j++ {
			s.X[i*d+j] = float32(mu[k*d+j] + spread*r.NormFloat64())
		}
	}
	return s
}

func meanCE(m *Softmax, s Set) float64 {
	lg := m.Logits(s)
	var ce float64
	for i, y := range s.Labels {
		row := lg[i*m.C : (i+1)*m.C]
		var se float64
		for _, v := range row {
			se += math.Exp(float64(v))
		}
		ce += math.Log(se) - float64(row[y])
	}
	return ce / float64(s.N())
}

func TestZeroFeaturesGiveLogC(t *testing.T) {
	// Uninformative features and balanced classes: the best probe is
	// uniform, and its cross-entropy is ln C.
	s := Set{X: make([]float32, 50*4), Labels: make([]int32, 50), D: 4}
	for i := range s.Labels {
		s.Labels[i] = int32(i % 5)
	}
	m, err := Fit(s, 5, FitOptions{Reg: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	if ce := meanCE(m, s); math.Abs(ce-math.Log(5)) > 1e-6 {
		t.Fatalf("CE %v, want ln 5 = %v", ce, math.Log(5))
	}
}

func TestProbeSeparable(t *testing.T) {
	train, test := blobs(1, 600, 8, 4, 1), blobs(2, 200, 8, 4, 1)
	r, err := Probe(train, test, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Top1 < 0.95 || r.Top5 != 1 || len(r.ValTop1) != len(DefaultRegs) {
		t.Fatalf("report %+v", r)
	}
	// Noise features: chance level.
	noise := blobs(3, 600, 8, 4, 1)
	for i := range noise.Labels {
		noise.Labels[i] = int32(rand.IntN(4))
	}
	r, _ = Probe(noise, blobs(4, 400, 8, 4, 1), 4, []float64{1e-3})
	if r.Top1 > 0.4 {
		t.Fatalf("random labels gave top-1 %v", r.Top1)
	}
}

func TestTopK(t *testing.T) {
	scores := []float32{0.1, 0.5, 0.4, 0.9, 0.05, 0.05}
	if got := TopK(scores, []int32{2, 0}, 3, 1); got != 0.5 {
		t.Fatalf("top1 %v", got)
	}
	if got := TopK(scores, []int32{0, 1}, 3, 2); got != 0.5 {
		t.Fatalf("top2 %v", got)
	}
}

func TestProbeErrors(t *testing.T) {
	good := blobs(1, 20, 3, 2, 1)
	bad := good
	bad.Labels = append([]int32(nil), good.Labels...)
	bad.Labels[3] = 7
	if _, err := Probe(bad, good, 2, nil); err == nil {
		t.Error("label out of range accepted")
	}
	if _, err := Probe(good, Set{D: 3}, 2, nil); err == nil {
		t.Error("empty test set accepted")
	}
	if _, err := Fit(good, 2, FitOptions{Reg: -1}); err == nil {
		t.Error("negative λ accepted")
	}
}

func TestFeaturesIndependentOfBatching(t *testing.T) {
	m, _ := encoder.New(encoder.Config{Seed: 5})
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 7, Seed: 1})
	a, err := Features(context.Background(), m, d, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Features(context.Background(), m, d, 7)
	if len(a) != 7*m.Features {
		t.Fatalf("%d features", len(a))
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5 {
			t.Fatalf("feature %d: %v with batch 3, %v with batch 7", i, a[i], b[i])
		}
	}
}
