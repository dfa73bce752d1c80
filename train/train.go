package train

import (
	"bytes"
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
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/internal/graphop"
)

// Metrics is one line of metrics.jsonl.
type Metrics struct {
	Kind         string   `json:"kind"` // "step" or "epoch"
	Epoch        int      `json:"epoch"`
	Step         int      `json:"step"`
	Loss         float64  `json:"loss"` // step: mean over the logged steps; epoch: mean over the epoch
	LR           float64  `json:"lr"`
	ImagesPerSec float64  `json:"images_per_sec"`
	ViewsPerSec  float64  `json:"views_per_sec"`
	ElapsedSec   float64  `json:"elapsed_sec"`
	AuxTop1      float64  `json:"aux_top1,omitempty"` // epoch lines: online probe accuracy on the labelled first views
	AuxLoss      float64  `json:"aux_loss,omitempty"`
	KNNTop1      *float64 `json:"knn_top1,omitempty"` // epoch lines: kNN monitor accuracy
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
	return t.pipe.Views(ctx, [][]float32{t.graph.Input[:half], t.graph.Input[half:]}, d, idx, epoch)
}

// RunOptions are the parts of a run that are not its configuration.
type RunOptions struct {
	Progress io.Writer   // progress lines (nil: none)
	Resume   *Checkpoint // continue this run exactly where it stopped
	// KNNTest, when set, are the labelled queries of the per-epoch kNN
	// monitor (its bank is the first KNNBank training images).
	KNNTest *datasets.Dataset
	// StopAfterSteps > 0 stops (as an interrupt would) once that many
	// steps are done, with a checkpoint; the run stays resumable.
	StopAfterSteps int
}

// ErrStopped is returned when a run stopped early on request
// (RunOptions.StopAfterSteps); its last checkpoint is written.
var ErrStopped = errors.New("train: stopped early; resume with --resume")

// Run trains on cfg's dataset (or, with opts.Resume, on the resumed run's)
// and writes the run directory out.
func Run(ctx context.Context, cfg Config, out string, opts RunOptions) (*Checkpoint, error) {
	if opts.Resume != nil {
		cfg = opts.Resume.Config
	} else if _, err := os.Stat(filepath.Join(out, CheckpointFile)); err == nil {
		return nil, fmt.Errorf("train: %s already holds a run (%s); choose another --out or --resume it", out, CheckpointFile)
	}
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	d, err := datasets.LoadAt(cfg.Dataset, cfg.DataDir, datasets.Train, cfg.Limit, cfg.ImageSize)
	if err != nil {
		return nil, err
	}
	if cfg.KNNQueries > 0 && opts.KNNTest == nil {
		if opts.KNNTest, err = datasets.LoadAt(cfg.Dataset, cfg.DataDir, datasets.Test, cfg.KNNQueries, cfg.ImageSize); err != nil {
			return nil, fmt.Errorf("train: the kNN monitor needs the test split (--knn-queries -1 turns it off): %w", err)
		}
	}
	return RunOn(ctx, cfg, d, out, opts)
}

