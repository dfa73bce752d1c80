package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"github.com/simclr-go/simclr/internal/safetensors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simclr-go/simclr/datasets"
	"github.com/simclr-go/simclr/encoder"
	"github.com/simclr-go/simclr/eval"
	"github.com/simclr-go/simclr/run"
)

func simclr(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// cifarDir writes a tiny CIFAR-10 directory: 64 records per file.
func cifarDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rec := make([]byte, 3073)
	for _, f := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		var b []byte
		for i := 0; i < 64; i++ {
			rec[0] = byte(i % 10)
			for j := 1; j < len(rec); j++ {
				rec[j] = byte(i*7 + j)
			}
			b = append(b, rec...)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBadInputIsOneLineError(t *testing.T) {
	good := cifarDir(t)
	trunc := cifarDir(t)
	p := filepath.Join(trunc, "data_batch_1.bin")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-100], 0o644)
	label := cifarDir(t)
	p = filepath.Join(label, "data_batch_1.bin")
	b, _ = os.ReadFile(p)
	b[5*3073] = 11
	os.WriteFile(p, b, 0o644)
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"truncated", []string{"train", "--data-dir", trunc, "--out", out + "/a", "--epochs", "1", "--batch-size", "32"}, 1, "data_batch_1.bin: 196572 bytes is not a whole number"},
		{"label 11", []string{"train", "--data-dir", label, "--out", out + "/b", "--epochs", "1", "--batch-size", "32"}, 1, "record 5: label 11 out of range 0..9"},
		{"missing dir", []string{"train", "--data-dir", filepath.Join(good, "nope"), "--out", out + "/c"}, 1, "nope"},
		{"batch 0", []string{"train", "--data-dir", good, "--out", out + "/d", "--batch-size", "0"}, 2, "--batch-size 0: must be at least 2"},
		{"temperature 0", []string{"train", "--data-dir", good, "--out", out + "/e", "--temperature", "0"}, 2, "--temperature 0: must be positive"},
		{"no out", []string{"train", "--data-dir", good}, 2, "--out is required"},
		{"bad flag", []string{"train", "--bogus"}, 2, "unknown flag --bogus; run 'simclr train -h'"},
		{"typo flag", []string{"train", "-epoch", "3"}, 2, "unknown flag --epoch (did you mean --epochs?)"},
		{"bad optimizer", []string{"train", "--data-dir", good, "--out", out + "/g", "--optimizer", "adam"}, 2, "simclr train: --optimizer"},
		{"unknown dataset", []string{"train", "--dataset", "mnist", "--out", out + "/f"}, 2, "mnist"},
		{"eval missing run", []string{"eval", "--run", filepath.Join(out, "none")}, 1, "none"},
		{"unknown command", []string{"trian"}, 2, `unknown command "trian" (did you mean train?)`},
	} {
		code, _, stderr := simclr(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, stderr, tc.code, tc.want)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") > 0 || strings.Contains(stderr, "train: train:") {
			t.Errorf("%s: error is not one line: %q", tc.name, stderr)
		}
		if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: panicked: %s", tc.name, stderr)
		}
	}
}

