package eval

import (
	"fmt"
	"math"
)

// The probe's losses, each as a plain float64 function returning the loss
// and its gradient with respect to the scores, with PyTorch's semantics
// (torch.nn.functional 1.13) so that results can be compared one to one.
// Scores are N×C row-major, labels in 0..C-1.

// CEOptions are cross-entropy's options; the zero value is plain mean CE.
type CEOptions struct {
	Weights   []float64 // per-class weights (nil: all 1); mean is weighted as PyTorch's
	Smoothing float64   // label smoothing ε in [0, 1), spread over all C classes
}

func checkScores(n, c int, scores []float64, labels []int32) error {
	if n == 0 || c == 0 || len(scores) != n*c || len(labels) != n {
		return fmt.Errorf("eval: %d scores for %d labels of %d classes", len(scores), len(labels), c)
	}
	for i, y := range labels {
		if y < 0 || int(y) >= c {
			return fmt.Errorf("eval: label %d of row %d outside 0..%d", y, i, c-1)
		}
	}
	return nil
}

// CrossEntropy is softmax cross-entropy: for mean reduction with weights w,
//
//	L = (1-ε) Σ_i w_yi·(−log p_i,yi) / Σ_i w_yi + (ε/C) Σ_i Σ_k w_k·(−log p_ik) / Σ_i w_yi
//
// It returns L and writes ∂L/∂scores into grad when grad is not nil.
func CrossEntropy(scores []float64, labels []int32, c int, o CEOptions, grad []float64) (float64, error) {
	n := len(labels)
	if err := checkScores(n, c, scores, labels); err != nil {
		return 0, err
	}
	if o.Smoothing < 0 || o.Smoothing >= 1 {
		return 0, fmt.Errorf("eval: label smoothing %v outside [0, 1)", o.Smoothing)
	}
	w := o.Weights
	if w == nil {
		w = make([]float64, c)
		for k := range w {
			w[k] = 1
		}
	} else if len(w) != c {
		return 0, fmt.Errorf("eval: %d class weights for %d classes", len(w), c)
	}
	var den float64
	for _, y := range labels {
		den += w[y]
	}
	if den <= 0 {
		return 0, fmt.Errorf("eval: class weights of the batch sum to %v", den)
	}
	eps := o.Smoothing
	var loss float64
	logp := make([]float64, c)
	for i := 0; i < n; i++ {
		row := scores[i*c : (i+1)*c]
		lse := logSumExp(row)
		for k, v := range row {
			logp[k] = v - lse
		}
		y := labels[i]
		loss += (1 - eps) * w[y] * -logp[y]
		for k := range logp {
			loss += eps / float64(c) * w[k] * -logp[k]
		}
		if grad != nil {
			// ∂/∂s_k of −Σ_j q_j log p_j with per-class weights:
			// Σ_j q_j p_k − q_k, where q_j = (1-ε)w_y[j=y] + (ε/C) w_j.
			var qsum float64
			q := func(j int) float64 {
				v := eps / float64(c) * w[j]
				if j == int(y) {
					v += (1 - eps) * w[y]
				}
				return v
			}
			for j := 0; j < c; j++ {
				qsum += q(j)
			}
			for k := range logp {
				grad[i*c+k] = (qsum*math.Exp(logp[k]) - q(k)) / den
			}
		}
	}
	return loss / den, nil
}

func logSumExp(row []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, v)
	}
	var s float64
	for _, v := range row {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

// MSE is the mean over all elements of (a−b)²; grad (if not nil) gets ∂L/∂a.
func MSE(a, b []float64, grad []float64) (float64, error) {
	if len(a) == 0 || len(a) != len(b) {
		return 0, fmt.Errorf("eval: MSE of %d and %d elements", len(a), len(b))
	}
	var s float64
	n := float64(len(a))
	for i := range a {
		d := a[i] - b[i]
		s += d * d
		if grad != nil {
			grad[i] = 2 * d / n
		}
	}
	return s / n, nil
}

// HingeOptions are the multi-class hinge loss's options (PyTorch's
// MultiMarginLoss); the zero value means p = 1, margin 1, no weights.
type HingeOptions struct {
	P       int       // 1 or 2; 0 means 1
	Margin  float64   // 0 means 1
	Weights []float64 // per-class weights applied by the true class (nil: 1)
}

// Hinge is the multi-class hinge loss with MultiMarginLoss semantics,
//
//	L = (1/N) Σ_i Σ_{k≠y_i} w_yi · max(0, margin − s_i,yi + s_ik)^p / C
//
// It returns L and writes ∂L/∂scores into grad when grad is not nil.
func Hinge(scores []float64, labels []int32, c int, o HingeOptions, grad []float64) (float64, error) {
	n := len(labels)
	if err := checkScores(n, c, scores, labels); err != nil {
		return 0, err
	}
	p, margin := o.P, o.Margin
	if p == 0 {
		p = 1
	}
	if margin == 0 {
		margin = 1
	}
	if p != 1 && p != 2 {
		return 0, fmt.Errorf("eval: hinge power %d, want 1 or 2", p)
	}
	if o.Weights != nil && len(o.Weights) != c {
		return 0, fmt.Errorf("eval: %d class weights for %d classes", len(o.Weights), c)
	}
	var loss float64
	if grad != nil {
		clear(grad)
	}
	scale := 1 / (float64(n) * float64(c))
	for i := 0; i < n; i++ {
		row := scores[i*c : (i+1)*c]
		y := int(labels[i])
		w := 1.0
		if o.Weights != nil {
			w = o.Weights[y]
		}
		for k, v := range row {
			if k == y {
				continue
			}
			m := margin - row[y] + v
			if m <= 0 {
				continue
			}
			if p == 1 {
				loss += w * m
				if grad != nil {
					grad[i*c+k] += w * scale
					grad[i*c+y] -= w * scale
				}
			} else {
				loss += w * m * m
				if grad != nil {
					grad[i*c+k] += 2 * w * m * scale
					grad[i*c+y] -= 2 * w * m * scale
				}
			}
		}
	}
	return loss * scale, nil
}

// LogSoftmax returns log softmax of each row of scores (N×C).
func LogSoftmax(scores []float64, c int) []float64 {
	out := make([]float64, len(scores))
	for i := 0; i+c <= len(scores); i += c {
		lse := logSumExp(scores[i : i+c])
		for k := 0; k < c; k++ {
			out[i+k] = scores[i+k] - lse
		}
	}
	return out
}

// NLL is the mean negative log-likelihood of log-probabilities logp (N×C);
// NLL(LogSoftmax(s)) is CrossEntropy(s) without options.
func NLL(logp []float64, labels []int32, c int) (float64, error) {
	if err := checkScores(len(labels), c, logp, labels); err != nil {
		return 0, err
	}
	var s float64
	for i, y := range labels {
		s -= logp[i*c+int(y)]
	}
	return s / float64(len(labels)), nil
}
