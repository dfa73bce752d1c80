package datasets

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A packed folder (decoded in chunks) and a packed CIFAR set load back
// exactly as their sources; a damaged file is named and refused.
func TestPackRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var p bytes.Buffer
	png.Encode(&p, halves(40, 20))
	for i := range 300 { // more than one chunk
		class := []string{"cat", "dog"}[i%2]
		write(t, filepath.Join(dir, "train", class, string(rune('a'+i%26))+strings.Repeat("x", i/26)+".png"), p.Bytes())
	}
	write(t, filepath.Join(dir, "test", "cat", "c.png"), p.Bytes())
	write(t, filepath.Join(dir, "test", "dog", "d.png"), p.Bytes())
	out := t.TempDir()
	for _, split := range []Split{Train, Test} {
		if _, err := Pack(Folder, dir, split, 8, out, nil); err != nil {
			t.Fatal(err)
		}
		want, err := LoadFolder(dir, split, 8, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Load(Packed, out, split, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() != want.Len() || !bytes.Equal(got.Pixels, want.Pixels) || !reflect.DeepEqual(got.Labels, want.Labels) || !reflect.DeepEqual(got.Classes, want.Classes) {
			t.Fatalf("%v: packed %d images %v, folder %d %v", split, got.Len(), got.Classes, want.Len(), want.Classes)
		}
	}
	if d, err := Load(Packed, out, Train, 7); err != nil || d.Len() != 7 {
		t.Fatalf("limit 7: %v", err)
	}
	if fi, err := os.Stat(PackFile(out, Train)); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("pack file mode: %v", err)
	}

	b, _ := os.ReadFile(PackFile(out, Test))
	bad := t.TempDir()
	for name, mutate := range map[string]func([]byte) []byte{
		"magic":     func(b []byte) []byte { b[0] = 'X'; return b },
		"truncated": func(b []byte) []byte { return b[:len(b)-40] },
		"count":     func(b []byte) []byte { b[24]++; return b },
		"label":     func(b []byte) []byte { b[packPixels+2*3*8*8] = 9; return b },
	} {
		os.WriteFile(PackFile(bad, Test), mutate(append([]byte(nil), b...)), 0o644)
		if _, err := Load(Packed, bad, Test, 0); err == nil || !strings.Contains(err.Error(), "test.pack") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzPacked maps arbitrary bytes as a pack file: an error or a dataset
// within the file, never a panic.
func FuzzPacked(f *testing.F) {
	d := NewSynthetic(SyntheticConfig{N: 3, Seed: 1})
	var buf bytes.Buffer
	dir := f.TempDir()
	tmp, _ := os.Create(filepath.Join(dir, "seed"))
	writePack(tmp, d, nil, nil)
	tmp.Close()
	seed, _ := os.ReadFile(filepath.Join(dir, "seed"))
	f.Add(seed)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		os.WriteFile(PackFile(dir, Train), b, 0o644)
		d, err := LoadPacked(dir, Train, 0)
		if err == nil && len(d.Pixels) != d.Len()*d.ImageSize() {
			t.Fatalf("%d images, %d pixel bytes", d.Len(), len(d.Pixels))
		}
	})
}
