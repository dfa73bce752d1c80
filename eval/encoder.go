package eval

import (
	"context"
	"fmt"
	"image"
	"path/filepath"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/run"
)

// Encoder is a run's trained encoder, ready to embed images as training
// saw them: the model with the checkpoint's weights and the run's resize
// and normalisation.
type Encoder struct {
	Model *encoder.Model
	Pipe  *augment.Pipeline
	Side  int // the side images are scaled to before the run's resize
}

// LoadEncoder reads the encoder of the run in dir.
func LoadEncoder(dir string) (*Encoder, error) {
	ck, err := run.LoadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	e, err := EncoderOf(ck)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, run.CheckpointFile), err)
	}
	return e, nil
}

// EncoderOf builds a checkpoint's encoder.
func EncoderOf(c *run.Checkpoint) (*Encoder, error) {
	m, err := encoder.New(c.Config.Model)
	if err != nil {
		return nil, err
	}
	if err := m.Load(c.Model); err != nil {
		return nil, err
	}
	p, err := augment.New(c.Config.Augment)
	if err != nil {
		return nil, err
	}
	side := c.Config.ImageSize
	if side == 0 {
		side = datasets.FolderSide
	}
	return &Encoder{Model: m, Pipe: p, Side: side}, nil
}

// Features returns h (N×Model.Features, eval-mode BatchNorm) of every
// image of each of ds.
func (e *Encoder) Features(ctx context.Context, ds ...*datasets.Dataset) ([][]float32, error) {
	return FeaturesWith(ctx, e.Model, e.Pipe, 0, ds...)
}

// Embed returns h of each image (len(imgs)×Model.Features), each first
// scaled to cover Side×Side and centre-cropped, as folder datasets load.
func (e *Encoder) Embed(ctx context.Context, imgs []image.Image) ([]float32, error) {
	fs, err := e.Features(ctx, datasets.FromImages(imgs, e.Side))
	if err != nil {
		return nil, err
	}
	return fs[0], nil
}

// Embed is LoadEncoder(dir) then Embed(imgs): the representations of imgs
// under the run in dir, and their dimension.
func Embed(ctx context.Context, dir string, imgs []image.Image) ([]float32, int, error) {
	e, err := LoadEncoder(dir)
	if err != nil {
		return nil, 0, err
	}
	h, err := e.Embed(ctx, imgs)
	return h, e.Model.Features, err
}
