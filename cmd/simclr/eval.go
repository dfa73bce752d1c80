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

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/train"
)

// EvalFile is the report simclr eval writes into the run directory.
const EvalFile = "eval.json"

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr eval", flag.ContinueOnError)
	var runDir, name, dir, regs string
	var limit, testLimit, batch int
	var asJSON, download bool
	fs.StringVar(&runDir, "run", "", "run directory written by simclr train (required)")
	fs.StringVar(&name, "dataset", "", "labelled dataset (default: the run's)")
	fs.StringVar(&dir, "data-dir", "", "its directory (default: the run's, else the download cache)")
	fs.BoolVar(&download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&limit, "limit", 0, "use only the first N labelled training images (0: all)")
	fs.IntVar(&testLimit, "test-limit", 0, "use only the first N test images (0: all)")
	fs.IntVar(&batch, "batch-size", 256, "images per forward pass when extracting features")
	fs.StringVar(&regs, "reg", "", "comma-separated L2 strengths λ to choose from on validation (default 1e-5,1e-4,1e-3,1e-2)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object (top1 in [0,1], ...) instead of text")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if runDir == "" {
		return usagef("--run is required: a run directory written by simclr train")
	}
	if limit < 0 || testLimit < 0 || batch < 1 {
		return usagef("--limit and --test-limit must not be negative, --batch-size must be positive")
	}
	var lambdas []float64
	for _, f := range strings.Split(regs, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || v < 0 {
			return usagef("--reg %q: want non-negative numbers separated by commas", regs)
		}
		lambdas = append(lambdas, v)
	}
	ck, err := train.LoadCheckpoint(runDir)
	if err != nil {
		return err
	}
	if name == "" {
		name = ck.Config.Dataset
	}
	if dir == "" && name == ck.Config.Dataset {
		dir = ck.Config.DataDir
	}
	if dir, err = dataDir(ctx, name, dir, download, stderr); err != nil {
		return err
	}
	m, err := encoder.New(ck.Config.Model)
	if err != nil {
		return err
	}
	if err := m.Load(ck.Model); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(runDir, train.CheckpointFile), err)
	}
	start := time.Now()
	trainSet, err := datasets.Load(name, dir, datasets.Train, limit)
	if err != nil {
		return err
	}
	testSet, err := datasets.Load(name, dir, datasets.Test, testLimit)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "eval: extracting features of %d train and %d test images\n", trainSet.Len(), testSet.Len())
	ftr, err := eval.Features(ctx, m, trainSet, batch)
	if err != nil {
		return err
	}
	fte, err := eval.Features(ctx, m, testSet, batch)
	if err != nil {
		return err
	}
	featSec := time.Since(start).Seconds()
	rep, err := eval.Probe(eval.Set{X: ftr, Labels: trainSet.Labels, D: m.Features}, eval.Set{X: fte, Labels: testSet.Labels, D: m.Features}, len(trainSet.Classes), lambdas)
	if err != nil {
		return err
	}
	out := struct {
		*eval.Report
		Dataset    string  `json:"dataset"`
		Epoch      int     `json:"epoch"`
		FeatureSec float64 `json:"feature_sec"`
		ProbeSec   float64 `json:"probe_sec"`
	}{rep, name, ck.Epoch, featSec, time.Since(start).Seconds() - featSec}
	if err := train.WriteFileAtomic(filepath.Join(runDir, EvalFile), func(f *os.File) error {
		e := json.NewEncoder(f)
		e.SetIndent("", "  ")
		return e.Encode(out)
	}); err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "linear probe (%s, λ=%g chosen on validation): top-1 %.2f%%, top-5 %.2f%% on %d %s test images (%d train, %d features; features %.0fs, probe %.0fs)\n",
		rep.Head, rep.Reg, 100*rep.Top1, 100*rep.Top5, rep.NTest, name, rep.NTrain, rep.FeatureDim, featSec, out.ProbeSec)
	return nil
}
