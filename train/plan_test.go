package train

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/run"
)

// A time budget becomes whole epochs that fit, recorded in config.json:
// rerunning that config trains exactly those epochs, without planning.
func TestTimeBudget(t *testing.T) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 64, Side: 16, Seed: 1})
	cfg := run.Config{Dataset: "synthetic", BatchSize: 16, KNNBank: -1, TimeBudget: 3}
	dir := t.TempDir()
	start := time.Now()
	ck, err := RunOn(context.Background(), cfg, d, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	// Loose: on 64 tiny images the per-epoch checkpoint, which the plan does
	// not time, is a large part of an epoch, and go test runs packages in
	// parallel (the 15-minute row's plan is checked on real data).
	if ck.Config.Epochs < 1 || took > 10*time.Second {
		t.Fatalf("%d epochs in %v for a 3 s budget", ck.Config.Epochs, took)
	}
	var saved run.Config
	b, _ := os.ReadFile(filepath.Join(dir, run.ConfigFile))
	json.Unmarshal(b, &saved)
	if saved.Epochs != ck.Config.Epochs || saved.TimeBudget != 3 || saved.WarmupEpochs != min(10, float64(saved.Epochs)/10) {
		t.Fatalf("config.json records epochs %d, budget %v, warmup %v", saved.Epochs, saved.TimeBudget, saved.WarmupEpochs)
	}
	again, err := saved.Resolved()
	if err != nil || again.Epochs != saved.Epochs {
		t.Fatalf("the recorded config resolves to %d epochs (%v)", again.Epochs, err)
	}
	if _, err := (run.Config{TimeBudget: -1}).Resolved(); err == nil {
		t.Fatal("a negative budget was accepted")
	}
}

// The plan fills the budget: whole epochs, then a partial one when a
// tenth of an epoch or more fits (with its monitor pass).
func TestBudgetPlan(t *testing.T) {
	for _, c := range []struct {
		sec, stepSec, monitor float64
		steps, epochs, total  int
	}{
		{855, 1.45, 10, 195, 3, 0}, // the 15-minute row: total below
		{100, 1, 0, 100, 1, 0},     // exactly one epoch
		{150, 1, 0, 100, 2, 150},   // one and a half
		{105, 1, 0, 100, 1, 0},     // 5 steps left: under a tenth, not worth an epoch end
		{30, 1, 0, 100, 1, 30},     // less than an epoch: a partial first one
		{5, 1, 0, 100, 1, 0},       // not even a tenth: one whole epoch
	} {
		if c.sec == 855 { // 95% of 900 s at 1.45 s/step, a 10 s monitor: 2 epochs (585.5 s), then 178 steps and a monitor
			c.total = 2*195 + 178 // (855 − 585.5 − 10) / 1.45 = 178.97
		}
		e, total := budgetPlan(c.sec, c.steps, c.stepSec, c.monitor)
		if e != c.epochs || total != c.total {
			t.Errorf("%v s, %d steps of %v s, monitor %v: %d epochs, %d steps; want %d, %d", c.sec, c.steps, c.stepSec, c.monitor, e, total, c.epochs, c.total)
		}
	}
}

// A run with Steps ends inside its last epoch: that epoch's line averages
// the steps it ran, the cosine ends at the last step, and a run stopped in
// the partial epoch resumes to the same weights.
func TestStepsEndInsideLastEpoch(t *testing.T) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 64, Side: 16, Seed: 1})
	cfg := run.Config{Dataset: "synthetic", BatchSize: 16, KNNBank: -1, Epochs: 3, Steps: 10, Seed: 2}
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	ck, err := RunOn(ctx, cfg, d, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ck.Step != 10 || ck.Epoch != 3 {
		t.Fatalf("ended at step %d, epoch %d", ck.Step, ck.Epoch)
	}
	ms, _ := run.ReadMetrics(a)
	var epochs []run.Metrics
	for _, m := range ms {
		if m.Kind == "epoch" {
			epochs = append(epochs, m)
		}
	}
	warm := ck.Config.WarmupSteps(4)
	if len(epochs) != 3 || epochs[2].Step != 10 || epochs[2].LR != run.Schedule(ck.Config.PeakLR, 9, warm, 10) {
		t.Fatalf("epoch lines %+v", epochs)
	}
	if _, err := RunOn(ctx, cfg, d, b, Options{StopAfterSteps: 9}); err == nil {
		t.Fatal("the stop did not stop")
	}
	r, err := run.LoadCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	ck2, err := RunOn(ctx, cfg, d, b, Options{Resume: r})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range ck.Model {
		if w := ck2.Model[name]; len(w) != len(v) || w[0] != v[0] || w[len(w)-1] != v[len(v)-1] {
			t.Fatalf("resumed %s differs", name)
		}
	}
	bad := cfg
	bad.Steps = 8 // ends before epoch 3 starts
	if _, err := RunOn(ctx, bad, d, t.TempDir(), Options{}); err == nil {
		t.Fatal("steps before the last epoch accepted")
	}
}
