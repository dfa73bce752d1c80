package pixel

import (
	"math/rand/v2"
	"testing"
)

// The kernels must equal a plain int64 reference, including the clamp at
// both ends (weights may be negative) and every length's tail.
func TestMadd3MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 70; n++ {
		out, out2 := make([]uint8, n), make([]uint8, n)
		a, b, c := bytes(r, n), bytes(r, n), bytes(r, n)
		ka, kb, kc := weights(r, n), weights(r, n), weights(r, n)
		Madd3(out, a, b, c, ka, kb, kc)
		w := weights(r, 3)
		sa, sb, sc := w[0], w[1], w[2]
		Madd3Scalar(out2, a, b, c, sa, sb, sc)
		for i := range out {
			if want := ref(a[i], b[i], c[i], ka[i], kb[i], kc[i]); out[i] != want {
				t.Fatalf("%s Madd3 n=%d i=%d: %d, want %d", Kernel(), n, i, out[i], want)
			}
			if want := ref(a[i], b[i], c[i], sa, sb, sc); out2[i] != want {
				t.Fatalf("%s Madd3Scalar n=%d i=%d: %d, want %d", Kernel(), n, i, out2[i], want)
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
		// An enlargement of m inputs onto n outputs: First rises by 0 or 1.
		var g Gather
		f := int32(0)
		for i := 0; i < n; i++ {
			g.First = append(g.First, f)
			if r.IntN(3) > 0 {
				f++
			}
		}
		in := bytes(r, int(f)+3+r.IntN(20))
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
