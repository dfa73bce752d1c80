// Command stockcompare trains the small encoder twice from the same
// initialisation on the same augmented batches: once with simclr-go's
// custom ops (the trainer) and once with the network built from
// gorgonia's stock ops (internal/stock), and prints both loss curves.
//
//	go run ./experiments/stockcompare --data-dir ../shared/datasets/cifar10 --limit 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"syscall"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/internal/graphop"
	"github.com/simclr-go/simclr/internal/stock"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

func main() {
	dir := flag.String("data-dir", "../shared/datasets/cifar10", "CIFAR-10 directory")
	limit := flag.Int("limit", 10000, "training images")
	batch := flag.Int("batch-size", 128, "images per step")
	seed := flag.Uint64("seed", 1, "seed")
	control := flag.Float64("control", 0, "instead of the stock ops, train a second custom-op model whose initial weights differ by this relative noise (e.g. 1e-7): how fast do float-level differences grow by themselves?")
	steps := flag.Int("steps", 0, "stop after this many steps (0: one epoch)")
	flag.Parse()
	if err := compare(*dir, *limit, *batch, *seed, *control, *steps); err != nil {
		fmt.Fprintln(os.Stderr, "stockcompare:", err)
		os.Exit(1)
	}
}

// stepper is one model that trains on the batch in its input.
type stepper struct {
	input []float32
	step  func(lr float64) (float64, error)
}

func compare(dir string, limit, batch int, seed uint64, control float64, maxSteps int) error {
	d, err := datasets.LoadCIFAR10(dir, datasets.Train, limit)
	if err != nil {
		return err
	}
	cfg := run.Config{Dataset: "cifar10", Epochs: 1, BatchSize: batch, Seed: seed}
	t, err := train.NewTrainer(cfg, train.Setup{Side: 32})
	if err != nil {
		return err
	}
	cfg = t.Config
	var other stepper
	if control > 0 {
		t2, err := train.NewTrainer(cfg, train.Setup{Side: 32})
		if err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(seed, 99))
		for _, p := range t2.Model.Params() {
			for i := range p.Data {
				p.Data[i] *= float32(1 + control*r.NormFloat64())
			}
		}
		other = stepper{t2.Input(), t2.Step}
	} else {
		s, err := stock.New(t.Model, 2*batch, 32, cfg.Temperature)
		if err != nil {
			return err
		}
		svm := G.NewTapeMachine(s.G)
		defer svm.Close()
		opt := train.NewSGD(s.Params(), cfg.Momentum, cfg.WeightDecay, false)
		grads := make([][]float32, len(s.Grads))
		other = stepper{s.Input, func(lr float64) (float64, error) {
			defer svm.Reset()
			if err := svm.RunAll(); err != nil {
				return 0, err
			}
			lv, _ := graphop.Data(s.Loss.Value())
			for j, g := range s.Grads {
				grads[j], _ = graphop.Data(g.Value())
			}
			opt.Step(lr, grads)
			return float64(lv[0]), nil
		}}
	}
	steps := d.Len() / batch
	if maxSteps > 0 {
		steps = min(steps, maxSteps)
	}
	warm := int(math.Round(cfg.WarmupEpochs * float64(steps)))
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(d.Len())
	name := "stock"
	if control > 0 {
		name = "control"
	}
	fmt.Printf("step,lr,loss_custom,loss_%s,abs_diff,sec_custom,sec_%s\n", name, name)
	var maxDiff, tc, ts float64
	for i := 0; i < steps; i++ {
		if err := t.LoadBatch(context.Background(), d, perm[i*batch:(i+1)*batch], 0); err != nil {
			return err
		}
		copy(other.input, t.Input())
		lr := run.Schedule(cfg.PeakLR, i, warm, steps)
		t0 := time.Now()
		lc, err := t.Step(lr)
		if err != nil {
			return err
		}
		t1 := time.Now()
		ls, err := other.step(lr)
		if err != nil {
			return err
		}
		t2 := time.Now()
		diff := math.Abs(lc - ls)
		maxDiff = math.Max(maxDiff, diff)
		tc += t1.Sub(t0).Seconds()
		ts += t2.Sub(t1).Seconds()
		fmt.Printf("%d,%.6g,%.6f,%.6f,%.2e,%.3f,%.3f\n", i+1, lr, lc, ls, diff, t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds())
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(os.Stderr, "%d steps of %d views: max |loss difference| %.3g; custom ops %.1f views/s, %s %.1f views/s (%.1fx); peak RSS of both %d MB\n",
		steps, 2*batch, maxDiff, float64(2*batch*steps)/tc, name, float64(2*batch*steps)/ts, ts/tc, ru.Maxrss/1024)
	return nil
}
