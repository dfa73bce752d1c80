package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/run"
)

// Baselines an evaluation can read instead of a run's encoder.
const (
	BaselinePixels = "pixels" // raw normalised pixels
	BaselineRandom = "random" // the encoder at random initialisation
)

// Source says which frozen features an evaluation reads: a run's encoder
// or a baseline, on the train and test splits of a labelled dataset.
// Zero values mean: the run's dataset and directory (else CIFAR-10 from
// the download cache), all images, batches of 256.
type Source struct {
	Run       string // run directory (required unless Baseline is set)
	Baseline  string // "", BaselinePixels or BaselineRandom
	Seed      uint64 // initialisation seed of BaselineRandom
	Dataset   string
	DataDir   string
	Download  bool // fetch the dataset into the cache if missing
	Limit     int  // first N labelled training images
	TestLimit int  // first N test images
	Batch     int  // images per forward pass
}

// Frozen is an opened Source: its checkpoint (nil for a baseline without a
// run) and its two splits.
type Frozen struct {
	Source
	Checkpoint  *run.Checkpoint
	Train, Test *datasets.Dataset
}

// check validates s; errors name the field's key.
func (s Source) check() error {
	switch {
	case s.Limit < 0:
		return &run.FieldError{Key: "limit", Value: s.Limit, Rule: "must not be negative"}
	case s.TestLimit < 0:
		return &run.FieldError{Key: "test_limit", Value: s.TestLimit, Rule: "must not be negative"}
	case s.Batch < 0 || s.Batch > 1<<16:
		return &run.FieldError{Key: "batch_size", Value: s.Batch, Rule: "must be in [1, 65536]"}
	case s.Baseline != "" && s.Baseline != BaselinePixels && s.Baseline != BaselineRandom:
		return &run.FieldError{Key: "baseline", Value: s.Baseline, Rule: "want pixels or random"}
	case s.Run == "" && s.Baseline == "":
		return &run.FieldError{Key: "run", Value: `""`, Rule: "is required: a run directory written by simclr train (or give a baseline)"}
	}
	return nil
}

// Open reads the run's checkpoint (when there is a run) and both splits.
func (s Source) Open(ctx context.Context, progress io.Writer) (*Frozen, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	f := &Frozen{Source: s}
	side := 0 // folder datasets: the run's image size
	if s.Run != "" {
		ck, err := run.LoadCheckpoint(s.Run)
		if err != nil {
			return nil, err
		}
		f.Checkpoint, side = ck, ck.Config.ImageSize
		if f.Dataset == "" {
			f.Dataset = ck.Config.Dataset
			if f.Dataset == datasets.STL10Unlabeled { // probed on the labelled part of the same files
				f.Dataset = datasets.STL10
			}
		}
		if f.DataDir == "" && (f.Dataset == ck.Config.Dataset || ck.Config.Dataset == datasets.STL10Unlabeled && f.Dataset == datasets.STL10) {
			f.DataDir = ck.Config.DataDir
		}
	}
	if f.Dataset == "" {
		f.Dataset = datasets.CIFAR10
	}
	dir, err := datasets.Locate(ctx, f.Dataset, f.DataDir, f.Download, progress)
	if err != nil {
		return nil, err
	}
	if f.Train, err = datasets.LoadAt(f.Dataset, dir, datasets.Train, f.Limit, side); err != nil {
		return nil, err
	}
	if !f.Train.Labelled() {
		return nil, fmt.Errorf("eval: %s is unlabelled (images with no class subfolders); a probe needs a labelled split: --dataset folder --data-dir DIR where DIR holds train/<class>/ and test/<class>/ (or --dataset cifar10)", dir)
	}
	if f.Test, err = datasets.LoadAt(f.Dataset, dir, datasets.Test, f.TestLimit, side); err != nil {
		return nil, err
	}
	return f, nil
}

// What names the features: the run's encoder or the baseline.
func (f *Frozen) What() string {
	if f.Baseline != "" {
		return "baseline " + f.Baseline
	}
	return "the run's encoder"
}

