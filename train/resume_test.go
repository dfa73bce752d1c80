package train

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/simclr-go/simclr/datasets"
)

func smallRun() (Config, *datasets.Dataset, *datasets.Dataset) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 96, Side: 8, Seed: 3})
	q := datasets.NewSynthetic(datasets.SyntheticConfig{N: 40, Side: 8, Seed: 4})
	return Config{Dataset: "synthetic", Epochs: 3, BatchSize: 16, Seed: 5, LogEvery: 2, KNNBank: 64, AuxHead: "ce",
		Optimizer: OptLARS, Keep: 2}, d, q
}

// metricLines reads metrics.jsonl without the timing fields, which are
// the only ones allowed to differ between identical runs.
func metricLines(t *testing.T, dir string) []Metrics {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Metrics
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m Metrics
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
	ca, err := RunOn(context.Background(), cfg, d, a, RunOptions{KNNTest: q})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := RunOn(context.Background(), cfg, d, b, RunOptions{KNNTest: q})
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
	want, err := RunOn(context.Background(), cfg, d, full, RunOptions{KNNTest: q})
	if err != nil {
		t.Fatal(err)
	}
	// Stop once at an epoch boundary (6 steps) and once mid-epoch (11).
	for _, stop := range []int{6, 11} {
		dir := t.TempDir()
		ck, err := RunOn(context.Background(), cfg, d, dir, RunOptions{KNNTest: q, StopAfterSteps: stop})
		if !errors.Is(err, ErrStopped) || ck.Step != stop {
			t.Fatalf("stop after %d: %v, step %d", stop, err, ck.Step)
		}
		loaded, err := LoadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := RunOn(context.Background(), Config{}, d, dir, RunOptions{KNNTest: q, Resume: loaded})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Model, want.Model) || !reflect.DeepEqual(got.Optimizer, want.Optimizer) {
			t.Fatalf("stopped at step %d and resumed: weights differ from the uninterrupted run", stop)
		}
		if !reflect.DeepEqual(metricLines(t, dir), metricLines(t, full)) {
			t.Fatalf("metrics after resume differ:\n%+v\n%+v", metricLines(t, dir), metricLines(t, full))
		}
	}
}
