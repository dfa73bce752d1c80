package eval_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

// Embed image.Images with the encoder of a run directory: one call.
func ExampleEmbed() {
	dir, _ := os.MkdirTemp("", "simclr-example")
	defer os.RemoveAll(dir)
	shapes := datasets.NewSynthetic(datasets.SyntheticConfig{N: 32, Seed: 1})
	if _, err := train.RunOn(context.Background(), run.Config{Dataset: "synthetic", Epochs: 1, BatchSize: 16, KNNBank: -1}, shapes, dir, train.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, 48, 40)) // any size: scaled and centre-cropped as training saw images
	for x := 10; x < 30; x++ {
		img.Set(x, 20, color.White)
	}
	h, dim, err := eval.Embed(context.Background(), dir, []image.Image{img, img})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d images → %d floats of %d features; same image, same embedding: %v\n", 2, len(h), dim, h[0] == h[dim])
	// Output: 2 images → 512 floats of 256 features; same image, same embedding: true
}

// A linear probe on features: here two classes split by the first feature.
func ExampleProbe() {
	set := func(n int) eval.Set {
		s := eval.Set{D: 2}
		for i := range n {
			y := int32(i % 2)
			s.X = append(s.X, float32(2*y-1)+float32(i%7)/10, float32(i%5))
			s.Labels = append(s.Labels, y)
		}
		return s
	}
	r, err := eval.Probe(context.Background(), set(100), set(40), 2, eval.HeadCE, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s probe: top-1 %.2f on %d test rows\n", r.Head, r.Top1, r.NTest)
	// Output: ce probe: top-1 1.00 on 40 test rows
}
