package train

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
)

// Method is what a run learns from. The trainer lays the model out for
// Views() augmented views of each of a batch's images, view-major (rows
// v·B … (v+1)·B−1 of the input are view v), and asks the method for the
// objective on the model's outputs. Adding a method means one file here
// with one type, and a case in NewMethod.
type Method interface {
	// Views is how many augmented views of each image a step needs.
	Views() int
	// Head reports whether the objective reads the projection head's Z
	// (else only H is built and trained).
	Head() bool
	// Objective adds the method's loss to g for batch s.
	Objective(g *encoder.Graph, s Setup) (*Objective, error)
}

// Objective is a method's loss on one training graph.
type Objective struct {
	Loss *G.Node // scalar
	// Params are the method's own learnable tensors (a classifier, say),
	// updated with the model's and saved in Checkpoint.Method; Nodes are
	// their nodes in the graph, in the same order.
	Params []*encoder.Param
	Nodes  G.Nodes
	// Labels, when not nil, is filled with the batch's labels before each
	// step (len B; the labels of view 0's images).
	Labels []int32
	// AfterStep, when not nil, runs after each update (a momentum
	// encoder's average, a queue's push).
	AfterStep func(step int)
}

// Setup is what a trainer is built for, beyond its Config.
type Setup struct {
	Side    int       // image side in pixels, after augment.Config.Size
	Classes int       // label classes of the training set (supervised methods)
	Batch   int       // images per step on this rank: Config.BatchSize / Comm.Size() (set by NewTrainer)
	Comm    dist.Comm // the world; nil means dist.Single
}

// NewMethod returns the method cfg.Method names.
func NewMethod(cfg run.Config) (Method, error) {
	switch cfg.Method {
	case run.MethodSimCLR, "":
		return SimCLR{Temperature: cfg.Temperature}, nil
	case run.MethodSupervised:
		return Supervised{Seed: cfg.Seed}, nil
	}
	return nil, &run.FieldError{Key: "method", Value: cfg.Method, Rule: "want simclr or supervised"}
}

// SimCLR is Chen et al. 2020: NT-Xent at Temperature over the projections
// of two views of every image (0 means contrastive.DefaultTemperature).
type SimCLR struct{ Temperature float64 }

func (SimCLR) Views() int { return 2 }
func (SimCLR) Head() bool { return true }

func (m SimCLR) Objective(g *encoder.Graph, s Setup) (*Objective, error) {
	tau := m.Temperature
	if tau == 0 {
		tau = contrastive.DefaultTemperature
	}
	l, err := contrastive.New(tau)
	if err != nil {
		return nil, err
	}
	// Global negatives: NT-Xent over every rank's projections, with this
	// rank's images as anchors (Node itself with one rank).
	loss, err := l.GlobalNode(g.Z, s.Comm)
	if err != nil {
		return nil, err
	}
	return &Objective{Loss: loss}, nil
}

// Supervised is the upper bound SimCLR is read against: a linear
// classifier on H trained with the encoder by softmax cross-entropy on
// the labels, one augmented view per image, the same schedule.
type Supervised struct{ Seed uint64 }

func (Supervised) Views() int { return 1 }
func (Supervised) Head() bool { return false }

func (m Supervised) Objective(g *encoder.Graph, s Setup) (*Objective, error) {
	if s.Classes < 2 {
		return nil, fmt.Errorf("train: supervised training needs labels of at least 2 classes, the data has %d", s.Classes)
	}
	d := g.H.Shape()[1]
	w, b := encoder.NewLinear("classifier", d, s.Classes, m.Seed^0xc1a55)
	scores, nodes, err := encoder.Linear(g.H, w, b)
	if err != nil {
		return nil, err
	}
	labels := make([]int32, s.Batch)
	loss, err := eval.CrossEntropyNode(scores, labels, eval.CEOptions{})
	if err != nil {
		return nil, err
	}
	return &Objective{Loss: loss, Params: []*encoder.Param{w, b}, Nodes: nodes, Labels: labels}, nil
}
