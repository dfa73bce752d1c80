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
	"github.com/simclr-go/simclr/run"
)

// runAugment writes a contact sheet: one row per image, the original then
// its augmented views, so a user can see what the recipe does.
func runAugment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simclr augment", flag.ContinueOnError)
	var data dataFlags
	var out string
	var n, views, scale int
	cfg := measuredDefaults().Augment // the views simclr train makes by default
	data.register(fs)
	fs.IntVar(&n, "n", 8, "images (rows)")
	fs.IntVar(&views, "views", 6, "augmented views per image")
	fs.IntVar(&scale, "scale", 3, "pixels per image pixel in the sheet")
	augmentFlags(fs, &cfg)
	fs.Uint64Var(&cfg.Seed, "seed", 0, "augmentation seed")
	fs.StringVar(&out, "out", "sheet.png", "PNG file to write")
	if _, err := parse(fs, args, stdout); err != nil {
		return err
	}
	if n < 1 || n > 10000 || views < 1 || views > 64 || scale < 1 || scale > 32 {
		return usagef("--n (1..10000), --views (1..64) and --scale (1..32) out of range: %d, %d, %d", n, views, scale)
	}
	d, err := data.load(ctx, n, stderr)
	if err != nil {
		return err
	}
	p, err := augment.New(cfg)
	if err != nil {
		return usageError{err.Error()}
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
	// The views are the trainer's own (noise included), mapped back to bytes.
	vs := p.ViewSize(d)
	v := [2][]float32{make([]float32, vs), make([]float32, vs)} // a pair per "epoch"
	view, recipe := augment.NewImage(side, side), p.Recipe()
	for i := 0; i < d.Len(); i++ {
		put(&augment.Image{Pix: d.Image(i), H: d.H, W: d.W}, i, 0)
		for k := 0; k < views; k++ {
			if k%2 == 0 { // each "epoch" gives a fresh pair of views of the image
				if err := p.Views(ctx, v[:], d, []int{i}, k/2); err != nil {
					return err
				}
			}
			unnormalise(view, v[k%2], recipe.Mean, recipe.Std)
			put(view, i, k+1)
		}
	}
	if err := run.WriteFileAtomic(out, func(f *os.File) error { return png.Encode(f, sheet) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d images × (original + %d views)\n", out, d.Len(), views)
	return nil
}

// unnormalise undoes a view's normalisation into the bytes of m.
func unnormalise(m *augment.Image, v []float32, mean, std [3]float32) {
	plane := m.H * m.W
	for i, x := range v {
		c := i / plane
		m.Pix[i] = uint8(min(max(x*std[c]+mean[c], 0), 1)*255 + 0.5)
	}
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
