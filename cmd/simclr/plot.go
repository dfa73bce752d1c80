package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/internal/chart"
	"github.com/simclr-go/simclr/run"
)

func runPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr plot", flag.ContinueOnError)
	var runDir, out string
	fs.StringVar(&runDir, "run", "", "run directory written by simclr train (required)")
	fs.StringVar(&out, "out", "", "directory for the pictures (default: the run directory)")
	var features bool
	var n int
	var dataDir string
	fs.BoolVar(&features, "features", false, "also draw features-pca.png/.svg: the first two principal components of the encoder's test-set features, coloured by class")
	fs.IntVar(&n, "n", 2000, "with --features: test images to draw")
	fs.StringVar(&dataDir, "data-dir", "", "with --features: the labelled dataset's directory (default: the run's)")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if runDir == "" {
		return usagef("--run is required")
	}
	if n < 3 {
		return usagef("--n %d: want at least 3 images", n)
	}
	if out == "" {
		out = runDir
	}
	if features {
		if err := featurePlot(ctx, eval.Source{Run: runDir, DataDir: dataDir, Limit: 1, TestLimit: n}, out, stdout, stderr); err != nil {
			return err
		}
	}
	ms, err := run.ReadMetrics(runDir)
	if err != nil {
		return err
	}
	written, skipped, err := chart.Curves(ms, out)
	if skipped > 0 {
		fmt.Fprintf(stderr, "plot: skipped %d values that are not finite or beyond ±%g\n", skipped, chart.Max)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(runDir, run.MetricsFile), err)
	}
	for _, w := range written {
		fmt.Fprintln(stdout, "wrote", w)
	}
	return nil
}

// featurePlot draws the PCA scatter of the run's test-set features.
func featurePlot(ctx context.Context, s eval.Source, out string, stdout, stderr io.Writer) error {
	f, err := open(ctx, s, stderr)
	if err != nil {
		return err
	}
	xs, dim, err := f.Features(ctx, f.Test)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s: test features, first two principal components (%d images)", filepath.Base(s.Run), f.Test.Len())
	written, err := chart.Scatter(xs[0], f.Test.Len(), dim, f.Test.Labels, f.Test.Classes, title, filepath.Join(out, "features-pca"))
	for _, w := range written {
		fmt.Fprintln(stdout, "wrote", w)
	}
	return err
}
