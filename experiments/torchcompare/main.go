// Command torchcompare trains simclr-go's SimCLR step on fixed batches of
// views so that experiments/torchcompare.py can train PyTorch on the very
// same views from the very same initial weights: the two loss curves then
// differ only by the engines (forward, backward, optimizer), and training
// each engine on the other side's views separates the engines from the
// augmentation.
//
//	go run ./experiments/torchcompare --out /tmp/tc --steps 100          # Go views, Go engine
//	/usr/bin/python3 experiments/torchcompare.py --dir /tmp/tc           # torch on Go views; torchvision views
//	go run ./experiments/torchcompare --out /tmp/tc --views torch        # Go engine on torchvision views
//
// Writes DIR/init.safetensors (the initial weights, PyTorch names), DIR/index.i32
// (the images of each step), DIR/views-go.f32 (steps × 2B × 3×32×32, view-major
// per step) and DIR/loss-go-<views>.csv.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/simclr-go/simclr/augment"
	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

func main() {
	dir := flag.String("data-dir", "../shared/datasets/cifar10", "CIFAR-10 directory")
	out := flag.String("out", "torchcompare", "directory for the files both sides share")
	steps := flag.Int("steps", 100, "steps (batches)")
	batch := flag.Int("batch-size", 256, "images per step")
	seed := flag.Uint64("seed", 0, "model and order seed")
	views := flag.String("views", "go", "whose views to train on: go (made here) or torch (views-torch.f32 from torchcompare.py)")
	flag.Parse()
	if err := compare(*dir, *out, *views, *steps, *batch, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "torchcompare:", err)
		os.Exit(1)
	}
}

func compare(dir, out, views string, steps, batch int, seed uint64) error {
	if views != "go" && views != "torch" {
		return fmt.Errorf("--views %q: want go or torch", views)
	}
	d, err := datasets.LoadCIFAR10(dir, datasets.Train, 0)
	if err != nil {
		return err
	}
	cfg := run.Config{Dataset: "cifar10", Epochs: 1, BatchSize: batch, Seed: seed, LR: 0.12,
		LRScaling: "none", WeightDecay: 5e-4, WarmupEpochs: -1, Temperature: 0.5}
	t, err := train.NewTrainer(cfg, train.Setup{Side: 32})
	if err != nil {
		return err
	}
	cfg = t.Config
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := writeInit(filepath.Join(out, "init.safetensors"), t); err != nil {
		return err
	}
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(d.Len())[:steps*batch]
	if err := writeInts(filepath.Join(out, "index.i32"), perm); err != nil {
		return err
	}
	vf, err := openViews(filepath.Join(out, "views-"+views+".f32"), views == "go")
	if err != nil {
		return err
	}
	defer vf.Close()
	csv, err := os.Create(filepath.Join(out, "loss-go-"+views+".csv"))
	if err != nil {
		return err
	}
	defer csv.Close()
	fmt.Fprintln(csv, "step,lr,loss")
	var sum float64
	for i := range steps {
		if views == "go" {
			if err := t.LoadBatch(context.Background(), d, perm[i*batch:(i+1)*batch], 0); err != nil {
				return err
			}
			err = binary.Write(vf, binary.LittleEndian, t.Input())
		} else {
			err = binary.Read(vf, binary.LittleEndian, t.Input())
		}
		if err != nil {
			return fmt.Errorf("views of step %d: %w", i+1, err)
		}
		lr := run.Schedule(cfg.PeakLR, i, 0, steps)
		loss, err := t.Step(lr)
		if err != nil {
			return err
		}
		sum += loss
		fmt.Fprintf(csv, "%d,%.6g,%.6f\n", i+1, lr, loss)
		if (i+1)%10 == 0 {
			fmt.Fprintf(os.Stderr, "step %d/%d loss %.4f (mean %.4f)\n", i+1, steps, loss, sum/float64(i+1))
		}
	}
	fmt.Printf("go engine on %s views: mean loss over %d steps %.5f\n", views, steps, sum/float64(steps))
	return nil
}

// writeInit writes the trainer's initial model as `simclr export --weights` does.
func writeInit(path string, t *train.Trainer) error {
	p, err := augment.New(t.Config.Augment)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := (&eval.Encoder{Model: t.Model, Pipe: p, Side: 32}).WriteWeights(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeInts(path string, v []int) error {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return os.WriteFile(path, b, 0o644)
}

func openViews(path string, create bool) (*os.File, error) {
	if create {
		return os.Create(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run experiments/torchcompare.py first)", err)
	}
	return f, nil
}