func TestTrainThenEvalJSON(t *testing.T) {
	dir := cifarDir(t)
	rd := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := simclr(t, "train", "--data-dir", dir, "--out", rd, "--epochs", "2", "--batch-size", "32", "--limit", "64", "--seed", "3")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "checkpoint.bin (epoch 2, step 4)") || !strings.Contains(stdout, "next: simclr eval --run "+rd) {
		t.Fatalf("train said %q", stdout)
	}
	for _, f := range []string{"config.json", "metrics.jsonl", "checkpoint.bin"} {
		if _, err := os.Stat(filepath.Join(rd, f)); err != nil {
			t.Fatal(err)
		}
	}
	// The run directory is not overwritten by a second train.
	if code, _, stderr := simclr(t, "train", "--data-dir", dir, "--out", rd, "--epochs", "1", "--batch-size", "32"); code == 0 || !strings.Contains(stderr, "already holds a run") {
		t.Fatalf("second train into the same --out: exit %d %q", code, stderr)
	}
	code, stdout, stderr = simclr(t, "eval", "--run", rd, "--json", "--reg", "1e-3")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	var rep struct {
		Top1   float64 `json:"top1"`
		NTrain int     `json:"n_train"`
		NTest  int     `json:"n_test"`
		Dim    int     `json:"feature_dim"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("eval --json printed %q: %v", stdout, err)
	}
	if rep.Top1 < 0 || rep.Top1 > 1 || rep.NTrain != 320 || rep.NTest != 64 || rep.Dim != 256 {
		t.Fatalf("report %+v", rep)
	}
	for _, f := range []string{EvalFile, "eval-confusion.png"} {
		if _, err := os.Stat(filepath.Join(rd, f)); err != nil {
			t.Fatal(err)
		}
	}
	// In text, eval says what it wrote; a second head keeps the first's file.
	code, stdout, _ = simclr(t, "eval", "--run", rd, "--head", "mse")
	if want := "wrote " + filepath.Join(rd, "eval-mse.json") + ", " + filepath.Join(rd, "eval-mse-confusion.png"); code != 0 || !strings.Contains(stdout, want) {
		t.Fatalf("eval --head mse said %q, want %q", stdout, want)
	}
	if _, err := os.Stat(filepath.Join(rd, EvalFile)); err != nil {
		t.Fatal(err)
	}
	// With the random-init baseline cached, a run's eval reads against it.
	t.Setenv("SIMCLR_DATA", t.TempDir())
	if code, _, stderr := simclr(t, "eval", "--baseline", "random", "--data-dir", dir, "--reg", "1e-3"); code != 0 {
		t.Fatalf("eval --baseline random: %s", stderr)
	}
	code, stdout, _ = simclr(t, "eval", "--run", rd, "--reg", "1e-3")
	if code != 0 || !strings.Contains(stdout, "against baseline random (same probe and images") {
		t.Fatalf("eval with a cached baseline said %q", stdout)
	}
	// A smaller evaluation keeps the fuller one and says where it went.
	code, stdout, _ = simclr(t, "eval", "--run", rd, "--test-limit", "16")
	if want := filepath.Join(rd, "eval-320x16.json"); code != 0 || !strings.Contains(stdout, "wrote "+want) {
		t.Fatalf("eval --test-limit 16 said %q, want it to write %s", stdout, want)
	}
	if b, _ := os.ReadFile(filepath.Join(rd, EvalFile)); !strings.Contains(string(b), `"n_test": 64`) {
		t.Fatalf("the full eval.json was replaced: %.200s", b)
	}
	// Weights out: safetensors with PyTorch names and the loader's metadata.
	st := filepath.Join(t.TempDir(), "model.safetensors")
	if code, stdout, stderr := simclr(t, "export", "--run", rd, "--weights", st); code != 0 || !strings.Contains(stdout, "wrote "+st) {
		t.Fatalf("export --weights: exit %d %q %q", code, stdout, stderr)
	}
	b, _ := os.ReadFile(st)
	ts, meta, err := safetensors.Read(b)
	if err != nil || len(ts) == 0 || ts[0].Name != "encoder.conv1.weight" || meta["arch"] != "small" || meta["mean"] == "" {
		t.Fatalf("weights: %v, first %q, meta %v", err, ts[0].Name, meta)
	}
	// Curves of the rd, as PNG and SVG.
	if code, _, stderr := simclr(t, "plot", "--run", rd, "--features", "--n", "40"); code != 0 {
		t.Fatalf("plot: %s", stderr)
	}
	for _, f := range []string{"loss.png", "loss.svg", "lr.png", "lr.svg", "accuracy.png", "features-pca.png", "features-pca.svg"} {
		if fi, err := os.Stat(filepath.Join(rd, f)); err != nil || fi.Size() < 1000 {
			t.Fatalf("plot wrote no %s: %v", f, err)
		}
	}
}

func TestConfigFilePrecedenceAndUnknownKeys(t *testing.T) {
	dir := cifarDir(t)
	tmp := t.TempDir()
	cfgPath := filepath.Join(tmp, "run.yaml")
	os.WriteFile(cfgPath, []byte("epochs: 3\nbatch_size: 32\nlimit: 64\noptimizer: lars\nknn_bank: -1\naugment:\n  strength: 0.8\n"), 0o644)
	rd := filepath.Join(tmp, "r")
	// The flag overrides the file's epochs; the file's other keys stand.
	code, _, stderr := simclr(t, "train", "--config", cfgPath, "--data-dir", dir, "--out", rd, "--epochs", "1")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	b, _ := os.ReadFile(filepath.Join(rd, "config.json"))
	var got struct {
		Epochs    int    `json:"epochs"`
		BatchSize int    `json:"batch_size"`
		Optimizer string `json:"optimizer"`
		Augment   struct {
			Strength float64 `json:"strength"`
		} `json:"augment"`
	}
	json.Unmarshal(b, &got)
	if got.Epochs != 1 || got.BatchSize != 32 || got.Optimizer != "lars" || got.Augment.Strength != 0.8 {
		t.Fatalf("resolved config %s", b)
	}
	// JSON works too, and an unknown key is an error naming it.
	bad := filepath.Join(tmp, "bad.json")
	os.WriteFile(bad, []byte(`{"epochs": 1, "learning_rate": 0.1}`), 0o644)
	code, _, stderr = simclr(t, "train", "--config", bad, "--data-dir", dir, "--out", filepath.Join(tmp, "x"))
	if code != 2 || !strings.Contains(stderr, "learning_rate") || !strings.Contains(stderr, "bad.json") {
		t.Fatalf("unknown key: exit %d %q", code, stderr)
	}
}

func TestResumeFromCLI(t *testing.T) {
	dir := cifarDir(t)
	rd := filepath.Join(t.TempDir(), "r")
	if code, _, stderr := simclr(t, "train", "--data-dir", dir, "--out", rd, "--epochs", "1", "--batch-size", "32", "--limit", "64", "--knn-bank", "-1"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	// A finished run resumes to an error that says so; extra flags are refused.
	if code, _, stderr := simclr(t, "train", "--resume", rd); code == 0 || !strings.Contains(stderr, "already complete") {
		t.Fatalf("resume of a finished run: exit %d %q", code, stderr)
	}
	if code, _, stderr := simclr(t, "train", "--resume", rd, "--epochs", "5"); code != 2 || !strings.Contains(stderr, "drop --epochs") {
		t.Fatalf("resume with flags: exit %d %q", code, stderr)
	}
}

// TestExportMatchesFeatures checks that simclr export writes the features
// the probe uses: same values as eval.Features on the same images.
func TestExportMatchesFeatures(t *testing.T) {
	dir := cifarDir(t)
	rd := filepath.Join(t.TempDir(), "r")
	if code, _, stderr := simclr(t, "train", "--data-dir", dir, "--out", rd, "--epochs", "1", "--batch-size", "32", "--limit", "64", "--knn-bank", "-1"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	out := filepath.Join(t.TempDir(), "f.npy")
	if code, _, stderr := simclr(t, "export", "--run", rd, "--split", "test", "--out", out); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	hl := int(b[8]) | int(b[9])<<8
	if !strings.Contains(string(b[10:10+hl]), "'shape': (64, 256)") {
		t.Fatalf("header %q", b[10:10+hl])
	}
	data := b[10+hl:]
	ck, _ := run.LoadCheckpoint(rd)
	m, _ := encoder.New(ck.Config.Model)
	m.Load(ck.Model)
	d, _ := datasets.LoadCIFAR10(dir, datasets.Test, 0)
	want, err := eval.Features(context.Background(), m, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 4*len(want) {
		t.Fatalf("%d bytes of data for %d features", len(data), len(want))
	}
	for i, w := range want {
		if got := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:])); got != w {
			t.Fatalf("feature %d: exported %v, eval.Features %v", i, got, w)
		}
	}
	lb, _ := os.ReadFile(filepath.Join(filepath.Dir(out), "f.labels.npy"))
	if !strings.Contains(string(lb[:128]), "'<i8'") || !strings.Contains(string(lb[:128]), "(64,)") {
		t.Fatalf("labels header %q", lb[:128])
	}
}

func TestAugmentContactSheet(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sheet.png")
	code, stdout, stderr := simclr(t, "augment", "--dataset", "synthetic", "--n", "3", "--views", "5", "--out", out)
	if code != 0 || !strings.Contains(stdout, "3 images × (original + 5 views)") {
		t.Fatalf("augment: exit %d %q %q", code, stdout, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 3 rows of 32·3+4 pixels; 6 columns of the same plus margins.
	if b := img.Bounds(); b.Dy() != 3*100 || b.Dx() != 6*100+4 {
		t.Fatalf("sheet is %v", b)
	}
}

// An ImageFolder tree of PNGs goes through the same commands as CIFAR:
// contact sheet, augmentation benchmark, one epoch of training, eval.
func TestFolderDataset(t *testing.T) {
	dir := t.TempDir()
	for s, n := range map[string]int{"train": 12, "test": 6} {
		for c, class := range []string{"disk", "square"} {
			for i := range n {
				m := image.NewNRGBA(image.Rect(0, 0, 24+i, 20))
				for y := 0; y < 20; y++ {
					for x := 0; x < 24+i; x++ {
						in := (x-12)*(x-12)+(y-10)*(y-10) < 36
						if c == 1 {
							in = x > 6 && x < 18 && y > 4 && y < 16
						}
						v := uint8(40 + 5*i)
						if in {
							v = 220
						}
						m.SetNRGBA(x, y, color.NRGBA{v, v, uint8(i * 10), 255})
					}
				}
				p := filepath.Join(dir, s, class, fmt.Sprintf("%02d.png", i))
				os.MkdirAll(filepath.Dir(p), 0o755)
				f, _ := os.Create(p)
				png.Encode(f, m)
				f.Close()
			}
		}
	}
	sheet := filepath.Join(t.TempDir(), "sheet.png")
	if code, _, stderr := simclr(t, "augment", "--dataset", "folder", "--data-dir", dir, "--image-size", "16", "--n", "2", "--views", "2", "--out", sheet); code != 0 {
		t.Fatalf("augment on a folder: exit %d %q", code, stderr)
	}
	code, stdout, stderr := simclr(t, "bench", "augment", "--dataset", "folder", "--data-dir", dir, "--n", "24", "--json")
	var res AugmentBenchResult
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Views != 48 || res.ViewsPerSec <= 0 {
		t.Fatalf("bench augment on a folder: exit %d %q %q", code, stdout, stderr)
	}
	rd := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := simclr(t, "train", "--dataset", "folder", "--data-dir", dir, "--image-size", "16", "--epochs", "1",
		"--batch-size", "8", "--knn-bank", "8", "--knn-queries", "4", "--out", rd); code != 0 {
		t.Fatalf("train on a folder: exit %d %q", code, stderr)
	}
	code, stdout, stderr = simclr(t, "eval", "--run", rd, "--json")
	if code != 0 || !strings.Contains(stdout, `"n_train":24`) || !strings.Contains(stdout, `"n_test":12`) {
		t.Fatalf("eval of a folder run: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := simclr(t, "train", "--dataset", "folder", "--out", filepath.Join(t.TempDir(), "x")); code != 2 || !strings.Contains(stderr, "--data-dir") {
		t.Fatalf("folder without --data-dir: exit %d %q", code, stderr)
	}

	// A flat folder of unlabelled PNGs trains (no kNN monitor, said so);
	// its eval asks for a labelled split, and gets one with --data-dir.
	flat := t.TempDir()
	for _, class := range []string{"disk", "square"} {
		ps, _ := filepath.Glob(filepath.Join(dir, "train", class, "*.png"))
		for _, p := range ps {
			b, _ := os.ReadFile(p)
			os.WriteFile(filepath.Join(flat, class+"-"+filepath.Base(p)), b, 0o644)
		}
	}
	fr := filepath.Join(t.TempDir(), "flat")
	code, stdout, stderr = simclr(t, "train", "--dataset", "folder", "--data-dir", flat, "--image-size", "16", "--epochs", "1", "--batch-size", "8", "--out", fr)
	if code != 0 || !strings.Contains(stdout+stderr, "is unlabelled: no kNN monitor") {
		t.Fatalf("train on a flat folder: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := simclr(t, "eval", "--run", fr); code != 1 || !strings.Contains(stderr, "is unlabelled") || !strings.Contains(stderr, "train/<class>/") {
		t.Fatalf("eval of a flat-folder run: exit %d %q", code, stderr)
	}
	if code, stdout, stderr := simclr(t, "eval", "--run", fr, "--data-dir", dir, "--json"); code != 0 || !strings.Contains(stdout, `"n_test":12`) {
		t.Fatalf("eval of a flat-folder run on a labelled folder: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := simclr(t, "train", "--dataset", "folder", "--data-dir", flat, "--method", "supervised", "--epochs", "1", "--batch-size", "8", "--out", fr+"2"); code != 1 || !strings.Contains(stderr, "need labels") {
		t.Fatalf("supervised on a flat folder: exit %d %q", code, stderr)
	}
}

// The supervised upper bound trains through the same command and
// evaluates like any run; a bad method is a usage error naming the flag.
func TestSupervisedFromCLI(t *testing.T) {
	dir := cifarDir(t)
	rd := filepath.Join(t.TempDir(), "sup")
	code, _, stderr := simclr(t, "train", "--method", "supervised", "--data-dir", dir, "--out", rd, "--epochs", "1", "--batch-size", "32", "--limit", "64", "--knn-bank", "-1")
	if code != 0 || !strings.Contains(stderr, "train: supervised") {
		t.Fatalf("supervised train: exit %d %q", code, stderr)
	}
	ck, err := run.LoadCheckpoint(rd)
	if err != nil || ck.Config.Method != "supervised" || len(ck.Method["classifier.w"]) == 0 {
		t.Fatalf("supervised checkpoint: %v", err)
	}
	if code, _, stderr := simclr(t, "eval", "--run", rd, "--json", "--reg", "1e-3"); code != 0 {
		t.Fatalf("eval of a supervised run: exit %d %q", code, stderr)
	}
	if code, _, stderr := simclr(t, "train", "--method", "byol", "--data-dir", dir, "--out", filepath.Join(t.TempDir(), "x")); code != 2 || !strings.Contains(stderr, "--method byol") {
		t.Fatalf("unknown method: exit %d %q", code, stderr)
	}
}

// Help goes to stdout with exit 0 (simclr -h, simclr help, simclr help CMD,
// simclr CMD -h); train's flags come in groups; --version names the build.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"--help"}} {
		code, stdout, stderr := simclr(t, args...)
		if code != 0 || !strings.Contains(stdout, "experiment  run the rows") || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"help", "train"}, {"train", "-h"}} {
		code, stdout, stderr := simclr(t, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage: simclr train [flags]") ||
			!strings.Contains(stdout, "optimisation:\n  --epochs int") || !strings.Contains(stdout, "Examples:") {
			t.Errorf("%v: exit %d, stderr %q, stdout:\n%s", args, code, stderr, stdout)
		}
	}
	if code, stdout, _ := simclr(t, "help", "bench", "augment"); code != 0 || !strings.Contains(stdout, "Usage: simclr bench augment") {
		t.Errorf("help bench augment: exit %d: %s", code, stdout)
	}
	if code, stdout, _ := simclr(t, "--version"); code != 0 || !strings.HasPrefix(stdout, "simclr ") || !strings.Contains(stdout, "go1.") {
		t.Errorf("--version: exit %d: %q", code, stdout)
	}
	if code, _, stderr := simclr(t); code != 2 || !strings.Contains(stderr, "Usage:") {
		t.Errorf("no command: exit %d: %q", code, stderr)
	}
}

// A config file with a time budget and no epochs plans the epochs (the
// CLI's default of 100 does not override the file's budget).
func TestConfigFileTimeBudget(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "budget.yaml")
	os.WriteFile(p, []byte("dataset: synthetic\nlimit: 64\nbatch_size: 32\ntime_budget_sec: 2\nknn_bank: -1\n"), 0o644)
	rd := filepath.Join(dir, "run")
	if code, _, stderr := simclr(t, "train", "--config", p, "--out", rd); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	var c struct {
		Epochs     int     `json:"epochs"`
		TimeBudget float64 `json:"time_budget_sec"`
	}
	b, _ := os.ReadFile(filepath.Join(rd, "config.json"))
	if err := json.Unmarshal(b, &c); err != nil || c.Epochs == 100 || c.Epochs < 1 || c.TimeBudget != 2 {
		t.Fatalf("config.json %s: %+v %v", b, c, err)
	}
}

// simclr pack writes train.pack and test.pack, and a run trains on them.
func TestPackThenTrain(t *testing.T) {
	dir := cifarDir(t)
	out := filepath.Join(t.TempDir(), "packed")
	code, stdout, stderr := simclr(t, "pack", "--dataset", "cifar10", "--data-dir", dir, "--out", out)
	if code != 0 || !strings.Contains(stdout, "train.pack (320 images)") || !strings.Contains(stdout, "test.pack (64 images)") {
		t.Fatalf("pack: exit %d %q %q", code, stdout, stderr)
	}
	rd := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := simclr(t, "train", "--dataset", "packed", "--data-dir", out, "--epochs", "1", "--batch-size", "32", "--knn-bank", "64", "--out", rd); code != 0 {
		t.Fatalf("train on a pack: exit %d %q", code, stderr)
	}
	if code, _, stderr := simclr(t, "train", "--dataset", "packed", "--out", rd+"2"); code != 2 || !strings.Contains(stderr, "--dataset packed needs --data-dir") {
		t.Fatalf("packed without --data-dir: exit %d %q", code, stderr)
	}
}

// With no recipe flags train uses the measured short-budget recipe;
// --paper the paper's; lars and adamw keep their own learning rates; a
// config file's full recipe gives the crop.
func TestTrainDefaultsAreTheMeasuredRecipe(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full.yaml")
	os.WriteFile(full, []byte("augment:\n  recipe: {scale: [0.3, 1], ratio: [0.75, 1.3333333333333333], flip_p: 0.5, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}\n"), 0o644)
	type want struct {
		temp, cropMin, lr, wd, warm float64
		scale0                      float64 // from a full recipe, else 0
	}
	for i, c := range []struct {
		args []string
		want want
	}{
		{nil, want{0.2, 0.2, 0.12, 5e-4, -1, 0}},
		{[]string{"--paper"}, want{0.5, 0, 0.3, 1e-6, 0.1, 0}},
		{[]string{"--optimizer", "adamw"}, want{0.2, 0.2, 1e-3, 5e-4, -1, 0}},
		{[]string{"--crop-min", "0.35", "--temperature", "0.1"}, want{0.1, 0.35, 0.12, 5e-4, -1, 0}},
		{[]string{"--config", full}, want{0.2, 0, 0.12, 5e-4, -1, 0.3}},
	} {
		rd := filepath.Join(dir, fmt.Sprint(i))
		args := append([]string{"train", "--dataset", "synthetic", "--limit", "64", "--batch-size", "32", "--epochs", "1", "--knn-bank", "-1", "--out", rd}, c.args...)
		if code, _, stderr := simclr(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		var got struct {
			Temperature  float64 `json:"temperature"`
			LR           float64 `json:"lr"`
			WeightDecay  float64 `json:"weight_decay"`
			WarmupEpochs float64 `json:"warmup_epochs"`
			Augment      struct {
				CropMin float64 `json:"crop_min"`
				Recipe  *struct {
					Scale [2]float64 `json:"scale"`
				} `json:"recipe"`
			} `json:"augment"`
		}
		b, _ := os.ReadFile(filepath.Join(rd, "config.json"))
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		g := want{got.Temperature, got.Augment.CropMin, got.LR, got.WeightDecay, got.WarmupEpochs, 0}
		if got.Augment.Recipe != nil {
			g.scale0 = got.Augment.Recipe.Scale[0]
		}
		if g != c.want {
			t.Errorf("%v: config %+v, want %+v", c.args, g, c.want)
		}
	}
}

// bench --eval times the feature pass and says so in its JSON.
func TestBenchFeatures(t *testing.T) {
	code, stdout, stderr := simclr(t, "bench", "--eval", "--arch", "resnet18", "--width", "0.125", "--batch-size", "4", "--warmup", "0", "--steps", "1", "--json")
	var res struct {
		Mode         string  `json:"mode"`
		Batch        int     `json:"batch_size"`
		ImagesPerSec float64 `json:"images_per_sec"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Mode != "eval" || res.Batch != 4 || !(res.ImagesPerSec > 0) {
		t.Fatalf("bench --eval: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := simclr(t, "bench", "--eval", "--arch", "vgg"); code != 2 || !strings.Contains(stderr, "vgg") {
		t.Fatalf("bench --eval --arch vgg: exit %d %q", code, stderr)
	}
}
