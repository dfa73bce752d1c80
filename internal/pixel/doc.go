// Package pixel holds the kernels of the augmentation pipeline: the
// three-tap fixed-point multiply-add at the heart of Pillow's bilinear
// resampler, Pillow's blends and luma, the HSV round trip and the rounding
// of the Gaussian blur, in AVX2 assembly on amd64 and portable Go
// elsewhere (or with the purego build tag). Results are identical on every
// path.
//
// A kernel computes, for each i,
//
//	out[i] = clamp((1<<(Shift-1) + a[i]*ka + b[i]*kb + c[i]*kc) >> Shift, 0, 255)
//
// in int32 arithmetic, with Shift = 22 (Pillow's PRECISION_BITS). Weights
// are per element (Madd3Gather) or one per input (Madd3Scalar).
// TapSum is the blur's separable pass (products rounded before each add,
// never a fused multiply-add) and RoundBytes rounds its sums half to even
// into bytes.
// Luma is Pillow's RGB→L and Blend/BlendConst its ImagingBlend (float32,
// truncated, clamped), the colour-jitter steps. Slices shorter than out
// (or dst) panic.
package pixel

// Shift is the number of fraction bits of the fixed-point weights.
const Shift = 22

func clip(s int32) uint8 { return uint8(min(max(s>>Shift, 0), 255)) }

func madd3ScalarGo(out, a, b, c []uint8, ka, kb, kc int32) {
	a, b, c = a[:len(out)], b[:len(out)], c[:len(out)]
	for i := range out {
		out[i] = clip(1<<(Shift-1) + int32(a[i])*ka + int32(b[i])*kb + int32(c[i])*kc)
	}
}

func madd3GatherGo(out, in []uint8, first []int32, ka, kb, kc []int32) {
	first, ka, kb, kc = first[:len(out)], ka[:len(out)], kb[:len(out)], kc[:len(out)]
	for i, f := range first {
		s := in[f : f+3]
		out[i] = clip(1<<(Shift-1) + int32(s[0])*ka[i] + int32(s[1])*kb[i] + int32(s[2])*kc[i])
	}
}

func roundBytesGo(out []uint8, in []float32) {
	in = in[:len(out)]
	for i, v := range in {
		// v + 2^23 rounds v to an integer, ties to even: exact for |v| < 2^23.
		f := float32(float32(v+0x1p23) - 0x1p23)
		if f < 0 {
			f = 0
		}
		if f > 255 {
			f = 255
		}
		out[i] = uint8(f)
	}
}

// Luma writes Pillow's RGB→L of planes r, g, b into l: (19595 r +
// 38470 g + 7471 b + 2^15) >> 16. That is Madd3Scalar with the weights
// scaled by 2^6 (the bias becomes 2^21, the shift 22): the same integers,
// and no overflow (255·2^16·2^6 < 2^31).
func Luma(l, r, g, b []uint8) { Madd3Scalar(l, r, g, b, 19595<<6, 38470<<6, 7471<<6) }

// blend1 is one byte of Pillow's ImagingBlend: float32 arithmetic,
// truncation toward zero, clamping (which the interpolating case, a in
// [0, 1], never needs).
func blend1(in, deg uint8, a float32) uint8 {
	t := float32(deg) + float32(a*float32(int32(in)-int32(deg)))
	if t <= 0 {
		return 0
	}
	if t >= 255 {
		return 255
	}
	return uint8(t)
}

func blendGo(out, in, deg []uint8, a float32) {
	in, deg = in[:len(out)], deg[:len(out)]
	for i := range out {
		out[i] = blend1(in[i], deg[i], a)
	}
}

func blendConstGo(out, in []uint8, deg uint8, a float32) {
	in = in[:len(out)]
	for i := range out {
		out[i] = blend1(in[i], deg, a)
	}
}

func tapSumGo(out, base []float32, offs []int, k []float32) {
	for i := range out {
		var s float32
		for j, kv := range k {
			s += float32(kv * base[offs[j]+i]) // the conversion forbids fusing into an FMA
		}
		out[i] = s
	}
}

func normalizeGo(out []float32, in []uint8, table *[256]float32) {
	in = in[:len(out)]
	for i, v := range in {
		out[i] = table[v]
	}
}
