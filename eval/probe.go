package eval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/simclr-go/simclr/internal/gemm"
)

// Set is a labelled feature matrix.
type Set struct {
	X      []float32 // N×D
	Labels []int32
	D      int
}

// N is the number of rows.
func (s Set) N() int { return len(s.Labels) }

func (s Set) check(classes int) error {
	if s.D < 1 || s.N() == 0 || len(s.X) != s.N()*s.D {
		return fmt.Errorf("eval: feature set of %d values for %d labels of dimension %d", len(s.X), s.N(), s.D)
	}
	for i, l := range s.Labels {
		if l < 0 || int(l) >= classes {
			return fmt.Errorf("eval: label %d of row %d outside 0..%d", l, i, classes-1)
		}
	}
	return nil
}

// Standardiser maps features to zero mean and unit variance per column.
type Standardiser struct{ Mean, InvStd []float32 }

// FitStandardiser computes the per-column statistics of s.
func FitStandardiser(s Set) Standardiser {
	n := float64(s.N())
	st := Standardiser{Mean: make([]float32, s.D), InvStd: make([]float32, s.D)}
	for j := 0; j < s.D; j++ {
		var sum, ss float64
		for i := 0; i < s.N(); i++ {
			sum += float64(s.X[i*s.D+j])
		}
		mu := sum / n
		for i := 0; i < s.N(); i++ {
			d := float64(s.X[i*s.D+j]) - mu
			ss += d * d
		}
		sd := math.Sqrt(ss / n)
		if sd < 1e-8 {
			sd = 1 // a constant feature carries nothing; leave it at zero
		}
		st.Mean[j], st.InvStd[j] = float32(mu), float32(1/sd)
	}
	return st
}

// Apply returns a standardised copy of s.
func (st Standardiser) Apply(s Set) Set {
	x := make([]float32, len(s.X))
	for i := 0; i < s.N(); i++ {
		for j := 0; j < s.D; j++ {
			x[i*s.D+j] = (s.X[i*s.D+j] - st.Mean[j]) * st.InvStd[j]
		}
	}
	return Set{X: x, Labels: s.Labels, D: s.D}
}

// Heads a probe can fit on frozen features.
const (
	HeadCE    = "ce"    // multinomial logistic regression (softmax cross-entropy)
	HeadMSE   = "mse"   // least squares onto one-hot targets, argmax to classify
	HeadHinge = "hinge" // multi-class SVM: squared multi-margin loss (p = 2, margin 1)
)

// ctxRecorder stops L-BFGS when its context is cancelled (gonum ends a
// minimisation on a recorder's error).
type ctxRecorder struct{ ctx context.Context }

func (r ctxRecorder) Init() error { return r.ctx.Err() }
func (r ctxRecorder) Record(*optimize.Location, optimize.Operation, *optimize.Stats) error {
	return r.ctx.Err()
}

// CheckHead returns an error unless head names a head (HeadCE, HeadMSE or
// HeadHinge).
func CheckHead(head string) error {
	switch head {
	case HeadCE, HeadMSE, HeadHinge:
		return nil
	}
	return fmt.Errorf("eval: unknown head %q (want ce, mse or hinge)", head)
}

// Linear is a fitted linear head: scores = x·W + b.
type Linear struct {
	Head string
	D, C int
	W    []float32 // D×C
	B    []float32 // C
}

// FitOptions controls Fit. Zero values mean the defaults.
type FitOptions struct {
	Head      string  // HeadCE (default), HeadMSE or HeadHinge
	Reg       float64 // λ of (λ/2)‖W‖²; must be >= 0
	MaxIter   int     // L-BFGS iterations; 0 means 300
	GradTol   float64 // stop when the gradient's max-norm is below; 0 means 1e-5
	Warmstart *Linear
	Context   context.Context // cancelling it stops the fit with its error; nil means never
}

