package experiment

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simclr-go/simclr/run"
	"github.com/simclr-go/simclr/train"
)

const tiny = `name: tiny
summary: "What the tiny rows say."
defaults: {dataset: synthetic, limit: 64, batch_size: 16, epochs: 2, knn_bank: -1, seed: 4}
eval: {heads: [ce, hinge], knn: true, limit: 200, test_limit: 100}
rows:
  - {name: straight, note: two epochs}
  - {name: resumed, note: "the same, killed and resumed", group: g}
  - {name: pixels, baseline: pixels}
  - {name: random, baseline: random}
`

func tinyFile(t *testing.T) (*File, Options) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "tiny.yaml")
	os.WriteFile(p, []byte(tiny), 0o644)
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return f, Options{Out: filepath.Join(dir, "runs"), Results: filepath.Join(dir, "results")}
}

// The runner trains, evaluates and records each row; a finished row is
// skipped on a rerun; an interrupted row resumes and ends as a straight
// one; baselines go through the same probe.
func TestRunResumableAndReport(t *testing.T) {
	f, o := tinyFile(t)
	ctx := context.Background()
	// "resumed" was stopped after 5 of its 8 steps.
	cfg, _ := f.Config(f.Rows[1])
	if _, err := train.Run(ctx, cfg, filepath.Join(o.Out, "resumed"), train.Options{StopAfterSteps: 5}); err == nil {
		t.Fatal("the stop did not stop")
	}
	if err := Run(ctx, f, o); err != nil {
		t.Fatal(err)
	}
	rs, err := Results(f, o.Results)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r == nil {
			t.Fatalf("row %s has no result", f.Rows[i].Name)
		}
		if r.Top1 <= 0.1 || r.Heads["hinge"] == 0 || r.KNNTop1 == nil || r.NTest != 100 || r.Where.CPU == "" && r.Where.Go == "" {
			t.Fatalf("row %s: %+v", r.Row, r)
		}
	}
	straight, resumed := rs[0], rs[1]
	if straight.Top1 != resumed.Top1 || straight.FinalLoss != resumed.FinalLoss || straight.Epochs != 2 || straight.TrainSec <= 0 {
		t.Fatalf("straight %+v\nresumed %+v", straight, resumed)
	}
	if rs[2].Baseline != "pixels" || rs[2].TrainSec != 0 || rs[2].Config != nil {
		t.Fatalf("pixels row %+v", rs[2])
	}
	// A rerun skips every finished row.
	var log strings.Builder
	o.Progress = &log
	if err := Run(ctx, f, o); err != nil {
		t.Fatal(err)
	}
	if strings.Count(log.String(), "is done") != 4 {
		t.Fatalf("rerun: %s", log.String())
	}
	written, err := Report(f, o.Results)
	if err != nil || len(written) != 4 || filepath.Base(written[2]) != "loss-curves.png" || filepath.Base(written[3]) != "ablation-g.png" {
		t.Fatalf("report: %v %v", written, err)
	}
	md, _ := os.ReadFile(written[0])
	if !strings.Contains(string(md), "| straight | **") || !strings.Contains(string(md), "top1-vs-time.png") || !strings.Contains(string(md), "(ablation-g.png)") || !strings.Contains(string(md), "What the tiny rows say.") {
		t.Fatalf("RESULTS.md:\n%s", md)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		"name: x\nrows: [{name: a, train: {epochs: -1}}]\n":               "row a: epochs -1",
		"name: x\nrows: [{name: a}, {name: a}]\n":                         `row name "a"`,
		"name: x\nrows: [{name: a, baseline: pixels, train: {limit: 5}}]": "baseline row trains nothing",
		"name: x\nrowz: []\n":                                             "rowz",
		"name: X Y\n":                                                     "experiment name",
		"name: x\nrows: [{name: a, train: {learning_rate: 1}}]\n":         "learning_rate",
	} {
		p := filepath.Join(dir, "e.yaml")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
	if err := Run(context.Background(), &File{Name: "x"}, Options{Only: []string{"nope"}, Out: dir, Results: dir}); err == nil {
		t.Error("--only of a missing row accepted")
	}

}

