package graphop

import (
	"sync"
	"sync/atomic"
	"time"
)

// timing holds the wall time of every Op run by name while TimeOps is on.
var timing struct {
	on atomic.Bool
	mu sync.Mutex
	t  map[string]time.Duration
}

// TimeOps starts recording the wall time of each Op run, summed by the
// Op's Name, in every graph of the process, until the returned function
// stops it and returns the sums. It is a profiling aid: what the ops do
// not cover (gorgonia's own operators, the machine between ops) is the
// caller's wall time minus the sums.
func TimeOps() (stop func() map[string]time.Duration) {
	timing.mu.Lock()
	timing.t = map[string]time.Duration{}
	timing.mu.Unlock()
	timing.on.Store(true)
	return func() map[string]time.Duration {
		timing.on.Store(false)
		timing.mu.Lock()
		defer timing.mu.Unlock()
		t := timing.t
		timing.t = nil
		return t
	}
}

// record adds the time since start to name's sum, if timing is on.
func record(name string, start time.Time) {
	d := time.Since(start)
	timing.mu.Lock()
	if timing.t != nil {
		timing.t[name] += d
	}
	timing.mu.Unlock()
}
