package chart

import (
	"math"
	"os"
	"path/filepath"
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

// Tick labels carry enough decimals for neighbours to differ.
func TestTicksDistinct(t *testing.T) {
	for _, r := range [][2]float64{{4.42, 4.61}, {4.45, 4.62}, {0.001, 0.0042}, {3, 40}, {5.01, 5.013}} {
		var labels []string
		for _, tk := range (Ticks{}).Ticks(r[0], r[1]) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		for i := 1; i < len(labels); i++ {
			if labels[i] == labels[i-1] {
				t.Fatalf("range %v: labels %q repeat", r, labels)
			}
		}
		if len(labels) < 2 {
			t.Fatalf("range %v: labels %q", r, labels)
		}
	}
}

// PCA finds the axis of largest variance: points spread along (1, 1, 0)
// project onto PC 1 with nearly all the variance.
func TestPCA(t *testing.T) {
	const n = 50
	x := make([]float32, 3*n)
	for i := range n {
		v := float32(i - n/2)
		x[3*i], x[3*i+1], x[3*i+2] = v, v+0.01*float32(i%3), 0.02*float32(i%5)
	}
	xy, share, err := PCA(x, n, 3)
	if err != nil || share[0] < 0.999 || share[1] > 0.001 {
		t.Fatalf("share %v, %v", share, err)
	}
	// PC 1 of point i is ±(i − n/2)·√2.
	if got, want := math.Abs(xy[2*(n-1)]-xy[0]), float64(n-1)*math.Sqrt2; math.Abs(got-want) > 0.05 {
		t.Fatalf("PC 1 span %v, want %v", got, want)
	}
	if _, _, err := PCA(x[:4], 2, 2); err == nil {
		t.Fatal("PCA of 2 rows accepted")
	}
	files, err := Scatter(x, n, 3, make([]int32, n), []string{"one"}, "t", filepath.Join(t.TempDir(), "pca"))
	if err != nil || len(files) != 2 {
		t.Fatal(files, err)
	}
}
