package dist

import "time"

// Timed is a Comm that adds up the wall time spent in each kind of
// collective (waiting for the other ranks included), for the trainer's
// metrics. It is for one goroutine, like the Comm it wraps.
type Timed struct {
	Comm
	Reduce, Gather, Other time.Duration
}

func (t *Timed) AllReduce(buf []float32) error {
	defer t.add(&t.Reduce, time.Now())
	return t.Comm.AllReduce(buf)
}

func (t *Timed) AllReduce64(buf []float64) error {
	defer t.add(&t.Reduce, time.Now())
	return t.Comm.AllReduce64(buf)
}

func (t *Timed) AllGather(send, recv []float32) error {
	defer t.add(&t.Gather, time.Now())
	return t.Comm.AllGather(send, recv)
}

func (t *Timed) Broadcast(buf []float32, root int) error {
	defer t.add(&t.Other, time.Now())
	return t.Comm.Broadcast(buf, root)
}

func (t *Timed) Barrier() error {
	defer t.add(&t.Other, time.Now())
	return t.Comm.Barrier()
}

func (t *Timed) add(d *time.Duration, start time.Time) { *d += time.Since(start) }

// Take returns the time in all-reduces and in all-gathers since the last
// Take, and starts counting afresh.
func (t *Timed) Take() (reduce, gather time.Duration) {
	reduce, gather = t.Reduce, t.Gather
	t.Reduce, t.Gather, t.Other = 0, 0, 0
	return reduce, gather
}
