//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func maxPoolRowAVX2(y *float32, arg *uint8, r0, r1 *float32, n int)

// maxPoolRow pools one pair of input rows into yo and ao.
func maxPoolRow(yo []float32, ao []uint8, r0, r1 []float32) {
	n := len(yo) &^ 7
	if hasAVX2 && n > 0 {
		_, _, _ = ao[n-1], r0[2*n-1], r1[2*n-1]
		maxPoolRowAVX2(&yo[0], &ao[0], &r0[0], &r1[0], n)
	}
	maxPoolRowGo(yo[n:], ao[n:], r0[2*n:], r1[2*n:])
}

//go:noescape
func affineAVX2(dst, src *float32, n int, sc, sh float32, relu bool)

//go:noescape
func bnGradAVX2(dst, gp, x, y *float32, n int, k, a, off float32, relu bool)

// affine sets dst = sc·src + sh, then ReLU when relu.
func affine(dst, src []float32, sc, sh float32, relu bool) {
	n := len(dst) &^ 7
	if hasAVX2 && n > 0 {
		_ = src[n-1]
		affineAVX2(&dst[0], &src[0], n, sc, sh, relu)
	}
	affineGo(dst[n:], src[n:], sc, sh, relu)
}

// bnGrad sets dst = k·g' + x·a + off, g' = g masked by y > 0 when relu.
func bnGrad(dst, g, x, y []float32, k, a, off float32, relu bool) {
	n := len(dst) &^ 7
	if hasAVX2 && n > 0 {
		_, _, _ = g[n-1], x[n-1], y[n-1]
		bnGradAVX2(&dst[0], &g[0], &x[0], &y[0], n, k, a, off, relu)
	}
	bnGradGo(dst[n:], g[n:], x[n:], y[n:], k, a, off, relu)
}
