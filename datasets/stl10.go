package datasets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Names of the STL-10 datasets: STL10 is the labelled part (train_X/y:
// 5,000 images; test_X/y: 8,000), STL10Unlabeled trains on the 100,000
// unlabelled images (unlabeled_X.bin) and tests on test_X/y, the usual
// self-supervised protocol; a probe of a run trained on it reads STL10.
const (
	STL10          = "stl10"
	STL10Unlabeled = "stl10-unlabeled"
	stl10Side      = 96
)

var stl10Classes = []string{"airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"}

// LoadSTL10 reads STL-10's official binary files from dir (stl10_binary/):
// images as 3×96×96 bytes, each channel stored column-major, which are
// transposed to planar row-major; labels as bytes 1..10, stored 0..9.
// unlabeled loads unlabeled_X.bin for the train split (labels -1, no
// classes). limit > 0 reads only the first limit images.
func LoadSTL10(dir string, split Split, limit int, unlabeled bool) (*Dataset, error) {
	name, x, y := STL10, "train_X.bin", "train_y.bin"
	if split == Test {
		x, y = "test_X.bin", "test_y.bin"
	}
	d := &Dataset{Name: name, C: 3, H: stl10Side, W: stl10Side, Classes: readNames(filepath.Join(dir, "class_names.txt"), stl10Classes)}
	if unlabeled && split == Train {
		d.Name, x, y, d.Classes = STL10Unlabeled, "unlabeled_X.bin", "", nil
	}
	if err := readSTLImages(d, filepath.Join(dir, x), limit); err != nil {
		return nil, err
	}
	if y == "" {
		d.Labels = make([]int32, len(d.Pixels)/d.ImageSize())
		for i := range d.Labels {
			d.Labels[i] = -1
		}
		return d, nil
	}
	return d, readSTLLabels(d, filepath.Join(dir, y))
}

// readSTLImages reads the first limit (0: all) images of path into d.
func readSTLImages(d *Dataset, path string, limit int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", d.Name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	img := int64(d.ImageSize())
	if fi.Size() == 0 || fi.Size()%img != 0 || fi.Size() > maxRecordFile*4 {
		return fmt.Errorf("datasets: %s: %d bytes is not a whole number of %d-byte STL-10 images", path, fi.Size(), img)
	}
	n := int(fi.Size() / img)
	if limit > 0 {
		n = min(n, limit)
	}
	d.Pixels = make([]uint8, n*int(img))
	raw := make([]byte, img)
	s := stl10Side
	for i := range n {
		if _, err := io.ReadFull(f, raw); err != nil {
			return fmt.Errorf("datasets: reading %s, image %d: %w", path, i, err)
		}
		out := d.Pixels[i*int(img):]
		for c := range 3 {
			for x := range s {
				for y := range s {
					out[c*s*s+y*s+x] = raw[c*s*s+x*s+y]
				}
			}
		}
	}
	return nil
}

// readSTLLabels reads one label byte (1..10) per image of d from path.
func readSTLLabels(d *Dataset, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", d.Name, err)
	}
	n := len(d.Pixels) / d.ImageSize()
	if len(b) < n {
		return fmt.Errorf("datasets: %s: %d labels for %d images", path, len(b), n)
	}
	d.Labels = make([]int32, n)
	for i := range n {
		if b[i] < 1 || int(b[i]) > len(d.Classes) {
			return fmt.Errorf("datasets: %s: record %d: label %d out of range 1..%d", path, i, b[i], len(d.Classes))
		}
		d.Labels[i] = int32(b[i]) - 1
	}
	return nil
}
