package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

// measuredDefaults is what simclr train trains when no flag or file sets
// a recipe: the best recipe of the CIFAR-10 ladder at a 2-core budget
// (experiments/results/cifar10/RESULTS.md: τ 0.2 and crops of 0.2–1 of
// the image beat the paper's 0.5 and 0.08–1 at 15 minutes; lr 0.12 at
// batch 256 without warmup, weight decay 5e-4). The Config zero value
// stays the paper's recipe (--paper, and every library caller).
func measuredDefaults() run.Config {
	c := run.Defaults()
	c.LR, c.LRScaling, c.WeightDecay, c.WarmupEpochs = 0.12, "linear", 5e-4, -1
	c.Temperature, c.Augment.CropMin = 0.2, 0.2
	return c
}

// hasBool reports whether args set the boolean flag name (--name or
// --name=true), before flags are parsed.
func hasBool(args []string, name string) bool {
	for _, a := range args {
		if a == "--"+name || a == "-"+name || a == "--"+name+"=true" || a == "-"+name+"=true" {
			return true
		}
	}
	return false
}

// trainFlags registers train's flags over c (the defaults, or a --config
// file's values): flags given on the command line override the file.
func trainFlags(fs *flag.FlagSet, c *run.Config) {
	fs.String("config", "", "JSON or YAML file of settings (keys as in a run's config.json); flags given override it")
	fs.StringVar(&c.Dataset, "dataset", c.Dataset, "dataset: cifar10, cifar100, stl10, stl10-unlabeled (its 100,000 unlabelled images), folder (an ImageFolder tree at --data-dir, or a flat folder of unlabelled images) or synthetic")
	fs.IntVar(&c.ImageSize, "image-size", c.ImageSize, "folder datasets: side images are resized to when loaded (0: 32)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the dataset's binary files (default: the download cache, $SIMCLR_DATA or ~/.cache/simclr)")
	fs.IntVar(&c.Limit, "limit", c.Limit, "use only the first N training images (0: all)")
	fs.IntVar(&datasets.MaxPixels, "max-pixels", datasets.MaxPixels, "folder datasets: refuse images of more pixels than this (read from the header, before decoding)")
	fs.StringVar(&c.Method, "method", c.Method, "simclr (NT-Xent on two views) or supervised (cross-entropy on labels, the upper bound)")
	fs.BoolVar(&c.SyncBN, "sync-bn", c.SyncBN, "under mpirun: BatchNorm statistics over the global batch, as one process (else per rank)")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", c.CheckpointEvery, "epochs between kept checkpoint-eNNNN.bin files (checkpoint.bin is rewritten every epoch)")
	fs.IntVar(&c.Keep, "keep", c.Keep, "how many checkpoint-eNNNN.bin files to keep")
	fs.IntVar(&c.KNNBank, "knn-bank", c.KNNBank, "kNN monitor each epoch: bank of the first N training images (0 or negative: off)")
	fs.IntVar(&c.KNNQueries, "knn-queries", c.KNNQueries, "kNN monitor: the first N test images as queries (0 or negative: off)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "training epochs")
	fs.Func("time-budget", "plan the epochs to train within this wall-clock (e.g. 30m, 2h), from a timing of the first steps; config.json records the epochs chosen", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration such as 30m or 2h")
		}
		c.TimeBudget = d.Seconds()
		return nil
	})
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "images per step (simclr: each gives 2 views)")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "sgd, lars or adamw")
	fs.Float64Var(&c.LR, "lr", c.LR, "base learning rate (0: 0.3 for sgd and lars, 1e-3 for adamw), scaled by --lr-scaling")
	fs.StringVar(&c.LRScaling, "lr-scaling", c.LRScaling, "linear (lr × batch/256), sqrt (lr × √batch; the paper uses lr 0.075) or none")
	fs.BoolVar(&c.Nesterov, "nesterov", c.Nesterov, "Nesterov momentum (sgd)")
	fs.Float64Var(&c.Temperature, "temperature", c.Temperature, "NT-Xent temperature τ")
	fs.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "L2 weight decay (0: none)")
	fs.Float64Var(&c.WarmupEpochs, "warmup-epochs", c.WarmupEpochs, "linear warmup epochs (0: min(10, epochs/10); negative: none)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed for initialisation, shuffling and augmentation")
	fs.IntVar(&c.LogEvery, "log-every", c.LogEvery, "steps between metric lines")
	fs.StringVar(&c.AuxHead, "aux-head", c.AuxHead, "online linear probe on stop-gradient features, logged per epoch: ce, mse or hinge")
	fs.IntVar(&c.AuxLabels, "aux-labels", c.AuxLabels, "the online probe uses labels of the first N training images only (0: all)")
	augmentFlags(fs, &c.Augment)
	fs.StringVar(&c.Model.Arch, "arch", c.Model.Arch, "encoder: small or resnet18 (CIFAR variant)")
	fs.Float64Var(&c.Model.Width, "width", c.Model.Width, "channel-width multiplier (e.g. 0.25 makes resnet18 CPU-sized)")
	fs.IntVar(&c.Model.HeadDepth, "head-depth", c.Model.HeadDepth, "linear layers in the projection head: 2 or 3")
	fs.IntVar(&c.Model.ProjDim, "proj-dim", c.Model.ProjDim, "projection head output dimension")
}

