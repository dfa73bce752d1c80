package dist

import "fmt"

// Comm is a world of Size ranks running the same program in step. Every
// rank must call each operation in the same order with buffers of the same
// length (AllGather: recv = Size × len(send)).
type Comm interface {
	Rank() int // this process's rank, 0 ≤ Rank < Size
	Size() int // ranks in the world
	// AllReduce replaces buf on every rank with the element-wise sum of
	// every rank's buf.
	AllReduce(buf []float32) error
	// AllReduce64 is AllReduce in float64 (statistics that must not lose
	// precision, SyncBN's sums).
	AllReduce64(buf []float64) error
	// AllGather writes every rank's send, in rank order, into recv.
	AllGather(send, recv []float32) error
	// Broadcast copies root's buf into every rank's buf.
	Broadcast(buf []float32, root int) error
	// Barrier returns once every rank has called it.
	Barrier() error
}

// Single is the world of one process: every collective is the identity.
type Single struct{}

func (Single) Rank() int                   { return 0 }
func (Single) Size() int                   { return 1 }
func (Single) AllReduce([]float32) error   { return nil }
func (Single) AllReduce64([]float64) error { return nil }
func (Single) Barrier() error              { return nil }

func (Single) AllGather(send, recv []float32) error {
	if len(recv) != len(send) {
		return fmt.Errorf("dist: all-gather of %d values into %d", len(send), len(recv))
	}
	copy(recv, send)
	return nil
}

func (Single) Broadcast(_ []float32, root int) error {
	if root != 0 {
		return fmt.Errorf("dist: broadcast from rank %d in a world of 1", root)
	}
	return nil
}

// Mean all-reduces buf and divides by the world's size: the mean over
// ranks, what data-parallel gradients need. With one rank it is a no-op,
// so single-process training is bit-identical with or without it.
func Mean(c Comm, buf []float32) error {
	if c.Size() == 1 {
		return nil
	}
	if err := c.AllReduce(buf); err != nil {
		return err
	}
	inv := 1 / float32(c.Size())
	for i := range buf {
		buf[i] *= inv
	}
	return nil
}
