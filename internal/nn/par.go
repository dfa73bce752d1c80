package nn

import (
	"runtime"
	"sync"
)

// chunks is the fixed number of pieces a batch is cut into for
// parallel work with partial sums; it does not depend on GOMAXPROCS.
const chunks = 16

// split returns the bounds of piece i of n items cut into k pieces.
func split(n, k, i int) (lo, hi int) {
	return n * i / k, n * (i + 1) / k
}

// forEach runs fn(i) for i in [0, n) on up to GOMAXPROCS goroutines.
func forEach(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
