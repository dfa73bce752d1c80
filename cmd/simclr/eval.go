package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/train"
)

// EvalFile is the report simclr eval writes into the run directory.
const EvalFile = "eval.json"

// frozen holds the flags and data shared by eval, knn and export.
type frozen struct {
	runDir, name, dir, baseline string
	limit, testLimit, batch     int
	download                    bool
	seed                        uint64

	ck       *train.Checkpoint
	trainSet *datasets.Dataset
	testSet  *datasets.Dataset
}

func (f *frozen) flags(fs *flag.FlagSet, baselines bool) {
	fs.StringVar(&f.runDir, "run", "", "run directory written by simclr train")
	fs.StringVar(&f.name, "dataset", "", "labelled dataset (default: the run's)")
	fs.StringVar(&f.dir, "data-dir", "", "its directory (default: the run's, else the download cache)")
	fs.BoolVar(&f.download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&f.limit, "limit", 0, "use only the first N labelled training images (0: all)")
	fs.IntVar(&f.testLimit, "test-limit", 0, "use only the first N test images (0: all)")
	fs.IntVar(&f.batch, "batch-size", 256, "images per forward pass when extracting features")
	if baselines {
		fs.StringVar(&f.baseline, "baseline", "", "instead of the run's encoder: pixels (raw standardised pixels) or random (the encoder at random init, --seed)")
		fs.Uint64Var(&f.seed, "seed", 0, "initialisation seed of --baseline random")
	}
}

// load validates the flags and reads the checkpoint (when needed) and data.
func (f *frozen) load(ctx context.Context, stderr io.Writer) error {
	if f.limit < 0 || f.testLimit < 0 || f.batch < 1 {
		return usagef("--limit and --test-limit must not be negative, --batch-size must be positive")
	}
	switch f.baseline {
	case "", "pixels", "random":
	default:
		return usagef("--baseline %q: want pixels or random", f.baseline)
	}
	if f.runDir == "" && f.baseline == "" {
		return usagef("--run is required: a run directory written by simclr train (or give --baseline)")
	}
	if f.runDir != "" {
		ck, err := train.LoadCheckpoint(f.runDir)
		if err != nil {
			return err
		}
		f.ck = ck
		if f.name == "" {
			f.name = ck.Config.Dataset
		}
		if f.dir == "" && f.name == ck.Config.Dataset {
			f.dir = ck.Config.DataDir
		}
	}
	if f.name == "" {
		f.name = datasets.CIFAR10
	}
	dir, err := dataDir(ctx, f.name, f.dir, f.download, stderr)
	if err != nil {
		return err
	}
	side := 0 // folder datasets: the run's image size
	if f.ck != nil {
		side = f.ck.Config.ImageSize
	}
	if f.trainSet, err = datasets.LoadAt(f.name, dir, datasets.Train, f.limit, side); err != nil {
		return err
	}
	f.testSet, err = datasets.LoadAt(f.name, dir, datasets.Test, f.testLimit, side)
	return err
}

// features extracts, for each of ds, the representation the flags select:
// raw pixels, or h of the run's encoder (or of the encoder at random
// initialisation), built once for all of ds.
func (f *frozen) features(ctx context.Context, ds ...*datasets.Dataset) ([][]float32, int, error) {
	if f.baseline == "pixels" {
		p, err := augment.New(augment.Config{})
		if err != nil {
			return nil, 0, err
		}
		var out [][]float32
		for _, d := range ds {
			idx := make([]int, d.Len())
			for i := range idx {
				idx[i] = i
			}
			x := make([]float32, d.Len()*p.ViewSize(d))
			if err := p.Plain(ctx, x, d, idx); err != nil {
				return nil, 0, err
			}
			out = append(out, x)
		}
		return out, p.ViewSize(ds[0]), nil
	}
	var cfg encoder.Config
	if f.ck != nil {
		cfg = f.ck.Config.Model
	}
	if f.baseline == "random" {
		cfg.Seed = f.seed
	}
	m, err := encoder.New(cfg)
	if err != nil {
		return nil, 0, err
	}
	if f.baseline == "" {
		if err := m.Load(f.ck.Model); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", filepath.Join(f.runDir, train.CheckpointFile), err)
		}
	}
	var pipe *augment.Pipeline // the run's resize and normalisation
	if f.ck != nil {
		if pipe, err = augment.New(f.ck.Config.Augment); err != nil {
			return nil, 0, err
		}
	}
	x, err := eval.FeaturesWith(ctx, m, pipe, f.batch, ds...)
	return x, m.Features, err
}

// sets extracts train and test features.
func (f *frozen) sets(ctx context.Context, stderr io.Writer) (eval.Set, eval.Set, error) {
	what := "the run's encoder"
	if f.baseline != "" {
		what = "baseline " + f.baseline
	}
	fmt.Fprintf(stderr, "features (%s) of %d train and %d test images\n", what, f.trainSet.Len(), f.testSet.Len())
	xs, d, err := f.features(ctx, f.trainSet, f.testSet)
	if err != nil {
		return eval.Set{}, eval.Set{}, err
	}
	return eval.Set{X: xs[0], Labels: f.trainSet.Labels, D: d}, eval.Set{X: xs[1], Labels: f.testSet.Labels, D: d}, nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr eval", flag.ContinueOnError)
	var f frozen
	f.flags(fs, true)
	var regs, head string
	var asJSON bool
	fs.StringVar(&head, "head", "ce", "linear head: ce (softmax regression), mse (least squares on one-hot) or hinge (multi-class SVM); a comma-separated list fits each on the same features (one report each)")
	fs.StringVar(&regs, "reg", "", "comma-separated L2 strengths λ to choose from on validation (default 1e-5,1e-4,1e-3,1e-2)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object (top1 in [0,1], ...) instead of text")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	heads := strings.Split(head, ",")
	for _, h := range heads {
		switch h {
		case eval.HeadCE, eval.HeadMSE, eval.HeadHinge:
		default:
			return usagef("--head %q: want ce, mse or hinge (or a comma-separated list)", head)
		}
	}
	var lambdas []float64
	for _, s := range strings.Split(regs, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v < 0 {
			return usagef("--reg %q: want non-negative numbers separated by commas", regs)
		}
		lambdas = append(lambdas, v)
	}
	if err := f.load(ctx, stderr); err != nil {
		return err
	}
	start := time.Now()
	tr, te, err := f.sets(ctx, stderr)
	if err != nil {
		return err
	}
	featSec := time.Since(start).Seconds()
	for _, head := range heads {
		if err := probeReport(f, tr, te, head, lambdas, featSec, asJSON, stdout); err != nil {
			return err
		}
	}
	return nil
}

