package augment

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/simclr-go/simclr/datasets"
)

// Batch is one step's views of a batch of images.
type Batch struct {
	Views [][]float32 // Views[v]: view v of every image, len(Index)×3×S×S, image-major
	Index []int       // the batch's dataset indices (a window of the stream's order)
	Step  int         // batch number within the epoch

	full [][]float32 // full-size buffers behind Views
}

// Stream makes an epoch's batches ahead of the consumer: while the caller
// uses the batch Next returned, the workers fill the other of two buffers.
// Memory is two batches of every view plus one scratch per worker, whatever the epoch's
// length. A Stream is for one goroutine; Close it when done.
type Stream struct {
	p     *Pipeline
	d     *datasets.Dataset
	order []int
	size  int
	views int
	epoch int
	vs    int

	ctx    context.Context
	cancel context.CancelFunc
	bufs   [2]Batch
	free   chan int // buffers the consumer has handed back
	ready  chan int // filled buffers, in step order
	held   int      // buffer the consumer holds, or -1
	err    error    // why the producer stopped early; read after ready is closed

	jobs    chan job
	pending sync.WaitGroup // views of the batch being filled
	workers sync.WaitGroup
	closed  sync.Once
}

type job struct {
	b      *Batch
	lo, hi int
}

// Stream starts making the batches of epoch over order (dataset indices
// in the order the trainer wants them), size images per batch and views
// views of each, beginning with batch first (to resume mid-epoch). The
// last batch may be short. Batches are bit-identical to Views of the same
// indices, for any worker count. Cancelling ctx stops the workers; Next
// then returns ctx's error.
func (p *Pipeline) Stream(ctx context.Context, d *datasets.Dataset, order []int, size, views, epoch, first int) (*Stream, error) {
	if size < 1 || views < 1 {
		return nil, fmt.Errorf("augment: batch of %d images × %d views", size, views)
	}
	if err := p.check(d); err != nil {
		return nil, err
	}
	for _, i := range order {
		if i < 0 || i >= d.Len() {
			return nil, fmt.Errorf("augment: index %d outside %s (%d images)", i, d.Name, d.Len())
		}
	}
	s := &Stream{p: p, d: d, order: order, size: size, views: views, epoch: epoch, vs: p.ViewSize(d),
		free: make(chan int, 2), ready: make(chan int, 2), held: -1, jobs: make(chan job, p.cfg.Workers)}
	s.ctx, s.cancel = context.WithCancel(ctx)
	for k := range s.bufs {
		b := &s.bufs[k]
		b.Views, b.full = make([][]float32, views), make([][]float32, views)
		for v := range b.full {
			b.full[v] = make([]float32, size*s.vs)
		}
		s.free <- k
	}
	s.workers.Add(p.cfg.Workers)
	for range p.cfg.Workers {
		go s.work()
	}
	go s.produce(first)
	return s, nil
}

// viewBlock is the number of images a worker takes at a time.
const viewBlock = 8

func (s *Stream) produce(first int) {
	defer close(s.ready)
	for step := first; step*s.size < len(s.order); step++ {
		var k int
		select {
		case k = <-s.free:
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return
		}
		b := &s.bufs[k]
		lo, hi := step*s.size, min((step+1)*s.size, len(s.order))
		n := hi - lo
		b.Index, b.Step = s.order[lo:hi], step
		for v, full := range b.full {
			b.Views[v] = full[:n*s.vs]
		}
		for j := 0; j < n; j += viewBlock {
			s.pending.Add(1)
			s.jobs <- job{b, j, min(j+viewBlock, n)}
		}
		s.pending.Wait()
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return
		}
		s.ready <- k
	}
}

func (s *Stream) work() {
	defer s.workers.Done()
	w := new(worker)
	w.rs.warm(max(s.d.H, s.d.W), s.p.Side(s.d.H))
	for j := range s.jobs {
		if s.ctx.Err() == nil {
			for i := j.lo; i < j.hi; i++ {
				for v, out := range j.b.Views {
					s.p.view(w, out[i*s.vs:(i+1)*s.vs], s.d, j.b.Index[i], s.epoch, v)
				}
			}
		}
		s.pending.Done()
	}
}

// Next returns the next batch, valid until the following call of Next or
// Close. After the last batch it returns io.EOF; after cancellation, the
// context's error.
func (s *Stream) Next() (*Batch, error) {
	if s.held >= 0 {
		s.free <- s.held
		s.held = -1
	}
	k, ok := <-s.ready
	if !ok {
		if s.err != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	s.held = k
	return &s.bufs[k], nil
}

// Close stops the stream and its workers and waits for them.
func (s *Stream) Close() error {
	s.closed.Do(func() {
		s.cancel()
		for range s.ready { // the producer closes ready when it returns
		}
		close(s.jobs)
		s.workers.Wait()
	})
	return nil
}
