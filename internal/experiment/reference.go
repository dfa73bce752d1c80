package experiment

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
)

// TorchScript is the PyTorch reference a row with `reference: torch` runs,
// relative to the working directory (the repository root); Python is the
// interpreter it runs under (Debian's, where python3-torch installs).
var (
	TorchScript = filepath.Join("experiments", "reference", "simclr_torch.py")
	Python      = "/usr/bin/python3"
)

// referenceMeta is the meta.json the reference writes beside its features.
type referenceMeta struct {
	NTrain       int       `json:"n_train"`
	NTest        int       `json:"n_test"`
	Dim          int       `json:"dim"`
	Epochs       int       `json:"epochs"`
	Losses       []float64 `json:"losses"`
	TrainSec     float64   `json:"train_sec"`
	FeatureSec   float64   `json:"feature_sec"`
	ImagesPerSec float64   `json:"images_per_sec"`
	Impl         string    `json:"impl"`
}

// referenceRow trains cfg with the reference implementation into dir
// (which resumes from its own per-epoch checkpoint when rerun) and probes
// the features it wrote.
func referenceRow(ctx context.Context, cfg run.Config, e Eval, dir string, progress io.Writer, res *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "config.json")
	if err := run.WriteJSON(cfgPath, cfg); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "meta.json")); err != nil {
		cmd := exec.CommandContext(ctx, Python, TorchScript, "--config", cfgPath, "--out", dir)
		cmd.Stdout, cmd.Stderr = progress, progress
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %w", Python, TorchScript, err)
		}
	}
	var m referenceMeta
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, "meta.json"), err)
	}
	tr, te, classes, err := referenceSets(cfg, filepath.Join(dir, "features.f32"), m)
	if err != nil {
		return err
	}
	res.Config, res.Seed, res.Epochs, res.TrainSec = &cfg, cfg.Seed, m.Epochs, m.TrainSec
	res.ImagesPerSec, res.Impl = m.ImagesPerSec, m.Impl
	for i, l := range m.Losses {
		res.Curve = append(res.Curve, Point{Epoch: i + 1, Loss: l})
		res.FinalLoss = l
	}
	start := time.Now()
	err = probe(ctx, tr, te, classes, e, res)
	res.EvalSec = m.FeatureSec + time.Since(start).Seconds()
	return err
}

// referenceSets reads the reference's features (train rows, then test
// rows, float32 little-endian) and labels them from the dataset.
func referenceSets(cfg run.Config, path string, m referenceMeta) (tr, te eval.Set, classes int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return tr, te, 0, err
	}
	if m.Dim <= 0 || len(b) != 4*(m.NTrain+m.NTest)*m.Dim {
		return tr, te, 0, fmt.Errorf("%s: %d bytes, want (%d+%d)×%d float32s", path, len(b), m.NTrain, m.NTest, m.Dim)
	}
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	set := func(split datasets.Split, n int, x []float32) (eval.Set, error) {
		d, err := datasets.LoadAt(cfg.Dataset, cfg.DataDir, split, n, cfg.ImageSize)
		if err == nil && d.Len() != n {
			err = fmt.Errorf("%s: %d feature rows of a split of %d images", path, n, d.Len())
		}
		if err != nil {
			return eval.Set{}, err
		}
		classes = len(d.Classes)
		return eval.Set{X: x, Labels: d.Labels, D: m.Dim}, nil
	}
	if tr, err = set(datasets.Train, m.NTrain, x[:m.NTrain*m.Dim]); err != nil {
		return tr, te, 0, err
	}
	te, err = set(datasets.Test, m.NTest, x[m.NTrain*m.Dim:])
	return tr, te, classes, err
}
