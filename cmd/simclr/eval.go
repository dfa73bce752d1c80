package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
)

// EvalFile is the report simclr eval writes into the run directory.
const EvalFile = "eval.json"

// sourceFlags registers the flags eval, knn and export share.
func sourceFlags(fs *flag.FlagSet, s *eval.Source) {
	fs.StringVar(&s.Run, "run", "", "run directory written by simclr train")
	fs.StringVar(&s.Dataset, "dataset", "", "labelled dataset (default: the run's)")
	fs.StringVar(&s.DataDir, "data-dir", "", "its directory (default: the run's, else the download cache)")
	fs.BoolVar(&s.Download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&s.Limit, "limit", 0, "use only the first N labelled training images (0: all)")
	fs.IntVar(&s.TestLimit, "test-limit", 0, "use only the first N test images (0: all)")
	fs.IntVar(&s.Batch, "batch-size", 256, "images per forward pass when extracting features")
	fs.StringVar(&s.Baseline, "baseline", "", "instead of the run's encoder: pixels (raw standardised pixels) or random (the encoder at random init, --seed)")
	fs.Uint64Var(&s.Seed, "seed", 0, "initialisation seed of --baseline random")
}

// open opens s, with bad values as usage errors naming their flag.
func open(ctx context.Context, s eval.Source, stderr io.Writer) (*eval.Frozen, error) {
	f, err := s.Open(ctx, stderr)
	if err != nil {
		if _, ok := err.(*run.FieldError); ok {
			return nil, configError(err)
		}
		return nil, dataError(err)
	}
	return f, nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr eval", flag.ContinueOnError)
	var s eval.Source
	sourceFlags(fs, &s)
	var regs, head string
	var asJSON bool
	fs.StringVar(&head, "head", "ce", "linear head: ce (softmax regression), mse (least squares on one-hot) or hinge (multi-class SVM); a comma-separated list fits each on the same features (one report each)")
	fs.StringVar(&regs, "reg", "", "comma-separated L2 strengths λ to choose from on validation (default 1e-5,1e-4,1e-3,1e-2)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object (top1 in [0,1], ...) instead of text")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	heads := strings.Split(head, ",")
	for _, h := range heads {
		if eval.CheckHead(h) != nil {
			return usagef("--head %q: want ce, mse or hinge (or a comma-separated list)", head)
		}
	}
	var lambdas []float64
	for _, r := range strings.Split(regs, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return usagef("--reg %q: want non-negative numbers separated by commas", regs)
		}
		lambdas = append(lambdas, v)
	}
	f, err := open(ctx, s, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	tr, te, err := f.Sets(ctx, stderr)
	if err != nil {
		return err
	}
	featSec := time.Since(start).Seconds()
	for _, head := range heads {
		if err := probeReport(ctx, f, tr, te, head, lambdas, featSec, asJSON, stdout); err != nil {
			return err
		}
	}
	return nil
}

// probeReport fits one head, saves its report (and confusion heat map)
// into the run directory and prints it.
func probeReport(ctx context.Context, f *eval.Frozen, tr, te eval.Set, head string, lambdas []float64, featSec float64, asJSON bool, stdout io.Writer) error {
	start := time.Now()
	rep, err := eval.Probe(ctx, tr, te, len(f.Train.Classes), head, lambdas)
	if err != nil {
		return err
	}
	e := f.Evaluation(rep, featSec, time.Since(start).Seconds())
	var wrote []string
	if f.Run != "" {
		if wrote, err = e.Save(f.Run); err != nil {
			return err
		}
	}
	arch, width := "small", 1.0
	if f.Checkpoint != nil {
		arch, width = f.Checkpoint.Config.Model.Arch, f.Checkpoint.Config.Model.Width
	}
	if err := eval.CacheBaseline(e, arch, width); err != nil {
		fmt.Fprintf(stdout, "(could not cache the baseline: %v)\n", err)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(e)
	}
	what := f.Run
	if f.Baseline != "" {
		what = "baseline " + f.Baseline
	}
	fmt.Fprintf(stdout, "%s: linear probe (%s, λ=%g chosen on validation): top-1 %.2f%%, top-5 %.2f%% on %d %s test images (%d train, %d features; features %.0fs, probe %.1fs)\n",
		what, rep.Head, rep.Reg, 100*rep.Top1, 100*rep.Top5, rep.NTest, f.Dataset, rep.NTrain, rep.FeatureDim, featSec, e.ProbeSec)
	if f.Baseline == "" {
		for _, b := range []string{eval.BaselineRandom, eval.BaselinePixels} {
			if top1, ok := eval.CachedBaseline(e, b, arch, width); ok {
				fmt.Fprintf(stdout, "  against baseline %s (same probe and images, cached by simclr eval --baseline %s): %.2f%%, so %+.2f points\n", b, b, 100*top1, 100*(rep.Top1-top1))
			}
		}
	}
	if len(wrote) > 0 {
		fmt.Fprintf(stdout, "wrote %s\n", strings.Join(wrote, ", "))
	}
	return nil
}

