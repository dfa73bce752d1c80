package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/simclr-go/simclr/internal/chart"
	"github.com/simclr-go/simclr/run"
)

func runPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr plot", flag.ContinueOnError)
	var runDir, out string
	fs.StringVar(&runDir, "run", "", "run directory written by simclr train (required)")
	fs.StringVar(&out, "out", "", "directory for the pictures (default: the run directory)")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if runDir == "" {
		return usagef("--run is required")
	}
	if out == "" {
		out = runDir
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
