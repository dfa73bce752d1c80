package augment

import (
	"fmt"
	"github.com/simclr-go/simclr/internal/scratch"
	"math"
	"sync"

	"github.com/simclr-go/simclr/internal/pixel"
)

// Image is an 8-bit RGB image in planar layout: channel c, row y, column x
// is Pix[(c*H+y)*W+x], the layout of CIFAR's files and of NCHW tensors.
type Image struct {
	Pix  []uint8
	H, W int
}

// NewImage returns a black h×w image.
func NewImage(h, w int) *Image { return &Image{Pix: make([]uint8, 3*h*w), H: h, W: w} }

func (m *Image) plane(c int) []uint8 { n := m.H * m.W; return m.Pix[c*n : (c+1)*n] }

func (m *Image) check(what string) {
	if m.H < 1 || m.W < 1 || len(m.Pix) != 3*m.H*m.W {
		panic(fmt.Sprintf("augment: %s image %dx%d with %d bytes", what, m.H, m.W, len(m.Pix)))
	}
}

// Box is a crop rectangle: rows Y..Y+H-1, columns X..X+W-1.
type Box struct{ Y, X, H, W int }

// The operations below reproduce torchvision 0.14 on PIL images (Pillow
// 9.4) bit for bit: integer results come from the same fixed-point or
// float32 arithmetic, in the same order, as Pillow's C code. Each is a pure
// function of its source pixels and parameters; dst may be src where the
// doc says so.

// FlipH mirrors m left to right in place (PIL's FLIP_LEFT_RIGHT).
func FlipH(m *Image) {
	for r := 0; r < 3*m.H; r++ {
		row := m.Pix[r*m.W : (r+1)*m.W]
		for i, j := 0, len(row)-1; i < j; i, j = i+1, j-1 {
			row[i], row[j] = row[j], row[i]
		}
	}
}

// Grayscale replaces every channel by Pillow's luma, as torchvision's
// rgb_to_grayscale(img, num_output_channels=3). In place.
func Grayscale(m *Image) {
	R, G, B := m.plane(0), m.plane(1), m.plane(2)
	pixel.Luma(R, R, G, B)
	copy(G, R)
	copy(B, R)
}

// The three blends below are ImageEnhance's: Image.blend(degenerate, img,
// f), which Pillow computes per byte as deg + f·(v − deg) in float32,
// truncated, clamped to 0..255 (pixel.Blend). l is scratch of H·W bytes
// (nil: allocated).

// Brightness scales m by factor f (ImageEnhance.Brightness: the
// degenerate image is black). In place.
func Brightness(m *Image, f float64) { pixel.BlendConst(m.Pix, m.Pix, 0, float32(f)) }

// Contrast blends m with its mean grey by factor f (ImageEnhance.Contrast:
// the grey is the rounded mean of Pillow's luma). In place.
func Contrast(m *Image, f float64, l []uint8) {
	l = lumaOf(m, l)
	var sum int
	for _, v := range l {
		sum += int(v)
	}
	mean := uint8(float64(sum)/float64(len(l)) + 0.5)
	pixel.BlendConst(m.Pix, m.Pix, mean, float32(f))
}

// Saturation blends every pixel of m with its own luma by factor f
// (ImageEnhance.Color: the degenerate image is the grey version). In place.
func Saturation(m *Image, f float64, l []uint8) {
	l = lumaOf(m, l)
	for c := range 3 {
		p := m.plane(c)
		pixel.Blend(p, p, l, float32(f))
	}
}

// lumaOf writes m's luma into l (grown to H·W) and returns it.
func lumaOf(m *Image, l []uint8) []uint8 {
	l = scratch.Grow(l, m.H*m.W)
	pixel.Luma(l, m.plane(0), m.plane(1), m.plane(2))
	return l
}