func runKNN(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr knn", flag.ContinueOnError)
	var s eval.Source
	sourceFlags(fs, &s)
	var k int
	var tau float64
	var asJSON bool
	fs.IntVar(&k, "k", 200, "neighbours")
	fs.Float64Var(&tau, "tau", 0.1, "vote temperature: a neighbour votes exp(cosine/τ)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if k < 1 || !(tau > 0) || math.IsInf(tau, 0) {
		return usagef("--k must be at least 1 and --tau positive and finite")
	}
	f, err := open(ctx, s, stderr)
	if err != nil {
		return err
	}
	tr, te, err := f.Sets(ctx, stderr)
	if err != nil {
		return err
	}
	acc, err := eval.KNN(ctx, tr, te, len(f.Train.Classes), k, tau)
	if err != nil {
		return err
	}
	k = min(k, tr.N()) // what KNN used
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"top1": acc, "k": k, "tau": tau, "n_train": tr.N(), "n_test": te.N(), "feature_dim": tr.D, "baseline": f.Baseline})
	}
	fmt.Fprintf(stdout, "kNN (k=%d, τ=%g, cosine): top-1 %.2f%% on %d test images (%d train)\n", k, tau, 100*acc, te.N(), tr.N())
	return nil
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr export", flag.ContinueOnError)
	var s eval.Source
	sourceFlags(fs, &s)
	var split, out string
	fs.StringVar(&split, "split", "train", "train or test")
	fs.StringVar(&out, "out", "", "features file to write (.npy, float32 N×D); labels go to the same name with .labels.npy (int64)")
	var weights string
	fs.StringVar(&weights, "weights", "", "also (or only) write the encoder and head as safetensors with PyTorch state_dict names (experiments/torch_load.py loads them)")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if weights != "" {
		if s.Run == "" {
			return usagef("--weights needs --run")
		}
		e, err := eval.LoadEncoder(s.Run)
		if err != nil {
			return err
		}
		if err := run.WriteFileAtomic(weights, func(w *os.File) error { return e.WriteWeights(w) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%s, %d features; load it with experiments/torch_load.py)\n", weights, e.Model.Config.Arch, e.Model.Features)
		if out == "" {
			return nil
		}
	}
	if split != "train" && split != "test" {
		return usagef("--split %q: want train or test", split)
	}
	if out == "" {
		return usagef("--out (features) or --weights is required")
	}
	f, err := open(ctx, s, stderr)
	if err != nil {
		return err
	}
	d := f.Train
	if split == "test" {
		d = f.Test
	}
	xs, dim, err := f.Features(ctx, d)
	if err != nil {
		return err
	}
	labels := make([]int64, d.Len())
	for i, l := range d.Labels {
		labels[i] = int64(l)
	}
	lpath := strings.TrimSuffix(out, ".npy") + ".labels.npy"
	if err := run.WriteFileAtomic(out, func(w *os.File) error { return eval.WriteNPY(w, xs[0], d.Len(), dim) }); err != nil {
		return err
	}
	if err := run.WriteFileAtomic(lpath, func(w *os.File) error { return eval.WriteNPY(w, labels, d.Len()) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d×%d float32) and %s (%d int64)\n", out, d.Len(), dim, lpath, d.Len())
	return nil
}
