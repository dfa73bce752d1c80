package eval

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/simclr-go/simclr/internal/graphop"
)

func TestLossesMatchPyTorch(t *testing.T) {
	b, err := os.ReadFile("testdata/losses.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		N, C         int
		Scores, A, B []float64
		Weights      []float64
		Labels       []int32
		Cases        []struct {
			Name string
			Loss float64
			Grad []float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, tc := range g.Cases {
		grad := make([]float64, len(tc.Grad))
		var loss float64
		switch tc.Name {
		case "ce":
			loss, err = CrossEntropy(g.Scores, g.Labels, g.C, CEOptions{}, grad)
		case "ce_weighted":
			loss, err = CrossEntropy(g.Scores, g.Labels, g.C, CEOptions{Weights: g.Weights}, grad)
		case "ce_smoothed":
			loss, err = CrossEntropy(g.Scores, g.Labels, g.C, CEOptions{Smoothing: 0.1}, grad)
		case "ce_weighted_smoothed":
			loss, err = CrossEntropy(g.Scores, g.Labels, g.C, CEOptions{Weights: g.Weights, Smoothing: 0.2}, grad)
		case "mse":
			loss, err = MSE(g.A, g.B, grad)
		case "hinge_p1":
			loss, err = Hinge(g.Scores, g.Labels, g.C, HingeOptions{}, grad)
		case "hinge_p2_margin":
			loss, err = Hinge(g.Scores, g.Labels, g.C, HingeOptions{P: 2, Margin: 0.5}, grad)
		case "hinge_weighted":
			loss, err = Hinge(g.Scores, g.Labels, g.C, HingeOptions{Weights: g.Weights}, grad)
		default:
			t.Fatalf("unknown golden case %q", tc.Name)
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		if math.Abs(loss-tc.Loss) > 1e-12*math.Max(1, math.Abs(tc.Loss)) {
			t.Errorf("%s: loss %.15g, PyTorch %.15g", tc.Name, loss, tc.Loss)
		}
		for i := range grad {
			if math.Abs(grad[i]-tc.Grad[i]) > 1e-12 {
				t.Errorf("%s: grad[%d] %.15g, PyTorch %.15g", tc.Name, i, grad[i], tc.Grad[i])
				break
			}
		}
	}
}

func TestLossClosedForms(t *testing.T) {
	// Zero logits over 5 classes, batch 10: CE = ln 5 (for CE and for NLL
	// of log-softmax, which CrossEntropy is).
	scores := make([]float64, 50)
	labels := make([]int32, 10)
	for i := range labels {
		labels[i] = int32(i % 5)
	}
	ce, _ := CrossEntropy(scores, labels, 5, CEOptions{}, nil)
	if math.Abs(ce-math.Log(5)) > 1e-12 || math.Abs(ce-1.6094) > 1e-4 {
		t.Fatalf("CE of zero logits = %v, want ln 5", ce)
	}
	nll, _ := NLL(LogSoftmax(scores, 5), labels, 5)
	if math.Abs(nll-math.Log(5)) > 1e-12 {
		t.Fatalf("NLL of log-softmax of zero logits = %v, want ln 5", nll)
	}
	// MSE of two independent standard normals is 2 in expectation; over
	// 10·3·32·32 elements the standard error is about 0.016.
	r := rand.New(rand.NewPCG(1, 2))
	a, b := make([]float64, 10*3*32*32), make([]float64, 10*3*32*32)
	for i := range a {
		a[i], b[i] = r.NormFloat64(), r.NormFloat64()
	}
	mse, _ := MSE(a, b, nil)
	if math.Abs(mse-2) > 0.08 {
		t.Fatalf("MSE of independent normals = %v, want about 2", mse)
	}
}

func TestLossGradientsFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, c := 6, 4
	s := make([]float64, n*c)
	for i := range s {
		s[i] = r.NormFloat64()
	}
	labels := []int32{0, 1, 2, 3, 1, 2}
	w := []float64{1, 2, 0.5, 1.5}
	losses := map[string]func(s, g []float64) float64{
		"ce": func(s, g []float64) float64 {
			l, _ := CrossEntropy(s, labels, c, CEOptions{Weights: w, Smoothing: 0.3}, g)
			return l
		},
		"hinge2": func(s, g []float64) float64 { l, _ := Hinge(s, labels, c, HingeOptions{P: 2, Weights: w}, g); return l },
	}
	for name, f := range losses {
		g := make([]float64, len(s))
		f(s, g)
		for i := range s {
			old := s[i]
			s[i] = old + 1e-6
			lp := f(s, nil)
			s[i] = old - 1e-6
			lm := f(s, nil)
			s[i] = old
			if fd := (lp - lm) / 2e-6; math.Abs(fd-g[i]) > 1e-6 {
				t.Fatalf("%s: grad[%d] %v, finite difference %v", name, i, g[i], fd)
			}
		}
	}
}

func TestLossErrors(t *testing.T) {
	if _, err := CrossEntropy([]float64{1, 2}, []int32{2}, 2, CEOptions{}, nil); err == nil {
		t.Error("label 2 of 2 classes accepted")
	}
	if _, err := CrossEntropy([]float64{1, 2}, []int32{1}, 2, CEOptions{Smoothing: 1}, nil); err == nil {
		t.Error("smoothing 1 accepted")
	}
	if _, err := Hinge([]float64{1, 2}, []int32{1}, 2, HingeOptions{P: 3}, nil); err == nil {
		t.Error("p=3 accepted")
	}
	if _, err := MSE([]float64{1}, []float64{1, 2}, nil); err == nil {
		t.Error("mismatched MSE accepted")
	}
}

func TestLossNodesThroughGorgonia(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n, c := 5, 3
	data := make([]float32, n*c)
	for i := range data {
		data[i] = float32(r.NormFloat64())
	}
	labels := []int32{0, 2, 1, 1, 0}
	target := make([]float64, n*c)
	for i := range target {
		target[i] = r.NormFloat64()
	}
	for _, kind := range []string{"ce", "hinge", "mse"} {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float32, G.WithShape(n, c), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(n, c), tensor.WithBacking(append([]float32(nil), data...)))))
		var loss *G.Node
		var err error
		switch kind {
		case "ce":
			loss, err = CrossEntropyNode(x, labels, CEOptions{Smoothing: 0.1})
		case "hinge":
			loss, err = HingeNode(x, labels, HingeOptions{P: 2})
		case "mse":
			loss, err = MSENode(x, target)
		}
		if err != nil {
			t.Fatal(err)
		}
		grads, err := G.Grad(loss, x)
		if err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		x64 := make([]float64, n*c)
		for i, v := range data {
			x64[i] = float64(v)
		}
		want := make([]float64, n*c)
		var wl float64
		switch kind {
		case "ce":
			wl, _ = CrossEntropy(x64, labels, c, CEOptions{Smoothing: 0.1}, want)
		case "hinge":
			wl, _ = Hinge(x64, labels, c, HingeOptions{P: 2}, want)
		case "mse":
			wl, _ = MSE(x64, target, want)
		}
		lv, _ := graphop.Data(loss.Value())
		gv, _ := graphop.Data(grads[0].Value())
		if math.Abs(float64(lv[0])-wl) > 1e-6 {
			t.Errorf("%s: graph loss %v, function %v", kind, lv[0], wl)
		}
		for i := range want {
			if math.Abs(float64(gv[i])-want[i]) > 1e-6 {
				t.Errorf("%s: graph grad[%d] %v, function %v", kind, i, gv[i], want[i])
			}
		}
		vm.Close()
	}
}

func TestCrossEntropyFastEqualsCrossEntropy(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	n, c := 37, 6
	s := make([]float64, n*c)
	labels := make([]int32, n)
	for i := range s {
		s[i] = 3 * r.NormFloat64()
	}
	for i := range labels {
		labels[i] = int32(r.IntN(c))
	}
	g1, g2 := make([]float64, n*c), make([]float64, n*c)
	l1, _ := CrossEntropy(s, labels, c, CEOptions{}, g1)
	l2 := crossEntropyFast(s, labels, c, g2)
	if math.Abs(l1-l2) > 1e-12 {
		t.Fatalf("loss %v vs %v", l1, l2)
	}
	for i := range g1 {
		if math.Abs(g1[i]-g2[i]) > 1e-12 {
			t.Fatalf("grad[%d] %v vs %v", i, g1[i], g2[i])
		}
	}
}
