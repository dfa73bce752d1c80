package train

import (
	"fmt"

	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/internal/gemm"
	"github.com/simclr-go/simclr/internal/scratch"
	"github.com/simclr-go/simclr/run"
)

// auxHead is the paper's "online linear probe": a linear classifier on
// the stop-gradient representations h of each step's first views, trained
// by its own SGD on the labelled images of the batch. Its running accuracy
// (measured before each update) is logged per epoch; it never changes the
// encoder.
type auxHead struct {
	head     string
	classes  int
	d        int
	w, b     []float32
	mw, mb   []float32
	lr, mom  float32
	scores   []float32
	sc, grad []float64
	x        []float32
	labels   []int32
	gl       []float32
	dw, db   []float32

	seen, correct int
	lossSum       float64
	steps         int
}

func newAuxHead(head string, d, classes int) (*auxHead, error) {
	if eval.CheckHead(head) != nil {
		return nil, &run.FieldError{Key: "aux_head", Value: head, Rule: "want ce, mse or hinge"}
	}
	return &auxHead{head: head, classes: classes, d: d, w: make([]float32, d*classes), b: make([]float32, classes),
		mw: make([]float32, d*classes), mb: make([]float32, classes), lr: 0.05, mom: 0.9, dw: make([]float32, d*classes)}, nil
}

// step trains on rows of h (n×d) whose label is known (label >= 0).
func (a *auxHead) step(h []float32, labels []int32) {
	c, d := a.classes, a.d
	a.x, a.labels = a.x[:0], a.labels[:0]
	for i, l := range labels {
		if l >= 0 {
			a.x = append(a.x, h[i*d:(i+1)*d]...)
			a.labels = append(a.labels, l)
		}
	}
	n := len(a.labels)
	if n == 0 {
		return
	}
	a.scores = scratch.Grow(a.scores, n*c)
	gemm.Sgemm(false, false, n, c, d, 1, a.x, d, a.w, c, 0, a.scores, c)
	a.sc, a.grad = scratch.Grow(a.sc, n*c), scratch.Grow(a.grad, n*c)
	for i, v := range a.scores {
		a.sc[i] = float64(v + a.b[i%c])
	}
	var loss float64
	switch a.head {
	case eval.HeadCE:
		loss, _ = eval.CrossEntropy(a.sc, a.labels, c, eval.CEOptions{}, a.grad)
	case eval.HeadHinge:
		loss, _ = eval.Hinge(a.sc, a.labels, c, eval.HingeOptions{}, a.grad)
	case eval.HeadMSE:
		target := make([]float64, n*c)
		for i, l := range a.labels {
			target[i*c+int(l)] = 1
		}
		loss, _ = eval.MSE(a.sc, target, a.grad)
	}
	for i, l := range a.labels {
		if int32(eval.Argmax(a.sc[i*c:(i+1)*c])) == l {
			a.correct++
		}
	}
	a.seen += n
	a.lossSum += loss
	a.steps++
	a.gl = scratch.Grow(a.gl, n*c)
	for i, g := range a.grad {
		a.gl[i] = float32(g)
	}
	gemm.Sgemm(true, false, d, c, n, 1, a.x, d, a.gl, c, 0, a.dw, c)
	for i, g := range a.dw {
		a.mw[i] = a.mom*a.mw[i] + g
		a.w[i] -= a.lr * a.mw[i]
	}
	a.db = scratch.Grow(a.db, c)
	clear(a.db)
	for i, g := range a.gl {
		a.db[i%c] += g
	}
	for k, g := range a.db {
		a.mb[k] = a.mom*a.mb[k] + g
		a.b[k] -= a.lr * a.mb[k]
	}
}

// epoch returns and resets the running accuracy and mean loss.
func (a *auxHead) epoch() (top1, loss float64) {
	if a.seen > 0 {
		top1 = float64(a.correct) / float64(a.seen)
	}
	if a.steps > 0 {
		loss = a.lossSum / float64(a.steps)
	}
	a.seen, a.correct, a.lossSum, a.steps = 0, 0, 0, 0
	return top1, loss
}

func (a *auxHead) state() map[string][]float32 {
	return map[string][]float32{"w": append([]float32(nil), a.w...), "b": append([]float32(nil), a.b...),
		"mw": append([]float32(nil), a.mw...), "mb": append([]float32(nil), a.mb...)}
}

func (a *auxHead) load(m map[string][]float32) error {
	for name, dst := range map[string][]float32{"w": a.w, "b": a.b, "mw": a.mw, "mb": a.mb} {
		if len(m[name]) != len(dst) {
			return fmt.Errorf("train: checkpoint lacks the online probe's %s", name)
		}
		copy(dst, m[name])
	}
	return nil
}