// A reference row runs the reference script on the row's resolved config
// and probes the features it writes; a feature file of the wrong size is
// named in the error. The script here is a stand-in that writes zeros.
func TestReferenceRow(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake.sh")
	os.WriteFile(fake, []byte(`out=$4; grep -q '"batch_size": 16' $2 || exit 7
echo '{"n_train": 64, "n_test": 32, "dim": 4, "epochs": 2, "losses": [2.5, 2.25], "train_sec": 9, "images_per_sec": 7, "impl": "fake 1"}' > $out/meta.json
head -c `+"$((${BYTES:-1536}))"+` /dev/zero > $out/features.f32
`), 0o755)
	defer func(p, s string) { Python, TorchScript = p, s }(Python, TorchScript)
	Python, TorchScript = "/bin/sh", fake
	p := filepath.Join(dir, "ref.yaml")
	os.WriteFile(p, []byte("name: ref\ndefaults: {dataset: synthetic, limit: 64, batch_size: 16, epochs: 2, knn_bank: -1}\n"+
		"eval: {test_limit: 32}\nrows: [{name: torch-2ep, reference: torch}]\n"), 0o644)
	f, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Out: filepath.Join(dir, "runs"), Results: filepath.Join(dir, "results")}
	if err := Run(context.Background(), f, o); err != nil {
		t.Fatal(err)
	}
	rs, err := Results(f, o.Results)
	if err != nil || rs[0] == nil {
		t.Fatal(rs, err)
	}
	r := rs[0]
	if r.Impl != "fake 1" || r.NTrain != 64 || r.NTest != 32 || r.TrainSec != 9 || r.FinalLoss != 2.25 || len(r.Curve) != 2 || r.Config.BatchSize != 16 {
		t.Fatalf("%+v", r)
	}
	os.RemoveAll(o.Out)
	t.Setenv("BYTES", "1535")
	if err := Run(context.Background(), f, Options{Out: o.Out, Results: filepath.Join(dir, "r2")}); err == nil || !strings.Contains(err.Error(), "features.f32: 1535 bytes") {
		t.Fatalf("short feature file: %v", err)
	}
	os.WriteFile(p, []byte("name: ref\nrows: [{name: a, reference: jax}]\n"), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), `reference "jax"`) {
		t.Fatalf("reference jax: %v", err)
	}
}

func TestMachineLabels(t *testing.T) {
	var m machines
	a := Where{CPU: "AMD EPYC", CPUFlags: "avx2 fma avx512f", GOMAXPROCS: 2, Go: "go1.26.8"}
	b := a
	b.CPUFlags = "avx2 fma"
	got := m.label(a) + m.label(b) + m.label(a)
	if got != "ABA" {
		t.Fatalf("labels %q, want ABA", got)
	}
	l := m.legend()
	if !strings.Contains(l, "Machine A: AMD EPYC (avx2 fma avx512f)") || !strings.Contains(l, "Machine B: AMD EPYC (avx2 fma)") || !strings.Contains(l, "compare only") {
		t.Fatalf("legend %q", l)
	}
	var one machines
	one.label(a)
	if strings.Contains(one.legend(), "compare only") {
		t.Fatal("one machine needs no warning")
	}
}

// A PyTorch row's speed-up is marked unless it ran with malloc on huge
// pages, and each pair and the mean over pairs carry the right numbers.
func TestSideBySide(t *testing.T) {
	pair := func(seed uint64, impl string) []*Result {
		return []*Result{
			{Row: fmt.Sprintf("go-1ep-s%d", seed), Epochs: 1, Seed: seed, Top1: 0.56, TrainSec: 200},
			{Row: fmt.Sprintf("torch-1ep-s%d", seed), Epochs: 1, Seed: seed, Top1: 0.58, TrainSec: 400, Impl: impl},
		}
	}
	for _, c := range []struct {
		impl   string
		marked bool
	}{
		{"pytorch 1.13", true},
		{"pytorch 1.13, glibc.malloc.hugetlb=0", true},
		{"pytorch 1.13, glibc.malloc.hugetlb=1", false},
		{"pytorch 1.13, glibc.malloc.hugetlb=2", false},
	} {
		var b strings.Builder
		sideBySide(&b, append(pair(1, c.impl), pair(2, c.impl)...), &machines{})
		out := b.String()
		if !strings.Contains(out, "| 1 | 1 | A | 56.00% | 58.00% | -2.00 | 3.3 min | 6.7 min | 2.00×") ||
			!strings.Contains(out, "| 1 | mean of 2 | | 56.00% | 58.00% | -2.00 |") {
			t.Fatalf("impl %q: table\n%s", c.impl, out)
		}
		if got := strings.Contains(out, "†"); got != c.marked {
			t.Errorf("impl %q: marked %v, want %v\n%s", c.impl, got, c.marked, out)
		}
	}
}

// The committed experiment files load, and rows that claim to change one
// knob from their base change exactly that: strength-0.5 is budget-15m's
// augmentation with another seed.
func TestCommittedFiles(t *testing.T) {
	paths, _ := filepath.Glob("../../experiments/*.yaml")
	if len(paths) == 0 {
		t.Fatal("no experiments/*.yaml")
	}
	for _, p := range paths {
		if _, err := Load(p); err != nil {
			t.Errorf("%v", err)
		}
	}
	f, err := Load("../../experiments/cifar10.yaml")
	if err != nil {
		t.Fatal(err)
	}
	recipe := func(name string) (run.Config, string) {
		for _, r := range f.Rows {
			if r.Name == name {
				c, _ := f.Config(r)
				a, err := c.Augment.Resolve()
				if err != nil {
					t.Fatal(err)
				}
				return c, fmt.Sprintf("%+v", a)
			}
		}
		t.Fatalf("no row %s", name)
		return run.Config{}, ""
	}
	base, br := recipe("budget-15m")
	same, sr := recipe("strength-0.5")
	if br != sr {
		t.Errorf("strength-0.5's augmentation\n%s\ndiffers from budget-15m's\n%s", sr, br)
	}
	if base.Seed == same.Seed {
		t.Errorf("strength-0.5 has budget-15m's seed %d: it would repeat the run", base.Seed)
	}
}
