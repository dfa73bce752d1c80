package train

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/simclr-go/simclr/datasets"

	"github.com/simclr-go/simclr/run"
)

// Supervised training learns the labels: the training loss falls and the
// classifier is saved with the run and restored on resume.
func TestSupervisedMethod(t *testing.T) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 256, Side: 16, Seed: 3})
	cfg := run.Config{Dataset: "synthetic", Method: run.MethodSupervised, Epochs: 6, BatchSize: 32, Seed: 2, KNNBank: -1, LogEvery: 8}
	dir := t.TempDir()
	ck, err := RunOn(context.Background(), cfg, d, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ck.Method["classifier.w"]) != 256*len(d.Classes) || len(ck.Method["classifier.b"]) != len(d.Classes) {
		t.Fatalf("checkpoint lacks the classifier: %d tensors", len(ck.Method))
	}
	ms, err := run.ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	var epochs []float64
	for _, m := range ms {
		if m.Kind == "epoch" {
			epochs = append(epochs, m.Loss)
		}
	}
	// 10 classes: chance is ln 10 ≈ 2.30.
	if len(epochs) != 6 || epochs[0] < epochs[5]+0.3 || epochs[5] > 1.8 {
		t.Fatalf("supervised epoch losses %v: not learning", epochs)
	}
	// Resume from the middle ends bit-identical, classifier included.
	mid := t.TempDir()
	if _, err := RunOn(context.Background(), cfg, d, mid, Options{StopAfterSteps: 20}); err == nil {
		t.Fatal("StopAfterSteps did not stop")
	}
	loaded, err := run.LoadCheckpoint(mid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := RunOn(context.Background(), run.Config{}, d, mid, Options{Resume: loaded})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Model, ck.Model) || !reflect.DeepEqual(got.Method, ck.Method) {
		t.Fatal("a resumed supervised run differs from an uninterrupted one")
	}
}

func TestUnknownMethodNamesTheKey(t *testing.T) {
	_, err := NewMethod(run.Config{Method: "byol"})
	if fe, ok := err.(*run.FieldError); !ok || fe.Key != "method" {
		t.Fatalf("unknown method: %v", err)
	}
}

// An interrupt writes checkpoint.bin only: the kept snapshot of the last
// finished epoch stays that epoch's.
func TestInterruptKeepsTheEpochSnapshot(t *testing.T) {
	cfg, d, _ := smallRun()
	cfg.KNNBank, cfg.AuxHead = -1, ""
	dir := t.TempDir()
	// 6 steps an epoch: stop 2 steps into the second.
	if _, err := RunOn(context.Background(), cfg, d, dir, Options{StopAfterSteps: 8}); err == nil {
		t.Fatal("StopAfterSteps did not stop")
	}
	last, err := run.LoadCheckpoint(dir)
	if err != nil || last.Step != 8 {
		t.Fatalf("checkpoint.bin at step %v (%v), want 8", last.Step, err)
	}
	ck, err := run.ReadCheckpoint(filepath.Join(dir, "checkpoint-e0001.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if ck.Epoch != 1 || ck.Step != 6 {
		t.Fatalf("checkpoint-e0001.bin holds epoch %d step %d, want epoch 1 step 6", ck.Epoch, ck.Step)
	}
}
