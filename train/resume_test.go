package train

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/run"
)

func smallRun() (run.Config, *datasets.Dataset, *datasets.Dataset) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 96, Side: 8, Seed: 3})
	q := datasets.NewSynthetic(datasets.SyntheticConfig{N: 40, Side: 8, Seed: 4})
	return run.Config{Dataset: "synthetic", Epochs: 3, BatchSize: 16, Seed: 5, LogEvery: 2, KNNBank: 64, AuxHead: "ce",
		Optimizer: run.OptLARS, Keep: 2}, d, q
}

// metricLines reads metrics.jsonl without the timing fields, which are
// the only ones allowed to differ between identical runs.
func metricLines(t *testing.T, dir string) []run.Metrics {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, run.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []run.Metrics
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m run.Metrics
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		m.ImagesPerSec, m.ViewsPerSec, m.ElapsedSec = 0, 0, 0
		out = append(out, m)
	}
	return out
}

func TestReproducible(t *testing.T) {
	cfg, d, q := smallRun()
	a, b := t.TempDir(), t.TempDir()
	ca, err := RunOn(context.Background(), cfg, d, a, Options{KNNTest: q})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := RunOn(context.Background(), cfg, d, b, Options{KNNTest: q})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ca.Model, cb.Model) || !reflect.DeepEqual(metricLines(t, a), metricLines(t, b)) {
		t.Fatal("same config and seed gave different weights or metrics")
	}
	ms := metricLines(t, a)
	last := ms[len(ms)-1]
	if last.Kind != "epoch" || last.KNNTop1 == nil || last.AuxTop1 == 0 {
		t.Fatalf("epoch line lacks the monitors: %+v", last)
	}
	// Kept history: the newest 2 of 3 epochs.
	kept, _ := filepath.Glob(filepath.Join(a, "checkpoint-e*.bin"))
	if len(kept) != 2 || filepath.Base(kept[1]) != "checkpoint-e0003.bin" {
		t.Fatalf("kept checkpoints %v", kept)
	}
}

func TestResumeIsExact(t *testing.T) {
	cfg, d, q := smallRun()
	full := t.TempDir()
	want, err := RunOn(context.Background(), cfg, d, full, Options{KNNTest: q})
	if err != nil {
		t.Fatal(err)
	}
	// Stop once at an epoch boundary (6 steps) and once mid-epoch (11).
	for _, stop := range []int{6, 11} {
		dir := t.TempDir()
		ck, err := RunOn(context.Background(), cfg, d, dir, Options{KNNTest: q, StopAfterSteps: stop})
		if !errors.Is(err, ErrStopped) || ck.Step != stop {
			t.Fatalf("stop after %d: %v, step %d", stop, err, ck.Step)
		}
		loaded, err := run.LoadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := RunOn(context.Background(), run.Config{}, d, dir, Options{KNNTest: q, Resume: loaded})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Model, want.Model) || !reflect.DeepEqual(got.Optimizer, want.Optimizer) {
			t.Fatalf("stopped at step %d and resumed: weights differ from the uninterrupted run", stop)
		}
		// The training time carries over the resume: the stopped process's
		// seconds, then the resumed one's (metrics' elapsed_sec alike).
		ms, _ := run.ReadMetrics(dir)
		if last := ms[len(ms)-1]; loaded.TrainSec <= 0 || got.TrainSec <= loaded.TrainSec || last.ElapsedSec < loaded.TrainSec {
			t.Fatalf("stopped at step %d: train seconds %v at the stop, %v at the end, last elapsed_sec %v", stop, loaded.TrainSec, got.TrainSec, last.ElapsedSec)
		}
		if !reflect.DeepEqual(metricLines(t, dir), metricLines(t, full)) {
			t.Fatalf("metrics after resume differ:\n%+v\n%+v", metricLines(t, dir), metricLines(t, full))
		}
	}
}

func TestNonFiniteLossStops(t *testing.T) {
	cfg, d, _ := smallRun()
	tr, err := NewTrainer(cfg, Setup{Side: d.H})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.Model.Params()[0].Data[0] = float32(math.NaN())
	idx := make([]int, cfg.BatchSize)
	for i := range idx {
		idx[i] = i
	}
	tr.LoadBatch(context.Background(), d, idx, 0)
	if _, err := tr.Step(0.1); err == nil || !strings.Contains(err.Error(), "loss is NaN") {
		t.Fatalf("NaN weights: %v", err)
	}
}

// TestInterruptCheckpointsAndResumes cancels the context mid-run, as
// SIGINT does: the run writes a checkpoint at the step it reached and a
// resume ends where an uninterrupted run ends.
func TestInterruptCheckpointsAndResumes(t *testing.T) {
	cfg, d, q := smallRun()
	want, err := RunOn(context.Background(), cfg, d, t.TempDir(), Options{KNNTest: q})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelOn{text: "step 4/", cancel: cancel}
	ck, err := RunOn(ctx, cfg, d, dir, Options{KNNTest: q, Progress: w})
	if !errors.Is(err, context.Canceled) || ck == nil || ck.Step != 4 {
		t.Fatalf("interrupted run: %v, checkpoint %+v", err, ck)
	}
	loaded, err := run.LoadCheckpoint(dir)
	if err != nil || loaded.Step != 4 {
		t.Fatalf("checkpoint on disk: %v", err)
	}
	got, err := RunOn(context.Background(), run.Config{}, d, dir, Options{KNNTest: q, Resume: loaded})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Model, want.Model) {
		t.Fatal("interrupted and resumed run differs from the uninterrupted one")
	}
}

type cancelOn struct {
	text   string
	cancel func()
}

func (c *cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.text) {
		c.cancel()
	}
	return len(p), nil
}

// TestMemorySteady checks that training does not grow the heap step after
// step: buffers are sized once per shape and reused.
func TestMemorySteady(t *testing.T) {
	cfg, d, _ := smallRun()
	tr, err := NewTrainer(cfg, Setup{Side: d.H})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	idx := make([]int, cfg.BatchSize)
	for i := range idx {
		idx[i] = i
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	var after10 uint64
	for s := 1; s <= 60; s++ {
		tr.LoadBatch(context.Background(), d, idx, s)
		if _, err := tr.Step(0.01); err != nil {
			t.Fatal(err)
		}
		if s == 10 {
			after10 = heap()
		}
	}
	if end := heap(); end > after10+after10/10+1<<20 {
		t.Fatalf("heap grew from %d to %d bytes between steps 10 and 60", after10, end)
	}
}
