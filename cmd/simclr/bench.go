package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"

	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/internal/machine"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

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
	var evalMode, ops bool
	fs.BoolVar(&ops, "ops", false, "also print the step's wall time by kind of operator (what runs serially shows as a kind whose share grows with threads)")
	fs.BoolVar(&evalMode, "eval", false, "time the feature pass instead (eval-mode forward to h, what simclr eval and export run): images/s")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if batch < 2 || steps < 1 || warmup < 0 {
		return usagef("--batch-size must be at least 2, --steps at least 1, --warmup not negative")
	}
	if evalMode {
		return benchFeatures(ctx, model, batch, warmup, steps, asJSON, stdout)
	}
	stop, profErr := func() {}, error(nil)
	res, err := train.Bench(ctx, run.Config{BatchSize: batch, Seed: 1, Model: model}, warmup, steps, peak, func() {
		stop, profErr = startCPUProfile(cpuprofile)
	})
	if profErr != nil {
		return profErr
	}
	stop()
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "batch %d (%d views): %.1f views/s, %.3f s/step, %.1f GFLOP/s (%.0f%% of %.0f peak), peak RSS %.0f MB, %d threads %.0f%% busy, %s\n",
		batch, 2*batch, res.ImagesPerSec, res.StepSec, res.GFLOPS, 100*res.PeakFraction, res.PeakGFLOPS, float64(res.PeakRSSBytes)/1e6, res.Threads, 100*res.Busy, res.Kernel)
	if ops {
		printOps(stdout, res.Ops, res.StepSec)
	}
	return nil
}

// printOps prints the step's time by kind of operator, largest first.
func printOps(w io.Writer, ops map[string]float64, step float64) {
	kinds := slices.Collect(maps.Keys(ops))
	slices.SortFunc(kinds, func(a, b string) int { return cmp.Compare(ops[b], ops[a]) })
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-12s %8.1f ms/step %5.1f%%\n", k, 1000*ops[k], 100*ops[k]/step)
	}
}

// benchFeatures is simclr bench --eval.
func benchFeatures(ctx context.Context, cfg encoder.Config, batch, warmup, steps int, asJSON bool, stdout io.Writer) error {
	m, err := encoder.New(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	ips, err := eval.BenchFeatures(ctx, m, batch, 32, warmup, steps)
	if err != nil {
		return err
	}
	res := map[string]any{"impl": "simclr-go " + runtime.Version() + " " + m.Config.Arch, "mode": "eval", "batch_size": batch,
		"images_per_sec": ips, "peak_rss_bytes": machine.PeakRSS(), "threads": runtime.GOMAXPROCS(0)}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "features, batch %d: %.1f images/s, peak RSS %.0f MB, %d threads\n", batch, ips, float64(machine.PeakRSS())/1e6, runtime.GOMAXPROCS(0))
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
