package train

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
)

func probe(t *testing.T, m *encoder.Model, train, test *datasets.Dataset) float64 {
	t.Helper()
	ctx := context.Background()
	ftr, err := eval.Features(ctx, m, train, 0)
	if err != nil {
		t.Fatal(err)
	}
	fte, err := eval.Features(ctx, m, test, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := eval.Probe(context.Background(), eval.Set{X: ftr, Labels: train.Labels, D: m.Features}, eval.Set{X: fte, Labels: test.Labels, D: m.Features}, len(train.Classes), eval.HeadCE, []float64{1e-3})
	if err != nil {
		t.Fatal(err)
	}
	return r.Top1
}

// TestSimCLRBeatsRandomInit is the end-to-end check: a few hundred SimCLR
// steps on synthetic data must raise the linear probe's accuracy above
// that of the same encoder at its random initialisation.
func TestSimCLRBeatsRandomInit(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few hundred steps")
	}
	const side = 16
	trainSet := datasets.NewSynthetic(datasets.SyntheticConfig{N: 1024, Side: side, Seed: 1})
	testSet := datasets.NewSynthetic(datasets.SyntheticConfig{N: 500, Side: side, Seed: 2})
	cfg := run.Config{Dataset: "synthetic", Epochs: 16, BatchSize: 64, LR: 0.3, Seed: 7, LogEvery: 8, AuxHead: "ce", AuxLabels: 512}
	rc, _ := cfg.Resolved()
	random, err := encoder.New(rc.Model)
	if err != nil {
		t.Fatal(err)
	}
	before := probe(t, random, trainSet, testSet)

	dir := t.TempDir()
	ck, err := RunOn(context.Background(), cfg, trainSet, dir, Options{KNNTest: testSet})
	if err != nil {
		t.Fatal(err)
	}
	trained, _ := encoder.New(ck.Config.Model)
	if err := trained.Load(ck.Model); err != nil {
		t.Fatal(err)
	}
	after := probe(t, trained, trainSet, testSet)
	t.Logf("probe top-1: random init %.3f, after %d SimCLR steps %.3f", before, ck.Step, after)
	if after <= before+0.05 {
		t.Fatalf("SimCLR did not help: top-1 %.3f after training vs %.3f at init", after, before)
	}
	// The loss fell.
	f, _ := os.Open(filepath.Join(dir, run.MetricsFile))
	defer f.Close()
	var first, last, lastEpoch run.Metrics
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		var m run.Metrics
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			first = m
		}
		if m.Kind == "step" {
			last = m
		} else {
			lastEpoch = m
		}
	}
	if !(last.Loss < first.Loss-0.1) || math.IsNaN(last.Loss) {
		t.Fatalf("loss went from %v to %v", first.Loss, last.Loss)
	}
	// The online probe (labels of half the images) learned too: chance is 0.1.
	t.Logf("online ce probe, last epoch: top-1 %.3f", lastEpoch.AuxTop1)
	if lastEpoch.AuxTop1 < 0.3 {
		t.Fatalf("online probe top-1 %v in the last epoch", lastEpoch.AuxTop1)
	}
}
