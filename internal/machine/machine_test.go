package machine

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadCPU(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cpuinfo")
	os.WriteFile(p, []byte("processor\t: 0\nmodel name\t: Test CPU\ncpu MHz\t\t: 2450.000\nflags\t\t: fpu avx2 fma\n\nprocessor\t: 1\nmodel name\t: Other\n"), 0o644)
	c := readCPU(p)
	if c.Model != "Test CPU" || c.MHz != 2450 || !c.Has("avx2") || c.Has("avx512f") {
		t.Fatalf("read %+v", c)
	}
	if c := readCPU(filepath.Join(t.TempDir(), "none")); c.Model != "" || c.MHz != 0 {
		t.Fatalf("missing file read as %+v", c)
	}
	if PeakRSS() <= 0 {
		t.Fatal("no peak RSS for a running process")
	}
}

func TestCPUTimeGrowsWithWork(t *testing.T) {
	before, x := CPUTime(), 0.0
	for i := 0; CPUTime()-before < 0.02 && i < 1e7; i++ {
		for j := range 1000 {
			x += float64(j) * 1e-9
		}
	}
	if got := CPUTime() - before; !(got >= 0.02 && got < 10) || x < 0 {
		t.Fatalf("CPU time grew by %v s over a busy loop", got)
	}
}
