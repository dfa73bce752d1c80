package datasets

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Dataset is an in-memory labelled image set.
type Dataset struct {
	Name    string
	C, H, W int
	Pixels  []uint8
	Labels  []int32
	Classes []string
}

// Labelled reports whether d's images have classes (an unlabelled
// folder's have none: every label is -1).
func (d *Dataset) Labelled() bool { return len(d.Classes) > 0 }

// Len is the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageSize is C*H*W, the bytes of one image.
func (d *Dataset) ImageSize() int { return d.C * d.H * d.W }

// Image returns image i's pixels (a view, not a copy).
func (d *Dataset) Image(i int) []uint8 {
	s := d.ImageSize()
	return d.Pixels[i*s : (i+1)*s]
}

// Head returns a view of the first n images (all of them if n <= 0 or
// n >= Len()).
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	h := *d
	h.Pixels = d.Pixels[:n*d.ImageSize()]
	h.Labels = d.Labels[:n]
	return &h
}

// Split selects the training or the test images.
type Split int

const (
	Train Split = iota
	Test
)

func (s Split) String() string {
	if s == Test {
		return "test"
	}
	return "train"
}

// Names of the datasets Load knows.
const (
	CIFAR10   = "cifar10"
	CIFAR100  = "cifar100"
	Synthetic = "synthetic"
)

// Load reads a dataset by name from dir (dir is ignored for synthetic).
// limit > 0 keeps only the first limit images, reading no more files than
// needed.
func Load(name, dir string, split Split, limit int) (*Dataset, error) {
	return LoadAt(name, dir, split, limit, 0)
}

// LoadAt is Load with the side image folders are resized to (0 means
// FolderSide); the other datasets have a fixed size and ignore it.
func LoadAt(name, dir string, split Split, limit, side int) (*Dataset, error) {
	switch name {
	case CIFAR10:
		return LoadCIFAR10(dir, split, limit)
	case CIFAR100:
		return LoadCIFAR100(dir, split, limit)
	case Packed:
		return LoadPacked(dir, split, limit)
	case STL10, STL10Unlabeled:
		return LoadSTL10(dir, split, limit, name == STL10Unlabeled)
	case Folder:
		if side == 0 {
			side = FolderSide
		}
		return LoadFolder(dir, split, side, limit)
	case Synthetic:
		n := SyntheticTrainSize
		if split == Test {
			n = SyntheticTestSize
		}
		if limit > 0 && limit < n {
			n = limit
		}
		return NewSynthetic(SyntheticConfig{N: n, Seed: uint64(split) + 1}), nil
	}
	return nil, fmt.Errorf("datasets: unknown dataset %q (want %s, %s, %s or %s)", name, CIFAR10, CIFAR100, Folder, Synthetic)
}

var cifar10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// LoadCIFAR10 reads data_batch_1..5.bin (train) or test_batch.bin (test)
// from dir: records of 1 label byte and 3072 pixel bytes. Class names come
// from batches.meta.txt when present.
func LoadCIFAR10(dir string, split Split, limit int) (*Dataset, error) {
	files := []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	if split == Test {
		files = []string{"test_batch.bin"}
	}
	d := &Dataset{Name: CIFAR10, C: 3, H: 32, W: 32, Classes: readNames(filepath.Join(dir, "batches.meta.txt"), cifar10Classes)}
	if err := readRecords(d, dir, files, 1, 0, limit); err != nil {
		return nil, pickleHint(dir, err)
	}
	return d, nil
}

// pickleHint adds, to a missing-file error in a directory holding the
// Python (pickle) release of CIFAR instead of the binary one, what to get.
func pickleHint(dir string, err error) error {
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, p := range []string{filepath.Join(dir, "data_batch_1"), filepath.Join(dir, "cifar-10-batches-py", "data_batch_1")} {
		if _, serr := os.Stat(p); serr == nil {
			return fmt.Errorf("%w (%s holds the Python pickle release of CIFAR-10; simclr reads the binary one, cifar-10-binary.tar.gz, whose cifar-10-batches-bin holds data_batch_1.bin: use --download, or point --data-dir there)", err, dir)
		}
	}
	return err
}

// LoadCIFAR100 reads train.bin or test.bin from dir: records of a coarse
// label byte, a fine label byte and 3072 pixel bytes. Labels are the 100
// fine classes; names come from fine_label_names.txt when present.
func LoadCIFAR100(dir string, split Split, limit int) (*Dataset, error) {
	file := "train.bin"
	if split == Test {
		file = "test.bin"
	}
	def := make([]string, 100)
	for i := range def {
		def[i] = fmt.Sprintf("class%02d", i)
	}
	d := &Dataset{Name: CIFAR100, C: 3, H: 32, W: 32, Classes: readNames(filepath.Join(dir, "fine_label_names.txt"), def)}
	if err := readRecords(d, dir, []string{file}, 2, 1, limit); err != nil {
		return nil, err
	}
	return d, nil
}

// readNames returns the non-empty lines of path if it has exactly
// len(def) of them, else def.
func readNames(path string, def []string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	if len(names) != len(def) {
		return def
	}
	return names
}

// readRecords appends the records of files (in dir) to d. Each record is
// labelBytes label bytes, of which byte labelAt is the label, then the
// image.
// appendRecords appends the whole records of buf (from the file path) to
// d: labelBytes label bytes, the label at labelAt, then the image.
func (d *Dataset) appendRecords(path string, buf []byte, labelBytes, labelAt int) error {
	rec := labelBytes + d.ImageSize()
	for i := 0; i+rec <= len(buf); i += rec {
		r := buf[i : i+rec]
		label := int(r[labelAt])
		if label >= len(d.Classes) {
			return fmt.Errorf("datasets: %s: record %d: label %d out of range 0..%d", path, i/rec, label, len(d.Classes)-1)
		}
		d.Labels = append(d.Labels, int32(label))
		d.Pixels = append(d.Pixels, r[labelBytes:]...)
	}
	return nil
}

// maxRecordFile bounds a CIFAR binary file (the official ones are 30 MB).
const maxRecordFile = 1 << 30

func readRecords(d *Dataset, dir string, files []string, labelBytes, labelAt, limit int) error {
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("datasets: %s directory: %w", d.Name, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("datasets: %s: %s is not a directory", d.Name, dir)
	}
	img := d.ImageSize()
	rec := labelBytes + img
	for _, name := range files {
		if limit > 0 && d.Len() >= limit {
			break
		}
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("datasets: %s: %w", d.Name, err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("datasets: %w", err)
		}
		size := fi.Size()
		if size > maxRecordFile {
			f.Close()
			return fmt.Errorf("datasets: %s: %d bytes, more than a %s file can be (%d)", path, size, d.Name, maxRecordFile)
		}
		if size == 0 || size%int64(rec) != 0 {
			f.Close()
			return fmt.Errorf("datasets: %s: %d bytes is not a whole number of %d-byte records (record %d is truncated)", path, size, rec, size/int64(rec))
		}
		n := int(size / int64(rec))
		if limit > 0 {
			n = min(n, limit-d.Len())
		}
		buf := make([]byte, n*rec)
		_, err = io.ReadFull(f, buf)
		f.Close()
		if err != nil {
			return fmt.Errorf("datasets: reading %s: %w", path, err)
		}
		if err := d.appendRecords(path, buf, labelBytes, labelAt); err != nil {
			return err
		}
	}
	if d.Len() == 0 {
		return errors.New("datasets: " + d.Name + ": no images read from " + dir)
	}
	return nil
}
