//go:build amd64 && !purego

package pixel

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func madd3ScalarAVX2(out, a, b, c *uint8, ka, kb, kc int32, n int)

// Madd3Scalar is the three-tap multiply-add with one weight per input.
func Madd3Scalar(out, a, b, c []uint8, ka, kb, kc int32) {
	n := len(out) &^ 7
	if hasAVX2 && n > 0 {
		_, _, _ = a[n-1], b[n-1], c[n-1]
		madd3ScalarAVX2(&out[0], &a[0], &b[0], &c[0], ka, kb, kc, n)
		out, a, b, c = out[n:], a[n:], b[n:], c[n:]
	}
	madd3ScalarGo(out, a, b, c, ka, kb, kc)
}

//go:noescape
func madd3ShufAVX2(out, in *uint8, base *int32, mask *uint8, ka, kb, kc *int32, chunks int)

// Gather describes a row resampling whose three taps for output i read
// in[First[i]], in[First[i]+1], in[First[i]+2], where First changes by at
// most 1 from one output to the next: an enlargement, or a mirrored one.
// Prepare builds it once per axis; Madd3Gather then runs it on any number
// of rows.
type Gather struct {
	First []int32 // per output
	base  []int32 // per chunk of 8 outputs: where its 16 input bytes start
	mask  []uint8 // per chunk: three 8-byte shuffle masks
	need  int     // bytes the chunks read from &in[0]
}

// Prepare fills the chunk tables from First. It panics if First changes
// by more than 1 between neighbours.
func (g *Gather) Prepare() {
	n := len(g.First) / 8
	g.base, g.mask, g.need = g.base[:0], g.mask[:0], 0
	for c := range n {
		b := g.First[8*c]
		for _, f := range g.First[8*c : 8*c+8] {
			b = min(b, f)
		}
		g.base = append(g.base, b)
		g.need = max(g.need, int(b)+16)
		for t := range int32(3) {
			for j := range 8 {
				m := g.First[8*c+j] + t - b
				if m < 0 || m > 15 {
					panic("pixel: Gather taps are not an enlargement")
				}
				g.mask = append(g.mask, uint8(m))
			}
		}
	}
}

// Madd3Gather computes out[i] from in[First[i]+t] with per-output
// weights. in must hold max(First)+3 bytes; the fast path reads 16 bytes
// from each chunk's lowest input, so it runs only when inLimit (the bytes
// safe to read from &in[0]) covers them: callers pass the rest of the
// buffer after the row.
func Madd3Gather(out, in []uint8, inLimit int, g *Gather, ka, kb, kc []int32) {
	n := 0
	if chunks := min(len(out)/8, len(g.base)); hasAVX2 && chunks > 0 && g.need <= inLimit {
		n = 8 * chunks
		_, _, _ = ka[n-1], kb[n-1], kc[n-1]
		_ = in[:inLimit]
		madd3ShufAVX2(&out[0], &in[0], &g.base[0], &g.mask[0], &ka[0], &kb[0], &kc[0], chunks)
	}
	madd3GatherGo(out[n:], in, g.First[n:], ka[n:], kb[n:], kc[n:])
}

//go:noescape
func roundBytesAVX2(out *uint8, in *float32, n int)

// RoundBytes writes each of in, rounded half to even and clamped to
// 0..255, to out. in must lie within ±2^23 (as blurred bytes do).
func RoundBytes(out []uint8, in []float32) {
	n := len(out) &^ 7
	if hasAVX2 && n > 0 {
		_ = in[n-1]
		roundBytesAVX2(&out[0], &in[0], n)
		out, in = out[n:], in[n:]
	}
	roundBytesGo(out, in)
}

//go:noescape
func blendAVX2(out, in, deg *uint8, a float32, n int)

//go:noescape
func blendConstAVX2(out, in *uint8, deg int32, a float32, n int)

// Blend is Pillow's ImagingBlend(deg, in, a) on bytes: out[i] =
// deg[i] + a·(in[i] − deg[i]) in float32, truncated and clamped to 0..255.
// out may be in.
func Blend(out, in, deg []uint8, a float32) {
	n := len(out) &^ 7
	if hasAVX2 && n > 0 {
		_, _ = in[n-1], deg[n-1]
		blendAVX2(&out[0], &in[0], &deg[0], a, n)
		out, in, deg = out[n:], in[n:], deg[n:]
	}
	blendGo(out, in, deg, a)
}

// BlendConst is Blend with the same degenerate byte everywhere.
func BlendConst(out, in []uint8, deg uint8, a float32) {
	n := len(out) &^ 7
	if hasAVX2 && n > 0 {
		_ = in[n-1]
		blendConstAVX2(&out[0], &in[0], int32(deg), a, n)
		out, in = out[n:], in[n:]
	}
	blendConstGo(out, in, deg, a)
}

//go:noescape
func hsvShiftAVX2(rp, gp, bp *uint8, n int, shift int32, hue, sat, sector *uint8, frac, fs *float32, omf *float64, p *uint8)

// HSVShift converts each pixel of planes R, G, B to Pillow's 8-bit HSV,
// adds shift to the hue (mod 256) and converts back, in place, from t.
func HSVShift(R, G, B []uint8, shift uint8, t *HSVTables) {
	n := len(R) &^ 7
	if hasAVX2 && n > 0 {
		_, _ = G[n-1], B[n-1]
		hsvShiftAVX2(&R[0], &G[0], &B[0], n, int32(shift), &t.Hue[0], &t.Sat[0], &t.Sector[0], &t.Frac[0], &t.FS[0], &t.OneMinusF[0], &t.P[0])
		R, G, B = R[n:], G[n:], B[n:]
	}
	hsvShiftGo(R, G, B, shift, t)
}

//go:noescape
func tapSumAVX2(out, base *float32, offs *int, k *float32, taps, n int)

// TapSum sets out[i] = Σ_j k[j]·base[offs[j]+i], summing j in order from
// +0 and rounding each product before its add (never a fused
// multiply-add): one pass of a separable filter. base must hold
// offs[j]+len(out) elements for every j.
func TapSum(out, base []float32, offs []int, k []float32) {
	n := len(out) &^ 7
	if hasAVX2 && n > 0 && len(k) > 0 {
		_ = offs[len(k)-1]
		for _, o := range offs[:len(k)] {
			_ = base[o+len(out)-1]
		}
		tapSumAVX2(&out[0], &base[0], &offs[0], &k[0], len(k), n)
	}
	tapSumGo(out[n:], base[n:], offs, k)
}

//go:noescape
func normalizeAVX2(out *float32, in *uint8, n int, mean, std float32)

// Normalize sets out[i] = (in[i]/255 − mean)/std in float32, the
// arithmetic of torchvision's ToTensor then Normalize; table[v] must hold
// that value for each byte v (the portable path looks it up).
func Normalize(out []float32, in []uint8, mean, std float32, table *[256]float32) {
	n := len(out) &^ 7
	if hasAVX2 && n > 0 {
		_ = in[n-1]
		normalizeAVX2(&out[0], &in[0], n, mean, std)
	}
	normalizeGo(out[n:], in[n:], table)
}

// Kernel names the kernel in use, for benchmarks and reports.
func Kernel() string {
	if hasAVX2 {
		return "avx2"
	}
	return "go"
}
