package train

import (
	"encoding/gob"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.jsonl"
	CheckpointFile = "checkpoint.bin"
)

// Checkpoint is the state a run leaves behind.
type Checkpoint struct {
	Format   string
	Config   Config
	Epoch    int // completed epochs
	Step     int // completed steps
	Model    map[string][]float32
	Momentum map[string][]float32
}

const checkpointFormat = "simclr-go checkpoint v1"

// WriteFileAtomic writes data to path through a temp file in the same
// directory, synced and renamed into place.
func WriteFileAtomic(path string, write func(f *os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Save writes c to dir/checkpoint.bin atomically.
func (c *Checkpoint) Save(dir string) error {
	c.Format = checkpointFormat
	return WriteFileAtomic(filepath.Join(dir, CheckpointFile), func(f *os.File) error {
		return gob.NewEncoder(f).Encode(c)
	})
}

// LoadCheckpoint reads the checkpoint of the run in dir.
func LoadCheckpoint(dir string) (*Checkpoint, error) {
	path := filepath.Join(dir, CheckpointFile)
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			if _, derr := os.Stat(dir); derr != nil {
				return nil, fmt.Errorf("run directory %s: %w", dir, derr)
			}
			return nil, fmt.Errorf("%s has no %s: is it a run directory of simclr train?", dir, CheckpointFile)
		}
		return nil, err
	}
	defer f.Close()
	var c Checkpoint
	if err := gob.NewDecoder(f).Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: not a readable checkpoint: %w", path, err)
	}
	if c.Format != checkpointFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", path, c.Format, checkpointFormat)
	}
	return &c, nil
}

func writeJSON(path string, v any) error {
	return WriteFileAtomic(path, func(f *os.File) error {
		e := json.NewEncoder(f)
		e.SetIndent("", "  ")
		return e.Encode(v)
	})
}
