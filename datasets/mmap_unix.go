//go:build unix

package datasets

import (
	"os"
	"syscall"
)

// mapFile maps path read-only (an empty file is an empty slice).
func mapFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil, err
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err == nil {
		madviseRandom(b)
	}
	return b, err
}
