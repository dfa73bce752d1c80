package run

import (
	"fmt"
	"math"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/encoder"
)

// Config is everything that defines a run. Its zero value is the paper's
// CIFAR-10 recipe; each field documents its default.
type Config struct {
	Dataset string `json:"dataset"`  // cifar10 (default), cifar100, stl10, stl10-unlabeled, folder or synthetic
	DataDir string `json:"data_dir"` // directory of the dataset's files
	Limit   int    `json:"limit"`    // use only the first Limit training images; 0 means all
	// ImageSize is the side images of a folder dataset are resized to when
	// loaded; 0 means datasets.FolderSide (32). Other datasets ignore it.
	ImageSize int `json:"image_size,omitempty"`

	// Method is what the encoder learns from: simclr (default; NT-Xent on
	// two views) or supervised (cross-entropy on labels, one view).
	Method string `json:"method,omitempty"`
	// SyncBN computes training BatchNorm statistics over the whole batch
	// of a data-parallel world (all ranks), as one process would; without
	// it each rank normalises its own share (plain DDP).
	SyncBN bool `json:"sync_bn,omitempty"`

	// TimeBudget > 0 with Epochs 0 asks train.Run to choose Epochs (and
	// Steps, to end inside the last epoch) so that training ends within
	// this many seconds of wall-clock, from a timing of the first steps;
	// the plan is what config.json records, so rerunning it is exact.
	TimeBudget float64 `json:"time_budget_sec,omitempty"`

	Epochs int `json:"epochs"` // 0 means 100, the paper's shortest CIFAR schedule (or planned: TimeBudget)
	// Steps > 0 ends the run after that many steps, inside its last epoch
	// (a time budget's plan fills the budget this way); the schedule's
	// cosine ends there. 0 means Epochs whole epochs.
	Steps        int     `json:"steps,omitempty"`
	BatchSize    int     `json:"batch_size"`    // images per step, over all ranks of a data-parallel world; 0 means 256
	Optimizer    string  `json:"optimizer"`     // sgd (default), lars or adamw
	LR           float64 `json:"lr"`            // base learning rate; 0 means 0.3 (sgd, lars; 0.075 with sqrt scaling) or 1e-3 (adamw)
	LRScaling    string  `json:"lr_scaling"`    // linear (default: LR×B/256), sqrt (LR×√B) or none
	PeakLR       float64 `json:"peak_lr"`       // resolved: what the schedule peaks at (set by Resolved)
	Momentum     float64 `json:"momentum"`      // 0 means 0.9 (sgd, lars)
	Nesterov     bool    `json:"nesterov"`      // Nesterov momentum (sgd)
	WeightDecay  float64 `json:"weight_decay"`  // 0 means 1e-6 (paper); negative means none
	WarmupEpochs float64 `json:"warmup_epochs"` // 0 means min(10, Epochs/10); negative means none
	Temperature  float64 `json:"temperature"`   // NT-Xent τ; 0 means 0.5 (paper, CIFAR-10)
	Seed         uint64  `json:"seed"`          // drives initialisation, shuffling and augmentation
	LogEvery     int     `json:"log_every"`     // steps between metric lines; 0 means 10

	CheckpointEvery int `json:"checkpoint_every"` // epochs between kept checkpoint-eNNNN.bin files; 0 means 1
	Keep            int `json:"keep"`             // how many of those to keep; 0 means 3
	KNNBank         int `json:"knn_bank"`         // kNN monitor bank: the first N training images; 0 means 5000, negative off
	KNNQueries      int `json:"knn_queries"`      // kNN monitor queries: the first N test images; 0 means 1000, negative off

	AuxHead   string `json:"aux_head"`   // online linear probe on stop-gradient h: "" (none), ce, mse or hinge
	AuxLabels int    `json:"aux_labels"` // the probe sees labels of the first AuxLabels training images; 0 means all

	Model   encoder.Config `json:"model"`
	Augment augment.Config `json:"augment"`
}

// Names of methods and optimizers.
const (
	MethodSimCLR     = "simclr"
	MethodSupervised = "supervised"

	OptSGD   = "sgd"
	OptLARS  = "lars"
	OptAdamW = "adamw"
)

