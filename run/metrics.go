package run

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Metrics is one line of metrics.jsonl.
type Metrics struct {
	Kind         string   `json:"kind"` // "step" or "epoch"
	Epoch        int      `json:"epoch"`
	Step         int      `json:"step"`
	Loss         float64  `json:"loss"` // step: mean over the logged steps; epoch: mean over the epoch
	LR           float64  `json:"lr"`
	ImagesPerSec float64  `json:"images_per_sec"`
	ViewsPerSec  float64  `json:"views_per_sec"`
	ElapsedSec   float64  `json:"elapsed_sec"`        // training wall-clock so far, summed over resumes
	AuxTop1      float64  `json:"aux_top1,omitempty"` // epoch lines: online probe accuracy on the labelled first views
	AuxLoss      float64  `json:"aux_loss,omitempty"`
	KNNTop1      *float64 `json:"knn_top1,omitempty"` // epoch lines: kNN monitor accuracy
	// Step lines of a data-parallel run: rank 0's seconds per step in
	// all-reduces (gradients, loss, SyncBN) and all-gathers (projections),
	// waiting for the other ranks included.
	AllReduceSec float64 `json:"allreduce_sec,omitempty"`
	AllGatherSec float64 `json:"allgather_sec,omitempty"`
}

// OpenMetrics opens dir/metrics.jsonl for appending, first dropping lines
// past step (written after the checkpoint a resumed run starts from); step
// 0 starts the file afresh.
func OpenMetrics(dir string, step int) (*os.File, error) {
	path := filepath.Join(dir, MetricsFile)
	if step == 0 {
		return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	}
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var keep []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		var m Metrics
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &m) != nil || m.Step > step {
			continue
		}
		keep = append(keep, line...)
	}
	if err := WriteFileAtomic(path, func(f *os.File) error { _, err := f.Write(keep); return err }); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
}

// ReadMetrics reads dir/metrics.jsonl; a malformed line is an error naming
// the file and line.
func ReadMetrics(dir string) ([]Metrics, error) {
	path := filepath.Join(dir, MetricsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Metrics
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var m Metrics
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
