package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/graphop"
)

// Metrics is one line of metrics.jsonl.
type Metrics struct {
	Kind         string  `json:"kind"` // "step" or "epoch"
	Epoch        int     `json:"epoch"`
	Step         int     `json:"step"`
	Loss         float64 `json:"loss"` // step: mean over the logged steps; epoch: mean over the epoch
	LR           float64 `json:"lr"`
	ImagesPerSec float64 `json:"images_per_sec"`
	ViewsPerSec  float64 `json:"views_per_sec"`
	ElapsedSec   float64 `json:"elapsed_sec"`
	AuxTop1      float64 `json:"aux_top1,omitempty"` // epoch lines: online probe accuracy on the labelled first views
	AuxLoss      float64 `json:"aux_loss,omitempty"`
}

// Trainer holds a model compiled for training on one batch size.
type Trainer struct {
	Config Config
	Model  *encoder.Model
	Opt    Optimizer

	pipe  *augment.Pipeline
	graph *encoder.Graph
	loss  *G.Node
	grads G.Nodes
	vm    G.VM
	gbuf  [][]float32
}

// NewTrainer builds the model and its training graph for images of
// side×side pixels.
func NewTrainer(cfg Config, side int) (*Trainer, error) {
	cfg, err := cfg.Resolved()
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
	if s := pipe.Config().Size; s > 0 {
		side = s
	}
	g, err := m.Graph(2*cfg.BatchSize, side, side, true)
	if err != nil {
		return nil, err
	}
	l, err := contrastive.New(cfg.Temperature)
	if err != nil {
		return nil, err
	}
	loss, err := l.Node(g.Z)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(loss, g.Params...)
	if err != nil {
		return nil, fmt.Errorf("train: building gradients: %w", err)
	}
	opt, err := NewOptimizer(cfg, m.Params())
	if err != nil {
		return nil, err
	}
	return &Trainer{
		Config: cfg, Model: m, Opt: opt,
		pipe: pipe, graph: g, loss: loss, grads: grads, vm: G.NewTapeMachine(g.G),
		gbuf: make([][]float32, len(grads)),
	}, nil
}

// Close releases the compiled graph.
func (t *Trainer) Close() error { return t.vm.Close() }

// Input is the graph's input batch: the first half takes the first views.
func (t *Trainer) Input() []float32 { return t.graph.Input }

// H is the representation h of the last step's batch (2B×Features, first
// views first); valid until the next Step.
func (t *Trainer) H() []float32 {
	h, _ := graphop.Data(t.graph.H.Value())
	return h
}

// Step runs forward and backward on the batch already in Input and
// applies one SGD update with learning rate lr. It returns the loss.
func (t *Trainer) Step(lr float64) (float64, error) {
	defer t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("train: step: %w", err)
	}
	lv, err := graphop.Data(t.loss.Value())
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
	t.Opt.Step(lr, t.gbuf)
	return loss, nil
}

// LoadBatch writes two augmented views of images idx of d into Input.
func (t *Trainer) LoadBatch(ctx context.Context, d *datasets.Dataset, idx []int, epoch int) error {
	half := len(t.graph.Input) / 2
	return t.pipe.Views(ctx, t.graph.Input[:half], t.graph.Input[half:], d, idx, epoch)
}

// Run trains on cfg's dataset and writes the run directory out. Progress
// lines go to progress (nil: none).
func Run(ctx context.Context, cfg Config, out string, progress io.Writer) (*Checkpoint, error) {
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(out, CheckpointFile)); err == nil {
		return nil, fmt.Errorf("train: %s already holds a run (%s); choose another --out", out, CheckpointFile)
	}
	d, err := datasets.Load(cfg.Dataset, cfg.DataDir, datasets.Train, cfg.Limit)
	if err != nil {
		return nil, err
	}
	return RunOn(ctx, cfg, d, out, progress)
}

