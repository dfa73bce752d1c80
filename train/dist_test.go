package train

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/run"
)

// relDiff is max|a−b| / max|b|.
func relDiff(a, b []float32) float64 {
	var d, m float64
	for i := range b {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
		m = max(m, math.Abs(float64(b[i])))
	}
	return d / max(m, 1e-30)
}

// distConfig is a small run for the equivalence tests.
func distConfig(arch string) run.Config {
	c := run.Config{Dataset: "synthetic", Epochs: 2, BatchSize: 16, Seed: 11, LogEvery: 1, KNNBank: -1, SyncBN: true}
	c.Model.Arch, c.Model.Width = arch, 0.25
	return c
}

// One step of N in-process ranks with SyncBN at global batch B against
// one process at batch B: the same loss and the same gradients.
func TestRanksEqualOneProcessAfterOneStep(t *testing.T) {
	for _, arch := range []string{"small", "resnet18"} {
		for _, ranks := range []int{2, 4} {
			t.Run(fmt.Sprintf("%s/%d", arch, ranks), func(t *testing.T) { oneStep(t, distConfig(arch), ranks) })
		}
	}
}

func oneStep(t *testing.T, cfg run.Config, ranks int) {
	ctx := context.Background()
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 64, Side: 16, Seed: 5})
	idx := make([]int, cfg.BatchSize)
	for i := range idx {
		idx[i] = (7 * i) % d.Len()
	}
	one, err := NewTrainer(cfg, Setup{Side: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if err := one.LoadBatch(ctx, d, idx, 0); err != nil {
		t.Fatal(err)
	}
	want, err := one.Backward()
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.BatchSize / ranks
	err = dist.RunLocal(ranks, func(c dist.Comm) error {
		tr, err := NewTrainer(cfg, Setup{Side: 16, Comm: c})
		if err != nil {
			return err
		}
		defer tr.Close()
		if err := tr.LoadBatch(ctx, d, idx[c.Rank()*b:(c.Rank()+1)*b], 0); err != nil {
			return err
		}
		loss, err := tr.Backward()
		if err != nil {
			return err
		}
		if loss, err = tr.ReduceGrads(loss); err != nil {
			return err
		}
		if math.Abs(loss-want)/want > 1e-5 {
			return fmt.Errorf("rank %d: loss %v, one process %v", c.Rank(), loss, want)
		}
		for i, g := range tr.gbuf {
			if r := relDiff(g, one.gbuf[i]); r > 1e-5 {
				return fmt.Errorf("rank %d: gradient of %s differs by %.2g relative", c.Rank(), tr.params[i].Name, r)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Twenty steps of two in-process ranks with SyncBN follow one process
// step by step; only rank 0 writes the run directory.
func TestRanksFollowOneProcessForTwentySteps(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two runs of 20 steps")
	}
	cfg := distConfig("small")
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 160, Side: 16, Seed: 5})
	oneDir, twoDir := t.TempDir(), t.TempDir()
	if _, err := RunOn(context.Background(), cfg, d, oneDir, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := dist.RunLocal(2, func(c dist.Comm) error {
		_, err := RunOn(context.Background(), cfg, d, twoDir, Options{Comm: c})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want, _ := run.ReadMetrics(oneDir)
	got, err := run.ReadMetrics(twoDir)
	if err != nil || len(got) != len(want) {
		t.Fatalf("%d metric lines from the ranks, %d from one process (%v)", len(got), len(want), err)
	}
	steps := 0
	for i, m := range got {
		// The ranks sum the gradient in another order than one process, and
		// at batch 16 a rounding difference grows once it tips a max-pool
		// or ReLU the other way: over 8 synthetic seeds, 3 (old engine) and 4
		// (new) drifted past 1e-3 by step 20, the worst by 0.024 and 0.11;
		// with the shifted convolutions this seed differs by 8e-8 relative
		// up to step 6, then 4e-6 and 2e-5 at steps 7 and 8.
		// So the first 6 steps agree to rounding, the rest loosely; the
		// gradients themselves are compared in TestRanksEqualOneProcessAfterOneStep.
		tol := 1e-5 * math.Abs(want[i].Loss)
		if m.Step > 6 {
			tol = 0.1 * math.Abs(want[i].Loss)
		}
		if m.Kind != want[i].Kind || m.Step != want[i].Step || math.Abs(m.Loss-want[i].Loss) > tol {
			t.Fatalf("line %d: ranks %+v, one process %+v", i, m, want[i])
		}
		if m.Kind == "step" {
			steps++
		}
	}
	if steps != 20 {
		t.Fatalf("%d step lines, want 20", steps)
	}
}

// Without SyncBN each rank normalises its own share: the loss is not the
// one-process loss (the test that shows SyncBN is what makes them equal).
func TestWithoutSyncBNRanksDiffer(t *testing.T) {
	cfg := distConfig("small")
	cfg.SyncBN = false
	defer func() {
		if r := recover(); r != nil {
			t.Fatal(r)
		}
	}()
	ctx := context.Background()
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 64, Side: 16, Seed: 5})
	idx := make([]int, 16)
	for i := range idx {
		idx[i] = i
	}
	one, _ := NewTrainer(cfg, Setup{Side: 16})
	defer one.Close()
	one.LoadBatch(ctx, d, idx, 0)
	want, _ := one.Backward()
	err := dist.RunLocal(2, func(c dist.Comm) error {
		tr, err := NewTrainer(cfg, Setup{Side: 16, Comm: c})
		if err != nil {
			return err
		}
		defer tr.Close()
		tr.LoadBatch(ctx, d, idx[c.Rank()*8:(c.Rank()+1)*8], 0)
		loss, _ := tr.Backward()
		if loss, err = tr.ReduceGrads(loss); err != nil {
			return err
		}
		if math.Abs(loss-want)/want < 1e-6 {
			return fmt.Errorf("per-rank BatchNorm gave the one-process loss %v", loss)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
