//go:build !amd64 || purego

package pixel

// Madd3Scalar is the three-tap multiply-add with one weight per input.
func Madd3Scalar(out, a, b, c []uint8, ka, kb, kc int32) { madd3ScalarGo(out, a, b, c, ka, kb, kc) }

// Gather describes a row resampling whose three taps for output i read
// in[First[i]], in[First[i]+1], in[First[i]+2], where First changes by at
// most 1 from one output to the next (see the amd64 build).
type Gather struct{ First []int32 }

// Prepare is a no-op without the assembly.
func (g *Gather) Prepare() {}

// Madd3Gather computes out[i] from in[First[i]+t] with per-output weights.
func Madd3Gather(out, in []uint8, inLimit int, g *Gather, ka, kb, kc []int32) {
	madd3GatherGo(out, in, g.First, ka, kb, kc)
}

// RoundBytes writes each of in, rounded half to even and clamped to
// 0..255, to out. in must lie within ±2^23.
func RoundBytes(out []uint8, in []float32) { roundBytesGo(out, in) }

// Blend is Pillow's ImagingBlend(deg, in, a) on bytes.
func Blend(out, in, deg []uint8, a float32) { blendGo(out, in, deg, a) }

// BlendConst is Blend with the same degenerate byte everywhere.
func BlendConst(out, in []uint8, deg uint8, a float32) { blendConstGo(out, in, deg, a) }

// HSVShift converts each pixel of planes R, G, B to Pillow's 8-bit HSV,
// adds shift to the hue (mod 256) and converts back, in place, from t.
func HSVShift(R, G, B []uint8, shift uint8, t *HSVTables) { hsvShiftGo(R, G, B, shift, t) }

// TapSum sets out[i] = Σ_j k[j]·base[offs[j]+i], summing j in order from
// +0 and rounding each product before its add (never a fused multiply-add).
func TapSum(out, base []float32, offs []int, k []float32) { tapSumGo(out, base, offs, k) }

// Normalize sets out[i] = (in[i]/255 − mean)/std in float32, looking each
// byte up in table, which must hold exactly that value.
func Normalize(out []float32, in []uint8, mean, std float32, table *[256]float32) {
	normalizeGo(out, in, table)
}

// Kernel names the kernel in use, for benchmarks and reports.
func Kernel() string { return "go" }
