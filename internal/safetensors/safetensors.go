package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Tensor is one named float32 tensor, row-major.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// MaxHeader bounds the JSON header Read accepts.
const MaxHeader = 16 << 20

type entry struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// Write writes ts and the string metadata meta to w.
func Write(w io.Writer, ts []Tensor, meta map[string]string) error {
	var hdr bytes.Buffer
	hdr.WriteString("{")
	if len(meta) > 0 {
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		fmt.Fprintf(&hdr, "%q:%s", "__metadata__", b)
	}
	var off int64
	seen := map[string]bool{}
	for i, t := range ts {
		if n := count(t.Shape); n != len(t.Data) || seen[t.Name] || t.Name == "" || t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: tensor %q: shape %v holds %d values, data %d (or the name is empty or repeated)", t.Name, t.Shape, n, len(t.Data))
		}
		seen[t.Name] = true
		b, _ := json.Marshal(entry{DType: "F32", Shape: append([]int{}, t.Shape...), Offsets: [2]int64{off, off + 4*int64(len(t.Data))}})
		name, _ := json.Marshal(t.Name)
		if i > 0 || len(meta) > 0 {
			hdr.WriteString(",")
		}
		fmt.Fprintf(&hdr, "%s:%s", name, b)
		off += 4 * int64(len(t.Data))
	}
	hdr.WriteString("}")
	for hdr.Len()%8 != 0 { // the format's alignment: spaces are allowed
		hdr.WriteByte(' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(hdr.Len()))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(hdr.Bytes()); err != nil {
		return err
	}
	buf := make([]byte, 0, 1<<16)
	for _, t := range ts {
		for _, v := range t.Data {
			if len(buf)+4 > cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	_, err := w.Write(buf)
	return err
}

func count(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 || d > math.MaxInt32 {
			return -1
		}
		n *= d
		if n > math.MaxInt32 {
			return -1
		}
	}
	return n
}

// Read parses a whole safetensors file: its tensors in offset order and
// its metadata.
func Read(b []byte) ([]Tensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, errors.New("safetensors: shorter than its 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeader || n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("safetensors: header of %d bytes in a file of %d", n, len(b))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: header: %w", err)
	}
	data := b[8+n:]
	var meta map[string]string
	var ts []Tensor
	var offs []int64
	for name, r := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(r, &meta); err != nil {
				return nil, nil, fmt.Errorf("safetensors: __metadata__: %w", err)
			}
			continue
		}
		var e entry
		if name == "" {
			return nil, nil, errors.New("safetensors: a tensor without a name")
		}
		if err := json.Unmarshal(r, &e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		c := count(e.Shape)
		lo, hi := e.Offsets[0], e.Offsets[1]
		if e.DType != "F32" || c < 0 || lo < 0 || hi < lo || hi > int64(len(data)) || hi-lo != 4*int64(c) {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: dtype %s, shape %v, bytes [%d, %d) of %d: want F32 and a range that holds the shape", name, e.DType, e.Shape, lo, hi, len(data))
		}
		t := Tensor{Name: name, Shape: e.Shape, Data: make([]float32, c)}
		for i := range t.Data {
			t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[lo+4*int64(i):]))
		}
		ts, offs = append(ts, t), append(offs, lo)
	}
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return int(offs[a] - offs[b]) })
	out := make([]Tensor, len(ts))
	for i, j := range idx {
		out[i] = ts[j]
	}
	return out, meta, nil
}
