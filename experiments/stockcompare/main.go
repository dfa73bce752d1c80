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
	"github.com/simclr-go/simclr/train"
)

func main() {
	dir := flag.String("data-dir", "../shared/datasets/cifar10", "CIFAR-10 directory")
	limit := flag.Int("limit", 10000, "training images")
	batch := flag.Int("batch-size", 128, "images per step")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	if err := run(*dir, *limit, *batch, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "stockcompare:", err)
		os.Exit(1)
	}
}

func run(dir string, limit, batch int, seed uint64) error {
	d, err := datasets.LoadCIFAR10(dir, datasets.Train, limit)
	if err != nil {
		return err
	}
	cfg := train.Config{Dataset: "cifar10", Epochs: 1, BatchSize: batch, Seed: seed}
	t, err := train.NewTrainer(cfg, 32)
	if err != nil {
		return err
	}
	cfg = t.Config
	s, err := stock.New(t.Model, 2*batch, 32, cfg.Temperature)
	if err != nil {
		return err
	}
	svm := G.NewTapeMachine(s.G)
	defer svm.Close()
	opt := train.NewSGD(s.Params(), cfg.Momentum, cfg.WeightDecay)
	steps := d.Len() / batch
	warm := int(math.Round(cfg.WarmupEpochs * float64(steps)))
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(d.Len())
	fmt.Printf("step,lr,loss_custom,loss_stock,abs_diff,sec_custom,sec_stock\n")
	var maxDiff, tc, ts float64
	grads := make([][]float32, len(s.Grads))
	for i := 0; i < steps; i++ {
		if err := t.LoadBatch(context.Background(), d, perm[i*batch:(i+1)*batch], 0); err != nil {
			return err
		}
		copy(s.Input, t.Input())
		lr := train.Schedule(cfg.LR, i, warm, steps)
		t0 := time.Now()
		lc, err := t.Step(lr)
		if err != nil {
			return err
		}
		t1 := time.Now()
		if err := svm.RunAll(); err != nil {
			return err
		}
		lv, _ := graphop.Data(s.Loss.Value())
		for j, g := range s.Grads {
			grads[j], _ = graphop.Data(g.Value())
		}
		opt.Step(lr, grads)
		svm.Reset()
		t2 := time.Now()
		ls := float64(lv[0])
		diff := math.Abs(lc - ls)
		maxDiff = math.Max(maxDiff, diff)
		tc += t1.Sub(t0).Seconds()
		ts += t2.Sub(t1).Seconds()
		fmt.Printf("%d,%.6g,%.6f,%.6f,%.2e,%.3f,%.3f\n", i+1, lr, lc, ls, diff, t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds())
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(os.Stderr, "%d steps of %d views: max |loss difference| %.3g; custom ops %.1f views/s, stock ops %.1f views/s (%.1fx); peak RSS of both %d MB\n",
		steps, 2*batch, maxDiff, float64(2*batch*steps)/tc, float64(2*batch*steps)/ts, ts/tc, ru.Maxrss/1024)
	return nil
}
