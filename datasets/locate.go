package datasets

import (
	"context"
	"fmt"
	"image"
	"io"
	"path/filepath"
)

// A SourceError is a request for data that cannot be met as asked, before
// any file is read: an unknown dataset name, a folder dataset without a
// directory, a download into a directory the user named.
type SourceError struct{ Msg string }

func (e *SourceError) Error() string { return e.Msg }

// Locate says where dataset name's files are: dir when given, else the
// download cache (CacheDir), fetching the authors' archive into it when
// download is set. Synthetic data needs no directory.
func Locate(ctx context.Context, name, dir string, download bool, progress io.Writer) (string, error) {
	switch name {
	case Synthetic:
		return dir, nil
	case Packed:
		if dir == "" {
			return "", &SourceError{"--dataset packed needs --data-dir DIR (a directory simclr pack wrote)"}
		}
		return dir, nil
	case Folder:
		if dir == "" {
			return "", &SourceError{"--dataset folder needs --data-dir DIR (DIR/train/<class>/*.png|jpg, DIR/test/...)"}
		}
		return dir, nil
	}
	if name == STL10Unlabeled { // the same files
		name = STL10
	}
	a, ok := Archives[name]
	if !ok {
		return "", &SourceError{fmt.Sprintf("--dataset %q: want cifar10, cifar100, stl10, stl10-unlabeled, folder or synthetic", name)}
	}
	if dir != "" {
		if download && !a.Complete(dir) {
			return "", &SourceError{fmt.Sprintf("--download fetches into the cache; drop --data-dir %s or fill it yourself", dir)}
		}
		return dir, nil
	}
	cached := filepath.Join(CacheDir(), a.Dir)
	if a.Complete(cached) {
		return cached, nil
	}
	if !download {
		return "", fmt.Errorf("no --data-dir given and no complete %s in %s; pass --data-dir DIR or --download", name, cached)
	}
	return Fetch(ctx, a, CacheDir(), progress)
}

// FromImages makes an unlabelled dataset of imgs, each scaled to cover
// side×side and centre-cropped (Lanczos), as LoadFolder loads files.
func FromImages(imgs []image.Image, side int) *Dataset {
	d := &Dataset{Name: "images", C: 3, H: side, W: side, Pixels: make([]uint8, len(imgs)*3*side*side),
		Labels: make([]int32, len(imgs)), Classes: []string{"unlabelled"}}
	for i, img := range imgs {
		fill(d.Pixels[i*3*side*side:(i+1)*3*side*side], img, side)
	}
	return d
}