// RunOn is Run on a dataset already in memory.
func RunOn(ctx context.Context, cfg Config, d *datasets.Dataset, out string, progress io.Writer) (*Checkpoint, error) {
	if progress == nil {
		progress = io.Discard
	}
	t, err := NewTrainer(cfg, d.H)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	cfg = t.Config
	b := cfg.BatchSize
	n := d.Len()
	steps := n / b
	if steps == 0 {
		return nil, fmt.Errorf("train: %d training images cannot fill one batch of %d; lower --batch-size or raise --limit", n, b)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("train: output directory: %w", err)
	}
	if err := writeJSON(filepath.Join(out, ConfigFile), cfg); err != nil {
		return nil, err
	}
	mf, err := os.OpenFile(filepath.Join(out, MetricsFile), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	enc := json.NewEncoder(mf)
	total := cfg.Epochs * steps
	warm := int(math.Round(max(cfg.WarmupEpochs, 0) * float64(steps)))
	fmt.Fprintf(progress, "train: %s, %d images, batch %d (%d views), %d epochs × %d steps, %s peak lr %.4g, τ %.3g\n",
		d.Name, n, b, 2*b, cfg.Epochs, steps, cfg.Optimizer, cfg.PeakLR, cfg.Temperature)
	var aux *auxHead
	auxLabels := make([]int32, b)
	if cfg.AuxHead != "" {
		if aux, err = newAuxHead(cfg.AuxHead, t.Model.Features, len(d.Classes)); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	ck := &Checkpoint{Config: cfg}
	step := 0
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		perm := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch))).Perm(n)
		var epochLoss, winLoss float64
		winSteps, winStart := 0, time.Now()
		epochStart := time.Now()
		for s := 0; s < steps; s++ {
			if err := ctx.Err(); err != nil {
				return ck, err
			}
			if err := t.LoadBatch(ctx, d, perm[s*b:(s+1)*b], epoch); err != nil {
				return ck, err
			}
			lr := Schedule(cfg.PeakLR, step, warm, total)
			loss, err := t.Step(lr)
			if err != nil {
				return ck, err
			}
			if aux != nil {
				for i, idx := range perm[s*b : (s+1)*b] {
					auxLabels[i] = -1
					if cfg.AuxLabels == 0 || idx < cfg.AuxLabels {
						auxLabels[i] = d.Labels[idx]
					}
				}
				aux.step(t.H()[:b*t.Model.Features], auxLabels)
			}
			step++
			epochLoss += loss
			winLoss += loss
			winSteps++
			if step%cfg.LogEvery == 0 || s == steps-1 {
				sec := time.Since(winStart).Seconds()
				m := Metrics{Kind: "step", Epoch: epoch + 1, Step: step, Loss: winLoss / float64(winSteps), LR: lr,
					ImagesPerSec: float64(winSteps*b) / sec, ViewsPerSec: float64(2*winSteps*b) / sec, ElapsedSec: time.Since(start).Seconds()}
				if err := enc.Encode(m); err != nil {
					return ck, err
				}
				eta := time.Duration(float64(total-step) * time.Since(start).Seconds() / float64(step) * float64(time.Second))
				fmt.Fprintf(progress, "epoch %d/%d step %d/%d loss %.4f lr %.4g %.0f img/s eta %s\n",
					epoch+1, cfg.Epochs, step, total, m.Loss, lr, m.ImagesPerSec, eta.Round(time.Second))
				winLoss, winSteps, winStart = 0, 0, time.Now()
			}
		}
		sec := time.Since(epochStart).Seconds()
		m := Metrics{Kind: "epoch", Epoch: epoch + 1, Step: step, Loss: epochLoss / float64(steps), LR: Schedule(cfg.PeakLR, step-1, warm, total),
			ImagesPerSec: float64(steps*b) / sec, ViewsPerSec: float64(2*steps*b) / sec, ElapsedSec: time.Since(start).Seconds()}
		if aux != nil {
			m.AuxTop1, m.AuxLoss = aux.epoch()
			fmt.Fprintf(progress, "epoch %d: online %s probe top-1 %.2f%% (train, labelled first views)\n", epoch+1, cfg.AuxHead, 100*m.AuxTop1)
		}
		if err := enc.Encode(m); err != nil {
			return ck, err
		}
		ck = &Checkpoint{Config: cfg, Epoch: epoch + 1, Step: step, Model: t.Model.State(), Momentum: t.Opt.State()}
		if err := ck.Save(out); err != nil {
			return ck, fmt.Errorf("train: checkpoint: %w", err)
		}
	}
	if step == 0 {
		return ck, errors.New("train: no steps run")
	}
	return ck, nil
}
