package augment

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"testing"
)

// The golden file comes from experiments/golden_augment.py: torchvision
// 0.14's functional ops on PIL images (Pillow 9.4), inputs and outputs.
type golden struct {
	Images []struct {
		H, W int
		Pix  []byte
	}
	Cases []struct {
		Op     string
		Image  int
		Out    []byte
		OutH   int `json:"out_h"`
		OutW   int `json:"out_w"`
		Float  []byte
		Box    []int
		Factor float64
		Kernel int
		Sigma  float64
		Mean   [3]float32
		Std    [3]float32
		// chain
		Size  int
		Flip  bool
		Order []uint8
		B, C  float64
		S, H  float64
		Gray  bool
		Blur  []float64
	}
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	raw, err := os.ReadFile("testdata/torchvision.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 70 {
		t.Fatalf("golden file has %d cases", len(g.Cases))
	}
	return &g
}

func floats(b []byte) []float32 {
	f := make([]float32, len(b)/4)
	for i := range f {
		f[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return f
}

func TestGoldenTorchvision(t *testing.T) {
	g := loadGolden(t)
	seen := map[string]int{}
	for n, c := range g.Cases {
		src := &Image{Pix: append([]byte(nil), g.Images[c.Image].Pix...), H: g.Images[c.Image].H, W: g.Images[c.Image].W}
		var got *Image
		tol := 0
		switch c.Op {
		case "resized_crop":
			got = NewImage(c.OutH, c.OutW)
			ResizedCrop(got, src, Box{Y: c.Box[0], X: c.Box[1], H: c.Box[2], W: c.Box[3]})
		case "hflip":
			FlipH(src)
			got = src
		case "grayscale":
			Grayscale(src)
			got = src
		case "brightness":
			Brightness(src, c.Factor)
			got = src
		case "contrast":
			Contrast(src, c.Factor, nil)
			got = src
		case "saturation":
			Saturation(src, c.Factor, nil)
			got = src
		case "hue":
			Hue(src, c.Factor)
			got = src
		case "blur":
			got = NewImage(src.H, src.W)
			GaussianBlur(got, src, c.Kernel, c.Sigma)
			tol = 1
		case "normalize":
			out := make([]float32, len(src.Pix))
			NewNormalizer(c.Mean, c.Std).Apply(out, src)
			checkFloats(t, n, c.Op, out, floats(c.Float))
		case "chain":
			prm := Params{Crop: Box{Y: c.Box[0], X: c.Box[1], H: c.Box[2], W: c.Box[3]}, Flip: c.Flip, Gray: c.Gray}
			if c.Order != nil {
				prm.Parts = copy(prm.Order[:], c.Order)
				prm.Brightness, prm.Contrast, prm.Saturation, prm.Hue = c.B, c.C, c.S, c.H
			}
			if c.Blur != nil {
				prm.Blur, prm.Kernel, prm.Sigma = true, int(c.Blur[0]), c.Blur[1]
			}
			p, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			view := NewImage(c.Size, c.Size)
			p.Render(view, src, &prm)
			out := make([]float32, len(view.Pix))
			NewNormalizer(CIFARMean, CIFARStd).Apply(out, view)
			want := floats(c.Float)
			if c.Blur != nil { // blur may differ by one unit: compare bytes within 1/255/std
				for i := range out {
					if d := math.Abs(float64(out[i] - want[i])); d > 1.01/255/0.2435 {
						t.Fatalf("case %d chain: value %d = %v, want %v", n, i, out[i], want[i])
					}
				}
			} else {
				checkFloats(t, n, c.Op, out, want)
			}
		default:
			t.Fatalf("case %d: unknown op %q", n, c.Op)
		}
		seen[c.Op]++
		if got == nil {
			continue
		}
		want := c.Out
		if len(got.Pix) != len(want) {
			t.Fatalf("case %d %s: %d bytes, want %d", n, c.Op, len(got.Pix), len(want))
		}
		off := 0
		for i := range want {
			d := int(got.Pix[i]) - int(want[i])
			if d < -tol || d > tol {
				if off == 0 {
					t.Errorf("case %d %s %+v: byte %d (c%d y%d x%d) = %d, want %d", n, c.Op, c.Factor, i,
						i/(got.H*got.W), i/got.W%got.H, i%got.W, got.Pix[i], want[i])
				}
				off++
			}
		}
		if off > 0 {
			t.Errorf("case %d %s: %d of %d bytes differ", n, c.Op, off, len(want))
		}
	}
	for _, op := range []string{"resized_crop", "hflip", "grayscale", "brightness", "contrast", "saturation", "hue", "blur", "normalize", "chain"} {
		if seen[op] == 0 {
			t.Errorf("no golden case for %s", op)
		}
	}
}

func checkFloats(t *testing.T, n int, op string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("case %d %s: %d floats, want %d", n, op, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("case %d %s: float %d = %v, want %v (bit for bit)", n, op, i, got[i], want[i])
		}
	}
}