// augmentFlags registers the augmentation's flags over a (its defaults
// are a's values): the same for train, augment and bench augment.
func augmentFlags(fs *flag.FlagSet, a *augment.Config) {
	if a.Preset == "" {
		a.Preset = "cifar"
	}
	fs.StringVar(&a.Preset, "preset", a.Preset, "augmentation recipe: cifar (s 0.5, no blur) or imagenet (s 1, blur); a config file may give a full recipe")
	fs.Float64Var(&a.Strength, "strength", a.Strength, "colour-jitter strength s (jitter 0.8s/0.8s/0.8s/0.2s; 0: the preset's)")
	fs.Float64Var(&a.CropMin, "crop-min", a.CropMin, "smallest crop, as a fraction of the image's area (0: the preset's 0.08)")
	fs.IntVar(&a.Size, "size", a.Size, "view side in pixels (0: the image side)")
	fs.Float64Var(&a.NoiseStd, "noise", a.NoiseStd, "σ of additive Gaussian noise on [0,1] pixels (0: none)")
	fs.IntVar(&a.Workers, "workers", a.Workers, "augmentation workers (0: GOMAXPROCS; never changes results)")
}

// noZero are the flags whose 0 would silently mean the default in a
// Config: given explicitly, 0 is an error.
var noZero = []string{"epochs", "batch-size", "temperature", "log-every", "checkpoint-every", "keep", "proj-dim", "width", "head-depth"}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr train", flag.ContinueOnError)
	c := measuredDefaults()
	if hasBool(args, "paper") {
		c = run.Defaults()
	}
	fileBudget := false // the file gives a time budget and no epochs: plan them
	fileLR := false     // the file gives a learning rate
	if p := configFlag(args); p != "" {
		m, err := run.ReadConfigFile(p)
		if err == nil {
			if err = run.DecodeConfig(m, &c); err != nil {
				err = fmt.Errorf("%s: %w", p, err)
			}
		}
		if err != nil {
			return usagef("--config: %v", err)
		}
		var f run.Config // the file alone: does it give a budget and no epochs? a full recipe?
		run.DecodeConfig(m, &f)
		fileBudget, fileLR = f.TimeBudget > 0 && f.Epochs == 0, f.LR != 0
		if f.Augment.Recipe != nil && f.Augment.CropMin == 0 {
			c.Augment.CropMin = 0 // the file's recipe gives the crop
		}
	}
	trainFlags(fs, &c)
	var out, resume string
	var download bool
	fs.BoolVar(&download, "download", false, "download the dataset into the cache if it is missing")
	fs.Bool("paper", false, "start from the paper's recipe (τ 0.5, crops 0.08–1, lr 0.3×batch/256, weight decay 1e-6, warmup) instead of the measured short-budget defaults")
	fs.StringVar(&out, "out", "", "run directory to write (required; must not hold a run already)")
	fs.StringVar(&resume, "resume", "", "continue the run in this directory exactly where it stopped (its own config; no other flags)")
	set, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	if resume != "" {
		return resumeTrain(ctx, resume, set, stdout, stderr)
	}
	if c.Optimizer != run.OptSGD && c.Optimizer != "" && !set["lr"] && !fileLR { // (--paper's lr is 0 already)
		c.LR = 0 // the measured lr is sgd's: lars and adamw get their own default
	}
	if fileBudget && !set["epochs"] {
		set["time-budget"] = true // as if given here: --epochs on the command line still wins
	}
	return newTrain(ctx, fs, set, c, out, download, stdout, stderr)
}

// newTrain validates and starts a new run into out.
func newTrain(ctx context.Context, fs *flag.FlagSet, set map[string]bool, c run.Config, out string, download bool, stdout, stderr io.Writer) error {
	if out == "" {
		return usagef("--out is required: the run directory to write")
	}
	for _, name := range noZero {
		if set[name] && fs.Lookup(name).Value.String() == "0" {
			rule := "must be positive"
			if name == "batch-size" {
				rule = "must be at least 2 (NT-Xent needs negatives)"
			}
			return usagef("--%s 0: %s", name, rule)
		}
	}
	if set["time-budget"] {
		if set["epochs"] {
			return usagef("give --epochs or --time-budget, not both")
		}
		c.Epochs = 0 // planned from the budget
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = -1 // an explicit 0 means none, not the default
	}
	if c.KNNBank == 0 || c.KNNQueries == 0 {
		c.KNNBank, c.KNNQueries = -1, -1 // an explicit 0 means off
	}
	var err error
	if c, err = c.Resolved(); err != nil {
		return configError(err)
	}
	if _, err := train.NewMethod(c); err != nil {
		return configError(err)
	}
	if c.DataDir, err = datasets.Locate(ctx, c.Dataset, c.DataDir, download, stderr); err != nil {
		return dataError(err)
	}
	if c.DataDir != "" { // stored absolute: eval reads the same data from any directory
		if c.DataDir, err = filepath.Abs(c.DataDir); err != nil {
			return err
		}
	}
	return finishTrain(ctx, c, out, train.Options{Progress: stderr}, stdout, stderr)
}