// RunOn is Run on a training set already in memory.
func RunOn(ctx context.Context, cfg Config, d *datasets.Dataset, out string, opts RunOptions) (*Checkpoint, error) {
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	if opts.Resume != nil {
		cfg = opts.Resume.Config
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
	total := cfg.Epochs * steps
	step := 0
	if r := opts.Resume; r != nil {
		if err := t.Model.Load(r.Model); err != nil {
			return nil, fmt.Errorf("train: resume: %w", err)
		}
		if err := t.Opt.Load(r.Optimizer); err != nil {
			return nil, fmt.Errorf("train: resume: %w", err)
		}
		step = r.Step
		if step >= total {
			return r, fmt.Errorf("train: %s is already complete (%d of %d steps)", out, step, total)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("train: output directory: %w", err)
	}
	if err := writeJSON(filepath.Join(out, ConfigFile), cfg); err != nil {
		return nil, err
	}
	mf, err := openMetrics(filepath.Join(out, MetricsFile), step)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	enc := json.NewEncoder(mf)
	warm := int(math.Round(max(cfg.WarmupEpochs, 0) * float64(steps)))
	fmt.Fprintf(progress, "train: %s, %d images, batch %d (%d views), %d epochs × %d steps, %s peak lr %.4g, τ %.3g\n",
		d.Name, n, b, 2*b, cfg.Epochs, steps, cfg.Optimizer, cfg.PeakLR, cfg.Temperature)
	if step > 0 {
		fmt.Fprintf(progress, "train: resuming at step %d (epoch %d)\n", step, step/steps+1)
	}
	var aux *auxHead
	auxLabels := make([]int32, b)
	if cfg.AuxHead != "" {
		if aux, err = newAuxHead(cfg.AuxHead, t.Model.Features, len(d.Classes)); err != nil {
			return nil, err
		}
	}
	var part Partial // running sums within the current epoch
	if r := opts.Resume; r != nil {
		part = r.Partial
		if aux != nil {
			if err := aux.load(r.Aux); err != nil {
				return nil, err
			}
			aux.seen, aux.correct, aux.lossSum, aux.steps = part.AuxSeen, part.AuxRight, part.AuxLoss, part.AuxSteps
		}
	}
	bar := newProgress(progress, total, step)
	checkpoint := func(epochsDone int, final bool) (*Checkpoint, error) {
		ck := &Checkpoint{Config: cfg, Epoch: epochsDone, Step: step, Model: t.Model.State(), Optimizer: t.Opt.State()}
		if step%steps != 0 {
			ck.Partial = part
		}
		if aux != nil {
			ck.Aux = aux.state()
			if step%steps != 0 {
				ck.Partial.AuxSeen, ck.Partial.AuxRight, ck.Partial.AuxLoss, ck.Partial.AuxSteps = aux.seen, aux.correct, aux.lossSum, aux.steps
			}
		}
		return ck, ck.save(out, cfg.Keep, final || cfg.CheckpointEvery <= 1 || epochsDone%cfg.CheckpointEvery == 0)
	}
	start := time.Now()
	startStep := step
	// The augmentation stream fills the next batch while this one trains.
	var st *augment.Stream
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	half := len(t.graph.Input) / 2
	for epoch := step / steps; epoch < cfg.Epochs; epoch++ {
		perm := rand.New(rand.NewPCG(cfg.Seed, uint64(epoch))).Perm(n)
		if st != nil {
			st.Close()
		}
		var err error
		if st, err = t.pipe.Stream(ctx, d, perm[:steps*b], b, 2, epoch, step-epoch*steps); err != nil {
			return nil, err
		}
		winStart := time.Now()
		epochStart, epochFirst := time.Now(), step
		for s := step - epoch*steps; s < steps; s++ {
			if err := ctx.Err(); err != nil {
				ck, cerr := checkpoint(epoch, true)
				return ck, errors.Join(err, cerr)
			}
			if opts.StopAfterSteps > 0 && step >= opts.StopAfterSteps {
				ck, cerr := checkpoint(epoch, true)
				return ck, errors.Join(ErrStopped, cerr)
			}
			batch, err := st.Next()
			if err != nil {
				if ctx.Err() != nil { // interrupted while augmenting: stop as above
					ck, cerr := checkpoint(epoch, true)
					return ck, errors.Join(ctx.Err(), cerr)
				}
				return nil, err
			}
			copy(t.graph.Input[:half], batch.Views[0])
			copy(t.graph.Input[half:], batch.Views[1])
			lr := Schedule(cfg.PeakLR, step, warm, total)
			loss, err := t.Step(lr)
			if err != nil {
				return nil, err // a non-finite loss: the last checkpoint on disk stays the good one
			}
			if aux != nil {
				for i, idx := range batch.Index {
					auxLabels[i] = -1
					if cfg.AuxLabels == 0 || idx < cfg.AuxLabels {
						auxLabels[i] = d.Labels[idx]
					}
				}
				aux.step(t.H()[:b*t.Model.Features], auxLabels)
			}
			step++
			part.EpochLoss += loss
			part.WinLoss += loss
			part.WinSteps++
			bar.update(step, epoch+1, cfg.Epochs, loss, lr, float64(b*(step-startStep))/time.Since(start).Seconds())
			if step%cfg.LogEvery == 0 || s == steps-1 {
				sec := time.Since(winStart).Seconds()
				timed := min(part.WinSteps, step-startStep) // steps of this window run by this process
				m := Metrics{Kind: "step", Epoch: epoch + 1, Step: step, Loss: part.WinLoss / float64(part.WinSteps), LR: lr,
					ImagesPerSec: float64(timed*b) / sec, ViewsPerSec: float64(2*timed*b) / sec, ElapsedSec: time.Since(start).Seconds()}
				if err := enc.Encode(m); err != nil {
					return nil, err
				}
				bar.line("epoch %d/%d step %d/%d loss %.4f lr %.4g %.0f img/s eta %s",
					epoch+1, cfg.Epochs, step, total, m.Loss, lr, m.ImagesPerSec, bar.eta(step))
				part.WinLoss, part.WinSteps, winStart = 0, 0, time.Now()
			}
		}
		sec := time.Since(epochStart).Seconds()
		done := step - epochFirst
		m := Metrics{Kind: "epoch", Epoch: epoch + 1, Step: step, Loss: part.EpochLoss / float64(steps), LR: Schedule(cfg.PeakLR, step-1, warm, total),
			ImagesPerSec: float64(done*b) / sec, ViewsPerSec: float64(2*done*b) / sec, ElapsedSec: time.Since(start).Seconds()}
		if aux != nil {
			m.AuxTop1, m.AuxLoss = aux.epoch()
			bar.line("epoch %d: online %s probe top-1 %.2f%% (train, labelled first views)", epoch+1, cfg.AuxHead, 100*m.AuxTop1)
		}
		if opts.KNNTest != nil && cfg.KNNBank > 0 {
			acc, err := knnMonitor(ctx, t.Model, t.pipe, d.Head(cfg.KNNBank), opts.KNNTest)
			if err != nil {
				return nil, err
			}
			m.KNNTop1 = &acc
			bar.line("epoch %d: kNN monitor top-1 %.2f%% (%d bank, %d queries)", epoch+1, 100*acc, min(cfg.KNNBank, n), opts.KNNTest.Len())
		}
		if err := enc.Encode(m); err != nil {
			return nil, err
		}
		part = Partial{}
		ck, err := checkpoint(epoch+1, epoch+1 == cfg.Epochs)
		if err != nil {
			return ck, fmt.Errorf("train: checkpoint: %w", err)
		}
		if epoch+1 == cfg.Epochs {
			bar.finish()
			return ck, nil
		}
	}
	return nil, errors.New("train: no steps run")
}

// knnMonitor is the per-epoch kNN accuracy (k=200, cosine, τ=0.1).
func knnMonitor(ctx context.Context, m *encoder.Model, pipe *augment.Pipeline, bank, queries *datasets.Dataset) (float64, error) {
	fs, err := eval.FeaturesWith(ctx, m, pipe, 0, bank, queries)
	if err != nil {
		return 0, err
	}
	return eval.KNN(eval.Set{X: fs[0], Labels: bank.Labels, D: m.Features}, eval.Set{X: fs[1], Labels: queries.Labels, D: m.Features}, len(bank.Classes), 200, 0.1)
}

// openMetrics opens metrics.jsonl for appending, first dropping lines
// past step (written after the checkpoint a resumed run starts from).
func openMetrics(path string, step int) (*os.File, error) {
	if step == 0 {
		return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var keep []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		var m Metrics
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &m) != nil || m.Step > step {
			continue
		}
		keep = append(keep, line...)
	}
	if err := WriteFileAtomic(path, func(f *os.File) error { _, err := f.Write(keep); return err }); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
}
