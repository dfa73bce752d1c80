package datasets

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// Packed is the dataset name of a directory written by Pack: train.pack
// and, when the source had one, test.pack. Training memory-maps the file,
// so the images are read from disk as they are used and a set larger
// than memory trains in bounded RSS (the kernel drops clean pages).
const Packed = "packed"

// packMagic starts a pack file; then version, C, H, W (uint32 LE), N,
// labels offset, classes offset (uint64 LE); pixels from packPixels.
const (
	packMagic   = "SIMCLRpk"
	packVersion = 1
	packHeader  = 48
	packPixels  = 4096 // page-aligned, for the mapping
)

// PackFile is the file of split in a Pack directory.
func PackFile(dir string, split Split) string { return filepath.Join(dir, split.String()+".pack") }

// Pack writes the images of source split (a dataset Load reads; folder
// datasets are decoded one chunk at a time, so memory stays bounded) as
// dst/<split>.pack, atomically. side is the folder side (0: FolderSide).
func Pack(name, dir string, split Split, side int, dst string, progress io.Writer) (n int, err error) {
	if side == 0 {
		side = FolderSide
	}
	var d *Dataset
	var paths []string
	if name == Folder {
		d, paths, err = folderIndex(dir, split, side, 0)
	} else {
		d, err = LoadAt(name, dir, split, 0, side)
	}
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	path := PackFile(dst, split)
	tmp, err := os.CreateTemp(dst, ".pack-*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = writePack(tmp, d, paths, progress); err != nil {
		return 0, fmt.Errorf("datasets: packing %s: %w", path, err)
	}
	if err = tmp.Sync(); err == nil {
		err = tmp.Close()
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return d.Len(), err
}

// writePack writes header, pixels (d's, or paths decoded in chunks),
// labels and class names to f.
func writePack(f *os.File, d *Dataset, paths []string, progress io.Writer) error {
	n := d.Len()
	labelsAt := uint64(packPixels) + uint64(n)*uint64(d.ImageSize())
	classes, _ := json.Marshal(d.Classes)
	h := make([]byte, packPixels)
	copy(h, packMagic)
	for i, v := range []uint32{packVersion, uint32(d.C), uint32(d.H), uint32(d.W)} {
		binary.LittleEndian.PutUint32(h[8+4*i:], v)
	}
	for i, v := range []uint64{uint64(n), labelsAt, labelsAt + 4*uint64(n)} {
		binary.LittleEndian.PutUint64(h[24+8*i:], v)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(h)
	if paths == nil {
		w.Write(d.Pixels)
	} else if err := decodeChunks(w, paths, d.H, progress); err != nil {
		return err
	}
	for _, l := range d.Labels {
		binary.Write(w, binary.LittleEndian, l)
	}
	w.Write(classes)
	return w.Flush()
}

// decodeChunks decodes paths 256 at a time (in parallel) and writes them.
func decodeChunks(w io.Writer, paths []string, side int, progress io.Writer) error {
	const chunk = 256
	size := 3 * side * side
	buf := make([]uint8, chunk*size)
	for lo := 0; lo < len(paths); lo += chunk {
		hi := min(lo+chunk, len(paths))
		var g errgroup.Group
		g.SetLimit(runtime.GOMAXPROCS(0))
		for i := lo; i < hi; i++ {
			g.Go(func() error { return decodeFile(buf[(i-lo)*size:(i-lo+1)*size], paths[i], side) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		if _, err := w.Write(buf[:(hi-lo)*size]); err != nil {
			return err
		}
		if progress != nil && (hi == len(paths) || (hi/chunk)%40 == 0) {
			fmt.Fprintf(progress, "pack: %d/%d images\n", hi, len(paths))
		}
	}
	return nil
}

// LoadPacked maps dir/<split>.pack: the pixels stay in the file (read as
// used; the mapping lives as long as the process), labels and class names
// are read. limit > 0 keeps the first limit images.
func LoadPacked(dir string, split Split, limit int) (*Dataset, error) {
	path := PackFile(dir, split)
	b, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	bad := func(why string) error { return fmt.Errorf("datasets: %s: %s", path, why) }
	if len(b) < packPixels || string(b[:8]) != packMagic {
		return nil, bad("not a simclr pack file (simclr pack writes them)")
	}
	u32 := func(i int) int { return int(binary.LittleEndian.Uint32(b[8+4*i:])) }
	u64 := func(i int) uint64 { return binary.LittleEndian.Uint64(b[24+8*i:]) }
	if u32(0) != packVersion {
		return nil, bad(fmt.Sprintf("version %d, this simclr reads %d", u32(0), packVersion))
	}
	d := &Dataset{Name: Packed, C: u32(1), H: u32(2), W: u32(3)}
	n, labelsAt, classesAt := u64(0), u64(1), u64(2)
	size := uint64(d.C) * uint64(d.H) * uint64(d.W)
	if d.C != 3 || d.H < 1 || d.H > 4096 || d.W != d.H || n > 1<<32 ||
		labelsAt != packPixels+n*size || classesAt != labelsAt+4*n || classesAt > uint64(len(b)) {
		return nil, bad(fmt.Sprintf("header (%d images of %d×%d×%d, labels at %d, classes at %d) does not fit its %d bytes", n, d.C, d.H, d.W, labelsAt, classesAt, len(b)))
	}
	if err := json.Unmarshal(b[classesAt:], &d.Classes); err != nil {
		return nil, bad("class names: " + err.Error())
	}
	if limit > 0 && uint64(limit) < n {
		n = uint64(limit)
	}
	d.Pixels = b[packPixels : packPixels+n*size : packPixels+n*size]
	d.Labels = make([]int32, n)
	for i := range d.Labels {
		l := int32(binary.LittleEndian.Uint32(b[labelsAt+4*uint64(i):]))
		if l < -1 || int(l) >= len(d.Classes) || l == -1 && len(d.Classes) > 0 {
			return nil, bad(fmt.Sprintf("record %d: label %d for %d classes", i, l, len(d.Classes)))
		}
		d.Labels[i] = l
	}
	return d, nil
}