// probeReport fits one head, writes its report (and confusion heat map)
// into the run directory and prints it.
func probeReport(f frozen, tr, te eval.Set, head string, lambdas []float64, featSec float64, asJSON bool, stdout io.Writer) error {
	start := time.Now()
	rep, err := eval.Probe(tr, te, len(f.trainSet.Classes), head, lambdas)
	if err != nil {
		return err
	}
	out := struct {
		*eval.Report
		Dataset    string   `json:"dataset"`
		Baseline   string   `json:"baseline,omitempty"`
		Epoch      int      `json:"epoch,omitempty"`
		Classes    []string `json:"classes"`
		FeatureSec float64  `json:"feature_sec"`
		ProbeSec   float64  `json:"probe_sec"`
	}{Report: rep, Dataset: f.name, Baseline: f.baseline, Classes: f.trainSet.Classes,
		FeatureSec: featSec, ProbeSec: time.Since(start).Seconds()}
	if f.ck != nil {
		out.Epoch = f.ck.Epoch
	}
	if f.runDir != "" {
		base := "eval"
		if head != eval.HeadCE {
			base += "-" + head
		}
		if f.baseline != "" {
			base += "-baseline-" + f.baseline
		}
		if err := train.WriteFileAtomic(filepath.Join(f.runDir, base+".json"), func(w *os.File) error {
			e := json.NewEncoder(w)
			e.SetIndent("", "  ")
			return e.Encode(out)
		}); err != nil {
			return err
		}
		if err := train.WriteFileAtomic(filepath.Join(f.runDir, base+"-confusion.png"), func(w *os.File) error {
			return eval.WriteConfusionPNG(w, rep.Confusion, f.trainSet.Classes)
		}); err != nil {
			return err
		}
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	what := f.runDir
	if f.baseline != "" {
		what = "baseline " + f.baseline
	}
	fmt.Fprintf(stdout, "%s: linear probe (%s, λ=%g chosen on validation): top-1 %.2f%%, top-5 %.2f%% on %d %s test images (%d train, %d features; features %.0fs, probe %.1fs)\n",
		what, rep.Head, rep.Reg, 100*rep.Top1, 100*rep.Top5, rep.NTest, f.name, rep.NTrain, rep.FeatureDim, featSec, out.ProbeSec)
	return nil
}

func runKNN(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr knn", flag.ContinueOnError)
	var f frozen
	f.flags(fs, true)
	var k int
	var tau float64
	var asJSON bool
	fs.IntVar(&k, "k", 200, "neighbours")
	fs.Float64Var(&tau, "tau", 0.1, "vote temperature: a neighbour votes exp(cosine/τ)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if k < 1 || !(tau > 0) {
		return usagef("--k must be at least 1 and --tau positive")
	}
	if err := f.load(ctx, stderr); err != nil {
		return err
	}
	tr, te, err := f.sets(ctx, stderr)
	if err != nil {
		return err
	}
	acc, err := eval.KNN(tr, te, len(f.trainSet.Classes), k, tau)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"top1": acc, "k": k, "tau": tau, "n_train": tr.N(), "n_test": te.N(), "feature_dim": tr.D, "baseline": f.baseline})
	}
	fmt.Fprintf(stdout, "kNN (k=%d, τ=%g, cosine): top-1 %.2f%% on %d test images (%d train)\n", k, tau, 100*acc, te.N(), tr.N())
	return nil
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr export", flag.ContinueOnError)
	var f frozen
	f.flags(fs, true)
	var split, out string
	fs.StringVar(&split, "split", "train", "train or test")
	fs.StringVar(&out, "out", "", "features file to write (.npy, float32 N×D); labels go to the same name with .labels.npy (int64)")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if split != "train" && split != "test" {
		return usagef("--split %q: want train or test", split)
	}
	if out == "" {
		return usagef("--out is required")
	}
	if err := f.load(ctx, stderr); err != nil {
		return err
	}
	d := f.trainSet
	if split == "test" {
		d = f.testSet
	}
	xs, dim, err := f.features(ctx, d)
	if err != nil {
		return err
	}
	x := xs[0]
	labels := make([]int64, d.Len())
	for i, l := range d.Labels {
		labels[i] = int64(l)
	}
	lpath := strings.TrimSuffix(out, ".npy") + ".labels.npy"
	if err := train.WriteFileAtomic(out, func(w *os.File) error { return eval.WriteNPY(w, x, d.Len(), dim) }); err != nil {
		return err
	}
	if err := train.WriteFileAtomic(lpath, func(w *os.File) error { return eval.WriteNPY(w, labels, d.Len()) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d×%d float32) and %s (%d int64)\n", out, d.Len(), dim, lpath, d.Len())
	return nil
}