// Fit fits a linear head on s: for CE and hinge, mean loss + (λ/2)‖W‖²
// by L-BFGS; for MSE, the ridge solution in closed form.
func Fit(s Set, classes int, o FitOptions) (*Linear, error) {
	if err := s.check(classes); err != nil {
		return nil, err
	}
	if o.Reg < 0 {
		return nil, fmt.Errorf("eval: regularisation %v is negative", o.Reg)
	}
	switch o.Head {
	case "":
		o.Head = HeadCE
	case HeadMSE:
		return fitRidge(s, classes, o.Reg)
	}
	if err := CheckHead(o.Head); err != nil {
		return nil, err
	}
	if o.MaxIter == 0 {
		o.MaxIter = 300
	}
	if o.GradTol == 0 {
		o.GradTol = 1e-5
	}
	d, c, n := s.D, classes, s.N()
	nw := d * c
	w32 := make([]float32, nw)
	logits := make([]float32, n*c)
	sc, gs := make([]float64, n*c), make([]float64, n*c)
	gl := make([]float32, n*c)
	gw := make([]float32, nw)
	var lastX []float64
	var lastF float64
	lastG := make([]float64, nw+c)
	eval := func(x []float64) {
		if lastX != nil && slices.Equal(x, lastX) {
			return
		}
		for i := 0; i < nw; i++ {
			w32[i] = float32(x[i])
		}
		b := x[nw:]
		gemm.Parallel(0, false, false, n, c, d, 1, s.X, d, w32, c, 0, logits, c)
		for i, v := range logits {
			sc[i] = float64(v) + b[i%c]
		}
		var loss float64
		if o.Head == HeadCE {
			loss = crossEntropyFast(sc, s.Labels, c, gs)
		} else {
			loss, _ = Hinge(sc, s.Labels, c, HingeOptions{P: 2}, gs)
		}
		gb := lastG[nw:]
		clear(gb)
		for i, g := range gs {
			gl[i] = float32(g)
			gb[i%c] += g
		}
		gemm.Parallel(0, true, false, d, c, n, 1, s.X, d, gl, c, 0, gw, c)
		var reg float64
		for i := 0; i < nw; i++ {
			reg += x[i] * x[i]
			lastG[i] = float64(gw[i]) + o.Reg*x[i]
		}
		lastF = loss + 0.5*o.Reg*reg
		lastX = append(lastX[:0], x...)
	}
	p := optimize.Problem{
		Func: func(x []float64) float64 { eval(x); return lastF },
		Grad: func(g, x []float64) { eval(x); copy(g, lastG) },
	}
	x0 := make([]float64, nw+c)
	if ws := o.Warmstart; ws != nil && ws.D == d && ws.C == c && ws.Head == o.Head {
		for i, v := range ws.W {
			x0[i] = float64(v)
		}
		for i, v := range ws.B {
			x0[nw+i] = float64(v)
		}
	}
	settings := &optimize.Settings{GradientThreshold: o.GradTol, MajorIterations: o.MaxIter}
	if o.Context != nil {
		settings.Recorder = ctxRecorder{o.Context}
	}
	res, err := optimize.Minimize(p, x0, settings, &optimize.LBFGS{})
	if o.Context != nil && o.Context.Err() != nil {
		return nil, o.Context.Err()
	}
	if err != nil && res == nil {
		return nil, fmt.Errorf("eval: probe fit: %w", err)
	}
	// Hitting the iteration cap is fine: the result is the best point found.
	m := &Linear{Head: o.Head, D: d, C: c, W: make([]float32, nw), B: make([]float32, c)}
	for i := 0; i < nw; i++ {
		m.W[i] = float32(res.X[i])
	}
	for i := 0; i < c; i++ {
		m.B[i] = float32(res.X[nw+i])
	}
	return m, nil
}

