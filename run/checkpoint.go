package run

import (
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.jsonl"
	CheckpointFile = "checkpoint.bin"
)

// Checkpoint is the state a run leaves behind.
type Checkpoint struct {
	Format    string
	Config    Config
	Epoch     int // completed epochs
	Step      int // completed steps
	Model     map[string][]float32
	Optimizer map[string][]float32
	Aux       map[string][]float32 // the online probe's weights and momentum, if any
	Method    map[string][]float32 // the training method's own tensors, if any (a classifier, say)
	// Partial holds the running sums of a checkpoint written mid-epoch
	// (on an interrupt), so a resumed run logs what an uninterrupted one
	// would.
	Partial Partial
	// Randomness needs no state here: shuffles and augmentations are
	// seeded by (Config.Seed, epoch, image, view), so epoch and step say
	// where every generator stands.
}

// Partial is the in-epoch running state of the metrics.
type Partial struct {
	EpochLoss, WinLoss float64
	WinSteps           int
	AuxSeen, AuxRight  int
	AuxLoss            float64
	AuxSteps           int
}

const checkpointFormat = "simclr-go checkpoint v1"

// Save writes dir/checkpoint.bin and, when history is set, also
// checkpoint-eNNNN.bin, keeping the newest keep of those.
func (c *Checkpoint) Save(dir string, keep int, history bool) error {
	c.Format = checkpointFormat
	write := func(name string) error {
		return WriteFileAtomic(filepath.Join(dir, name), func(f *os.File) error {
			return gob.NewEncoder(f).Encode(c)
		})
	}
	if err := write(CheckpointFile); err != nil {
		return err
	}
	if !history || keep <= 0 {
		return nil
	}
	if err := write(fmt.Sprintf("checkpoint-e%04d.bin", c.Epoch)); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "checkpoint-e*.bin"))
	sort.Strings(old)
	for len(old) > keep {
		os.Remove(old[0])
		old = old[1:]
	}
	return nil
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

// Find lists the run directories at or below root (directories holding a
// checkpoint.bin), in lexical order.
func Find(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && e.Name() == CheckpointFile {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	return dirs, err
}
