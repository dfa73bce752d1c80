//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether the assembly micro-kernel may run.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernelAVX2(k int, a, b, c *float32, ldc int)

func kernel(k int, a, b, c []float32, ldc int) {
	if hasAVX2 && k > 0 {
		_ = a[k*mr-1]
		_ = b[k*nr-1]
		_ = c[(mr-1)*ldc+nr-1]
		kernelAVX2(k, &a[0], &b[0], &c[0], ldc)
		return
	}
	kernelGo(k, a, b, c, ldc)
}

// Kernel names the micro-kernel in use, for benchmarks and reports.
func Kernel() string {
	if hasAVX2 {
		return "avx2-fma 6x16"
	}
	return "go 6x16"
}
