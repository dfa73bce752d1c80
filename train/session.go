package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/dist"
	"github.com/simclr-go/simclr/run"
)

// session is one process's pass over a run: the trainer, where it stands
// and the files it writes.
type session struct {
	cfg   run.Config
	t     *Trainer
	d     *datasets.Dataset
	out   string
	opts  Options
	aux   *auxHead
	auxY  []int32
	views [][]float32 // the trainer's input, cut into its view blocks

	step, steps, total, warm int
	warned                   bool        // warnLong has looked
	part                     run.Partial // running sums within the current epoch
	metrics                  *os.File
	bar                      *progress
	start                    time.Time // when this process started training
	prior                    float64   // training seconds of the resumed checkpoint's steps
	startStep                int
	winStart, epochStart     time.Time // of the current log window and epoch
	epochFirst               int       // the first step this process ran in the epoch
	lr                       float64   // the last step's learning rate
	stream                   *augment.Stream
	lead                     bool        // rank 0: writes the run directory, logs, runs the monitors
	timed                    *dist.Timed // the world's collectives, timed (nil with one rank)
}

func newSession(cfg run.Config, d *datasets.Dataset, out string, opts Options) (*session, error) {
	if err := fillsBatch(d, cfg.BatchSize); err != nil { // before the model and its buffers are built
		return nil, err
	}
	var timed *dist.Timed
	if opts.Comm != nil && opts.Comm.Size() > 1 {
		timed = &dist.Timed{Comm: opts.Comm}
		opts.Comm = timed
	}
	t, err := newTrainer(cfg, Setup{Side: d.H, Classes: len(d.Classes), Comm: opts.Comm})
	if err != nil {
		return nil, err
	}
	s := &session{cfg: cfg, t: t, d: d, out: out, opts: opts, steps: d.Len() / cfg.BatchSize, views: t.viewSlots(),
		lead: t.Comm.Rank() == 0, timed: timed}
	if err := s.open(); err != nil {
		t.Close()
		return nil, err
	}
	return s, nil
}

// fillsBatch returns an error unless d fills at least one batch.
func fillsBatch(d *datasets.Dataset, batch int) error {
	if d.Len() < batch {
		return fmt.Errorf("train: %d training images cannot fill one batch of %d; lower --batch-size or raise --limit", d.Len(), batch)
	}
	return nil
}

// open checks the data against the batch, restores a resumed run and
// opens the run directory.
func (s *session) open() error {
	cfg, b := s.cfg, s.cfg.BatchSize
	if !s.lead { // only rank 0 speaks and writes
		s.opts.Progress = nil
	}
	s.total, s.warm = cfg.Epochs*s.steps, cfg.WarmupSteps(s.steps)
	if cfg.Steps > 0 { // the run ends inside its last epoch
		if cfg.Steps <= (cfg.Epochs-1)*s.steps || cfg.Steps > s.total {
			return fmt.Errorf("train: steps %d do not end inside epoch %d of %d steps each", cfg.Steps, cfg.Epochs, s.steps)
		}
		s.total = cfg.Steps
	}
	if cfg.AuxHead != "" && s.lead { // the online probe sees rank 0's share
		var err error
		if s.aux, err = newAuxHead(cfg.AuxHead, s.t.Model.Features, len(s.d.Classes)); err != nil {
			return err
		}
		s.auxY = make([]int32, b/s.t.Comm.Size())
	}
	if err := s.resume(); err != nil {
		return err
	}
	if err := s.t.Broadcast(); err != nil {
		return err
	}
	if err := s.openDir(); err != nil {
		return err
	}
	progress := s.opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	fmt.Fprintf(progress, "train: %s, %s, %d images, batch %d (%d views), %d epochs × %d steps, %s peak lr %.4g, τ %.3g\n",
		cfg.Method, s.d.Name, s.d.Len(), b, s.t.Method.Views()*b, cfg.Epochs, s.steps, cfg.Optimizer, cfg.PeakLR, cfg.Temperature)
	if n := s.t.Comm.Size(); n > 1 {
		fmt.Fprintf(progress, "train: %d ranks × %d images, global negatives, sync-bn %v\n", n, b/n, cfg.SyncBN)
	}
	if s.step > 0 {
		fmt.Fprintf(progress, "train: resuming at step %d (epoch %d)\n", s.step, s.step/s.steps+1)
	}
	s.bar = newProgress(progress, s.total, s.step)
	s.start, s.startStep = time.Now(), s.step
	return nil
}

// openDir opens the run directory and its metrics (rank 0 only).
func (s *session) openDir() error {
	if !s.lead {
		return nil
	}
	if err := os.MkdirAll(s.out, 0o755); err != nil {
		return fmt.Errorf("train: output directory: %w", err)
	}
	run.CleanTemps(s.out) // left by a process killed mid-write
	if err := run.WriteJSON(filepath.Join(s.out, run.ConfigFile), s.cfg); err != nil {
		return err
	}
	var err error
	s.metrics, err = run.OpenMetrics(s.out, s.step)
	return err
}

// resume loads the state of Options.Resume, if any.
func (s *session) resume() error {
	r := s.opts.Resume
	if r == nil {
		return nil
	}
	if err := s.t.Model.Load(r.Model); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if err := s.t.Opt.Load(r.Optimizer); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if err := s.t.loadMethodState(r.Method); err != nil {
		return fmt.Errorf("train: resume: %w", err)
	}
	if s.step = r.Step; s.step >= s.total {
		return fmt.Errorf("train: %s is already complete (%d of %d steps)", s.out, s.step, s.total)
	}
	s.part = r.Partial
	s.prior = r.TrainSec
	if s.prior == 0 { // a checkpoint from before TrainSec: its epoch line has this process's time
		ms, _ := run.ReadMetrics(s.out)
		for _, m := range ms {
			if m.Kind == "epoch" && m.Step == r.Step {
				s.prior = m.ElapsedSec
			}
		}
	}
	if s.aux != nil {
		if err := s.aux.load(r.Aux); err != nil {
			return err
		}
		s.aux.seen, s.aux.correct, s.aux.lossSum, s.aux.steps = s.part.AuxSeen, s.part.AuxRight, s.part.AuxLoss, s.part.AuxSteps
	}
	return nil
}

func (s *session) close() {
	if s.stream != nil {
		s.stream.Close()
	}
	if s.metrics != nil {
		s.metrics.Close()
	}
	s.t.Close()
}

// save writes checkpoint.bin (and, with history, checkpoint-eNNNN.bin)
// for epochsDone completed epochs and the steps run so far.
func (s *session) save(epochsDone int, history bool) (*run.Checkpoint, error) {
	t := s.t
	ck := &run.Checkpoint{Config: s.cfg, Epoch: epochsDone, Step: s.step, TrainSec: s.elapsed(), Model: t.Model.State(), Optimizer: t.Opt.State(),
		Method: t.methodState()}
	midEpoch := s.step%s.steps != 0
	if midEpoch {
		ck.Partial = s.part
	}
	if s.aux != nil {
		ck.Aux = s.aux.state()
		if midEpoch {
			ck.Partial.AuxSeen, ck.Partial.AuxRight, ck.Partial.AuxLoss, ck.Partial.AuxSteps = s.aux.seen, s.aux.correct, s.aux.lossSum, s.aux.steps
		}
	}
	if !s.lead {
		return ck, nil
	}
	return ck, ck.Save(s.out, s.cfg.Keep, history)
}
