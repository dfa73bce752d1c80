package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

// Options are where an experiment runs and what of it.
type Options struct {
	Out      string    // run directories: OUT/<row>/ (default runs/<name>)
	Results  string    // committed results: RESULTS/<row>.json (default experiments/results/<name>)
	Only     []string  // rows to run (default all)
	Progress io.Writer // what the rows print (nil: nothing)
}

// ResultFile is a finished row's result in its run directory.
const ResultFile = "result.json"

// costFile keeps a row's training wall-clock across resumes, beside its
// run directory (OUT/<row>.cost.json: the run directory holds only the run).
func costFile(dir string) string { return dir + ".cost.json" }

func (o *Options) fill(f *File) {
	if o.Out == "" {
		o.Out = filepath.Join("runs", f.Name)
	}
	if o.Results == "" {
		o.Results = filepath.Join("experiments", "results", f.Name)
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// Run runs the rows of f that have no result yet, one after the other.
func Run(ctx context.Context, f *File, o Options) error {
	o.fill(f)
	for _, name := range o.Only {
		if !slices.ContainsFunc(f.Rows, func(r Row) bool { return r.Name == name }) {
			return fmt.Errorf("experiment %s has no row %q", f.Name, name)
		}
	}
	if err := os.MkdirAll(o.Results, 0o755); err != nil {
		return err
	}
	for _, r := range f.Rows {
		if len(o.Only) > 0 && !slices.Contains(o.Only, r.Name) {
			continue
		}
		dir := filepath.Join(o.Out, r.Name)
		if _, err := os.Stat(filepath.Join(dir, ResultFile)); err == nil {
			fmt.Fprintf(o.Progress, "experiment %s: row %s is done (%s)\n", f.Name, r.Name, filepath.Join(dir, ResultFile))
			continue
		}
		fmt.Fprintf(o.Progress, "experiment %s: row %s\n", f.Name, r.Name)
		res, err := runRow(ctx, f, r, dir, o.Progress)
		if err != nil {
			return fmt.Errorf("experiment %s, row %s: %w", f.Name, r.Name, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil { // a baseline row has no run directory yet
			return err
		}
		for _, p := range []string{filepath.Join(dir, ResultFile), filepath.Join(o.Results, r.Name+".json")} {
			if err := run.WriteJSON(p, res); err != nil {
				return err
			}
		}
		fmt.Fprintf(o.Progress, "experiment %s: row %s: top-1 %.2f%% (train %.0f s, eval %.0f s)\n", f.Name, r.Name, 100*res.Top1, res.TrainSec, res.EvalSec)
	}
	return nil
}

// runRow trains (or resumes) row r into dir unless it is a baseline, then
// evaluates it.
func runRow(ctx context.Context, f *File, r Row, dir string, progress io.Writer) (*Result, error) {
	res := &Result{Row: r.Name, Note: r.Note, Group: r.Group, Baseline: r.Baseline, Heads: map[string]float64{}}
	cfg, err := f.Config(r)
	if err != nil {
		return nil, err
	}
	if cfg.DataDir != "" {
		if cfg.DataDir, err = filepath.Abs(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	src := eval.Source{Run: dir, Dataset: cfg.Dataset, DataDir: cfg.DataDir}
	e := f.EvalOf(r)
	src.Limit, src.TestLimit = e.Limit, e.TestLimit
	switch {
	case r.Reference != "": // eval_sec: the script's feature pass and the probe
		err = referenceRow(ctx, cfg, e, dir, progress, res)
	case r.Baseline != "":
		src.Run, src.Baseline, src.Seed = "", r.Baseline, cfg.Seed
		res.Seed = cfg.Seed
		err = evaluate(ctx, src, e, progress, res)
	default:
		if err = trainRow(ctx, cfg, dir, progress, res); err == nil {
			err = evaluate(ctx, src, e, progress, res)
		}
	}
	if err != nil {
		return nil, err
	}
	res.Where = here()
	return res, nil
}

// trainRow trains cfg into dir, resuming what a killed run left, and
// fills the training part of res.
func trainRow(ctx context.Context, cfg run.Config, dir string, progress io.Writer, res *Result) error {
	var cost struct{ TrainSec float64 }
	if b, err := os.ReadFile(costFile(dir)); err == nil {
		json.Unmarshal(b, &cost)
	}
	opts := train.Options{Progress: progress}
	ck, err := run.LoadCheckpoint(dir)
	switch {
	case err == nil && ck.Epoch >= ck.Config.Epochs: // trained; its evaluation did not finish
	case err == nil:
		opts.Resume = ck
		fallthrough
	default:
		start := time.Now()
		ck, err = train.Run(ctx, cfg, dir, opts)
		cost.TrainSec += time.Since(start).Seconds()
		if werr := os.MkdirAll(filepath.Dir(dir), 0o755); werr == nil {
			run.WriteJSON(costFile(dir), cost)
		}
		if err != nil {
			return err
		}
	}
	res.Config, res.Seed, res.Epochs, res.TrainSec = &ck.Config, ck.Config.Seed, ck.Config.Epochs, cost.TrainSec
	if ck.TrainSec > 0 { // over every process, killed ones too (the cost file counts only those that returned)
		res.TrainSec = ck.TrainSec
	}
	ms, err := run.ReadMetrics(dir)
	if err != nil {
		return err
	}
	var ips float64
	for _, m := range ms {
		if m.Kind == "epoch" {
			res.Curve = append(res.Curve, Point{Epoch: m.Epoch, Loss: m.Loss, KNNTop1: m.KNNTop1, Sec: m.ElapsedSec})
			res.FinalLoss = m.Loss
			ips += m.ImagesPerSec
		}
	}
	if len(res.Curve) > 0 {
		res.ImagesPerSec = ips / float64(len(res.Curve))
	}
	return nil
}

// evaluate extracts the features once and fits every head (and kNN); its
// wall-clock is the row's eval_sec.
func evaluate(ctx context.Context, src eval.Source, e Eval, progress io.Writer, res *Result) error {
	start := time.Now()
	defer func() { res.EvalSec = time.Since(start).Seconds() }()
	fz, err := src.Open(ctx, progress)
	if err != nil {
		return err
	}
	tr, te, err := fz.Sets(ctx, progress)
	if err != nil {
		return err
	}
	return probe(ctx, tr, te, len(fz.Train.Classes), e, res)
}

// probe fits every head of e (and kNN) to features tr, measures them on te.
func probe(ctx context.Context, tr, te eval.Set, classes int, e Eval, res *Result) error {
	res.NTrain, res.NTest = tr.N(), te.N()
	for i, h := range e.Heads {
		rep, err := eval.Probe(ctx, tr, te, classes, h, nil)
		if err != nil {
			return err
		}
		res.Heads[h] = rep.Top1
		if i == 0 {
			res.Top1, res.Top5 = rep.Top1, rep.Top5
		}
	}
	if e.KNN {
		acc, err := eval.KNN(ctx, tr, te, classes, 200, 0.1)
		if err != nil {
			return err
		}
		res.KNNTop1 = &acc
	}
	return nil
}
