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
	fs.StringVar(&name, "dataset", "cifar10", "cifar10, cifar100 or synthetic")
	fs.StringVar(&dir, "data-dir", "", "the dataset's directory (default: the download cache)")
	fs.BoolVar(&download, "download", false, "download the dataset into the cache if it is missing")
	fs.IntVar(&n, "n", 8, "images (rows)")
	fs.IntVar(&views, "views", 6, "augmented views per image")
	fs.IntVar(&scale, "scale", 3, "pixels per image pixel in the sheet")
	fs.Float64Var(&cfg.Strength, "strength", 0.5, "colour-jitter strength s")
	fs.Float64Var(&cfg.NoiseStd, "noise", 0, "σ of additive Gaussian noise")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "augmentation seed")
	fs.StringVar(&out, "out", "sheet.png", "PNG file to write")
	if _, err := parse(fs, args, stderr); err != nil {
		return err
	}
	if n < 1 || views < 1 || scale < 1 || cfg.Strength <= 0 || cfg.NoiseStd < 0 {
		return usagef("--n, --views and --scale must be at least 1, --strength positive, --noise not negative")
	}
	dir, err := dataDir(ctx, name, dir, download, stderr)
	if err != nil {
		return err
	}
	d, err := datasets.Load(name, dir, datasets.Train, n)
	if err != nil {
		return err
	}
	p, err := augment.New(cfg)
	if err != nil {
		return err
	}
	side, vs := d.H, p.ViewSize(d)
	cell := side*scale + 4
	sheet := image.NewNRGBA(image.Rect(0, 0, (views+1)*cell+4, d.Len()*cell))
	for i := range sheet.Pix {
		sheet.Pix[i] = 255
	}
	put := func(img image.Image, row, col int) {
		big := imaging.Resize(img, side*scale, side*scale, imaging.NearestNeighbor)
		// The original is set apart from its views by a wider gap.
		x := col*cell + 2
		if col > 0 {
			x += 4
		}
		sheet = imaging.Paste(sheet, big, image.Pt(x, row*cell+2))
	}
	v1, v2 := make([]float32, vs), make([]float32, vs)
	for i := 0; i < d.Len(); i++ {
		if err := p.Plain(ctx, v1, d, []int{i}); err != nil {
			return err
		}
		put(toImage(v1, side), i, 0)
		for k := 0; k < views; k += 2 {
			// Each "epoch" gives a fresh pair of views of the image.
			if err := p.Views(ctx, v1, v2, d, []int{i}, k/2); err != nil {
				return err
			}
			put(toImage(v1, side), i, k+1)
			if k+1 < views {
				put(toImage(v2, side), i, k+2)
			}
		}
	}
	if err := train.WriteFileAtomic(out, func(f *os.File) error { return png.Encode(f, sheet) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d images × (original + %d views)\n", out, d.Len(), views)
	return nil
}

// toImage undoes the normalisation of a 3×side×side view.
func toImage(v []float32, side int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	plane := side * side
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			var c [3]uint8
			for ch := 0; ch < 3; ch++ {
				f := v[ch*plane+y*side+x]*augment.Std[ch] + augment.Mean[ch]
				c[ch] = uint8(min(max(f, 0), 1)*255 + 0.5)
			}
			img.SetNRGBA(x, y, color.NRGBA{c[0], c[1], c[2], 255})
		}
	}
	return img
}