// resumeTrain continues the run in dir with its own config.
func resumeTrain(ctx context.Context, dir string, set map[string]bool, stdout, stderr io.Writer) error {
	for name := range set {
		if name != "resume" {
			return usagef("--resume continues a run with its own config; drop --%s", name)
		}
	}
	ck, err := run.LoadCheckpoint(dir)
	if err != nil {
		return err
	}
	return finishTrain(ctx, run.Config{}, dir, train.Options{Progress: stderr, Resume: ck}, stdout, stderr)
}

// finishTrain runs the training in the world this process belongs to
// (under mpirun: one rank of it; rank 0 writes and reports).
func finishTrain(ctx context.Context, c run.Config, out string, opts train.Options, stdout, stderr io.Writer) error {
	comm, end, err := dist.World()
	if err != nil {
		return err
	}
	opts.Comm = comm
	if comm.Rank() != 0 {
		stdout = io.Discard
	}
	ck, err := train.Run(ctx, c, out, opts)
	if err != nil && ctx.Err() != nil && ck != nil {
		err = fmt.Errorf("interrupted at step %d; %s holds its checkpoint: continue with simclr train --resume %s", ck.Step, out, out)
	}
	if err != nil && comm.Size() > 1 { // say why, then end every rank: none waits for this one
		fmt.Fprintf(stderr, "simclr train: rank %d of %d: %s\n", comm.Rank(), comm.Size(), message("train", err))
	}
	end(err != nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s (epoch %d, step %d), %s, %s\n", out, run.CheckpointFile, ck.Epoch, ck.Step, run.MetricsFile, run.ConfigFile)
	fmt.Fprintf(stdout, "next: simclr eval --run %s   (linear probe; simclr plot --run %s draws the curves)\n", out, out)
	return nil
}

// configError turns a bad config value into a usage error naming its
// flag: the key's last part in kebab-case (model.proj_dim → --proj-dim).
func configError(err error) error {
	var fe *run.FieldError
	if !errors.As(err, &fe) {
		return usageError{err.Error()}
	}
	key := fe.Key[strings.LastIndex(fe.Key, ".")+1:]
	flagName := map[string]string{"noise_std": "noise"}[key]
	if flagName == "" {
		flagName = strings.ReplaceAll(key, "_", "-")
	}
	return usagef("--%s %v: %s", flagName, fe.Value, fe.Rule)
}

// dataError marks a dataset request that cannot be met as asked
// (datasets.SourceError) as a usage error.
func dataError(err error) error {
	var se *datasets.SourceError
	if errors.As(err, &se) {
		return usageError{se.Msg}
	}
	return err
}

// configFlag finds --config's value in args before flags are parsed.
func configFlag(args []string) string {
	for i, a := range args {
		for _, p := range []string{"--config", "-config"} {
			if a == p && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, p+"="); ok {
				return v
			}
		}
	}
	return ""
}

// dataFlags name the images the augmentation commands read: --dataset,
// --data-dir, --download and, for folders, --image-size.
type dataFlags struct {
	name, dir string
	imageSize int
	download  bool
}

func (f *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "dataset", "cifar10", "cifar10, cifar100, stl10, stl10-unlabeled, folder or synthetic")
	fs.StringVar(&f.dir, "data-dir", "", "the dataset's directory (default: the download cache)")
	fs.BoolVar(&f.download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&f.imageSize, "image-size", 0, "folder datasets: side images are resized to when loaded (0: 32)")
	fs.IntVar(&datasets.MaxPixels, "max-pixels", datasets.MaxPixels, "folder datasets: refuse images of more pixels than this (read from the header, before decoding)")
}

// load reads the first n training images (synthetic: n generated shapes).
func (f *dataFlags) load(ctx context.Context, n int, stderr io.Writer) (*datasets.Dataset, error) {
	dir, err := datasets.Locate(ctx, f.name, f.dir, f.download, stderr)
	if err != nil {
		return nil, dataError(err)
	}
	if f.imageSize < 0 || f.imageSize > 1024 {
		return nil, usagef("--image-size %d: must be in [0, 1024]", f.imageSize)
	}
	if f.name == datasets.Synthetic {
		return datasets.NewSynthetic(datasets.SyntheticConfig{N: n, Seed: 1}), nil
	}
	return datasets.LoadAt(f.name, dir, datasets.Train, n, f.imageSize)
}
