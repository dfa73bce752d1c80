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
