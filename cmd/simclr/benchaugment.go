package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/internal/machine"
	"github.com/simclr-go/simclr/internal/pixel"
)

// AugmentBenchResult is what simclr bench augment prints with --json.
type AugmentBenchResult struct {
	Impl         string    `json:"impl"`
	Preset       string    `json:"preset"`
	Images       int       `json:"images"`
	Views        int       `json:"views"`
	Seconds      float64   `json:"seconds"`       // the median epoch's
	ViewsPerSec  float64   `json:"views_per_sec"` // the median epoch's
	Rounds       []float64 `json:"rounds_views_per_sec"`
	BatchSize    int       `json:"batch_size"`
	Workers      int       `json:"workers"`
	Kernel       string    `json:"kernel"`
	PeakRSSBytes int64     `json:"peak_rss_bytes"`
}

// runBenchAugment times the augmentation pipeline alone: one epoch of n
// images × 2 views through augment.Stream, as the trainer consumes it.
func runBenchAugment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr bench augment", flag.ContinueOnError)
	var data dataFlags
	var n, batch, rounds int
	var asJSON bool
	var cfg augment.Config
	data.register(fs)
	fs.IntVar(&n, "n", 10000, "images (the first n of the training split)")
	fs.IntVar(&batch, "batch-size", 256, "images per batch (2 views each)")
	fs.IntVar(&rounds, "rounds", 5, "epochs to time (each a fresh stream); the median is reported")
	augmentFlags(fs, &cfg)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	var cpuprofile string
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the timed epochs to this file (go tool pprof)")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if n < 1 || batch < 1 || rounds < 1 || cfg.Workers < 0 {
		return usagef("--n, --batch-size and --rounds must be at least 1, --workers not negative")
	}
	d, err := data.load(ctx, n, stderr)
	if err != nil {
		return err
	}
	p, err := augment.New(cfg)
	if err != nil {
		return err
	}
	stop, err := startCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	secs, err := p.EpochSeconds(ctx, d, batch, rounds)
	if err != nil {
		return err
	}
	var perRound []float64
	for _, sec := range secs {
		perRound = append(perRound, float64(2*d.Len())/sec)
	}
	sorted := slices.Clone(secs)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	res := AugmentBenchResult{
		Impl: "simclr-go " + runtime.Version(), Preset: cfg.Preset, Images: d.Len(), Views: 2 * d.Len(),
		Seconds: median, ViewsPerSec: float64(2*d.Len()) / median, Rounds: perRound, BatchSize: batch,
		Workers: p.Config().Workers, Kernel: pixel.Kernel(), PeakRSSBytes: machine.PeakRSS(),
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "augment %s: %d images × 2 views, median of %d epochs %.3f s: %.0f views/s (rounds %.0f; batch %d, %d workers, %s kernel, peak RSS %.0f MB)\n",
		res.Preset, res.Images, rounds, res.Seconds, res.ViewsPerSec, perRound, batch, res.Workers, res.Kernel, float64(res.PeakRSSBytes)/1e6)
	return nil
}
