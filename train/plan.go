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

// Plan chooses cfg.Epochs (and, when the budget ends inside an epoch,
// cfg.Steps) for cfg.TimeBudget seconds of training on d: it times
// planSteps real steps (views, forward, backward, update) of a throwaway
// trainer and, when the run has one, one kNN monitor pass, and fills
// budgetShare of the budget: whole epochs, then as many steps of one more
// epoch (and its monitor pass) as fit, at least one epoch in all. cfg is
// returned resolved again, so warmup and the schedule follow the plan.
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
	cfg.Epochs, cfg.Steps = budgetPlan(budgetShare*cfg.TimeBudget, steps, stepSec, monitorSec)
	if c := opts.Comm; c != nil && c.Size() > 1 { // every rank trains rank 0's plan
		e := []float32{float32(cfg.Epochs), float32(cfg.Steps)}
		if err := c.Broadcast(e, 0); err != nil {
			return cfg, err
		}
		cfg.Epochs, cfg.Steps = int(e[0]), int(e[1])
	}
	if w := opts.Progress; w != nil && w != io.Discard {
		total := cfg.Epochs * steps
		if cfg.Steps > 0 {
			total = cfg.Steps
		}
		sec := float64(total)*stepSec + float64(cfg.Epochs)*monitorSec
		fmt.Fprintf(w, "train: time budget %s: %.2f s/step, %.1f s monitor per epoch → %d steps (%.2f epochs of %d) in about %s\n",
			time.Duration(cfg.TimeBudget*float64(time.Second)).Round(time.Second), stepSec, monitorSec, total,
			float64(total)/float64(steps), steps, time.Duration(sec*float64(time.Second)).Round(time.Second))
	}
	return cfg.Resolved()
}

// budgetPlan fills sec seconds with epochs of steps steps (stepSec each,
// plus monitorSec at every epoch's end): whole epochs, then the steps of
// a last, partial one when at least a tenth of an epoch fits; one epoch
// when not even that does. total is 0 when the last epoch is whole.
func budgetPlan(sec float64, steps int, stepSec, monitorSec float64) (epochs, total int) {
	epochSec := float64(steps)*stepSec + monitorSec
	epochs = int(math.Floor(sec / epochSec))
	extra := int(math.Floor((sec - float64(epochs)*epochSec - monitorSec) / stepSec))
	switch {
	case extra >= max(1, steps/10) && extra < steps:
		return epochs + 1, epochs*steps + extra
	case epochs == 0:
		return 1, 0
	}
	return epochs, 0
}

// timeEpoch times, on one throwaway trainer, the mean of planSteps
// training steps on d's first images (views made as training makes them)
// and, when the run has one, one kNN monitor pass.
func timeEpoch(ctx context.Context, cfg run.Config, d *datasets.Dataset, opts Options) (stepSec, monitorSec float64, err error) {
	cfg.Epochs, cfg.Steps = 1, 0 // any: the schedule is not used
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
