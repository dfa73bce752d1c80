package run

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestScheduleClosedForm(t *testing.T) {
	// Warmup over 10 steps of 100, then cosine to 0.
	for _, c := range []struct {
		step int
		want float64
	}{{0, 0.1}, {4, 0.5}, {9, 1}, {10, 1}, {55, 0.5}, {99, 0.5 * (1 + math.Cos(math.Pi*89/90))}} {
		if got := Schedule(1, c.step, 10, 100); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("step %d: lr %v, want %v", c.step, got, c.want)
		}
	}
	if lr, _ := PeakLR(0.3, 512, "linear"); lr != 0.6 {
		t.Errorf("linear scaling: %v", lr)
	}
	if lr, _ := PeakLR(0.075, 4096, "sqrt"); math.Abs(lr-4.8) > 1e-12 {
		t.Errorf("sqrt scaling: %v", lr)
	}
	if _, err := PeakLR(1, 1, "cube"); err == nil {
		t.Error("unknown scaling accepted")
	}
}

func TestDefaultLRFollowsScaling(t *testing.T) {
	c, err := Config{BatchSize: 4096, LRScaling: "sqrt"}.Resolved()
	if err != nil || math.Abs(c.PeakLR-4.8) > 1e-9 {
		t.Fatalf("sqrt scaling at batch 4096: peak %v (%v), want 0.075·64 = 4.8", c.PeakLR, err)
	}
	c, _ = Config{BatchSize: 512}.Resolved()
	if c.PeakLR != 0.6 {
		t.Fatalf("linear scaling at batch 512: peak %v, want 0.6", c.PeakLR)
	}
}

func TestZeroConfigResolvesToThePaperAndIsIdempotent(t *testing.T) {
	c, err := Config{}.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodSimCLR || c.Epochs != 100 || c.BatchSize != 256 || c.Temperature != 0.5 || c.PeakLR != 0.3 ||
		c.WeightDecay != 1e-6 || c.WarmupEpochs != 10 || c.Augment.Preset != "cifar" || c.Augment.Strength != 0.5 || c.Model.Arch != "small" {
		t.Fatalf("zero config resolved to %+v", c)
	}
	again, err := c.Resolved()
	if err != nil || !reflect.DeepEqual(again, c) {
		t.Fatalf("resolving a resolved config changed it: %v", err)
	}
	d := Defaults()
	if d.LR != 0 || d.WarmupEpochs != 0 || d.Augment.Seed != 0 || d.Model.Seed != 0 || d.Epochs != 100 {
		t.Fatalf("Defaults kept a derived value: %+v", d)
	}
	// Derived values follow what is set: a short run warms up a tenth of it.
	if c, _ := (Config{Epochs: 5}).Resolved(); c.WarmupEpochs != 0.5 {
		t.Fatalf("warmup of a 5-epoch run: %v", c.WarmupEpochs)
	}
}

func TestBadValuesNameTheirKey(t *testing.T) {
	for _, c := range []struct {
		cfg Config
		key string
	}{
		{Config{BatchSize: 1}, "batch_size"},
		{Config{Limit: -1}, "limit"},
		{Config{Limit: 100, BatchSize: 256}, "limit"},
		{Config{Epochs: -2}, "epochs"},
		{Config{Optimizer: "rmsprop"}, "optimizer"},
		{Config{LR: -1}, "lr"},
		{Config{LRScaling: "cube"}, "lr_scaling"},
		{Config{Momentum: 1}, "momentum"},
		{Config{WarmupEpochs: math.NaN()}, "warmup_epochs"},
		{Config{WeightDecay: math.Inf(1)}, "weight_decay"},
		{Config{Temperature: -0.5}, "temperature"},
		{Config{Keep: -1}, "keep"},
		{Config{AuxLabels: -3}, "aux_labels"},
	} {
		_, err := c.cfg.Resolved()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != c.key {
			t.Errorf("%+v: error %v, want one naming %s", c.cfg, err, c.key)
		}
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "c.yaml")
	os.WriteFile(yml, []byte("epochs: 3\nbatch-size: 32\nmodel:\n  proj-dim: 64\naugment:\n  strength: 0.8\n"), 0o644)
	c := Defaults()
	if err := LoadConfigFile(yml, &c); err != nil {
		t.Fatal(err)
	}
	if c.Epochs != 3 || c.BatchSize != 32 || c.Model.ProjDim != 64 || c.Augment.Strength != 0.8 || c.Temperature != 0.5 {
		t.Fatalf("loaded %+v", c)
	}
	for name, body := range map[string]string{
		"top.json":    `{"epochs": 1, "learning_rate": 0.1}`,
		"nested.yaml": "model:\n  depth: 3\n",
		"typo.yaml":   "epochz: 3\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		err := LoadConfigFile(p, &c)
		want := map[string]string{"top.json": `"learning_rate"`, "nested.yaml": `"model.depth"`, "typo.yaml": `"epochz" (did you mean epochs?)`}[name]
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming %s and the file", name, err, want)
		}
	}
}

