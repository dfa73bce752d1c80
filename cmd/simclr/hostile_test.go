package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bombPNG is datasets/testdata/bomb.png: a PNG of 57 bytes whose header
// claims 60000×60000.
func bombPNG() []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "datasets", "testdata", "bomb.png"))
	if err != nil {
		panic(err)
	}
	return b
}

// The hostile inputs of the reliability issue, each a one-line error (or,
// where the input is legal, the right answer) within seconds, and nothing
// written where nothing should be.
func TestHostileInputs(t *testing.T) {
	dir := cifarDir(t)
	tmp := t.TempDir()
	bomb := filepath.Join(tmp, "bomb")
	os.MkdirAll(filepath.Join(bomb, "train", "a"), 0o755)
	os.WriteFile(filepath.Join(bomb, "train", "a", "x.png"), bombPNG(), 0o644)
	foreign := filepath.Join(tmp, "foreign")
	os.MkdirAll(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	rd := filepath.Join(tmp, "r")
	if code, _, stderr := simclr(t, "train", "--data-dir", dir, "--out", rd, "--epochs", "1", "--batch-size", "32", "--limit", "64", "--knn-bank", "-1"); code != 0 {
		t.Fatalf("train: %s", stderr)
	}
	more := filepath.Join(tmp, "more.yaml")
	os.WriteFile(more, []byte("epochs: 5\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"image bomb", []string{"train", "--dataset", "folder", "--data-dir", bomb, "--out", tmp + "/a", "--batch-size", "2"}, 1, "60000×60000 pixels"},
		{"batch 1e6", []string{"train", "--data-dir", dir, "--out", tmp + "/b", "--batch-size", "1000000"}, 2, "--batch-size 1000000"},
		{"batch > data", []string{"train", "--data-dir", dir, "--out", tmp + "/c", "--batch-size", "60000", "--knn-bank", "-1"}, 1, "cannot fill one batch"},
		{"proj-dim 2e9", []string{"train", "--data-dir", dir, "--out", tmp + "/d", "--proj-dim", "2000000000"}, 2, "projection dimension"},
		{"image-size 1e5", []string{"train", "--dataset", "folder", "--data-dir", bomb, "--out", tmp + "/e", "--image-size", "100000"}, 2, "--image-size 100000"},
		{"views 1e5", []string{"augment", "--dataset", "synthetic", "--views", "100000", "--out", tmp + "/s.png"}, 2, "--views"},
		{"warmup NaN", []string{"train", "--data-dir", dir, "--out", tmp + "/f", "--warmup-epochs", "NaN"}, 2, "--warmup-epochs NaN"},
		{"resume with config", []string{"train", "--resume", rd, "--config", more}, 2, "drop --config"},
		{"foreign out", []string{"train", "--data-dir", dir, "--out", foreign, "--epochs", "1", "--batch-size", "32"}, 1, "is not empty (it holds notes.txt)"},
		{"tau inf", []string{"knn", "--run", rd, "--tau", "+Inf"}, 2, "--tau"},
	} {
		start := time.Now()
		code, _, stderr := simclr(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s: exit %d %q; want exit %d and %q on one line", c.name, code, stderr, c.code, c.want)
		}
		if s := time.Since(start); s > 5*time.Second {
			t.Errorf("%s took %v", c.name, s)
		}
	}
	for _, d := range []string{"/a", "/b", "/c", "/d", "/e", "/f"} {
		if _, err := os.Stat(tmp + d); err == nil {
			t.Errorf("a refused run left %s", d)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "mine" {
		t.Error("the foreign directory's file was touched")
	}
	// An edited config.json is refused on resume; a flipped byte in the
	// checkpoint is refused by eval and resume.
	cfgPath := filepath.Join(rd, "config.json")
	orig, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(orig, []byte(`"epochs": 1`), []byte(`"epochs": 9`), 1), 0o644)
	if code, _, stderr := simclr(t, "train", "--resume", rd); code != 1 || !strings.Contains(stderr, "differs from the config") || !strings.Contains(stderr, "epochs") {
		t.Errorf("edited config.json: exit %d %q", code, stderr)
	}
	os.WriteFile(cfgPath, orig, 0o644)
	ckPath := filepath.Join(rd, "checkpoint.bin")
	ck, _ := os.ReadFile(ckPath)
	ck[len(ck)/2] ^= 1
	os.WriteFile(ckPath, ck, 0o644)
	for _, args := range [][]string{{"eval", "--run", rd}, {"train", "--resume", rd}} {
		if code, _, stderr := simclr(t, args...); code != 1 || !strings.Contains(stderr, "checksum mismatch") {
			t.Errorf("%v on a flipped byte: exit %d %q", args, code, stderr)
		}
	}
}
