package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/internal/gemm"
	"github.com/simclr-go/simclr/train"
)

// BenchResult is what simclr bench prints with --json.
type BenchResult struct {
	Impl         string  `json:"impl"`
	BatchSize    int     `json:"batch_size"`
	ImagesPerSec float64 `json:"images_per_sec"` // views (encoder inputs) per second
	StepSec      float64 `json:"step_sec"`
	GFLOPS       float64 `json:"gflops"`
	PeakGFLOPS   float64 `json:"peak_gflops"`
	PeakFraction float64 `json:"peak_fraction"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	Threads      int     `json:"threads"`
	Kernel       string  `json:"kernel"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "augment" {
		return runBenchAugment(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("simclr bench", flag.ContinueOnError)
	var batch, warmup, steps int
	var asJSON bool
	var peak float64
	fs.IntVar(&batch, "batch-size", 256, "images per step (2 views each)")
	var model encoder.Config
	fs.StringVar(&model.Arch, "arch", "small", "encoder: small or resnet18")
	fs.Float64Var(&model.Width, "width", 1, "channel-width multiplier")
	fs.IntVar(&warmup, "warmup", 2, "untimed steps first")
	fs.IntVar(&steps, "steps", 5, "timed steps")
	fs.Float64Var(&peak, "peak-gflops", 0, "the machine's fp32 peak (0: cores × MHz × 32 FLOP/cycle for AVX2+FMA)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	var cpuprofile string
	fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the timed steps to this file (go tool pprof)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: simclr bench [flags]\n       simclr bench augment [flags]   (the augmentation pipeline; see simclr bench augment -h)\n\nTimes the full training step of the small encoder + projection head with NT-Xent (τ 0.5) and SGD:\nforward, backward and update; augmentation excluded (inputs are fixed random views).\n\n")
		fs.PrintDefaults()
	}
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if batch < 2 || steps < 1 || warmup < 0 {
		return usagef("--batch-size must be at least 2, --steps at least 1, --warmup not negative")
	}
	t, err := train.NewTrainer(train.Config{BatchSize: batch, Seed: 1, Model: model}, 32)
	if err != nil {
		return err
	}
	defer t.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range t.Input() {
		t.Input()[i] = float32(r.NormFloat64())
	}
	for i := 0; i < warmup; i++ {
		if _, err := t.Step(0.01); err != nil {
			return err
		}
	}
	stop, err := startCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	for i := 0; i < steps; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := t.Step(0.01); err != nil {
			return err
		}
	}
	sec := time.Since(start).Seconds() / float64(steps)
	threads := runtime.GOMAXPROCS(0)
	if peak == 0 {
		peak = float64(threads) * cpuMHz() / 1000 * 32
	}
	views := float64(2*batch) / sec
	res := BenchResult{
		Impl: "simclr-go " + runtime.Version() + " " + t.Model.Config.Arch, BatchSize: batch, ImagesPerSec: views, StepSec: sec,
		GFLOPS: views * t.Model.TrainFLOPsPerView(32, 32) / 1e9, PeakGFLOPS: peak,
		PeakRSSBytes: peakRSS(), Threads: threads, Kernel: gemm.Kernel(),
	}
	if peak > 0 {
		res.PeakFraction = res.GFLOPS / peak
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "batch %d (%d views): %.1f views/s, %.3f s/step, %.1f GFLOP/s (%.0f%% of %.0f peak), peak RSS %.0f MB, %d threads, %s\n",
		batch, 2*batch, views, sec, res.GFLOPS, 100*res.PeakFraction, peak, float64(res.PeakRSSBytes)/1e6, threads, res.Kernel)
	return nil
}

// startCPUProfile starts a CPU profile written to path (none if path is
// empty) and returns the function that finishes it.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// peakRSS is the process's peak resident set size in bytes.
func peakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports KiB
}

// cpuMHz reads the first "cpu MHz" of /proc/cpuinfo (0 if unknown).
func cpuMHz() float64 {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			mhz, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return mhz
		}
	}
	return 0
}
