package run

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// withHeader wraps a payload in a valid checkpoint header, so that the
// fuzzer reaches the gob decoder too.
func withHeader(payload []byte) []byte {
	sum := sha256.Sum256(payload)
	b := append([]byte(checkpointMagic), binary.LittleEndian.AppendUint32(nil, checkpointVersion)...)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(payload)))
	return append(append(b, sum[:]...), payload...)
}

// FuzzCheckpoint: any bytes as checkpoint.bin give a checkpoint or an
// error, never a panic; a mode byte of 1 wraps the rest in a valid header
// to fuzz what lies behind the checksum.
func FuzzCheckpoint(f *testing.F) {
	dir := f.TempDir()
	ck := &Checkpoint{Epoch: 1, Step: 3, Model: map[string][]float32{"w": {1, 2}}, Optimizer: map[string][]float32{"m": {0}}}
	ck.Save(dir, 0, false)
	good, _ := os.ReadFile(filepath.Join(dir, CheckpointFile))
	f.Add(byte(0), good)
	f.Add(byte(1), good[headerSize:])
	f.Add(byte(0), good[:headerSize+5])
	f.Add(byte(1), []byte{})
	f.Fuzz(func(t *testing.T, mode byte, b []byte) {
		if mode == 1 {
			b = withHeader(b)
		}
		c, err := decodeCheckpoint(bytes.NewReader(b), int64(len(b)))
		if err == nil && c.Format != checkpointFormat {
			t.Fatalf("accepted a checkpoint of format %q", c.Format)
		}
	})
}

// FuzzConfigFile: any JSON or YAML file gives a config or an error naming
// the file; a loaded config resolves or gives an error, never a panic.
func FuzzConfigFile(f *testing.F) {
	f.Add("c.yaml", "epochs: 3\nbatch-size: 32\nmodel:\n  proj_dim: 64\naugment:\n  recipe: {scale: [0.2, 1], flip_p: 0.5}\n")
	f.Add("c.json", `{"epochs": 1, "augment": {"strength": 0.8}, "model": {"arch": "resnet18"}}`)
	f.Add("c.yaml", "a: &a [*a]\n")
	f.Add("c.json", `{"epochs": 1e400}`)
	f.Fuzz(func(t *testing.T, name, body string) {
		if filepath.Ext(name) != ".json" {
			name = "c.yaml"
		}
		p := filepath.Join(t.TempDir(), filepath.Base(name))
		os.WriteFile(p, []byte(body), 0o644)
		c := Defaults()
		if err := LoadConfigFile(p, &c); err != nil {
			return
		}
		c.Resolved()
	})
}

// FuzzMetrics: any metrics.jsonl reads as lines or an error naming the
// file and line.
func FuzzMetrics(f *testing.F) {
	f.Add("{\"kind\":\"step\",\"step\":1,\"loss\":4.5}\n{\"kind\":\"epoch\",\"step\":2,\"knn_top1\":0.3}\n")
	f.Add("{\"kind\":\"step\",\"loss\":1e308}\nnot json\n")
	f.Add("\n\n{}")
	f.Fuzz(func(t *testing.T, body string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, MetricsFile), []byte(body), 0o644)
		ReadMetrics(dir)
	})
}
