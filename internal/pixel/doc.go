// Package pixel holds the byte kernels of the augmentation pipeline: the
// three-tap fixed-point multiply-add at the heart of Pillow's bilinear
// resampler, in AVX2 assembly on amd64 and portable Go elsewhere (or with
// the purego build tag). Results are identical on every path.
//
// A kernel computes, for each i,
//
//	out[i] = clamp((1<<(Shift-1) + a[i]*ka + b[i]*kb + c[i]*kc) >> Shift, 0, 255)
//
// in int32 arithmetic, with Shift = 22 (Pillow's PRECISION_BITS). Weights
// are per element (Madd3) or one per input (Madd3Scalar). Slices shorter
// than out panic.
package pixel

// Shift is the number of fraction bits of the fixed-point weights.
const Shift = 22

func clip(s int32) uint8 { return uint8(min(max(s>>Shift, 0), 255)) }

func madd3Go(out, a, b, c []uint8, ka, kb, kc []int32) {
	a, b, c = a[:len(out)], b[:len(out)], c[:len(out)]
	ka, kb, kc = ka[:len(out)], kb[:len(out)], kc[:len(out)]
	for i := range out {
		out[i] = clip(1<<(Shift-1) + int32(a[i])*ka[i] + int32(b[i])*kb[i] + int32(c[i])*kc[i])
	}
}

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
