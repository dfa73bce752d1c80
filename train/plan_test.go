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
	if ck.Config.Epochs < 1 || took > 5*time.Second {
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
