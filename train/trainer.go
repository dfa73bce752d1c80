package train

import (
	"context"
	"fmt"
	"math"
	"sort"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/graphop"
	"github.com/simclr-go/simclr/run"
)

// Trainer is a model compiled for training with one method at one batch
// size. A step is Backward (the forward and backward passes: gorgonia's
// tape runs both in one go), ReduceGrads (the gradient hook: the mean over
// the world's ranks), then Update; Step does all three.
type Trainer struct {
	Config run.Config
	Model  *encoder.Model
	Method Method
	Opt    Optimizer
	Comm   dist.Comm

	pipe   *augment.Pipeline
	graph  *encoder.Graph
	obj    *Objective
	params []*encoder.Param // what Opt updates: the model's tensors in the graph, then the method's
	grads  G.Nodes
	vm     G.VM
	gbuf   [][]float32
	fused  []float32 // all gradients in one buffer, for the all-reduce
}

// planMemory shares activation and gradient memory between graph outputs
// (graphop.NewMachine); tests turn it off to compare.
var planMemory = true

// NewTrainer builds the model, its training graph for s and the optimizer.
func NewTrainer(cfg run.Config, s Setup) (*Trainer, error) {
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	return newTrainer(cfg, s)
}

// newTrainer is NewTrainer for a resolved cfg.
func newTrainer(cfg run.Config, s Setup) (*Trainer, error) {
	if s.Comm == nil {
		s.Comm = dist.Single{}
	}
	ranks := s.Comm.Size()
	if cfg.BatchSize%ranks != 0 || cfg.BatchSize/ranks < 2 {
		return nil, &run.FieldError{Key: "batch_size", Value: cfg.BatchSize,
			Rule: fmt.Sprintf("must split into equal shares of at least 2 over %d ranks", ranks)}
	}
	s.Batch = cfg.BatchSize / ranks
	meth, err := NewMethod(cfg)
	if err != nil {
		return nil, err
	}
	m, err := encoder.New(cfg.Model)
	if err != nil {
		return nil, err
	}
	pipe, err := augment.New(cfg.Augment)
	if err != nil {
		return nil, err
	}
	if size := pipe.Config().Size; size > 0 {
		s.Side = size
	}
	layout := encoder.Build{Train: true, NoHead: !meth.Head()}
	if cfg.SyncBN && ranks > 1 {
		layout.Sync = &encoder.SyncBN{Ranks: ranks, Sum: func(b []float64) {
			if err := s.Comm.AllReduce64(b); err != nil {
				panic(err) // inside a graph op; under MPI the job has ended already
			}
		}}
	}
	g, err := m.Build(meth.Views()*s.Batch, s.Side, s.Side, layout)
	if err != nil {
		return nil, err
	}
	obj, err := meth.Objective(g, s)
	if err != nil {
		return nil, err
	}
	t := &Trainer{Config: cfg, Model: m, Method: meth, Comm: s.Comm, pipe: pipe, graph: g, obj: obj,
		params: append(append([]*encoder.Param(nil), g.Tensors...), obj.Params...)}
	if t.grads, err = G.Grad(obj.Loss, append(append(G.Nodes(nil), g.Params...), obj.Nodes...)...); err != nil {
		return nil, fmt.Errorf("train: building gradients: %w", err)
	}
	if t.Opt, err = NewOptimizer(cfg, t.params); err != nil {
		return nil, err
	}
	// What Backward and H read after a run keeps its own memory; the
	// other outputs share the plan's arena.
	keep := append(G.Nodes{obj.Loss, g.H}, t.grads...)
	if !planMemory {
		t.vm = G.NewTapeMachine(g.G)
	} else if t.vm, err = graphop.NewMachine(g.G, keep); err != nil {
		return nil, fmt.Errorf("train: compiling the graph: %w", err)
	}
	t.gbuf = make([][]float32, len(t.grads))
	return t, nil
}

// Close releases the compiled graph.
func (t *Trainer) Close() error { return t.vm.Close() }

// Input is the graph's input batch, view-major: Views() blocks of
// Batch images each.
func (t *Trainer) Input() []float32 { return t.graph.Input }

// Labels is where the batch's labels go before a step, or nil when the
// method needs none.
func (t *Trainer) Labels() []int32 { return t.obj.Labels }

// H is the representation h of the last step's batch (Views()·B×Features,
// view 0 first); valid until the next step.
func (t *Trainer) H() []float32 {
	h, _ := graphop.Data(t.graph.H.Value())
	return h
}