// fitRidge solves min (1/n)‖XW + 1b − Y‖² + λ‖W‖² for one-hot Y. With
// standardised (zero-mean) features, b is the class frequencies and W
// solves (XᵀX/n + λI) W = XᵀY/n.
func fitRidge(s Set, classes int, reg float64) (*Linear, error) {
	d, c, n := s.D, classes, s.N()
	xtx := make([]float32, d*d)
	gemm.Parallel(0, true, false, d, d, n, 1, s.X, d, s.X, d, 0, xtx, d)
	y := make([]float32, n*c)
	b := make([]float32, c)
	for i, l := range s.Labels {
		y[i*c+int(l)] = 1
		b[l] += 1 / float32(n)
	}
	// Centre the targets so b carries their mean.
	for i := 0; i < n; i++ {
		for k := 0; k < c; k++ {
			y[i*c+k] -= b[k]
		}
	}
	xty := make([]float32, d*c)
	gemm.Parallel(0, true, false, d, c, n, 1, s.X, d, y, c, 0, xty, c)
	a := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			v := float64(xtx[i*d+j]) / float64(n)
			if i == j {
				v += reg + 1e-9
			}
			a.SetSym(i, j, v)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return nil, errors.New("eval: ridge system is not positive definite; use a larger regularisation")
	}
	rhs := mat.NewDense(d, c, nil)
	for i := 0; i < d; i++ {
		for k := 0; k < c; k++ {
			rhs.Set(i, k, float64(xty[i*c+k])/float64(n))
		}
	}
	var w mat.Dense
	if err := ch.SolveTo(&w, rhs); err != nil {
		return nil, fmt.Errorf("eval: ridge solve: %w", err)
	}
	m := &Linear{Head: HeadMSE, D: d, C: c, W: make([]float32, d*c), B: b}
	for i := 0; i < d; i++ {
		for k := 0; k < c; k++ {
			m.W[i*c+k] = float32(w.At(i, k))
		}
	}
	return m, nil
}

// Logits returns x·W + b for every row of s.
func (m *Linear) Logits(s Set) []float32 {
	out := make([]float32, s.N()*m.C)
	gemm.Parallel(0, false, false, s.N(), m.C, m.D, 1, s.X, m.D, m.W, m.C, 0, out, m.C)
	for i := 0; i < s.N(); i++ {
		for k := 0; k < m.C; k++ {
			out[i*m.C+k] += m.B[k]
		}
	}
	return out
}

// TopK returns the fraction of rows whose label is among the k largest
// of their scores (scores is N×C); a score tied with the label's does not
// push it out.
func TopK(scores []float32, labels []int32, c, k int) float64 {
	if len(labels) == 0 {
		return 0
	}
	hit := 0
	for i, y := range labels {
		row := scores[i*c : (i+1)*c]
		better := 0
		for _, v := range row {
			if v > row[y] {
				better++
			}
		}
		if better < k {
			hit++
		}
	}
	return float64(hit) / float64(len(labels))
}

// Report is the outcome of a linear probe.
type Report struct {
	Head       string    `json:"head"`
	Top1       float64   `json:"top1"`
	Top5       float64   `json:"top5"`
	NTrain     int       `json:"n_train"`
	NTest      int       `json:"n_test"`
	FeatureDim int       `json:"feature_dim"`
	Reg        float64   `json:"reg"`
	RegTried   []float64 `json:"reg_tried"`
	ValTop1    []float64 `json:"val_top1"`
	PerClass   []float64 `json:"per_class"`
	Confusion  [][]int   `json:"confusion"` // [true class][predicted class]
}

// DefaultRegs are the λ values Probe tries.
var DefaultRegs = []float64{1e-5, 1e-4, 1e-3, 1e-2}

