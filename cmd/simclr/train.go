package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/train"
)

// trainDefaults are the flag defaults; a --config file overrides them and
// flags given on the command line override the file.
func trainDefaults() train.Config {
	c := train.Config{Dataset: "cifar10", Epochs: 100, BatchSize: 256, Optimizer: "sgd", LRScaling: "linear",
		Temperature: 0.5, WeightDecay: 1e-6, LogEvery: 10, CheckpointEvery: 1, Keep: 3, KNNBank: 5000, KNNQueries: 1000}
	// Augment.Strength 0: the preset's (0.5 for cifar, 1 for imagenet)
	c.Model = encoder.Config{Arch: "small", Width: 1, HeadDepth: 2, ProjDim: 128}
	return c
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

// loadConfigFile reads a JSON or YAML (.yaml, .yml) file over c, with the
// keys of config.json; an unknown key is an error naming it.
func loadConfigFile(path string, c *train.Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".yaml" || ext == ".yml" {
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if b, err = json.Marshal(m); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr train", flag.ContinueOnError)
	c := trainDefaults()
	var out, resume, configPath string
	var download bool
	if p := configFlag(args); p != "" {
		if err := loadConfigFile(p, &c); err != nil {
			return usagef("--config: %v", err)
		}
	}
	fs.StringVar(&configPath, "config", "", "JSON or YAML file of settings (keys as in a run's config.json); flags given override it")
	fs.StringVar(&c.Dataset, "dataset", c.Dataset, "dataset: cifar10, cifar100, folder (an ImageFolder tree at --data-dir) or synthetic")
	fs.IntVar(&c.ImageSize, "image-size", c.ImageSize, "folder datasets: side images are resized to when loaded (0: 32)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the dataset's binary files (default: the download cache, $SIMCLR_DATA or ~/.cache/simclr)")
	fs.BoolVar(&download, "download", false, "download the dataset into the cache if it is missing")
	fs.StringVar(&out, "out", "", "run directory to write (required; must not hold a run already)")
	fs.StringVar(&resume, "resume", "", "continue the run in this directory exactly where it stopped (its own config; no other flags)")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", c.CheckpointEvery, "epochs between kept checkpoint-eNNNN.bin files (checkpoint.bin is rewritten every epoch)")
	fs.IntVar(&c.Keep, "keep", c.Keep, "how many checkpoint-eNNNN.bin files to keep")
	fs.IntVar(&c.KNNBank, "knn-bank", c.KNNBank, "kNN monitor each epoch: bank of the first N training images (negative: off)")
	fs.IntVar(&c.KNNQueries, "knn-queries", c.KNNQueries, "kNN monitor: the first N test images as queries (negative: off)")
	fs.IntVar(&c.Limit, "limit", c.Limit, "use only the first N training images (0: all)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "training epochs")
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "images per step (each gives 2 views)")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "sgd, lars or adamw")
	fs.Float64Var(&c.LR, "lr", c.LR, "base learning rate (0: 0.3 for sgd and lars, 1e-3 for adamw), scaled by --lr-scaling")
	fs.StringVar(&c.LRScaling, "lr-scaling", c.LRScaling, "linear (lr × batch/256), sqrt (lr × √batch; the paper uses lr 0.075) or none")
	fs.BoolVar(&c.Nesterov, "nesterov", c.Nesterov, "Nesterov momentum (sgd)")
	fs.Float64Var(&c.Temperature, "temperature", c.Temperature, "NT-Xent temperature τ")
	fs.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "L2 weight decay")
	fs.Float64Var(&c.WarmupEpochs, "warmup-epochs", c.WarmupEpochs, "linear warmup epochs (0: min(10, epochs/10); negative: none)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed for initialisation, shuffling and augmentation")
	fs.IntVar(&c.LogEvery, "log-every", c.LogEvery, "steps between metric lines")
	fs.StringVar(&c.Augment.Preset, "preset", c.Augment.Preset, "augmentation recipe: cifar (the default: s 0.5, no blur) or imagenet (s 1, blur); a config file may give a full recipe")
	fs.Float64Var(&c.Augment.Strength, "strength", c.Augment.Strength, "colour-jitter strength s (jitter 0.8s/0.8s/0.8s/0.2s; 0: the preset's)")
	fs.Float64Var(&c.Augment.NoiseStd, "noise", c.Augment.NoiseStd, "σ of additive Gaussian noise on [0,1] pixels (0: none)")
	fs.IntVar(&c.Augment.Workers, "workers", c.Augment.Workers, "augmentation workers (0: GOMAXPROCS)")
	fs.StringVar(&c.Model.Arch, "arch", c.Model.Arch, "encoder: small or resnet18 (CIFAR variant)")
	fs.Float64Var(&c.Model.Width, "width", c.Model.Width, "channel-width multiplier (e.g. 0.25 makes resnet18 CPU-sized)")
	fs.IntVar(&c.Model.HeadDepth, "head-depth", c.Model.HeadDepth, "linear layers in the projection head: 2 or 3")
	fs.IntVar(&c.Model.ProjDim, "proj-dim", c.Model.ProjDim, "projection head output dimension")
	fs.StringVar(&c.AuxHead, "aux-head", c.AuxHead, "online linear probe on stop-gradient features, logged per epoch: ce, mse or hinge")
	fs.IntVar(&c.AuxLabels, "aux-labels", c.AuxLabels, "the online probe uses labels of the first N training images only (0: all)")
	set, err := parse(fs, args, stderr)
	if err != nil {
		return err
	}
	if resume != "" {
		for name := range set {
			if name != "resume" && name != "config" {
				return usagef("--resume continues a run with its own config; drop --%s", name)
			}
		}
		ck, err := train.LoadCheckpoint(resume)
		if err != nil {
			return err
		}
		return finishTrain(ctx, train.Config{}, resume, train.RunOptions{Progress: stderr, Resume: ck}, stdout)
	}
	if out == "" {
		return usagef("--out is required: the run directory to write")
	}
	for name, ok := range map[string]bool{
		"epochs": c.Epochs > 0, "batch-size": c.BatchSize >= 2, "temperature": c.Temperature > 0,
		"limit": c.Limit >= 0, "log-every": c.LogEvery > 0, "strength": c.Augment.Strength >= 0,
		"noise": c.Augment.NoiseStd >= 0, "proj-dim": c.Model.ProjDim > 0, "weight-decay": c.WeightDecay >= 0,
		"lr": !set["lr"] || c.LR > 0, "checkpoint-every": c.CheckpointEvery > 0, "keep": c.Keep > 0,
	} {
		if !ok {
			return usagef("--%s %s: %s", name, fs.Lookup(name).Value, flagRule[name])
		}
	}
	if c.WeightDecay == 0 {
		c.WeightDecay = -1 // an explicit 0 means none, not the default
	}
	if c.KNNBank == 0 || c.KNNQueries == 0 {
		c.KNNBank, c.KNNQueries = -1, -1 // an explicit 0 means off
	}
	if c.Limit > 0 && c.Limit < c.BatchSize {
		return usagef("--limit %d is smaller than --batch-size %d: not one full batch", c.Limit, c.BatchSize)
	}
	if c.DataDir, err = dataDir(ctx, c.Dataset, c.DataDir, download, stderr); err != nil {
		return err
	}
	return finishTrain(ctx, c, out, train.RunOptions{Progress: stderr}, stdout)
}

