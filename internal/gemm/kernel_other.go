//go:build !amd64 || purego

package gemm

func kernel(k int, a, b, c []float32, ldc int) { kernelGo(k, a, b, c, ldc) }

// Kernel names the micro-kernel in use, for benchmarks and reports.
func Kernel() string { return "go 6x16" }
