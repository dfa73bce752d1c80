//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

// winoVector is whether Winograd's transforms have vector kernels here.
var winoVector = hasAVX2

// shiftVector is whether the weight gradient's dot kernel runs here.
var shiftVector = hasAVX2 && cpu.X86.HasFMA

//go:noescape
func wgradDotAVX2(out *[12]float32, dy *float32, ld int, x *float32)

//go:noescape
func convShiftAVX2(y *float32, ld int, wb *float32, x *float32, sx, wp, nc int)

// convShift is convShiftGo: 4 rows of 24 outputs (stride ld) from the
// weights wb of one block of 4 output channels and nc planes of x (stride
// sx, rows of wp).
func convShift(y []float32, ld int, wb, x []float32, sx, wp, nc int) {
	_, _, _ = y[3*ld+23], wb[nc*36-1], x[(nc-1)*sx+2*wp+25]
	convShiftAVX2(&y[0], ld, &wb[0], &x[0], sx, wp, nc)
}

// wgradDot is wgradDotGo on four rows of dy (stride ld, a multiple of 8)
// and x[:ld+2].
func wgradDot(out *[12]float32, dy []float32, ld int, x []float32) {
	_, _ = dy[4*ld-1], x[ld+1]
	wgradDotAVX2(out, &dy[0], ld, &x[0])
}

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
func affineAVX2(dst, src, add *float32, n int, sc, sh float32, relu bool)

// affine sets dst = sc·src + sh, plus add when not nil, then ReLU when relu.
func affine(dst, src, add []float32, sc, sh float32, relu bool) {
	n := len(dst) &^ 7
	if hasAVX2 && n > 0 {
		_ = src[n-1]
		var ap *float32
		if add != nil {
			_ = add[n-1]
			ap = &add[0]
		}
		affineAVX2(&dst[0], &src[0], ap, n, sc, sh, relu)
	}
	if add != nil {
		add = add[n:]
	}
	affineGo(dst[n:], src[n:], add, sc, sh, relu)
}

//go:noescape
func bnGradAVX2(dst, gp, x, y *float32, n int, k, a, off float32, relu bool)

// bnGrad sets dst = k·g' + x·a + off, g' = g masked by y > 0 when relu.
func bnGrad(dst, g, x, y []float32, k, a, off float32, relu bool) {
	n := len(dst) &^ 7
	if hasAVX2 && n > 0 {
		_, _, _ = g[n-1], x[n-1], y[n-1]
		bnGradAVX2(&dst[0], &g[0], &x[0], &y[0], n, k, a, off, relu)
	}
	bnGradGo(dst[n:], g[n:], x[n:], y[n:], k, a, off, relu)
}

//go:noescape
func winoRowsAVX2(eo *float32, ld int, p0, p1, p2, p3 *float32, n int)

//go:noescape
func winoColsAVX2(v0 *float32, stride int, e, o *float32, n int)

//go:noescape
func winoOutAVX2(y0, y1, m *float32, stride int, n int)

// winoRows is winoRowsGo, 8 tiles at a time where it can.
func winoRows(eo []float32, p [4][]float32) {
	w := len(p[0])
	if !hasAVX2 || w%16 != 0 {
		winoRowsGo(eo, p)
		return
	}
	ld := w/2 + 1
	_, _, _, _ = eo[8*ld-1], p[1][w-1], p[2][w-1], p[3][w-1]
	winoRowsAVX2(&eo[0], ld, &p[0][0], &p[1][0], &p[2][0], &p[3][0], w/2)
	for i := 0; i < 4; i++ {
		eo[2*i*ld], eo[(2*i+1)*ld+ld-1] = 0, 0
	}
}

// winoCols is winoColsGo, 8 tiles at a time where it can.
func winoCols(v []float32, stride, n int, e, o []float32) {
	k := n &^ 7
	if hasAVX2 && k > 0 {
		_, _, _ = v[3*stride+k-1], e[k], o[k]
		winoColsAVX2(&v[0], stride, &e[0], &o[0], k)
	}
	if k < n {
		winoColsGo(v[k:], stride, n-k, e[k:], o[k:])
	}
}

// winoOut is winoOutGo, 8 tiles at a time where it can.
func winoOut(y0, y1, m []float32, stride int) {
	n := len(y0) / 2
	k := n &^ 7
	if hasAVX2 && k > 0 {
		_, _, _ = y0[2*k-1], y1[2*k-1], m[15*stride+k-1]
		winoOutAVX2(&y0[0], &y1[0], &m[0], stride, k)
	}
	if k < n {
		winoOutGo(y0[2*k:], y1[2*k:], m[k:], stride)
	}
}
