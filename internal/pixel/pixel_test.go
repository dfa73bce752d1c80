package pixel

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The kernel must equal a plain int64 reference, including the clamp at
// both ends (weights may be negative) and every length's tail.
func TestMadd3ScalarMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 70; n++ {
		out := make([]uint8, n)
		a, b, c := bytes(r, n), bytes(r, n), bytes(r, n)
		w := weights(r, 3)
		sa, sb, sc := w[0], w[1], w[2]
		Madd3Scalar(out, a, b, c, sa, sb, sc)
		for i := range out {
			if want := ref(a[i], b[i], c[i], sa, sb, sc); out[i] != want {
				t.Fatalf("%s Madd3Scalar n=%d i=%d: %d, want %d", Kernel(), n, i, out[i], want)
			}
		}
	}
}

// Luma, computed by the resampling kernel with scaled weights, equals
// Pillow's L24 formula on every colour.
func TestLumaEveryColour(t *testing.T) {
	g, b, l := make([]uint8, 1<<16), make([]uint8, 1<<16), make([]uint8, 1<<16)
	for i := range g {
		g[i], b[i] = uint8(i>>8), uint8(i)
	}
	for r := range 256 {
		rr := make([]uint8, 1<<16)
		for i := range rr {
			rr[i] = uint8(r)
		}
		Luma(l, rr, g, b)
		for i, v := range l {
			if want := uint8((r*19595 + int(g[i])*38470 + int(b[i])*7471 + 0x8000) >> 16); v != want {
				t.Fatalf("%s luma of %d,%d,%d = %d, want %d", Kernel(), r, g[i], b[i], v, want)
			}
		}
	}
}

func ref(a, b, c uint8, ka, kb, kc int32) uint8 {
	s := int64(1<<21) + int64(a)*int64(ka) + int64(b)*int64(kb) + int64(c)*int64(kc)
	s >>= 22
	return uint8(min(max(s, 0), 255))
}

func bytes(r *rand.Rand, n int) []uint8 {
	s := make([]uint8, n)
	for i := range s {
		s[i] = uint8(r.IntN(256))
	}
	return s
}

// weights near the fixed-point one, some negative, some above one, so
// results hit both clamps.
func weights(r *rand.Rand, n int) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = int32(r.IntN(3<<20+1) - 1<<20) // |sum| stays inside int32, as in Pillow
	}
	return s
}

func TestMadd3GatherMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 1; n < 70; n++ {
		// An enlargement of m inputs onto n outputs: First rises by 0 or 1
		// (or, mirrored, falls).
		var g Gather
		f := int32(0)
		for i := 0; i < n; i++ {
			g.First = append(g.First, f)
			if r.IntN(3) > 0 {
				f++
			}
		}
		in := bytes(r, int(f)+3+r.IntN(20))
		if n%2 == 1 { // mirrored: First falls
			for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
				g.First[i], g.First[j] = g.First[j], g.First[i]
			}
		}
		g.Prepare()
		ka, kb, kc := weights(r, n), weights(r, n), weights(r, n)
		for _, limit := range []int{int(f) + 3, len(in)} {
			out := make([]uint8, n)
			Madd3Gather(out, in, limit, &g, ka, kb, kc)
			for i := range out {
				x := g.First[i]
				if want := ref(in[x], in[x+1], in[x+2], ka[i], kb[i], kc[i]); out[i] != want {
					t.Fatalf("%s n=%d limit=%d i=%d: %d, want %d", Kernel(), n, limit, i, out[i], want)
				}
			}
		}
	}
}

// RoundBytes: ties go to even, the rest to nearest, then 0..255.
func TestRoundBytes(t *testing.T) {
	in := []float32{0.5, 1.5, 2.5, 2.4999998, 2.5000002, -0.4, -3, 254.5, 255.49, 255.5, 300, 7, 126.5, 127.5, 0, 3.5, 4.5}
	want := []uint8{0, 2, 2, 2, 3, 0, 0, 254, 255, 255, 255, 7, 126, 128, 0, 4, 4}
	for n := 0; n <= len(in); n++ {
		out := make([]uint8, n)
		RoundBytes(out, in[:n])
		for i := range out {
			if out[i] != want[i] {
				t.Fatalf("%s n=%d: %v → %d, want %d", Kernel(), n, in[i], out[i], want[i])
			}
		}
	}
	r := rand.New(rand.NewPCG(8, 9))
	for range 1000 {
		v := float32(r.Float64()*300 - 20)
		out := make([]uint8, 9)
		RoundBytes(out, []float32{v, v, v, v, v, v, v, v, v})
		w := math.RoundToEven(float64(v))
		w = min(max(w, 0), 255)
		if out[0] != uint8(w) || out[8] != uint8(w) {
			t.Fatalf("%v → %d (simd) %d (go), want %v", v, out[0], out[8], w)
		}
	}
}

