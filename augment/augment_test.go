package augment

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/simclr-go/simclr/datasets"
)

func hashViews(t *testing.T, workers int, d *datasets.Dataset, idx []int) [32]byte {
	t.Helper()
	p, err := New(Config{Seed: 42, Workers: workers, NoiseStd: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	n := p.ViewSize(d) * len(idx)
	v1, v2 := make([]float32, n), make([]float32, n)
	if err := p.Views(context.Background(), v1, v2, d, idx, 3); err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, v1)
	binary.Write(h, binary.LittleEndian, v2)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func TestDeterministicForAnyWorkerCount(t *testing.T) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 100, Seed: 1})
	idx := rand.New(rand.NewPCG(1, 1)).Perm(100)[:70]
	want := hashViews(t, 1, d, idx)
	for _, w := range []int{2, 7} {
		if got := hashViews(t, w, d, idx); got != want {
			t.Fatalf("%d workers gave a different batch than 1 worker", w)
		}
	}
}

func TestViewsDifferAndStayInRange(t *testing.T) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 8, Seed: 2})
	p, _ := New(Config{Seed: 1})
	n := p.ViewSize(d) * 8
	v1, v2 := make([]float32, n), make([]float32, n)
	p.Views(context.Background(), v1, v2, d, []int{0, 1, 2, 3, 4, 5, 6, 7}, 0)
	same := 0
	for i := range v1 {
		if v1[i] == v2[i] {
			same++
		}
		if math.IsNaN(float64(v1[i])) || v1[i] < -2.5 || v1[i] > 2.5 {
			t.Fatalf("view value %v outside the normalised [0,1] range", v1[i])
		}
	}
	if same > n/10 {
		t.Fatalf("%d of %d values equal in the two views", same, n)
	}
	// A different epoch gives different views.
	w1, w2 := make([]float32, n), make([]float32, n)
	p.Views(context.Background(), w1, w2, d, []int{0, 1, 2, 3, 4, 5, 6, 7}, 1)
	if w1[0] == v1[0] && w1[100] == v1[100] && w1[1000] == v1[1000] {
		t.Fatal("epoch does not change the views")
	}
}

func TestPlainNormalises(t *testing.T) {
	d := &datasets.Dataset{Name: "const", C: 3, H: 4, W: 4, Pixels: make([]uint8, 48), Labels: []int32{0}, Classes: []string{"a"}}
	for i := range d.Pixels {
		d.Pixels[i] = 255
	}
	p, _ := New(Config{})
	out := make([]float32, 48)
	p.Plain(context.Background(), out, d, []int{0})
	for c := 0; c < 3; c++ {
		want := (1 - Mean[c]) / Std[c]
		if math.Abs(float64(out[c*16+5]-want)) > 1e-5 {
			t.Fatalf("channel %d: %v, want %v", c, out[c*16+5], want)
		}
	}
}

func TestCropBoxInBoundsAndScale(t *testing.T) {
	p, _ := New(Config{})
	r := rand.New(rand.NewPCG(3, 3))
	var areas float64
	for i := 0; i < 2000; i++ {
		y, x, h, w := p.cropBox(r, 32, 32)
		if y < 0 || x < 0 || h < 1 || w < 1 || y+h > 32 || x+w > 32 {
			t.Fatalf("box %d,%d %dx%d outside 32x32", y, x, h, w)
		}
		areas += float64(h*w) / 1024
	}
	// Mean scale of U(0.08, 1) is 0.54; rejected tries and rounding move it a little.
	if m := areas / 2000; m < 0.45 || m > 0.6 {
		t.Fatalf("mean crop area %v, want about 0.54", m)
	}
}

func TestHueAndGray(t *testing.T) {
	r, g, b := shiftHue(1, 0, 0, 1.0/3)
	if math.Abs(float64(r)) > 1e-6 || math.Abs(float64(g-1)) > 1e-6 || math.Abs(float64(b)) > 1e-6 {
		t.Fatalf("red shifted by 1/3 turn = %v %v %v, want green", r, g, b)
	}
	r, g, b = shiftHue(0.2, 0.5, 0.9, 0)
	if math.Abs(float64(r-0.2)) > 1e-6 || math.Abs(float64(g-0.5)) > 1e-6 || math.Abs(float64(b-0.9)) > 1e-6 {
		t.Fatalf("zero hue shift changed the pixel: %v %v %v", r, g, b)
	}
	img := []float32{1, 0, 0.5}
	grayscale(img)
	if img[0] != img[1] || img[1] != img[2] || math.Abs(float64(img[0])-(0.299+0.114*0.5)) > 1e-6 {
		t.Fatalf("grayscale of (1,0,0.5) = %v", img)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{{Size: -1}, {Strength: -0.5}, {NoiseStd: -1}} {
		if _, err := New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func TestCancellation(t *testing.T) {
	d := datasets.NewSynthetic(datasets.SyntheticConfig{N: 64, Seed: 2})
	p, _ := New(Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := p.ViewSize(d) * 64
	idx := make([]int, 64)
	for i := range idx {
		idx[i] = i
	}
	if err := p.Views(ctx, make([]float32, n), make([]float32, n), d, idx, 0); err == nil {
		t.Fatal("cancelled context gave no error")
	}
}
