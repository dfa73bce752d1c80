//go:build !unix

package datasets

import "os"

// mapFile reads path whole where there is no mmap.
func mapFile(path string) ([]byte, error) { return os.ReadFile(path) }