// FieldError is a bad value in a Config, named by its config.json key
// (nested keys joined by dots: model.proj_dim).
type FieldError struct {
	Key   string
	Value any
	Rule  string // what the value must be, e.g. "must be at least 2"
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s %v: %s", e.Key, e.Value, e.Rule) }

func bad(key string, v any, rule string) error { return &FieldError{Key: key, Value: v, Rule: rule} }

// Resolved fills in defaults and validates. It is idempotent: a resolved
// config resolves to itself, so config.json reruns exactly.
func (c Config) Resolved() (Config, error) {
	for _, step := range []func(*Config) error{(*Config).resolveData, (*Config).resolveOptim, (*Config).resolveSchedule,
		(*Config).resolveRun, (*Config).resolveParts} {
		if err := step(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c *Config) resolveData() error {
	if c.Dataset == "" {
		c.Dataset = "cifar10"
	}
	if c.Method == "" {
		c.Method = MethodSimCLR
	}
	switch {
	case c.Limit < 0:
		return bad("limit", c.Limit, "must not be negative")
	case c.ImageSize < 0:
		return bad("image_size", c.ImageSize, "must not be negative")
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.BatchSize < 2 || c.BatchSize > 1<<16 {
		return bad("batch_size", c.BatchSize, "must be at least 2 (NT-Xent needs negatives, BatchNorm a batch) and at most 65536")
	}
	if c.ImageSize > 1024 {
		return bad("image_size", c.ImageSize, "must be at most 1024")
	}
	if c.Limit > 0 && c.Limit < c.BatchSize {
		return bad("limit", c.Limit, fmt.Sprintf("is smaller than batch_size %d: not one full batch", c.BatchSize))
	}
	return nil
}

func (c *Config) resolveOptim() error {
	if c.Optimizer == "" {
		c.Optimizer = OptSGD
	}
	if c.Optimizer != OptSGD && c.Optimizer != OptLARS && c.Optimizer != OptAdamW {
		return bad("optimizer", c.Optimizer, "want sgd, lars or adamw")
	}
	if c.LR == 0 {
		switch {
		case c.Optimizer == OptAdamW:
			c.LR = 1e-3
		case c.LRScaling == "sqrt":
			c.LR = 0.075 // the paper's base for square-root scaling
		default:
			c.LR = 0.3
		}
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return bad("lr", c.LR, "must be positive")
	}
	if c.LRScaling == "" {
		c.LRScaling = "linear"
	}
	var err error
	if c.PeakLR, err = PeakLR(c.LR, c.BatchSize, c.LRScaling); err != nil {
		return bad("lr_scaling", c.LRScaling, "want linear, sqrt or none")
	}
	if c.Momentum == 0 {
		c.Momentum = 0.9
	}
	if !(c.Momentum >= 0 && c.Momentum < 1) {
		return bad("momentum", c.Momentum, "must be in [0, 1)")
	}
	switch {
	case c.WeightDecay == 0:
		c.WeightDecay = 1e-6
	case c.WeightDecay < 0:
		c.WeightDecay = -1 // resolved "none"; stays negative so re-resolving keeps it
	case math.IsNaN(c.WeightDecay) || math.IsInf(c.WeightDecay, 0):
		return bad("weight_decay", c.WeightDecay, "must be finite")
	}
	return nil
}

func (c *Config) resolveSchedule() error {
	if !(c.TimeBudget >= 0) || math.IsInf(c.TimeBudget, 0) {
		return bad("time_budget_sec", c.TimeBudget, "must be a finite number of seconds")
	}
	if c.Epochs == 0 && c.TimeBudget == 0 {
		c.Epochs = 100
	}
	if c.Epochs < 0 || c.Epochs > 1_000_000 {
		return bad("epochs", c.Epochs, "must be at least 1 and at most 1000000")
	}
	if c.Steps < 0 {
		return bad("steps", c.Steps, "must not be negative")
	}
	switch {
	case math.IsNaN(c.WarmupEpochs) || math.IsInf(c.WarmupEpochs, 0):
		return bad("warmup_epochs", c.WarmupEpochs, "must be finite")
	case c.WarmupEpochs == 0 && c.Epochs == 0: // planned later: resolved again then
	case c.WarmupEpochs == 0:
		c.WarmupEpochs = math.Min(10, float64(c.Epochs)/10)
	case c.WarmupEpochs < 0:
		c.WarmupEpochs = -1
	}
	if c.Temperature == 0 {
		c.Temperature = contrastive.DefaultTemperature
	}
	if _, err := contrastive.New(c.Temperature); err != nil {
		return bad("temperature", c.Temperature, "must be positive and finite")
	}
	return nil
}

// resolveRun covers logging, checkpoints and the monitors.
func (c *Config) resolveRun() error {
	if c.LogEvery == 0 {
		c.LogEvery = 10
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = 1
	}
	if c.Keep == 0 {
		c.Keep = 3
	}
	for key, v := range map[string]int{"log_every": c.LogEvery, "checkpoint_every": c.CheckpointEvery, "keep": c.Keep} {
		if v < 0 {
			return bad(key, v, "must be at least 1")
		}
	}
	if c.KNNBank == 0 {
		c.KNNBank = 5000
	}
	if c.KNNQueries == 0 {
		c.KNNQueries = 1000
	}
	if c.KNNBank < 0 || c.KNNQueries < 0 {
		c.KNNBank, c.KNNQueries = -1, -1
	}
	if c.AuxLabels < 0 {
		return bad("aux_labels", c.AuxLabels, "must not be negative")
	}
	return nil
}

// resolveParts resolves the model's and the augmentation's configs,
// spelling out the augmentation preset so config.json says what ran.
func (c *Config) resolveParts() error {
	if c.Model.Seed == 0 {
		c.Model.Seed = c.Seed
	}
	if a := &c.Augment; a.Recipe == nil {
		if a.Preset == "" {
			a.Preset = "cifar"
		}
		if a.Strength == 0 && a.Preset == "cifar" {
			a.Strength = 0.5
		}
		if a.Strength == 0 && a.Preset == "imagenet" {
			a.Strength = 1
		}
	}
	if c.Augment.Seed == 0 {
		c.Augment.Seed = c.Seed ^ 0xa09e667f3bcc908b
	}
	var err error
	if c.Model, err = c.Model.Resolved(); err != nil {
		return err
	}
	if c.Augment.Size < 0 || c.Augment.Size > augment.MaxSize {
		return bad("augment.size", c.Augment.Size, fmt.Sprintf("must be in [0, %d]", augment.MaxSize))
	}
	if c.Augment.Workers < 0 {
		return bad("augment.workers", c.Augment.Workers, "must not be negative")
	}
	_, err = c.Augment.Resolve()
	return err
}

// PeakLR is the learning rate the schedule peaks at for a base rate lr at
// batch size b: linear scaling lr×b/256, square-root scaling lr×√b, or
// none.
func PeakLR(lr float64, b int, scaling string) (float64, error) {
	switch scaling {
	case "linear":
		return lr * float64(b) / 256, nil
	case "sqrt":
		return lr * math.Sqrt(float64(b)), nil
	case "none":
		return lr, nil
	}
	return 0, fmt.Errorf("unknown learning-rate scaling %q (want linear, sqrt or none)", scaling)
}

// Schedule returns the learning rate at step (0-based) of total steps:
// linear warmup from lr/warm to lr over warm steps, then cosine decay to 0.
func Schedule(lr float64, step, warm, total int) float64 {
	if step < warm {
		return lr * float64(step+1) / float64(warm)
	}
	if total <= warm {
		return lr
	}
	t := float64(step-warm) / float64(total-warm)
	return lr * 0.5 * (1 + math.Cos(math.Pi*t))
}

// WarmupSteps is the number of warmup steps for steps per epoch.
func (c Config) WarmupSteps(steps int) int {
	return int(math.Round(max(c.WarmupEpochs, 0) * float64(steps)))
}

// Defaults is the zero Config resolved, less the values derived from
// other fields (the learning rate and its peak, warmup, the colour
// strength, the model's and augmentation's seeds), which stay 0 so that
// they follow what a user sets: what a command line shows as its defaults.
func Defaults() Config {
	c, err := Config{}.Resolved()
	if err != nil {
		panic(err) // the zero Config is valid by construction (tested)
	}
	c.LR, c.PeakLR, c.WarmupEpochs = 0, 0, 0
	c.Augment.Strength, c.Augment.Seed, c.Model.Seed = 0, 0, 0
	return c
}
