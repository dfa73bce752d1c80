//go:build !amd64 || purego

package nn

// maxPoolRow pools one pair of input rows into yo and ao.
func maxPoolRow(yo []float32, ao []uint8, r0, r1 []float32) { maxPoolRowGo(yo, ao, r0, r1) }

// affine sets dst = sc·src + sh, then ReLU when relu.
func affine(dst, src []float32, sc, sh float32, relu bool) { affineGo(dst, src, sc, sh, relu) }

// bnGrad sets dst = k·g' + x·a + off, g' = g masked by y > 0 when relu.
func bnGrad(dst, g, x, y []float32, k, a, off float32, relu bool) {
	bnGradGo(dst, g, x, y, k, a, off, relu)
}
