//go:build unix && !linux

package datasets

func madviseRandom([]byte) {}