// HueShift is the byte torchvision adds to Pillow's 8-bit hue for a hue
// factor h in [-0.5, 0.5]: np.uint8(h*255), truncating toward zero and
// wrapping.
func HueShift(h float64) uint8 { return uint8(int64(h * 255)) }

// Hue rotates the hue of m by factor h in [-0.5, 0.5] turns as torchvision
// does on PIL images: convert to Pillow's 8-bit HSV, add HueShift(h) to H
// modulo 256, convert back. The round trip is lossy even for h = 0, as in
// torchvision. In place.
//
// Every float step of Pillow's conversions is a function of a few bytes,
// so the conversions run from tables (pixel.HSVTables) built once from
// rgbToHSV and Pillow's hsv2rgb formulas, eight pixels at a time with
// AVX2 gathers. TestHueTablesMatchDirectConversion checks the result
// against the direct conversions on all 2^24 colours.
func Hue(m *Image, h float64) {
	hueOnce.Do(buildHueTables)
	pixel.HSVShift(m.plane(0), m.plane(1), m.plane(2), HueShift(h), &hsv)
}

var (
	hueOnce sync.Once
	hsv     pixel.HSVTables
)

func buildHueTables() {
	t := &hsv
	for d1 := 0; d1 < 256; d1++ {
		for d2 := 0; d2 < 256; d2++ {
			a, b := uint8(255-d1), uint8(255-d2)
			t.Hue[d1<<8|d2], _, _ = rgbToHSV(255, a, b)
			if d1 > 0 { // r < max, else the r case applies
				t.Hue[1<<16|d1<<8|d2], _, _ = rgbToHSV(a, 255, b)
			}
			if d1 > 0 && d2 > 0 {
				t.Hue[2<<16|d1<<8|d2], _, _ = rgbToHSV(b, a, 255)
			}
		}
	}
	for mx := 1; mx < 256; mx++ {
		for cr := 1; cr <= mx; cr++ {
			_, t.Sat[mx<<8|cr], _ = rgbToHSV(uint8(mx), uint8(mx-cr), uint8(mx-cr))
		}
	}
	for v := range 256 {
		h6 := float64(float32(v)) * 6.0 / 255.0
		i := int(math.Floor(h6))
		t.Sector[v] = uint8(i % 6)
		t.Frac[v] = float32(h6 - float64(float32(i)))
		t.OneMinusF[v] = 1.0 - float64(t.Frac[v])
		t.FS[v] = float32(float64(float32(v)) / 255.0)
	}
	for s := range 256 {
		for v := range 256 {
			t.P[s<<8|v] = clip8(roundHalfAway(float64(float32(v)) * (1.0 - float64(t.FS[s]))))
		}
	}
}

// rgbToHSV is Pillow's rgb2hsv for one pixel (float32 quotients, float64
// where Pillow's C promotes to double).
func rgbToHSV(r, g, b uint8) (uint8, uint8, uint8) {
	mx, mn := max(r, g, b), min(r, g, b)
	if mx == mn {
		return 0, 0, mx
	}
	cr := float32(mx - mn)
	s := cr / float32(mx)
	var h float32
	switch mx {
	case r:
		h = float32(mx-b)/cr - float32(mx-g)/cr
	case g:
		h = float32(2.0 + float64(float32(mx-r)/cr) - float64(float32(mx-b)/cr))
	default:
		h = float32(4.0 + float64(float32(mx-g)/cr) - float64(float32(mx-r)/cr))
	}
	d := float64(h)/6.0 + 1.0
	if d >= 1 { // fmod(d, 1) for d in [0, 2)
		d--
	}
	h = float32(d)
	return clip8(int(float64(h) * 255.0)), clip8(int(float64(s) * 255.0)), mx
}

func clip8(v int) uint8 { return uint8(min(max(v, 0), 255)) }

// roundHalfAway is C's round() for x >= 0, exactly.
func roundHalfAway(x float64) int {
	t := int(x)
	if x-float64(t) >= 0.5 {
		t++
	}
	return t
}
