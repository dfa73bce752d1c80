package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/run"
)

// planSteps are the steps Plan times, after one untimed step.
const planSteps = 3

// budgetShare is the part of a time budget Plan fills: steps vary and
// checkpoints take time, so it leaves 5% over.
const budgetShare = 0.95

// Plan chooses cfg.Epochs for cfg.TimeBudget seconds of training on d: it
// times planSteps real steps (views, forward, backward, update) of a
// throwaway trainer and, when the run has one, one kNN monitor pass, and
// takes the most whole epochs that fit, at least one. cfg is returned
// resolved again, so warmup and the schedule follow the chosen epochs.
// The timing touches neither the run's model nor its randomness.
func Plan(ctx context.Context, cfg run.Config, d *datasets.Dataset, opts Options) (run.Config, error) {
	if !(cfg.TimeBudget > 0) {
		return cfg, fmt.Errorf("train: no epochs and no time budget to plan them from")
	}
	if err := fillsBatch(d, cfg.BatchSize); err != nil {
		return cfg, err
	}
	steps := d.Len() / cfg.BatchSize
	stepSec, monitorSec, err := timeEpoch(ctx, cfg, d, opts)
	if err != nil {
		return cfg, err
	}
	epochSec := float64(steps)*stepSec + monitorSec
	cfg.Epochs = max(1, int(math.Floor(budgetShare*cfg.TimeBudget/epochSec)))
	if c := opts.Comm; c != nil && c.Size() > 1 { // every rank trains rank 0's plan
		e := []float32{float32(cfg.Epochs)}
		if err := c.Broadcast(e, 0); err != nil {
			return cfg, err
		}
		cfg.Epochs = int(e[0])
	}
	if w := opts.Progress; w != nil && w != io.Discard {
		fmt.Fprintf(w, "train: time budget %s: %.2f s/step × %d steps + %.1f s monitor = %.0f s/epoch → %d epochs (%s)\n",
			time.Duration(cfg.TimeBudget*float64(time.Second)).Round(time.Second), stepSec, steps, monitorSec, epochSec,
			cfg.Epochs, time.Duration(float64(cfg.Epochs)*epochSec*float64(time.Second)).Round(time.Second))
	}
	return cfg.Resolved()
}

// timeEpoch times, on one throwaway trainer, the mean of planSteps
// training steps on d's first images (views made as training makes them)
// and, when the run has one, one kNN monitor pass.
func timeEpoch(ctx context.Context, cfg run.Config, d *datasets.Dataset, opts Options) (stepSec, monitorSec float64, err error) {
	cfg.Epochs = 1 // any: the schedule is not used
	t, err := newTrainer(cfg, Setup{Side: d.H, Classes: len(d.Classes), Comm: opts.Comm})
	if err != nil {
		return 0, 0, err
	}
	defer t.Close()
	order, b := share(epochOrder(cfg.Seed, 0, d.Len()), cfg.BatchSize, d.Len()/cfg.BatchSize, t.Comm)
	var start time.Time
	for i := range planSteps + 1 {
		if i == 1 {
			start = time.Now()
		}
		if err := t.LoadBatch(ctx, d, order[i*b%len(order):][:b], 0); err != nil {
			return 0, 0, err
		}
		if _, err := t.Step(0); err != nil {
			return 0, 0, err
		}
	}
	stepSec = time.Since(start).Seconds() / planSteps
	if opts.KNNTest != nil && cfg.KNNBank > 0 {
		start := time.Now()
		if _, err := knnMonitor(ctx, t.Model, t.pipe, d.Head(cfg.KNNBank), opts.KNNTest); err != nil {
			return 0, 0, err
		}
		monitorSec = time.Since(start).Seconds()
	}
	return stepSec, monitorSec, nil
}
