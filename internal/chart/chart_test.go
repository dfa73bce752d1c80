package chart

import (
	"math"
	"os"
	"testing"

	"github.com/simclr-go/simclr/run"
)

// Losses of ±1e308 (a diverged run) once made gonum's axes loop forever:
// they are skipped and counted, the rest is drawn.
func TestCurvesSkipWhatAxesCannotSpan(t *testing.T) {
	dir := t.TempDir()
	knn := 0.4
	ms := []run.Metrics{{Kind: "step", Step: 1, Loss: 1e308, LR: 0.1}, {Kind: "step", Step: 2, Loss: -1e308, LR: 0.1},
		{Kind: "step", Step: 3, Loss: 4.5, LR: 0.05}, {Kind: "epoch", Epoch: 1, Step: 3, KNNTop1: &knn}, {Kind: "step", Step: 4, Loss: math.NaN(), LR: 0.01}}
	written, skipped, err := Curves(ms, dir)
	if err != nil || skipped != 3 || len(written) != 6 {
		t.Fatalf("written %v, skipped %d, %v", written, skipped, err)
	}
	for _, f := range written {
		if fi, err := os.Stat(f); err != nil || fi.Size() < 500 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, _, err := Curves([]run.Metrics{{Kind: "step", Loss: math.Inf(1)}}, dir); err == nil {
		t.Fatal("nothing to draw, no error")
	}
}