func finishTrain(ctx context.Context, c train.Config, out string, opts train.RunOptions, stdout io.Writer) error {
	ck, err := train.Run(ctx, c, out, opts)
	if err != nil {
		if ctx.Err() != nil && ck != nil {
			return fmt.Errorf("interrupted at step %d; %s holds its checkpoint: continue with simclr train --resume %s", ck.Step, out, out)
		}
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %s (epoch %d, step %d), %s, %s\n", out, train.CheckpointFile, ck.Epoch, ck.Step, train.MetricsFile, train.ConfigFile)
	return nil
}

var flagRule = map[string]string{
	"epochs": "must be at least 1", "checkpoint-every": "must be at least 1", "keep": "must be at least 1", "batch-size": "must be at least 2 (NT-Xent needs negatives)",
	"temperature": "must be positive", "limit": "must not be negative", "log-every": "must be at least 1",
	"strength": "must not be negative (0: the preset's)", "noise": "must not be negative", "proj-dim": "must be at least 1",
	"weight-decay": "must not be negative", "lr": "must be positive",
}

// dataDir resolves where a dataset's files are: the flag, else the
// download cache (fetching when asked).
// dataFlags name the images the augmentation commands read: --dataset,
// --data-dir, --download and, for folders, --image-size.
type dataFlags struct {
	name, dir string
	imageSize int
	download  bool
}

func (f *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "dataset", "cifar10", "cifar10, cifar100, folder or synthetic")
	fs.StringVar(&f.dir, "data-dir", "", "the dataset's directory (default: the download cache)")
	fs.BoolVar(&f.download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&f.imageSize, "image-size", 0, "folder datasets: side images are resized to when loaded (0: 32)")
}

// load reads the first n training images (synthetic: n generated shapes).
func (f *dataFlags) load(ctx context.Context, n int, stderr io.Writer) (*datasets.Dataset, error) {
	dir, err := dataDir(ctx, f.name, f.dir, f.download, stderr)
	if err != nil {
		return nil, err
	}
	if f.name == datasets.Synthetic {
		return datasets.NewSynthetic(datasets.SyntheticConfig{N: n, Seed: 1}), nil
	}
	return datasets.LoadAt(f.name, dir, datasets.Train, n, f.imageSize)
}

func dataDir(ctx context.Context, name, dir string, download bool, stderr io.Writer) (string, error) {
	if name == datasets.Synthetic {
		return dir, nil
	}
	if name == datasets.Folder {
		if dir == "" {
			return "", usagef("--dataset folder needs --data-dir DIR (DIR/train/<class>/*.png|jpg, DIR/test/...)")
		}
		return dir, nil
	}
	a, ok := datasets.Archives[name]
	if !ok {
		return "", usagef("--dataset %q: want cifar10, cifar100, folder or synthetic", name)
	}
	if dir != "" {
		if download && !a.Complete(dir) {
			return "", usagef("--download fetches into the cache; drop --data-dir %s or fill it yourself", dir)
		}
		return dir, nil
	}
	cached := filepath.Join(datasets.CacheDir(), a.Dir)
	if a.Complete(cached) {
		return cached, nil
	}
	if !download {
		return "", fmt.Errorf("no --data-dir given and no complete %s in %s; pass --data-dir DIR or --download", name, cached)
	}
	return datasets.Fetch(ctx, a, datasets.CacheDir(), stderr)
}