// Luma and Blend against plain per-byte formulas, including blends that
// extrapolate past both ends (a < 0 does not occur in SimCLR but is
// well defined: Pillow clamps).
func TestLumaAndBlend(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	for n := 0; n < 45; n++ {
		R, G, B, D := bytes(r, n), bytes(r, n), bytes(r, n), bytes(r, n)
		l := make([]uint8, n)
		Luma(l, R, G, B)
		for i := range l {
			if want := uint8((int(R[i])*19595 + int(G[i])*38470 + int(B[i])*7471 + 0x8000) >> 16); l[i] != want {
				t.Fatalf("%s luma n=%d i=%d: %d, want %d", Kernel(), n, i, l[i], want)
			}
		}
		for _, a := range []float32{0, 0.37, 0.6, 1, 1.4, 2.7, -0.5} {
			out, out2 := make([]uint8, n), make([]uint8, n)
			Blend(out, R, D, a)
			BlendConst(out2, R, 117, a)
			for i := range out {
				ref := func(deg uint8) uint8 {
					v := float64(float32(deg) + float32(a*float32(int(R[i])-int(deg))))
					return uint8(min(max(math.Trunc(v), 0), 255))
				}
				if out[i] != ref(D[i]) || out2[i] != ref(117) {
					t.Fatalf("%s blend a=%v n=%d i=%d: %d %d, want %d %d", Kernel(), a, n, i, out[i], out2[i], ref(D[i]), ref(117))
				}
			}
		}
	}
}

// HSVShift's assembly must compute what its Go loop computes, on any
// tables (here random ones with fractions in [0, 1)) and any length.
func TestHSVShiftPathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	tab := new(HSVTables)
	for i := range tab.Hue {
		tab.Hue[i] = uint8(r.IntN(256))
	}
	for i := range tab.Sat {
		tab.Sat[i] = uint8(r.IntN(256))
		tab.P[i] = uint8(r.IntN(256))
		if i&255 == 0 || i%7 == 0 { // grey has saturation 0; so do some colours
			tab.Sat[i] = 0
		}
	}
	for i := range 256 {
		tab.Sector[i] = uint8(r.IntN(6))
		tab.Frac[i] = float32(r.Float64())
		tab.OneMinusF[i] = 1 - float64(tab.Frac[i])
		tab.FS[i] = float32(r.Float64())
	}
	for n := 0; n < 100; n++ {
		R, G, B := bytes(r, n), bytes(r, n), bytes(r, n)
		for i := 0; i < n; i += 5 { // some grey pixels
			G[i], B[i] = R[i], R[i]
		}
		r2, g2, b2 := append([]uint8(nil), R...), append([]uint8(nil), G...), append([]uint8(nil), B...)
		shift := uint8(r.IntN(256))
		HSVShift(R, G, B, shift, tab)
		hsvShiftGo(r2, g2, b2, shift, tab)
		for i := range R {
			if R[i] != r2[i] || G[i] != g2[i] || B[i] != b2[i] {
				t.Fatalf("%s n=%d pixel %d: %d,%d,%d, Go loop %d,%d,%d", Kernel(), n, i, R[i], G[i], B[i], r2[i], g2[i], b2[i])
			}
		}
	}
}

// TapSum against a plain loop, bit for bit, with the taps in order.
func TestTapSum(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 17))
	base := make([]float32, 300)
	for i := range base {
		base[i] = float32(r.NormFloat64() * 50)
	}
	for n := 0; n < 40; n++ {
		for taps := 1; taps <= 9; taps += 2 {
			k, offs := make([]float32, taps), make([]int, taps)
			for j := range k {
				k[j], offs[j] = float32(r.Float64()), r.IntN(300-n)
			}
			out := make([]float32, n)
			TapSum(out, base, offs, k)
			for i := range out {
				var want float32
				for j := range k {
					p := k[j] * base[offs[j]+i]
					want += p
				}
				if math.Float32bits(out[i]) != math.Float32bits(want) {
					t.Fatalf("%s n=%d taps=%d i=%d: %v, want %v", Kernel(), n, taps, i, out[i], want)
				}
			}
		}
	}
}

// Normalize's arithmetic against the float32 formula, bit for bit, for
// every byte and a few channel statistics.
func TestNormalize(t *testing.T) {
	in := make([]uint8, 256+13)
	for i := range in {
		in[i] = uint8(i)
	}
	for _, ms := range [][2]float32{{0.4914, 0.247}, {0.456, 0.224}, {0, 1}, {0.5, 0.5}} {
		var table [256]float32
		for v := range table {
			x := float32(v) / 255
			x -= ms[0]
			table[v] = x / ms[1]
		}
		out := make([]float32, len(in))
		Normalize(out, in, ms[0], ms[1], &table)
		for i, v := range in {
			if math.Float32bits(out[i]) != math.Float32bits(table[v]) {
				t.Fatalf("%s mean %v std %v byte %d: %v, want %v", Kernel(), ms[0], ms[1], v, out[i], table[v])
			}
		}
	}
}