// Probe standardises the features with train's statistics, chooses λ
// among regs (nil means DefaultRegs) on the last 20% of train, refits the
// head on all of train and reports accuracy on test.
func Probe(ctx context.Context, train, test Set, classes int, head string, regs []float64) (*Report, error) {
	if err := train.check(classes); err != nil {
		return nil, err
	}
	if err := test.check(classes); err != nil {
		return nil, err
	}
	if train.D != test.D {
		return nil, errors.New("eval: train and test features differ in dimension")
	}
	if head == "" {
		head = HeadCE
	}
	if regs == nil {
		regs = DefaultRegs
	}
	st := FitStandardiser(train)
	tr, te := st.Apply(train), st.Apply(test)
	r := &Report{Head: head, NTrain: train.N(), NTest: test.N(), FeatureDim: train.D, RegTried: regs}
	best := regs[0]
	var bestFit *Linear
	if len(regs) > 1 {
		cut := train.N() * 4 / 5
		if cut < 1 || cut == train.N() {
			return nil, fmt.Errorf("eval: %d training rows are too few to choose λ on a validation split", train.N())
		}
		fit := Set{X: tr.X[:cut*tr.D], Labels: tr.Labels[:cut], D: tr.D}
		val := Set{X: tr.X[cut*tr.D:], Labels: tr.Labels[cut:], D: tr.D}
		bestAcc := -1.0
		var warm *Linear
		for _, reg := range regs {
			m, err := Fit(fit, classes, FitOptions{Head: head, Reg: reg, Warmstart: warm, Context: ctx})
			if err != nil {
				return nil, err
			}
			warm = m
			acc := TopK(m.Logits(val), val.Labels, classes, 1)
			r.ValTop1 = append(r.ValTop1, acc)
			if acc > bestAcc {
				best, bestAcc, bestFit = reg, acc, m
			}
		}
	}
	// The refit on all of train starts from the chosen validation fit.
	m, err := Fit(tr, classes, FitOptions{Head: head, Reg: best, Warmstart: bestFit, Context: ctx})
	if err != nil {
		return nil, err
	}
	r.Reg = best
	scores := m.Logits(te)
	r.Top1 = TopK(scores, te.Labels, classes, 1)
	r.Top5 = TopK(scores, te.Labels, classes, min(5, classes))
	r.Confusion = make([][]int, classes)
	for k := range r.Confusion {
		r.Confusion[k] = make([]int, classes)
	}
	for i, y := range te.Labels {
		row := scores[i*classes : (i+1)*classes]
		r.Confusion[y][Argmax(row)]++
	}
	r.PerClass = make([]float64, classes)
	for k, row := range r.Confusion {
		total := 0
		for _, v := range row {
			total += v
		}
		if total > 0 {
			r.PerClass[k] = float64(row[k]) / float64(total)
		}
	}
	return r, nil
}

// Argmax is the index of row's largest value, the first on ties.
func Argmax[T float32 | float64](row []T) int {
	best := 0
	for k, v := range row {
		if v > row[best] {
			best = k
		}
	}
	return best
}

// crossEntropyFast is CrossEntropy without options (mean softmax
// cross-entropy and its gradient), split over rows in fixed chunks run in
// parallel and summed in chunk order: the probe calls it hundreds of times.
func crossEntropyFast(scores []float64, labels []int32, c int, grad []float64) float64 {
	n := len(labels)
	const chunks = 8
	var part [chunks]float64
	var wg sync.WaitGroup
	for ch := 0; ch < chunks; ch++ {
		lo, hi := n*ch/chunks, n*(ch+1)/chunks
		wg.Add(1)
		go func() {
			defer wg.Done()
			inv := 1 / float64(n)
			var loss float64
			for i := lo; i < hi; i++ {
				row, g := scores[i*c:(i+1)*c], grad[i*c:(i+1)*c]
				mx := row[0]
				for _, v := range row[1:] {
					mx = math.Max(mx, v)
				}
				var se float64
				for k, v := range row {
					e := math.Exp(v - mx)
					g[k] = e
					se += e
				}
				y := labels[i]
				loss += mx + math.Log(se) - row[y]
				for k := range g {
					g[k] *= inv / se
				}
				g[y] -= inv
			}
			part[ch] = loss
		}()
	}
	wg.Wait()
	var loss float64
	for _, p := range part {
		loss += p
	}
	return loss / float64(n)
}