func TestMetricsRoundTripAndResumeTruncation(t *testing.T) {
	dir := t.TempDir()
	f, err := OpenMetrics(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 4; step++ {
		fmt.Fprintf(f, `{"kind":"step","step":%d,"loss":%d}`+"\n", step, step)
	}
	f.Close()
	// Resuming at step 2 drops the lines logged after that checkpoint.
	f, err = OpenMetrics(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, `{"kind":"epoch","step":3,"loss":9}`)
	f.Close()
	ms, err := ReadMetrics(dir)
	if err != nil || len(ms) != 3 || ms[1].Step != 2 || ms[2].Kind != "epoch" || ms[2].Loss != 9 {
		t.Fatalf("metrics after resume: %+v %v", ms, err)
	}
	os.WriteFile(filepath.Join(dir, MetricsFile), []byte("{\"kind\":\"step\"}\nnot json\n"), 0o644)
	if _, err := ReadMetrics(dir); err == nil || !strings.Contains(err.Error(), MetricsFile+":2") {
		t.Fatalf("malformed line: %v", err)
	}
}

func TestCheckpointSaveLoadFind(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "r")
	os.MkdirAll(dir, 0o755)
	ck := &Checkpoint{Config: Config{Epochs: 4}, Epoch: 1, Step: 10, Model: map[string][]float32{"w": {1, 2}}}
	for e := 1; e <= 4; e++ {
		ck.Epoch = e
		if err := ck.Save(dir, 2, true); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadCheckpoint(dir)
	if err != nil || got.Epoch != 4 || got.Model["w"][1] != 2 || got.Config.Epochs != 4 {
		t.Fatalf("loaded %+v %v", got, err)
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "checkpoint-e*.bin"))
	if len(kept) != 2 || filepath.Base(kept[0]) != "checkpoint-e0003.bin" {
		t.Fatalf("kept %v", kept)
	}
	if runs, err := Find(root); err != nil || len(runs) != 1 || runs[0] != dir {
		t.Fatalf("Find: %v %v", runs, err)
	}
	os.WriteFile(filepath.Join(dir, CheckpointFile), []byte("garbage"), 0o644)
	if _, err := LoadCheckpoint(dir); err == nil || !strings.Contains(err.Error(), CheckpointFile) {
		t.Fatalf("garbage checkpoint: %v", err)
	}
	if _, err := LoadCheckpoint(root); err == nil || !strings.Contains(err.Error(), "is it a run directory") {
		t.Fatalf("not a run: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	if err := WriteJSON(p, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v (%v), want 0644", fi.Mode().Perm(), err)
	}
	// A failed write leaves the old file and no temp file.
	err := WriteFileAtomic(p, func(f *os.File) error { f.WriteString("half"); return errors.New("disk full") })
	if err == nil || !strings.Contains(err.Error(), "f.json") {
		t.Fatalf("failed write: %v", err)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), `"a": 1`) {
		t.Fatalf("failed write replaced the file: %q", b)
	}
	os.WriteFile(filepath.Join(dir, ".checkpoint.bin.tmp-123"), nil, 0o600)
	CleanTemps(dir)
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}
