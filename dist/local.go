package dist

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// Local is a world of n ranks in one process, one goroutine each: the
// communicator of tests that need no MPI. Collectives meet at a barrier;
// sums run in rank order on every rank, so every rank gets the same bits.
type Local struct {
	w    *world
	rank int
}

type world struct {
	n       int
	mu      sync.Mutex
	cond    *sync.Cond
	arrived int
	gen     int
	err     error       // set by Abort: every waiting and later call fails
	bufs    [][]float32 // each rank's contribution to the current collective
}

// NewLocal returns the n ranks of a new in-process world.
func NewLocal(n int) []*Local {
	w := &world{n: n, bufs: make([][]float32, n)}
	w.cond = sync.NewCond(&w.mu)
	ranks := make([]*Local, n)
	for r := range ranks {
		ranks[r] = &Local{w: w, rank: r}
	}
	return ranks
}

func (c *Local) Rank() int { return c.rank }
func (c *Local) Size() int { return c.w.n }

// Abort fails every pending and later collective of the world with err:
// what a rank that stops with an error does, so the others do not hang.
func (c *Local) Abort(err error) {
	c.w.mu.Lock()
	if c.w.err == nil {
		c.w.err = fmt.Errorf("dist: rank %d failed: %w", c.rank, err)
	}
	c.w.cond.Broadcast()
	c.w.mu.Unlock()
}

// barrier waits until every rank has arrived.
func (w *world) barrier() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	gen := w.gen
	if w.arrived++; w.arrived == w.n {
		w.arrived, w.gen = 0, w.gen+1
		w.cond.Broadcast()
		return nil
	}
	for gen == w.gen && w.err == nil {
		w.cond.Wait()
	}
	return w.err
}

// exchange publishes buf as this rank's contribution, waits for every
// rank's, runs read on them all, waits until every rank has read, then runs
// write (which may overwrite buf).
func (c *Local) exchange(buf []float32, read func(all [][]float32) error, write func()) error {
	c.w.mu.Lock()
	c.w.bufs[c.rank] = buf
	c.w.mu.Unlock()
	if err := c.w.barrier(); err != nil {
		return err
	}
	rerr := read(c.w.bufs)
	if err := c.w.barrier(); err != nil {
		return err
	}
	if rerr == nil && write != nil {
		write()
	}
	return rerr
}

func (c *Local) AllReduce(buf []float32) error {
	sum := make([]float32, len(buf))
	return c.exchange(buf, func(all [][]float32) error {
		if err := sameLength(all, len(buf)); err != nil {
			return err
		}
		for i := range sum {
			s := all[0][i]
			for _, b := range all[1:] {
				s += b[i]
			}
			sum[i] = s
		}
		return nil
	}, func() { copy(buf, sum) })
}

// AllReduce64 rides on the float32 exchange: each float64 travels as its
// two 32-bit halves (bit patterns, not values), and the sum is taken in
// float64 in rank order.
func (c *Local) AllReduce64(buf []float64) error {
	bits := make([]float32, 2*len(buf))
	for i, v := range buf {
		u := math.Float64bits(v)
		bits[2*i], bits[2*i+1] = math.Float32frombits(uint32(u)), math.Float32frombits(uint32(u>>32))
	}
	val := func(b []float32, i int) float64 {
		return math.Float64frombits(uint64(math.Float32bits(b[2*i])) | uint64(math.Float32bits(b[2*i+1]))<<32)
	}
	sum := make([]float64, len(buf))
	return c.exchange(bits, func(all [][]float32) error {
		if err := sameLength(all, len(bits)); err != nil {
			return err
		}
		for i := range sum {
			s := val(all[0], i)
			for _, b := range all[1:] {
				s += val(b, i)
			}
			sum[i] = s
		}
		return nil
	}, func() { copy(buf, sum) })
}

func (c *Local) AllGather(send, recv []float32) error {
	if len(recv) != c.w.n*len(send) {
		return fmt.Errorf("dist: all-gather of %d values from %d ranks into %d", len(send), c.w.n, len(recv))
	}
	return c.exchange(send, func(all [][]float32) error {
		if err := sameLength(all, len(send)); err != nil {
			return err
		}
		for r, b := range all {
			copy(recv[r*len(send):], b)
		}
		return nil
	}, nil)
}

func (c *Local) Broadcast(buf []float32, root int) error {
	if root < 0 || root >= c.w.n {
		return fmt.Errorf("dist: broadcast from rank %d in a world of %d", root, c.w.n)
	}
	var got []float32
	return c.exchange(buf, func(all [][]float32) error {
		if err := sameLength(all, len(buf)); err != nil {
			return err
		}
		got = append(got, all[root]...)
		return nil
	}, func() { copy(buf, got) })
}

func (c *Local) Barrier() error { return c.w.barrier() }

func sameLength(all [][]float32, n int) error {
	for r, b := range all {
		if len(b) != n {
			return fmt.Errorf("dist: rank %d gave %d values, this rank %d", r, len(b), n)
		}
	}
	return nil
}

// RunLocal runs fn on each rank of a new in-process world of n, one
// goroutine each, and returns the first error; a rank that fails aborts
// the world, so the others return instead of waiting for it.
func RunLocal(n int, fn func(c Comm) error) error {
	ranks := NewLocal(n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r, c := range ranks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[r] = fn(c); errs[r] != nil {
				c.Abort(errs[r])
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
