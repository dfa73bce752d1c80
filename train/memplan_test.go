package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/run"
)

// stepBits trains cfg for steps steps on seeded random inputs and labels
// and returns every loss and h, then the last step's gradients.
func stepBits(t *testing.T, cfg run.Config, steps int) []float32 {
	t.Helper()
	tr, err := NewTrainer(cfg, Setup{Side: 16, Classes: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	r := rand.New(rand.NewPCG(1, 2))
	var got []float32
	for range steps {
		for j := range tr.Input() {
			tr.Input()[j] = float32(r.NormFloat64())
		}
		for j := range tr.Labels() {
			tr.Labels()[j] = int32(r.IntN(10))
		}
		loss, err := tr.Step(0.1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(append(got, float32(loss)), tr.H()...)
	}
	for _, g := range tr.gbuf {
		got = append(got, g...)
	}
	return got
}

// sameBits fails unless got and want hold the same float32 bits.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for j := range got {
		if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
			t.Fatalf("%s: value %d is %v, want %v", what, j, got[j], want[j])
		}
	}
}

// Training with the planned memory (outputs sharing one arena) must give
// the bits of training with every output in its own buffer: losses, every
// gradient and h over several steps, for both encoders (ResNet-18's
// residual joins bring in gorgonia's own gradient sums) and both methods.
func TestPlannedMemoryChangesNoBits(t *testing.T) {
	for _, cfg := range []run.Config{
		{BatchSize: 6, Model: encoder.Config{Width: 0.25}},
		{BatchSize: 4, Model: encoder.Config{Arch: "resnet18", Width: 0.125, HeadDepth: 3}},
		{BatchSize: 6, Method: "supervised", Model: encoder.Config{Arch: "resnet18", Width: 0.125}},
	} {
		cfg.Seed = 3
		planMemory = false
		want := stepBits(t, cfg, 3)
		planMemory = true
		sameBits(t, cfg.Model.Arch+"/"+cfg.Method+" with planned memory", stepBits(t, cfg, 3), want)
	}
}

// A training step gives the same bits for any GOMAXPROCS: every kernel
// splits its work at boundaries that depend only on the shapes.
func TestStepBitsAnyGOMAXPROCS(t *testing.T) {
	cfg := run.Config{BatchSize: 8, Seed: 2, Model: encoder.Config{Arch: "resnet18", Width: 0.125}}
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	want := stepBits(t, cfg, 2)
	for _, procs := range []int{2, 5} {
		runtime.GOMAXPROCS(procs)
		sameBits(t, fmt.Sprintf("GOMAXPROCS %d", procs), stepBits(t, cfg, 2), want)
	}
}
