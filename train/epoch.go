package train

import (
	"context"
	"time"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/run"
)

// epoch runs the remaining steps of epoch; it returns errInterrupted when
// the context is cancelled or the step budget is spent.
func (s *session) epoch(ctx context.Context, epoch int) error {
	order, b := share(epochOrder(s.cfg.Seed, epoch, s.d.Len()), s.cfg.BatchSize, s.steps, s.t.Comm)
	if s.stream != nil {
		s.stream.Close()
	}
	var err error
	first := s.step - epoch*s.steps
	if s.stream, err = s.t.pipe.Stream(ctx, s.d, order, b, s.t.Method.Views(), epoch, first); err != nil {
		return err
	}
	s.winStart, s.epochStart, s.epochFirst = time.Now(), time.Now(), s.step
	for i := first; i < s.steps && s.step < s.total; i++ {
		if ctx.Err() != nil || (s.opts.StopAfterSteps > 0 && s.step >= s.opts.StopAfterSteps) {
			return errInterrupted
		}
		batch, err := s.stream.Next()
		if err != nil {
			if ctx.Err() != nil { // interrupted while augmenting
				return errInterrupted
			}
			return err
		}
		if err := s.trainStep(batch, epoch); err != nil {
			return err // a non-finite loss: the last checkpoint on disk stays the good one
		}
		if s.step%s.cfg.LogEvery == 0 || i == s.steps-1 || s.step == s.total {
			if err := s.logStep(epoch); err != nil {
				return err
			}
		}
	}
	return nil
}

// share is c's rank's part of an epoch's order of steps batches of B and
// its images per step: of each step's batch perm[s·B:(s+1)·B], the rank's
// slice of B/ranks.
func share(perm []int, B, steps int, c dist.Comm) ([]int, int) {
	n, r := c.Size(), c.Rank()
	if n == 1 {
		return perm[:steps*B], B
	}
	b := B / n
	order := make([]int, 0, steps*b)
	for step := range steps {
		order = append(order, perm[step*B+r*b:step*B+(r+1)*b]...)
	}
	return order, b
}

// trainStep loads batch into the trainer and runs one step.
func (s *session) trainStep(batch *augment.Batch, epoch int) error {
	for v, dst := range s.views {
		copy(dst, batch.Views[v])
	}
	s.t.setLabels(s.d, batch.Index)
	lr := run.Schedule(s.cfg.PeakLR, s.step, s.warm, s.total)
	loss, err := s.t.Step(lr)
	if err != nil {
		return err
	}
	if s.aux != nil {
		for i, idx := range batch.Index {
			s.auxY[i] = -1
			if s.cfg.AuxLabels == 0 || idx < s.cfg.AuxLabels {
				s.auxY[i] = s.d.Labels[idx]
			}
		}
		s.aux.step(s.t.H()[:len(batch.Index)*s.t.Model.Features], s.auxY)
	}
	if s.t.obj.AfterStep != nil {
		s.t.obj.AfterStep(s.step)
	}
	s.step++
	s.part.EpochLoss += loss
	s.part.WinLoss += loss
	s.part.WinSteps++
	s.lr = lr
	s.bar.update(s.step, epoch+1, s.cfg.Epochs, loss, lr, float64(s.cfg.BatchSize*(s.step-s.startStep))/time.Since(s.start).Seconds())
	return nil
}

// logStep writes the step line of the window of steps since the last one.
func (s *session) logStep(epoch int) error {
	b, v := s.cfg.BatchSize, s.t.Method.Views()
	sec := time.Since(s.winStart).Seconds()
	timed := min(s.part.WinSteps, s.step-s.startStep) // steps of this window run by this process
	m := run.Metrics{Kind: "step", Epoch: epoch + 1, Step: s.step, Loss: s.part.WinLoss / float64(s.part.WinSteps), LR: s.lr,
		ImagesPerSec: float64(timed*b) / sec, ViewsPerSec: float64(v*timed*b) / sec, ElapsedSec: s.elapsed()}
	if s.timed != nil && timed > 0 {
		reduce, gather := s.timed.Take()
		m.AllReduceSec, m.AllGatherSec = reduce.Seconds()/float64(timed), gather.Seconds()/float64(timed)
	}
	if err := s.encodeMetrics(m); err != nil {
		return err
	}
	s.bar.line("epoch %d/%d step %d/%d loss %.4f lr %.4g %.0f img/s eta %s",
		epoch+1, s.cfg.Epochs, s.step, s.total, m.Loss, s.lr, m.ImagesPerSec, s.bar.eta(s.step))
	s.part.WinLoss, s.part.WinSteps, s.winStart = 0, 0, time.Now()
	s.warnLong()
	return nil
}

// longRun is the estimated duration past which the first step line is
// followed by a word about how long the run will take.
const longRun = time.Hour

// warnLong says once, at the first step line, how long a long run will
// take at the speed of its first steps, and how to make it shorter.
func (s *session) warnLong() {
	if s.warned || s.cfg.TimeBudget > 0 {
		return
	}
	s.warned = true
	if eta := s.bar.eta(s.step); eta > longRun {
		s.bar.line("train: at this speed the %d epochs take about %s; Ctrl-C stops cleanly (--resume continues), --time-budget 30m plans a run that ends in 30 minutes",
			s.cfg.Epochs, eta.Round(time.Minute))
	}
}

// endEpoch writes the epoch line, with the online probe and the kNN
// monitor, and clears the epoch's sums.
func (s *session) endEpoch(ctx context.Context, epoch int) error {
	b, v := s.cfg.BatchSize, s.t.Method.Views()
	sec := time.Since(s.epochStart).Seconds()
	done := s.step - s.epochFirst
	m := run.Metrics{Kind: "epoch", Epoch: epoch + 1, Step: s.step, Loss: s.part.EpochLoss / float64(s.step-epoch*s.steps),
		LR: run.Schedule(s.cfg.PeakLR, s.step-1, s.warm, s.total), ImagesPerSec: float64(done*b) / sec,
		ViewsPerSec: float64(v*done*b) / sec, ElapsedSec: s.elapsed()}
	if s.aux != nil {
		m.AuxTop1, m.AuxLoss = s.aux.epoch()
		s.bar.line("epoch %d: online %s probe top-1 %.2f%% (train, labelled first views)", epoch+1, s.cfg.AuxHead, 100*m.AuxTop1)
	}
	if q := s.opts.KNNTest; q != nil && s.cfg.KNNBank > 0 && s.lead {
		acc, err := knnMonitor(ctx, s.t.Model, s.t.pipe, s.d.Head(s.cfg.KNNBank), q)
		if err != nil {
			return err
		}
		m.KNNTop1 = &acc
		s.bar.line("epoch %d: kNN monitor top-1 %.2f%% (%d bank, %d queries)", epoch+1, 100*acc, min(s.cfg.KNNBank, s.d.Len()), q.Len())
	}
	if err := s.encodeMetrics(m); err != nil {
		return err
	}
	s.part = run.Partial{}
	return nil
}