// Step runs Backward, ReduceGrads and Update with learning rate lr, and
// returns the loss (its mean over the ranks).
func (t *Trainer) Step(lr float64) (float64, error) {
	loss, err := t.Backward()
	if err != nil {
		return loss, err
	}
	if loss, err = t.ReduceGrads(loss); err != nil {
		return loss, err
	}
	t.Update(lr)
	return loss, nil
}

// Backward runs the forward and backward passes on the batch in Input and
// returns the loss; a non-finite loss is an error.
func (t *Trainer) Backward() (float64, error) {
	t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("train: step: %w", err)
	}
	lv, err := graphop.Data(t.obj.Loss.Value())
	if err != nil {
		return 0, err
	}
	loss := float64(lv[0])
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("train: loss is %v; stopping (the last checkpoint is kept)", loss)
	}
	for i, g := range t.grads {
		if t.gbuf[i], err = graphop.Data(g.Value()); err != nil {
			return 0, err
		}
	}
	return loss, nil
}

// ReduceGrads replaces the gradients, and the rank's loss, with their
// means over the world's ranks, all-reduced as one fused buffer; it
// returns the mean loss. With one rank it does nothing.
func (t *Trainer) ReduceGrads(loss float64) (float64, error) {
	if t.Comm.Size() == 1 {
		return loss, nil
	}
	t.fused = t.fused[:0]
	for _, g := range t.gbuf {
		t.fused = append(t.fused, g...)
	}
	t.fused = append(t.fused, float32(loss))
	if err := dist.Mean(t.Comm, t.fused); err != nil {
		return loss, fmt.Errorf("train: gradient all-reduce: %w", err)
	}
	off := 0
	for _, g := range t.gbuf {
		off += copy(g, t.fused[off:])
	}
	return float64(t.fused[off]), nil
}

// Broadcast makes every rank's model, running statistics and method
// tensors rank 0's: ranks start from identical parameters.
func (t *Trainer) Broadcast() error {
	if t.Comm.Size() == 1 {
		return nil
	}
	st := t.Model.State()
	names := make([]string, 0, len(st))
	for name := range st {
		names = append(names, name)
	}
	sort.Strings(names) // the same order on every rank
	for _, name := range names {
		if err := t.Comm.Broadcast(st[name], 0); err != nil {
			return fmt.Errorf("train: broadcast of %s: %w", name, err)
		}
	}
	for _, p := range t.obj.Params {
		if err := t.Comm.Broadcast(p.Data, 0); err != nil {
			return fmt.Errorf("train: broadcast of %s: %w", p.Name, err)
		}
	}
	return t.Model.Load(st)
}

// Update applies one optimizer step with learning rate lr.
func (t *Trainer) Update(lr float64) { t.Opt.Step(lr, t.gbuf) }

// LoadBatch writes the method's views of images idx of d into Input (and
// their labels into Labels).
func (t *Trainer) LoadBatch(ctx context.Context, d *datasets.Dataset, idx []int, epoch int) error {
	views := t.viewSlots()
	if err := t.pipe.Views(ctx, views, d, idx, epoch); err != nil {
		return err
	}
	t.setLabels(d, idx)
	return nil
}

// viewSlots cuts Input into its view blocks.
func (t *Trainer) viewSlots() [][]float32 {
	v := t.Method.Views()
	n := len(t.graph.Input) / v
	out := make([][]float32, v)
	for i := range out {
		out[i] = t.graph.Input[i*n : (i+1)*n]
	}
	return out
}

func (t *Trainer) setLabels(d *datasets.Dataset, idx []int) {
	for i, j := range idx {
		if i < len(t.obj.Labels) {
			t.obj.Labels[i] = d.Labels[j]
		}
	}
}

// state is the method's own tensors by name, for the checkpoint.
func (t *Trainer) methodState() map[string][]float32 {
	if len(t.obj.Params) == 0 {
		return nil
	}
	s := map[string][]float32{}
	for _, p := range t.obj.Params {
		s[p.Name] = append([]float32(nil), p.Data...)
	}
	return s
}

func (t *Trainer) loadMethodState(s map[string][]float32) error {
	for _, p := range t.obj.Params {
		if len(s[p.Name]) != len(p.Data) {
			return fmt.Errorf("train: checkpoint lacks the method's tensor %s", p.Name)
		}
		copy(p.Data, s[p.Name])
	}
	return nil
}
