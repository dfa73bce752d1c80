package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// halves is a w×h image, left half red, right half blue.
func halves(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{255, 0, 0, 255}
			if x >= w/2 {
				c = color.NRGBA{0, 0, 255, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// jpegWithOrientation encodes m as JPEG with an EXIF orientation tag.
func jpegWithOrientation(t *testing.T, m image.Image, orientation uint16) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	binary.Write(&tiff, binary.LittleEndian, uint32(8))
	binary.Write(&tiff, binary.LittleEndian, uint16(1))                // one IFD entry
	binary.Write(&tiff, binary.LittleEndian, []uint16{0x0112, 3})      // Orientation, SHORT
	binary.Write(&tiff, binary.LittleEndian, uint32(1))                // count
	binary.Write(&tiff, binary.LittleEndian, []uint16{orientation, 0}) // value
	binary.Write(&tiff, binary.LittleEndian, uint32(0))                // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), append(seg, payload...)...), b[2:]...)
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	var p bytes.Buffer
	png.Encode(&p, halves(40, 20))
	write(t, filepath.Join(dir, "train", "cat", "a.png"), p.Bytes())
	// Stored 20 wide × 10 high, left red; orientation 6 turns it 90°
	// clockwise for display: 10 wide × 20 high, top red, bottom blue.
	write(t, filepath.Join(dir, "train", "dog", "b.JPG"), jpegWithOrientation(t, halves(20, 10), 6))
	write(t, filepath.Join(dir, "train", "dog", "notes.txt"), []byte("not an image"))
	write(t, filepath.Join(dir, "test", "cat", "c.png"), p.Bytes())
	write(t, filepath.Join(dir, "test", "dog", "d.png"), p.Bytes())

	d, err := LoadFolder(dir, Train, 8, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || d.H != 8 || d.W != 8 || len(d.Classes) != 2 || d.Classes[0] != "cat" || d.Labels[0] != 0 || d.Labels[1] != 1 {
		t.Fatalf("loaded %d images %dx%d, classes %v, labels %v", d.Len(), d.H, d.W, d.Classes, d.Labels)
	}
	px := func(i, c, y, x int) uint8 { return d.Image(i)[(c*8+y)*8+x] }
	// The PNG: 40×20 scaled to 16×8, centre 8×8 cropped: left half red.
	if px(0, 0, 4, 1) < 200 || px(0, 2, 4, 6) < 200 {
		t.Fatalf("png: red %d at left, blue %d at right", px(0, 0, 4, 1), px(0, 2, 4, 6))
	}
	// The JPEG, oriented: red on top, blue below (unrotated it would be
	// red left, blue right).
	if px(1, 0, 1, 6) < 180 || px(1, 2, 6, 1) < 180 {
		t.Fatalf("jpeg with EXIF orientation 6: red %d at top right, blue %d at bottom left", px(1, 0, 1, 6), px(1, 2, 6, 1))
	}
	if d, err := Load(Folder, dir, Test, 1); err != nil || d.Len() != 1 || d.H != FolderSide {
		t.Fatalf("Load(folder, test, limit 1): %v", err)
	}

	// A bare folder of classes is the train split; it has no test split.
	bare := filepath.Join(dir, "train")
	if d, err := LoadFolder(bare, Train, 4, 0); err != nil || d.Len() != 2 {
		t.Fatalf("bare folder: %v", err)
	}
	if _, err := LoadFolder(bare, Test, 4, 0); err == nil || !strings.Contains(err.Error(), "no test subfolder") || !errors.Is(err, ErrNoSplit) {
		t.Fatalf("bare folder's test split: %v", err)
	}
	// A corrupt image is an error naming it; an empty folder too.
	write(t, filepath.Join(dir, "train", "dog", "broken.png"), []byte("\x89PNG\r\n\x1a\nnot really"))
	if _, err := LoadFolder(dir, Train, 8, 0); err == nil || !strings.Contains(err.Error(), "broken.png") {
		t.Fatalf("corrupt image: %v", err)
	}
	empty := t.TempDir()
	os.Mkdir(filepath.Join(empty, "cat"), 0o755)
	if _, err := LoadFolder(empty, Train, 8, 0); err == nil || !strings.Contains(err.Error(), "no PNG or JPEG") {
		t.Fatalf("empty folder: %v", err)
	}
}
