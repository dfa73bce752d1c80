package run

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// File names inside a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.jsonl"
	CheckpointFile = "checkpoint.bin"
)

// Checkpoint is the state a run leaves behind.
type Checkpoint struct {
	Format string
	Config Config
	Epoch  int // completed epochs
	Step   int // completed steps
	// TrainSec is the training wall-clock of the completed steps, summed
	// over the processes that ran them (a killed process's steps after its
	// last checkpoint are not counted: they are run again). 0 in
	// checkpoints written before it was recorded.
	TrainSec  float64
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

// The checkpoint file: a fixed header, then the gob-encoded Checkpoint.
//
//	magic    8 bytes  "SIMCLRck"
//	version  uint32   little-endian, checkpointVersion
//	length   uint64   payload bytes
//	sha256   32 bytes of the payload
//	payload  gob(Checkpoint)
//
// Load checks all four before decoding, so a flipped byte, a truncated
// file or another program's file is an error naming the file, never
// silently different weights.
const (
	checkpointMagic   = "SIMCLRck"
	checkpointVersion = 2
	checkpointFormat  = "simclr-go checkpoint v2"
	headerSize        = 8 + 4 + 8 + sha256.Size
	// MaxCheckpointBytes bounds what LoadCheckpoint reads (a ResNet-18 at
	// width 16 with its optimizer state is under 4 GiB).
	MaxCheckpointBytes = 8 << 30
)

// Save writes dir/checkpoint.bin and, when history is set, also
// checkpoint-eNNNN.bin, keeping the newest keep of those.
func (c *Checkpoint) Save(dir string, keep int, history bool) error {
	c.Format = checkpointFormat
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(c); err != nil {
		return fmt.Errorf("encoding the checkpoint: %w", err)
	}
	sum := sha256.Sum256(payload.Bytes())
	hdr := make([]byte, 0, headerSize)
	hdr = append(hdr, checkpointMagic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, checkpointVersion)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(payload.Len()))
	hdr = append(hdr, sum[:]...)
	write := func(name string) error {
		return writeFile(filepath.Join(dir, name), func(f *os.File) error {
			if _, err := f.Write(hdr); err != nil {
				return err
			}
			_, err := f.Write(payload.Bytes())
			return err
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
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if _, derr := os.Stat(dir); derr != nil {
			return nil, fmt.Errorf("run directory %s: %w", dir, derr)
		}
		return nil, fmt.Errorf("%s has no %s: is it a run directory of simclr train?", dir, CheckpointFile)
	}
	return ReadCheckpoint(path)
}

// ReadCheckpoint reads one checkpoint file (checkpoint.bin or a kept
// checkpoint-eNNNN.bin), verifying its header and checksum, and refuses
// non-finite tensors.
func ReadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	c, err := decodeCheckpoint(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// decodeCheckpoint reads a checkpoint of size bytes from r.
func decodeCheckpoint(r io.Reader, size int64) (*Checkpoint, error) {
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("not a simclr-go checkpoint (%d bytes, shorter than its header)", size)
	}
	if string(hdr[:8]) != checkpointMagic {
		return nil, errors.New("not a simclr-go checkpoint (no SIMCLRck header; checkpoints of simclr-go before v2 have none and must be retrained)")
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != checkpointVersion {
		return nil, fmt.Errorf("checkpoint format v%d, this simclr-go reads v%d", v, checkpointVersion)
	}
	n := binary.LittleEndian.Uint64(hdr[12:])
	if n > MaxCheckpointBytes || int64(n) != size-headerSize {
		return nil, fmt.Errorf("checkpoint says %d payload bytes, the file holds %d: truncated or damaged", n, size-headerSize)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, fmt.Errorf("reading the checkpoint: %w", err)
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], hdr[20:]) {
		return nil, errors.New("checksum mismatch: the checkpoint is damaged (a flipped or lost byte); use a kept checkpoint-eNNNN.bin")
	}
	var c Checkpoint
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&c); err != nil {
		return nil, fmt.Errorf("not a readable checkpoint: %w", err)
	}
	if c.Format != checkpointFormat {
		return nil, fmt.Errorf("format %q, want %q", c.Format, checkpointFormat)
	}
	for part, m := range map[string]map[string][]float32{"model": c.Model, "optimizer": c.Optimizer, "method": c.Method, "online probe": c.Aux} {
		for name, t := range m {
			for _, v := range t {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, fmt.Errorf("%s tensor %s holds %v: refusing non-finite weights", part, name, v)
				}
			}
		}
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

// CheckNew returns nil when dir may receive a new run: it does not exist,
// is empty, or holds only an unfinished run of ours (a config.json and
// metrics.jsonl written before the first checkpoint). A finished or
// resumable run, or any other file, is an error: nothing a user wrote is
// overwritten.
func CheckNew(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		return fmt.Errorf("%s already holds a run (%s); choose another --out or --resume it", dir, CheckpointFile)
	}
	for _, e := range entries {
		switch name := e.Name(); {
		case name == ConfigFile || name == MetricsFile || (strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")):
		default:
			return fmt.Errorf("%s is not empty (it holds %s) and is not a run directory: choose another --out", dir, name)
		}
	}
	// What remains must be ours: a config.json of a Config, metrics lines.
	if b, err := os.ReadFile(filepath.Join(dir, ConfigFile)); err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var c Config
		if dec.Decode(&c) != nil {
			return fmt.Errorf("%s holds a %s that is not a simclr run's: choose another --out", dir, ConfigFile)
		}
	}
	if _, err := ReadMetrics(dir); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("%s holds a %s that is not a simclr run's: choose another --out", dir, MetricsFile)
	}
	return nil
}

// CheckConfig compares dir/config.json, when there is one, with the
// checkpoint's config: a run's config cannot change under it.
func (c *Checkpoint) CheckConfig(dir string) error {
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var onDisk, saved map[string]any
	if err := json.Unmarshal(b, &onDisk); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	js, _ := json.Marshal(c.Config)
	json.Unmarshal(js, &saved)
	if key := firstDifference(onDisk, saved, ""); key != "" {
		return fmt.Errorf("%s differs from the config in %s at %s: a run's config cannot change; start a new run with --config %s", path, CheckpointFile, key, path)
	}
	return nil
}

// firstDifference is the first key (in sorted order, nested keys dotted)
// whose value differs between a and b, or "".
func firstDifference(a, b map[string]any, prefix string) string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		am, aok := a[k].(map[string]any)
		bm, bok := b[k].(map[string]any)
		if aok && bok {
			if d := firstDifference(am, bm, prefix+k+"."); d != "" {
				return d
			}
			continue
		}
		if !reflect.DeepEqual(a[k], b[k]) {
			return prefix + k
		}
	}
	return ""
}
