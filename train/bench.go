package train

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/simclr-go/simclr/internal/gemm"
	"github.com/simclr-go/simclr/internal/graphop"
	"github.com/simclr-go/simclr/internal/machine"
	"github.com/simclr-go/simclr/run"
)

// BenchResult is one timing of the training step (simclr bench --json).
type BenchResult struct {
	Impl         string  `json:"impl"`
	BatchSize    int     `json:"batch_size"`
	ImagesPerSec float64 `json:"images_per_sec"` // views (encoder inputs) per second
	StepSec      float64 `json:"step_sec"`
	GFLOPS       float64 `json:"gflops"`
	PeakGFLOPS   float64 `json:"peak_gflops"`
	PeakFraction float64 `json:"peak_fraction"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	Threads      int     `json:"threads"`
	Busy         float64 `json:"busy"` // CPU time of the timed steps over wall time × threads: 1 when no thread waits
	Kernel       string  `json:"kernel"`
	// Ops is the wall time per step of each kind of operator (conv,
	// dconv.w, bn, …); "other" is the rest of the step: gorgonia's own
	// operators (gradient sums, the optimiser's) and the machine between ops.
	Ops map[string]float64 `json:"op_sec_per_step"`
}

// Bench times the full training step of cfg on fixed random 32×32 views
// (augmentation excluded): warmup untimed steps, then the mean of steps.
// peak is the machine's fp32 GFLOP/s (0: cores × MHz × 32 FLOP/cycle, the
// AVX2+FMA figure). started, when not nil, runs just before the timed steps
// (to start a profile).
func Bench(ctx context.Context, cfg run.Config, warmup, steps int, peak float64, started func()) (*BenchResult, error) {
	t, err := NewTrainer(cfg, Setup{Side: 32})
	if err != nil {
		return nil, err
	}
	defer t.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range t.Input() {
		t.Input()[i] = float32(r.NormFloat64())
	}
	for range warmup {
		if _, err := t.Step(0.01); err != nil {
			return nil, err
		}
	}
	if started != nil {
		started()
	}
	stopTiming := graphop.TimeOps()
	start, cpu0 := time.Now(), machine.CPUTime()
	for range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := t.Step(0.01); err != nil {
			return nil, err
		}
	}
	wall, cpu := time.Since(start).Seconds(), machine.CPUTime()-cpu0
	ops := opKinds(stopTiming(), wall, steps)
	sec := wall / float64(steps)
	threads := runtime.GOMAXPROCS(0)
	if peak == 0 {
		peak = float64(threads) * machine.ReadCPU().MHz / 1000 * 32
	}
	views := float64(t.Method.Views()*t.Config.BatchSize) / sec
	res := &BenchResult{
		Impl: "simclr-go " + runtime.Version() + " " + t.Model.Config.Arch, BatchSize: t.Config.BatchSize, ImagesPerSec: views, StepSec: sec,
		GFLOPS: views * t.Model.TrainFLOPsPerView(32, 32) / 1e9, PeakGFLOPS: peak,
		PeakRSSBytes: machine.PeakRSS(), Threads: threads, Busy: cpu / (wall * float64(threads)), Kernel: gemm.Kernel(), Ops: ops,
	}
	if peak > 0 {
		res.PeakFraction = res.GFLOPS / peak
	}
	return res, nil
}

// opKinds sums op times by kind, per step: a layer's ops are named
// kind.param ("conv.layer1.0.conv1"), its gradients dkind.wrt.param
// ("dconv.w.…", wrt one of x, w, b, affine), and the kind is the name
// without the parameter. wall is the timed steps' total.
func opKinds(times map[string]time.Duration, wall float64, steps int) map[string]float64 {
	kinds := map[string]float64{}
	covered := 0.0
	for name, d := range times {
		kind, rest, _ := strings.Cut(name, ".")
		if sub, _, ok := strings.Cut(rest, "."); ok && strings.HasPrefix(kind, "d") && strings.Contains(" x w b affine ", " "+sub+" ") {
			kind += "." + sub
		}
		kinds[kind] += d.Seconds() / float64(steps)
		covered += d.Seconds()
	}
	kinds["other"] = (wall - covered) / float64(steps)
	return kinds
}
