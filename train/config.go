package train

import (
	"fmt"
	"math"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/contrastive"
	"github.com/simclr-go/simclr/encoder"
)

// Config is everything that defines a run.
type Config struct {
	Dataset string `json:"dataset"`  // cifar10 (default), cifar100, folder or synthetic
	DataDir string `json:"data_dir"` // directory of the dataset's files
	Limit   int    `json:"limit"`    // use only the first Limit training images; 0 means all
	// ImageSize is the side images of a folder dataset are resized to when
	// loaded; 0 means datasets.FolderSide (32). Other datasets ignore it.
	ImageSize int `json:"image_size,omitempty"`

	Epochs       int     `json:"epochs"`        // 0 means 100, the paper's shortest CIFAR schedule
	BatchSize    int     `json:"batch_size"`    // images per step (2× views); 0 means 256
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

// Resolved fills in defaults and validates.
func (c Config) Resolved() (Config, error) {
	if c.Dataset == "" {
		c.Dataset = "cifar10"
	}
	if c.Limit < 0 {
		return c, fmt.Errorf("train: limit %d is negative", c.Limit)
	}
	if c.ImageSize < 0 {
		return c, fmt.Errorf("train: image size %d is negative", c.ImageSize)
	}
	if c.Epochs == 0 {
		c.Epochs = 100
	}
	if c.Epochs < 0 {
		return c, fmt.Errorf("train: epochs %d must be positive", c.Epochs)
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.BatchSize < 2 {
		return c, fmt.Errorf("train: batch size %d must be at least 2 (NT-Xent needs negatives, BatchNorm a batch)", c.BatchSize)
	}
	if c.Optimizer == "" {
		c.Optimizer = OptSGD
	}
	if c.Optimizer != OptSGD && c.Optimizer != OptLARS && c.Optimizer != OptAdamW {
		return c, fmt.Errorf("train: unknown optimizer %q (want sgd, lars or adamw)", c.Optimizer)
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
		return c, fmt.Errorf("train: learning rate %v must be positive", c.LR)
	}
	if c.LRScaling == "" {
		c.LRScaling = "linear"
	}
	var err error
	if c.PeakLR, err = PeakLR(c.LR, c.BatchSize, c.LRScaling); err != nil {
		return c, err
	}
	if c.Momentum == 0 {
		c.Momentum = 0.9
	}
	if c.Momentum < 0 || c.Momentum >= 1 {
		return c, fmt.Errorf("train: momentum %v outside [0, 1)", c.Momentum)
	}
	switch {
	case c.WeightDecay == 0:
		c.WeightDecay = 1e-6
	case c.WeightDecay < 0:
		c.WeightDecay = -1 // resolved "none"; stays negative so re-resolving keeps it
	}
	switch {
	case c.WarmupEpochs == 0:
		c.WarmupEpochs = math.Min(10, float64(c.Epochs)/10)
	case c.WarmupEpochs < 0:
		c.WarmupEpochs = -1
	}
	if c.Temperature == 0 {
		c.Temperature = contrastive.DefaultTemperature
	}
	if _, err := contrastive.New(c.Temperature); err != nil {
		return c, fmt.Errorf("train: %w", err)
	}
	if c.LogEvery == 0 {
		c.LogEvery = 10
	}
	if c.LogEvery < 0 {
		return c, fmt.Errorf("train: log interval %d is negative", c.LogEvery)
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = 1
	}
	if c.Keep == 0 {
		c.Keep = 3
	}
	if c.CheckpointEvery < 0 || c.Keep < 0 {
		return c, fmt.Errorf("train: checkpoint interval %d and keep %d must be positive", c.CheckpointEvery, c.Keep)
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
		return c, fmt.Errorf("train: aux labels %d is negative", c.AuxLabels)
	}
	switch c.AuxHead {
	case "", "ce", "mse", "hinge":
	default:
		return c, fmt.Errorf("train: unknown auxiliary head %q (want ce, mse or hinge)", c.AuxHead)
	}
	if c.Model.Seed == 0 {
		c.Model.Seed = c.Seed
	}
	if a := &c.Augment; a.Recipe == nil { // spell out the preset in config.json
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
	if c.Model, err = c.Model.Resolved(); err != nil {
		return c, err
	}
	if _, err := augment.New(c.Augment); err != nil {
		return c, err
	}
	return c, nil
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
