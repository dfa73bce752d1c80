package datasets

import "syscall"

// madviseRandom tells the kernel that b is read in random order (training
// visits images shuffled), so a page fault reads that page, not a
// read-ahead window around it. Only advice: an error changes nothing.
func madviseRandom(b []byte) { syscall.Madvise(b, syscall.MADV_RANDOM) }
