//go:build !amd64 || purego

package nn

// maxPoolRow pools one pair of input rows into yo and ao.
func maxPoolRow(yo []float32, ao []uint8, r0, r1 []float32) { maxPoolRowGo(yo, ao, r0, r1) }
