package run

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func savedRun(t *testing.T) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	ck := &Checkpoint{Epoch: 2, Step: 20, Model: map[string][]float32{"w": make([]float32, 1000)}}
	if err := ck.Save(dir, 1, false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, CheckpointFile))
	return dir, b
}

// Any damage to checkpoint.bin is an error naming the file, never other
// weights: a flipped byte anywhere, a truncation, another file, an older
// format, non-finite weights.
func TestCheckpointIntegrity(t *testing.T) {
	dir, good := savedRun(t)
	path := filepath.Join(dir, CheckpointFile)
	if _, err := LoadCheckpoint(dir); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(good); i += len(good)/97 + 1 {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x10
		os.WriteFile(path, bad, 0o644)
		if _, err := LoadCheckpoint(dir); err == nil || !strings.Contains(err.Error(), CheckpointFile) {
			t.Fatalf("byte %d of %d flipped: %v", i, len(good), err)
		}
	}
	for name, body := range map[string][]byte{
		"truncated": good[:len(good)-7], "header only": good[:headerSize], "empty": nil,
		"gob of v1": good[headerSize:], "longer": append(append([]byte(nil), good...), 0),
	} {
		os.WriteFile(path, body, 0o644)
		if _, err := LoadCheckpoint(dir); err == nil {
			t.Errorf("%s checkpoint accepted", name)
		}
	}
	ck := &Checkpoint{Model: map[string][]float32{"w": {1, float32(math.Inf(1))}}}
	ck.Save(dir, 1, false)
	if _, err := LoadCheckpoint(dir); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Fatalf("infinite weight: %v", err)
	}
}

// A checkpoint write that fails (a full disk) leaves the previous
// checkpoint intact and no temp file, and says which file failed.
func TestCheckpointWriteFailureKeepsThePrevious(t *testing.T) {
	dir, good := savedRun(t)
	real := writeFile
	defer func() { writeFile = real }()
	writeFile = func(path string, write func(f *os.File) error) error {
		return real(path, func(f *os.File) error {
			f.Write([]byte("partial"))
			return errors.New("no space left on device")
		})
	}
	ck := &Checkpoint{Epoch: 3, Model: map[string][]float32{"w": {5}}}
	err := ck.Save(dir, 1, true)
	if err == nil || !strings.Contains(err.Error(), "no space left") || !strings.Contains(err.Error(), CheckpointFile) {
		t.Fatalf("failed save: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, CheckpointFile)); string(b) != string(good) {
		t.Fatal("a failed save changed checkpoint.bin")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestCheckNew(t *testing.T) {
	dir := t.TempDir()
	if err := CheckNew(filepath.Join(dir, "none")); err != nil {
		t.Fatalf("a new directory: %v", err)
	}
	if err := CheckNew(dir); err != nil {
		t.Fatalf("an empty directory: %v", err)
	}
	// An unfinished run of ours (killed before its first checkpoint) may be
	// started again.
	WriteJSON(filepath.Join(dir, ConfigFile), Config{Epochs: 3})
	os.WriteFile(filepath.Join(dir, MetricsFile), []byte("{\"kind\":\"step\",\"step\":1}\n"), 0o644)
	if err := CheckNew(dir); err != nil {
		t.Fatalf("an unfinished run: %v", err)
	}
	// Files of the same names that are not ours are kept.
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"name": "my web app"}`), 0o644)
	if err := CheckNew(dir); err == nil || !strings.Contains(err.Error(), "not a simclr run's") {
		t.Fatalf("someone else's config.json: %v", err)
	}
	os.Remove(filepath.Join(dir, ConfigFile))
	os.WriteFile(filepath.Join(dir, MetricsFile), []byte("time,value\n1,2\n"), 0o644)
	if err := CheckNew(dir); err == nil || !strings.Contains(err.Error(), MetricsFile) {
		t.Fatalf("someone else's metrics.jsonl: %v", err)
	}
}

// A YAML alias bomb is refused quickly (yaml.v3 limits alias expansion).
func TestConfigAliasBomb(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bomb.yaml")
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	os.WriteFile(p, []byte(b.String()), 0o644)
	c := Defaults()
	start := time.Now()
	if err := LoadConfigFile(p, &c); err == nil {
		t.Fatal("alias bomb accepted")
	}
	if s := time.Since(start); s > 2*time.Second {
		t.Fatalf("alias bomb took %v", s)
	}
}
