package train

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/run"
)

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
		var runs [2][]float32
		for i, plan := range []bool{false, true} {
			planMemory = plan
			tr, err := NewTrainer(cfg, Setup{Side: 16, Classes: 10})
			planMemory = true
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(1, 2))
			for step := range 3 {
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
				runs[i] = append(runs[i], float32(loss))
				runs[i] = append(runs[i], tr.H()...)
				if step == 2 {
					for _, g := range tr.gbuf {
						runs[i] = append(runs[i], g...)
					}
				}
			}
			tr.Close()
		}
		if len(runs[0]) != len(runs[1]) {
			t.Fatalf("%s/%s: %d values planned, %d not", cfg.Model.Arch, cfg.Method, len(runs[1]), len(runs[0]))
		}
		for j := range runs[0] {
			if math.Float32bits(runs[0][j]) != math.Float32bits(runs[1][j]) {
				t.Fatalf("%s/%s: value %d is %v with planned memory, %v without", cfg.Model.Arch, cfg.Method, j, runs[1][j], runs[0][j])
			}
		}
	}
}

// A training step gives the same bits for any GOMAXPROCS: every kernel
// splits its work at boundaries that depend only on the shapes.
func TestStepBitsAnyGOMAXPROCS(t *testing.T) {
	cfg := run.Config{BatchSize: 8, Seed: 2, Model: encoder.Config{Arch: "resnet18", Width: 0.125}}
	var first []float32
	for _, procs := range []int{1, 2, 5} {
		old := runtime.GOMAXPROCS(procs)
		tr, err := NewTrainer(cfg, Setup{Side: 16})
		if err != nil {
			runtime.GOMAXPROCS(old)
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(4, 4))
		var got []float32
		for range 2 {
			for j := range tr.Input() {
				tr.Input()[j] = float32(r.NormFloat64())
			}
			loss, err := tr.Step(0.1)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, float32(loss))
		}
		for _, g := range tr.gbuf {
			got = append(got, g...)
		}
		tr.Close()
		runtime.GOMAXPROCS(old)
		if first == nil {
			first = got
			continue
		}
		for j := range got {
			if math.Float32bits(got[j]) != math.Float32bits(first[j]) {
				t.Fatalf("GOMAXPROCS %d: value %d is %v, with 1 %v", procs, j, got[j], first[j])
			}
		}
	}
}
