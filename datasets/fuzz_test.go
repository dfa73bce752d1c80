package datasets

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCIFAR feeds arbitrary bytes to the CIFAR-10 and CIFAR-100 record
// parsers: images or an error naming the file and record, never a panic,
// never more images than whole records. (The file checks around them,
// size and truncation, are TestBadInput's.)
func FuzzCIFAR(f *testing.F) {
	f.Add(cifarRecords(2, 1, 3, 0))
	f.Add(cifarRecords(1, 1, 10, 0)[:100])
	f.Add(cifarRecords(2, 2, 100, 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []struct{ classes, labelBytes, labelAt int }{{10, 1, 0}, {100, 2, 1}} {
			d := &Dataset{Name: "fuzz", C: 3, H: 32, W: 32, Classes: make([]string, c.classes)}
			err := d.appendRecords("f.bin", b, c.labelBytes, c.labelAt)
			if want := len(b) / (c.labelBytes + 3072); err == nil && (d.Len() != want || len(d.Pixels) != want*3072) {
				t.Fatalf("%d bytes gave %d images", len(b), d.Len())
			}
		}
	})
}

// FuzzFolderImage decodes arbitrary bytes as an image file of a folder
// dataset: an error or an image, never a panic, and nothing larger than
// MaxPixels decoded (header first).
func FuzzFolderImage(f *testing.F) {
	var buf bytes.Buffer
	m := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	m.Set(1, 1, color.White)
	png.Encode(&buf, m)
	f.Add(buf.Bytes(), ".png")
	f.Add(hugePNGHeader(), ".png")
	f.Add([]byte("\xff\xd8\xff\xe0 not really a jpeg"), ".jpg")
	old := MaxPixels
	f.Cleanup(func() { MaxPixels = old })
	MaxPixels = 1 << 20
	f.Fuzz(func(t *testing.T, b []byte, ext string) {
		if ext != ".png" && ext != ".jpg" {
			ext = ".png"
		}
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "train", "a"), 0o755)
		os.WriteFile(filepath.Join(dir, "train", "a", "x"+ext), b, 0o644)
		d, err := LoadFolder(dir, Train, 8, 0)
		if err == nil && (d.Len() != 1 || len(d.Pixels) != 3*8*8) {
			t.Fatalf("one image gave %d (%d bytes)", d.Len(), len(d.Pixels))
		}
	})
}

// hugePNGHeader is testdata/bomb.png: 57 bytes whose header claims
// 60000×60000 pixels (14.4 GB decoded): signature, IHDR, an empty IDAT
// and IEND, with valid CRCs.
func hugePNGHeader() []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "bomb.png"))
	if err != nil {
		panic(err)
	}
	return b
}

// The bomb in a folder is refused from its header, at once.
func TestImageBombRefused(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "train", "a"), 0o755)
	p := filepath.Join(dir, "train", "a", "bomb.png")
	os.WriteFile(p, hugePNGHeader(), 0o644)
	if n := len(hugePNGHeader()); n > 80 {
		t.Fatalf("the bomb is %d bytes", n)
	}
	_, err := LoadFolder(dir, Train, 32, 0)
	if err == nil || !strings.Contains(err.Error(), "60000×60000") || !strings.Contains(err.Error(), p) {
		t.Fatalf("bomb: %v", err)
	}
}

// FuzzSTL10 loads arbitrary image and label files in STL-10's format: an
// error or a dataset whose size matches the files, never a panic.
func FuzzSTL10(f *testing.F) {
	f.Add(make([]byte, 2*3*96*96), []byte{1, 10})
	f.Add(make([]byte, 3*96*96+1), []byte{1})
	f.Add([]byte{}, []byte{0})
	f.Fuzz(func(t *testing.T, x, y []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "train_X.bin"), x, 0o644)
		os.WriteFile(filepath.Join(dir, "train_y.bin"), y, 0o644)
		d, err := LoadSTL10(dir, Train, 0, false)
		if err == nil && (d.Len()*3*96*96 != len(x) || len(d.Pixels) != len(x)) {
			t.Fatalf("%d bytes gave %d images", len(x), d.Len())
		}
	})
}
