package train_test

import (
	"context"
	"fmt"
	"os"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

// Pretrain with SimCLR on generated shapes and read the run directory back.
func ExampleRunOn() {
	dir, _ := os.MkdirTemp("", "simclr-example")
	defer os.RemoveAll(dir)
	shapes := datasets.NewSynthetic(datasets.SyntheticConfig{N: 64, Side: 16, Seed: 1})
	cfg := run.Config{Dataset: "synthetic", Epochs: 2, BatchSize: 32, KNNBank: -1} // zero fields: the paper's defaults
	ck, err := train.RunOn(context.Background(), cfg, shapes, dir, train.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ms, _ := run.ReadMetrics(dir)
	fmt.Printf("%s: %d epochs, %d steps, τ %g, %d metric lines\n", ck.Config.Method, ck.Epoch, ck.Step, ck.Config.Temperature, len(ms))
	// Output: simclr: 2 epochs, 4 steps, τ 0.5, 4 metric lines
}
