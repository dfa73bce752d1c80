package eval

import (
	"bytes"
	"context"
	"encoding/binary"
	"image/png"
	"math"
	"math/rand/v2"
	"strings"
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

func meanCE(m *Linear, s Set) float64 {
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
	r, err := Probe(context.Background(), train, test, 4, HeadCE, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Top1 < 0.95 || r.Top5 != 1 || len(r.ValTop1) != len(DefaultRegs) {
		t.Fatalf("report %+v", r)
	}
	// Features independent of the labels: chance level (0.25 ± 0.02).
	noise := func(seed uint64, n int) Set {
		r := rand.New(rand.NewPCG(seed, 9))
		s := Set{X: make([]float32, n*8), Labels: make([]int32, n), D: 8}
		for i := range s.X {
			s.X[i] = float32(r.NormFloat64())
		}
		for i := range s.Labels {
			s.Labels[i] = int32(i % 4)
		}
		return s
	}
	r, _ = Probe(context.Background(), noise(3, 600), noise(4, 400), 4, HeadCE, []float64{1e-3})
	if r.Top1 > 0.35 {
		t.Fatalf("features independent of labels gave top-1 %v", r.Top1)
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
	if _, err := Probe(context.Background(), bad, good, 2, HeadCE, nil); err == nil {
		t.Error("label out of range accepted")
	}
	if _, err := Probe(context.Background(), good, Set{D: 3}, 2, HeadCE, nil); err == nil {
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

func TestHeadsSeparable(t *testing.T) {
	train, test := blobs(1, 600, 8, 4, 1), blobs(2, 200, 8, 4, 1)
	for _, head := range []string{HeadMSE, HeadHinge} {
		r, err := Probe(context.Background(), train, test, 4, head, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Top1 < 0.9 || r.Head != head {
			t.Fatalf("%s head: %+v", head, r)
		}
	}
	if _, err := Fit(train, 4, FitOptions{Head: "svm"}); err == nil {
		t.Fatal("unknown head accepted")
	}
}

func TestRidgeClosedForm(t *testing.T) {
	// One feature equal to the (centred) one-hot target of class 1 of 2:
	// with λ→0 least squares reproduces the targets exactly.
	s := Set{X: []float32{-0.5, 0.5, -0.5, 0.5}, Labels: []int32{0, 1, 0, 1}, D: 1}
	m, err := Fit(s, 2, FitOptions{Head: HeadMSE, Reg: 0})
	if err != nil {
		t.Fatal(err)
	}
	lg := m.Logits(s)
	for i, y := range s.Labels {
		for k := 0; k < 2; k++ {
			want := float32(0)
			if int32(k) == y {
				want = 1
			}
			if math.Abs(float64(lg[i*2+k]-want)) > 1e-4 {
				t.Fatalf("row %d class %d: %v, want %v", i, k, lg[i*2+k], want)
			}
		}
	}
}

func TestKNN(t *testing.T) {
	train, test := blobs(1, 400, 6, 4, 0.5), blobs(2, 100, 6, 4, 0.5)
	acc, err := KNN(context.Background(), train, test, 4, 20, 0.1)
	if err != nil || acc < 0.95 {
		t.Fatalf("kNN on separated blobs: %v %v", acc, err)
	}
	// A single neighbour with itself in train: exact recall.
	acc, _ = KNN(context.Background(), train, train, 4, 1, 0.1)
	if acc != 1 {
		t.Fatalf("1-NN on the training set: %v", acc)
	}
	if _, err := KNN(context.Background(), train, test, 4, 0, 0.1); err == nil {
		t.Fatal("k=0 accepted")
	}
}

func TestWriteNPY(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNPY(&buf, []float32{1, 2, 3, 4, 5, 6}, 2, 3); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if string(b[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("magic %q", b[:8])
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	header := string(b[10 : 10+hl])
	if (10+hl)%64 != 0 || !strings.HasSuffix(header, "\n") || !strings.Contains(header, "'descr': '<f4'") || !strings.Contains(header, "'shape': (2, 3)") {
		t.Fatalf("header %q (total %d)", header, 10+hl)
	}
	data := b[10+hl:]
	if len(data) != 24 || math.Float32frombits(binary.LittleEndian.Uint32(data[20:])) != 6 {
		t.Fatalf("data %v", data)
	}
	buf.Reset()
	WriteNPY(&buf, []int64{7, 8}, 2)
	if !strings.Contains(buf.String(), "'shape': (2,)") || !strings.Contains(buf.String(), "'<i8'") {
		t.Fatalf("labels header %q", buf.String())
	}
	if err := WriteNPY(&buf, []float32{1}, 2); err == nil {
		t.Fatal("wrong shape accepted")
	}
}

func TestConfusionPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteConfusionPNG(&buf, [][]int{{3, 1}, {0, 4}}, []string{"cat", "dog"}, "run: ce probe, top-1 87.5%"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("png: %v", err)
	}
}

// A tiny τ must not overflow the votes: two class-0 neighbours at cosine
// 0.8 lose to one class-1 neighbour at 0.9 (e^900 ≫ 2·e^800), which an
// unscaled exp(s/τ) turns into a tie of infinities won by class 0.
func TestKNNSmallTau(t *testing.T) {
	u := func(c float64) []float32 { return []float32{float32(c), float32(math.Sqrt(1 - c*c))} }
	train := Set{D: 2, Labels: []int32{0, 0, 1}}
	for _, c := range []float64{0.8, 0.8, 0.9} {
		train.X = append(train.X, u(c)...)
	}
	test := Set{D: 2, X: []float32{1, 0}, Labels: []int32{1}}
	acc, err := KNN(context.Background(), train, test, 2, 3, 0.001)
	if err != nil || acc != 1 {
		t.Fatalf("kNN at τ 0.001: top-1 %v (%v), want 1", acc, err)
	}
}
