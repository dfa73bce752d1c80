package datasets

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/disintegration/imaging"
	"golang.org/x/sync/errgroup"
)

// Folder is the name Load gives image folders; FolderSide is the side Load
// resizes their images to (LoadFolder takes any).
const (
	Folder     = "folder"
	FolderSide = 32
)

// MaxPixels bounds the pixels of one image LoadFolder decodes (width ×
// height, read from the file's header before decoding): 50 megapixels,
// enough for any photograph, small enough that a hostile 69-byte PNG that
// claims 60000×60000 is refused instead of allocating 14 GB. Raise it for
// larger images.
var MaxPixels = 50_000_000

// folderExts are the file types LoadFolder decodes (case-insensitive).
var folderExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true}

// flatImages are the image files directly in root, sorted.
func flatImages(root string, entries []fs.DirEntry) []string {
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") && folderExts[strings.ToLower(filepath.Ext(e.Name()))] {
			paths = append(paths, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(paths)
	return paths
}

// LoadFolder reads an image folder laid out as torchvision's ImageFolder:
// dir/train/<class>/*.png|jpg|jpeg and dir/test/<class>/...; a dir with
// no train and test subfolders is the train split itself. Classes are the
// subfolder names in sorted order, images sorted by path; other files are
// skipped. Each image is decoded with imaging (JPEG EXIF orientation
// applied), scaled so its shorter side is side pixels and centre-cropped
// to side×side (Lanczos), and stored as planar RGB bytes. limit > 0 keeps
// the first limit images in that order. Errors name the file.
//
// A folder whose images lie directly in it, with no class subfolders
// holding any, is an unlabelled training set: no Classes, every label -1
// (Labelled reports false). That is the usual data of self-supervised
// learning: SimCLR trains on it; a probe or the kNN monitor needs a
// labelled split.
func LoadFolder(dir string, split Split, side, limit int) (*Dataset, error) {
	d, paths, err := folderIndex(dir, split, side, limit)
	if err != nil {
		return nil, err
	}
	d.Pixels = make([]uint8, len(paths)*3*side*side)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range paths {
		g.Go(func() error { return decodeFile(d.Pixels[i*3*side*side:(i+1)*3*side*side], p, side) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return d, nil
}

// decodeFile decodes the image file p (its header checked against
// MaxPixels first) into dst as LoadFolder stores images.
func decodeFile(dst []uint8, p string, side int) error {
	if err := checkSize(p); err != nil {
		return err
	}
	img, err := imaging.Open(p, imaging.AutoOrientation(true))
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", p, err)
	}
	fill(dst, img, side)
	return nil
}

// folderIndex lists the image files of a folder split in LoadFolder's
// order, with their labels and classes (d without pixels).
func folderIndex(dir string, split Split, side, limit int) (*Dataset, []string, error) {
	if side < 1 {
		return nil, nil, fmt.Errorf("datasets: image side %d for folder %s", side, dir)
	}
	root := filepath.Join(dir, split.String())
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		_, terr := os.Stat(filepath.Join(dir, Test.String()))
		if split == Test || terr == nil {
			return nil, nil, splitError(fmt.Sprintf("datasets: folder %s has no %s subfolder", dir, split))
		}
		root = dir // a bare folder of classes is the training split
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %w", err)
	}
	d := &Dataset{Name: Folder, C: 3, H: side, W: side}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		class := len(d.Classes)
		d.Classes = append(d.Classes, e.Name())
		var files []string
		err := filepath.WalkDir(filepath.Join(root, e.Name()), func(p string, f fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !f.IsDir() && !strings.HasPrefix(f.Name(), ".") && folderExts[strings.ToLower(filepath.Ext(p))] {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %w", err)
		}
		sort.Strings(files)
		for _, f := range files {
			paths = append(paths, f)
			d.Labels = append(d.Labels, int32(class))
		}
	}
	if len(paths) == 0 && split == Train {
		d.Classes, paths = nil, flatImages(root, entries)
		d.Labels = make([]int32, len(paths))
		for i := range d.Labels {
			d.Labels[i] = -1
		}
	}
	if len(paths) == 0 {
		return nil, nil, fmt.Errorf("datasets: no PNG or JPEG images in %s or in class subfolders of it", root)
	}
	if limit > 0 && limit < len(paths) {
		paths, d.Labels = paths[:limit], d.Labels[:limit]
	}
	return d, paths, nil
}

// planar writes an NRGBA image's colour channels as C×H×W bytes.
// checkSize reads the image header of path and refuses more than
// MaxPixels pixels.
func checkSize(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return fmt.Errorf("datasets: %s: %w", path, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels || cfg.Width > MaxPixels || cfg.Height > MaxPixels {
		return fmt.Errorf("datasets: %s: %d×%d pixels, more than the %d allowed (datasets.MaxPixels, --max-pixels)", path, cfg.Width, cfg.Height, MaxPixels)
	}
	return nil
}

// fill writes img scaled to cover side×side and centre-cropped (Lanczos)
// into dst as planar RGB.
func fill(dst []uint8, img image.Image, side int) {
	planar(dst, imaging.Fill(img, side, side, imaging.Center, imaging.Lanczos))
}

func planar(dst []uint8, m *image.NRGBA) {
	b := m.Bounds()
	h, w := b.Dy(), b.Dx()
	for y := 0; y < h; y++ {
		row := m.Pix[y*m.Stride:]
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				dst[(c*h+y)*w+x] = row[4*x+c]
			}
		}
	}
}

// ErrNoSplit is what errors.Is finds in the error of loading a split that
// a folder dataset does not have (a test split of a bare folder).
var ErrNoSplit = errors.New("datasets: no such split")

// splitError is a missing split, named in full.
type splitError string

func (e splitError) Error() string        { return string(e) }
func (e splitError) Is(target error) bool { return target == ErrNoSplit }
