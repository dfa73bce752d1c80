package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
)

// Options are the parts of a run that are not its configuration.
type Options struct {
	Progress io.Writer       // progress lines (nil: none)
	Resume   *run.Checkpoint // continue this run exactly where it stopped
	// KNNTest, when set, are the labelled queries of the per-epoch kNN
	// monitor (its bank is the first KNNBank training images).
	KNNTest *datasets.Dataset
	// StopAfterSteps > 0 stops (as an interrupt would) once that many
	// steps are done, with a checkpoint; the run stays resumable.
	StopAfterSteps int
	Comm           dist.Comm // the world; nil means dist.Single
}

// ErrStopped is returned when a run stopped early on request
// (Options.StopAfterSteps); its last checkpoint is written.
var ErrStopped = errors.New("train: stopped early; resume with --resume")

// Run trains on cfg's dataset (or, with opts.Resume, on the resumed run's)
// and writes the run directory out.
func Run(ctx context.Context, cfg run.Config, out string, opts Options) (*run.Checkpoint, error) {
	if opts.Resume != nil {
		cfg = opts.Resume.Config
		if err := opts.Resume.CheckConfig(out); err != nil {
			return nil, err
		}
	} else if err := run.CheckNew(out); err != nil {
		return nil, err
	}
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	d, err := datasets.LoadAt(cfg.Dataset, cfg.DataDir, datasets.Train, cfg.Limit, cfg.ImageSize)
	if err != nil {
		return nil, err
	}
	if !d.Labelled() {
		if cfg.Method == run.MethodSupervised || cfg.AuxHead != "" {
			return nil, fmt.Errorf("train: %s is unlabelled (images with no class subfolders): --method supervised and --aux-head need labels", cfg.DataDir)
		}
		if cfg.KNNQueries > 0 && opts.KNNTest == nil && opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "train: %s is unlabelled: no kNN monitor (simclr eval --run R --data-dir LABELLED probes the encoder on a labelled folder)\n", cfg.DataDir)
		}
		cfg.KNNQueries = -1
		if cfg, err = cfg.Resolved(); err != nil {
			return nil, err
		}
	}
	if cfg.KNNQueries > 0 && opts.KNNTest == nil {
		if opts.KNNTest, err = datasets.LoadAt(cfg.Dataset, cfg.DataDir, datasets.Test, cfg.KNNQueries, cfg.ImageSize); err != nil {
			return nil, fmt.Errorf("train: the kNN monitor needs the test split (--knn-queries -1 turns it off): %w", err)
		}
	}
	return RunOn(ctx, cfg, d, out, opts)
}

// RunOn is Run on a training set already in memory.
func RunOn(ctx context.Context, cfg run.Config, d *datasets.Dataset, out string, opts Options) (*run.Checkpoint, error) {
	if opts.Resume != nil {
		cfg = opts.Resume.Config
	}
	cfg, err := cfg.Resolved()
	if err != nil {
		return nil, err
	}
	if cfg.Epochs == 0 { // a time budget to plan
		if cfg, err = Plan(ctx, cfg, d, opts); err != nil {
			return nil, err
		}
	}
	return runOn(ctx, cfg, d, out, opts)
}

// runOn is the training loop: epochs of steps, each epoch closed by its
// metrics, monitors and checkpoint.
func runOn(ctx context.Context, cfg run.Config, d *datasets.Dataset, out string, opts Options) (*run.Checkpoint, error) {
	s, err := newSession(cfg, d, out, opts)
	if err != nil {
		return nil, err
	}
	defer s.close()
	for epoch := s.step / s.steps; epoch < cfg.Epochs; epoch++ {
		if err := s.epoch(ctx, epoch); err != nil {
			if errors.Is(err, errInterrupted) {
				ck, cerr := s.save(epoch, false) // only checkpoint.bin: the epoch's snapshot stays
				return ck, errors.Join(s.why(ctx), cerr)
			}
			return nil, err
		}
		if err := s.endEpoch(ctx, epoch); err != nil {
			return nil, err
		}
		done := epoch + 1
		ck, err := s.save(done, done == cfg.Epochs || done%cfg.CheckpointEvery == 0)
		if err != nil {
			return ck, fmt.Errorf("train: checkpoint: %w", err)
		}
		if done == cfg.Epochs {
			s.bar.finish()
			return ck, nil
		}
	}
	return nil, errors.New("train: no steps run")
}

// errInterrupted ends an epoch early: the context was cancelled or the
// step budget (Options.StopAfterSteps) is spent.
var errInterrupted = errors.New("interrupted")

// why says what stopped an interrupted run.
func (s *session) why(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return ErrStopped
}

// knnMonitor is the per-epoch kNN accuracy (k=200, cosine, τ=0.1).
func knnMonitor(ctx context.Context, m *encoder.Model, pipe *augment.Pipeline, bank, queries *datasets.Dataset) (float64, error) {
	fs, err := eval.FeaturesWith(ctx, m, pipe, 0, bank, queries)
	if err != nil {
		return 0, err
	}
	return eval.KNN(ctx, eval.Set{X: fs[0], Labels: bank.Labels, D: m.Features}, eval.Set{X: fs[1], Labels: queries.Labels, D: m.Features}, len(bank.Classes), 200, 0.1)
}

// epochOrder is the epoch's shuffle of n images, from the run's seed.
func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
}

// encodeMetrics appends m to metrics.jsonl (rank 0; the others write
// nothing).
func (s *session) encodeMetrics(m run.Metrics) error {
	if !s.lead {
		return nil
	}
	return json.NewEncoder(s.metrics).Encode(m)
}

// elapsed is the training wall-clock of the steps so far: the resumed
// checkpoint's, then this process's since it started training.
func (s *session) elapsed() float64 { return s.prior + time.Since(s.start).Seconds() }