// Features extracts, for each of ds, the representation f selects: raw
// pixels, or h of the run's encoder (or of the encoder at random
// initialisation, with the run's architecture and input pipeline when
// there is a run), built once for all of ds. It returns their dimension.
func (f *Frozen) Features(ctx context.Context, ds ...*datasets.Dataset) ([][]float32, int, error) {
	switch f.Baseline {
	case BaselinePixels:
		return PixelFeatures(ctx, ds...)
	case "":
		e, err := EncoderOf(f.Checkpoint)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", filepath.Join(f.Run, run.CheckpointFile), err)
		}
		x, err := FeaturesWith(ctx, e.Model, e.Pipe, f.Batch, ds...)
		return x, e.Model.Features, err
	}
	var cfg encoder.Config
	var pipe *augment.Pipeline
	if f.Checkpoint != nil {
		cfg = f.Checkpoint.Config.Model
		var err error
		if pipe, err = augment.New(f.Checkpoint.Config.Augment); err != nil {
			return nil, 0, err
		}
	}
	cfg.Seed = f.Seed
	m, err := encoder.New(cfg)
	if err != nil {
		return nil, 0, err
	}
	x, err := FeaturesWith(ctx, m, pipe, f.Batch, ds...)
	return x, m.Features, err
}

// Sets extracts the train and test features, saying so on progress.
func (f *Frozen) Sets(ctx context.Context, progress io.Writer) (Set, Set, error) {
	fmt.Fprintf(progress, "features (%s) of %d train and %d test images\n", f.What(), f.Train.Len(), f.Test.Len())
	xs, d, err := f.Features(ctx, f.Train, f.Test)
	if err != nil {
		return Set{}, Set{}, err
	}
	return Set{X: xs[0], Labels: f.Train.Labels, D: d}, Set{X: xs[1], Labels: f.Test.Labels, D: d}, nil
}

// Evaluation is a probe's report as simclr eval writes it (eval.json).
type Evaluation struct {
	*Report
	Dataset    string   `json:"dataset"`
	Baseline   string   `json:"baseline,omitempty"`
	Epoch      int      `json:"epoch,omitempty"`
	Classes    []string `json:"classes"`
	FeatureSec float64  `json:"feature_sec"`
	ProbeSec   float64  `json:"probe_sec"`
}

// Evaluation wraps a probe's report with what f evaluated.
func (f *Frozen) Evaluation(r *Report, featureSec, probeSec float64) *Evaluation {
	e := &Evaluation{Report: r, Dataset: f.Dataset, Baseline: f.Baseline, Classes: f.Train.Classes, FeatureSec: featureSec, ProbeSec: probeSec}
	if f.Checkpoint != nil {
		e.Epoch = f.Checkpoint.Epoch
	}
	return e
}

// Name is the base name of e's files in a run directory: eval, then
// -HEAD for heads other than ce, then -baseline-NAME.
func (e *Evaluation) Name() string {
	base := "eval"
	if e.Head != HeadCE {
		base += "-" + e.Head
	}
	if e.Baseline != "" {
		base += "-baseline-" + e.Baseline
	}
	return base
}

// Save writes e as dir/NAME.json and its confusion heat map as
// dir/NAME-confusion.png, atomically, and returns their paths. An
// evaluation on fewer images than the one already in NAME.json (a
// --limit or --test-limit run) does not replace it: it goes to
// NAME-<train>x<test>.json instead.
func (e *Evaluation) Save(dir string) ([]string, error) {
	name := e.Name()
	var old struct {
		NTrain int `json:"n_train"`
		NTest  int `json:"n_test"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, name+".json")); err == nil && json.Unmarshal(b, &old) == nil &&
		(old.NTrain > e.NTrain || old.NTest > e.NTest) {
		name = fmt.Sprintf("%s-%dx%d", name, e.NTrain, e.NTest)
	}
	js, png := filepath.Join(dir, name+".json"), filepath.Join(dir, name+"-confusion.png")
	if err := run.WriteJSON(js, e); err != nil {
		return nil, err
	}
	title := fmt.Sprintf("%s, epoch %d: %s probe, top-1 %.2f%% on %d test images", filepath.Base(dir), e.Epoch, e.Head, 100*e.Top1, e.NTest)
	if e.Baseline != "" {
		title = fmt.Sprintf("baseline %s: %s probe, top-1 %.2f%% on %d test images", e.Baseline, e.Head, 100*e.Top1, e.NTest)
	}
	err := run.WriteFileAtomic(png, func(w *os.File) error { return WriteConfusionPNG(w, e.Confusion, e.Classes, title) })
	return []string{js, png}, err
}
