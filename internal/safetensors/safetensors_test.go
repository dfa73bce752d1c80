package safetensors

import (
	"bytes"
	"encoding/binary"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The layout, byte for byte: the length, the JSON header padded to 8
// bytes, the data; and Read gives back what Write wrote.
func TestRoundTripAndLayout(t *testing.T) {
	ts := []Tensor{{"a.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}}, {"b", []int{1}, []float32{-0.5}}}
	var buf bytes.Buffer
	if err := Write(&buf, ts, map[string]string{"arch": "small"}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	hdr := strings.TrimRight(string(b[8:8+n]), " ")
	want := `{"__metadata__":{"arch":"small"},"a.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"F32","shape":[1],"data_offsets":[24,28]}}`
	if hdr != want || n%8 != 0 || len(b) != int(8+n+28) {
		t.Fatalf("header %q (%d bytes, file %d)", hdr, n, len(b))
	}
	if got := binary.LittleEndian.Uint32(b[8+n+24:]); got != 0xbf000000 { // -0.5
		t.Fatalf("b's bytes %#x", got)
	}
	back, meta, err := Read(b)
	if err != nil || !reflect.DeepEqual(back, ts) || meta["arch"] != "small" {
		t.Fatalf("read %+v %v %v", back, meta, err)
	}
}

func TestBadFiles(t *testing.T) {
	good := func() []byte {
		var buf bytes.Buffer
		Write(&buf, []Tensor{{"x", []int{2}, []float32{1, 2}}}, nil)
		return buf.Bytes()
	}
	for name, b := range map[string][]byte{
		"short":     {1, 2},
		"huge hdr":  append([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, good()[8:]...),
		"truncated": good()[:len(good())-1],
		"not json":  append([]byte{2, 0, 0, 0, 0, 0, 0, 0}, '{', 'x'),
	} {
		if _, _, err := Read(b); err == nil {
			t.Errorf("%s: read", name)
		}
	}
	if err := Write(&bytes.Buffer{}, []Tensor{{"x", []int{3}, []float32{1}}}, nil); err == nil {
		t.Error("shape/data mismatch written")
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, []Tensor{{"a", []int{2, 1}, []float32{1, 2}}}, map[string]string{"k": "v"})
	f.Add(buf.Bytes())
	if b, err := os.ReadFile("testdata/small.safetensors"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, meta, err := Read(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, ts, meta); err != nil {
			t.Fatalf("read %d tensors it cannot write: %v", len(ts), err)
		}
		again, _, err := Read(out.Bytes())
		if err != nil || len(again) != len(ts) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
