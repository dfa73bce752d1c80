//go:build !amd64 || purego

package nn

// winoVector is whether Winograd's transforms have vector kernels here.
const winoVector = false

// shiftVector is whether the weight gradient's dot kernel runs here.
const shiftVector = false

func wgradDot(out *[12]float32, dy []float32, ld int, x []float32) { wgradDotGo(out, dy, ld, x) }

// maxPoolRow pools one pair of input rows into yo and ao.
func maxPoolRow(yo []float32, ao []uint8, r0, r1 []float32) { maxPoolRowGo(yo, ao, r0, r1) }

// affine sets dst = sc·src + sh, plus add when not nil, then ReLU when relu.
func affine(dst, src, add []float32, sc, sh float32, relu bool) {
	affineGo(dst, src, add, sc, sh, relu)
}

// bnGrad sets dst = k·g' + x·a + off, g' = g masked by y > 0 when relu.
func bnGrad(dst, g, x, y []float32, k, a, off float32, relu bool) {
	bnGradGo(dst, g, x, y, k, a, off, relu)
}

func winoRows(eo []float32, p [4][]float32)               { winoRowsGo(eo, p) }
func winoCols(v []float32, stride, n int, e, o []float32) { winoColsGo(v, stride, n, e, o) }
func winoOut(y0, y1, m []float32, stride int)             { winoOutGo(y0, y1, m, stride) }

func convShift(y []float32, ld int, wb, x []float32, sx, wp, nc int) {
	convShiftGo(y, ld, wb, x, sx, wp, nc)
}
