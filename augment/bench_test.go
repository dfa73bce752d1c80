package augment

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/simclr-go/simclr/datasets"
)

// BenchmarkStream measures steady-state views/s of the CIFAR preset on
// synthetic 32×32 images; one op is one batch of 256 images (512 views).
// allocs/op must be 0.
func BenchmarkStream(b *testing.B) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 1024, Seed: 1})
	p, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	order := make([]int, 256*(b.N+2))
	for i := range order {
		order[i] = (i * 31) % d.Len()
	}
	st, err := p.Stream(context.Background(), d, order, 256, 2, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	st.Next()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := st.Next(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(512*b.N)/b.Elapsed().Seconds(), "views/s")
}

// BenchmarkOps times each operation on one 32×32 view.
func BenchmarkOps(b *testing.B) {
	// A smooth random colour field (4×4 random colours enlarged), more
	// like a photo than noise is.
	small := NewImage(4, 4)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range small.Pix {
		small.Pix[i] = uint8(r.IntN(256))
	}
	src := NewImage(32, 32)
	ResizedCrop(src, small, Box{0, 0, 4, 4})
	dst := NewImage(32, 32)
	l := make([]uint8, 32*32)
	var rs resizer
	var bl blurrer
	out := make([]float32, 3*32*32)
	norm := NewNormalizer(CIFARMean, CIFARStd)
	for _, c := range []struct {
		name string
		fn   func()
	}{
		{"crop20to32", func() { rs.crop(dst, src, Box{3, 5, 20, 18}, false) }},
		{"flip", func() { FlipH(dst) }},
		{"brightness", func() { Brightness(dst, 1.2) }},
		{"contrast", func() { Contrast(dst, 0.8, l) }},
		{"saturation", func() { Saturation(dst, 1.3, l) }},
		{"hue", func() { Hue(dst, 0.05) }},
		{"gray", func() { Grayscale(dst) }},
		{"blur3", func() { bl.blur(dst, dst, 3, 1) }},
		{"normalize", func() { norm.Apply(out, dst) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			rs.crop(dst, src, Box{0, 0, 32, 32}, false)
			b.ReportAllocs()
			for range b.N {
				c.fn()
			}
		})
	}
}
