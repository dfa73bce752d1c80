package machine

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// CPU is the first processor's entry of /proc/cpuinfo.
type CPU struct {
	Model string   `json:"model"`
	MHz   float64  `json:"mhz"`
	Flags []string `json:"flags,omitempty"`
}

// ReadCPU reads /proc/cpuinfo (a zero CPU where there is none).
func ReadCPU() CPU { return readCPU("/proc/cpuinfo") }

func readCPU(path string) CPU {
	var c CPU
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20) // the flags line is long
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			if c.Model != "" { // a blank line ends the first processor
				break
			}
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "model name":
			c.Model = v
		case "cpu MHz":
			c.MHz, _ = strconv.ParseFloat(v, 64)
		case "flags":
			c.Flags = strings.Fields(v)
		}
	}
	return c
}

// Has reports whether the CPU lists flag (avx2, avx512f, ...).
func (c CPU) Has(flag string) bool {
	for _, f := range c.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// PeakRSS is the process's peak resident set size in bytes (0 if unknown).
func PeakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports KiB
}

// CPUTime is the CPU time (user and system) the process has used so far,
// in seconds (0 if unknown).
func CPUTime() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
