package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"

	"github.com/disintegration/imaging"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/train"
)

// runAugment writes a contact sheet: one row per image, the original then
// its augmented views, so a user can see what the recipe does.
func runAugment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr augment", flag.ContinueOnError)
	var name, dir, out string
	var n, views, scale int
	var cfg augment.Config
	var download bool
	fs.StringVar(&name, "dataset", "cifar10", "cifar10, cifar100, folder or synthetic")
	var imageSize int
	fs.IntVar(&imageSize, "image-size", 0, "folder datasets: side images are resized to when loaded (0: 32)")
	fs.StringVar(&dir, "data-dir", "", "the dataset's directory (default: the download cache)")
	fs.BoolVar(&download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&n, "n", 8, "images (rows)")
	fs.IntVar(&views, "views", 6, "augmented views per image")
	fs.IntVar(&scale, "scale", 3, "pixels per image pixel in the sheet")
	fs.StringVar(&cfg.Preset, "preset", "cifar", "recipe: cifar or imagenet")
	fs.Float64Var(&cfg.Strength, "strength", 0, "colour-jitter strength s (0: the preset's)")
	fs.IntVar(&cfg.Size, "size", 0, "view side in pixels (0: the image side)")
	fs.Float64Var(&cfg.NoiseStd, "noise", 0, "σ of additive Gaussian noise")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "augmentation seed")
	fs.StringVar(&out, "out", "sheet.png", "PNG file to write")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if n < 1 || views < 1 || scale < 1 || cfg.Strength < 0 || cfg.NoiseStd < 0 {
		return usagef("--n, --views and --scale must be at least 1, --strength and --noise not negative")
	}
	dir, err := dataDir(ctx, name, dir, download, stderr)
	if err != nil {
		return err
	}
	d, err := datasets.LoadAt(name, dir, datasets.Train, n, imageSize)
	if err != nil {
		return err
	}
	p, err := augment.New(cfg)
	if err != nil {
		return err
	}
	side := p.Side(d.H)
	cell := side*scale + 4
	sheet := image.NewNRGBA(image.Rect(0, 0, (views+1)*cell+4, d.Len()*cell))
	for i := range sheet.Pix {
		sheet.Pix[i] = 255
	}
	put := func(img *augment.Image, row, col int) {
		big := imaging.Resize(toImage(img), side*scale, side*scale, imaging.NearestNeighbor)
		// The original is set apart from its views by a wider gap.
		x := col*cell + 2
		if col > 0 {
			x += 4
		}
		sheet = imaging.Paste(sheet, big, image.Pt(x, row*cell+2))
	}
	view := augment.NewImage(side, side)
	for i := 0; i < d.Len(); i++ {
		src := &augment.Image{Pix: d.Image(i), H: d.H, W: d.W}
		put(src, i, 0)
		for k := 0; k < views; k++ {
			// Each "epoch" gives a fresh pair of views of the image.
			prm := p.Params(k/2, i, k%2, d.H, d.W)
			p.Render(view, src, &prm)
			put(view, i, k+1)
		}
	}
	if err := train.WriteFileAtomic(out, func(f *os.File) error { return png.Encode(f, sheet) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d images × (original + %d views)\n", out, d.Len(), views)
	return nil
}

// toImage converts a planar RGB image for image/png.
func toImage(m *augment.Image) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	plane := m.H * m.W
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			i := y*m.W + x
			img.SetNRGBA(x, y, color.NRGBA{m.Pix[i], m.Pix[plane+i], m.Pix[2*plane+i], 255})
		}
	}
	return img
}
