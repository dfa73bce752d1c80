package datasets

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// Archive describes an official dataset archive and what it must contain.
type Archive struct {
	URL    string
	MD5    string   // hex; required
	SHA256 string   // hex; checked too when set
	Dir    string   // top directory inside the archive, kept as the cache entry
	Files  []string // files Dir must contain
}

// Archives are the authors' official binary archives with their published
// checksums.
var Archives = map[string]Archive{
	STL10: { // torchvision's checksum of the authors' archive (2.6 GB)
		URL:   "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
		MD5:   "91f7769df0f17e558f3565bffb0c7dfb",
		Dir:   "stl10_binary",
		Files: []string{"train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin", "unlabeled_X.bin", "class_names.txt"},
	},
	CIFAR10: {
		URL:    "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
		MD5:    "c32a1d4ab5d03f1284b67883e8d87530",
		SHA256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
		Dir:    "cifar-10-batches-bin",
		Files:  []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin", "batches.meta.txt"},
	},
	CIFAR100: {
		URL:   "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
		MD5:   "03b5dce01913d631647c71ecec9e9cb8",
		Dir:   "cifar-100-binary",
		Files: []string{"train.bin", "test.bin"},
	},
}

// CacheDir is $SIMCLR_DATA, or ~/.cache/simclr when that is unset.
func CacheDir() string {
	if d := os.Getenv("SIMCLR_DATA"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "simclr")
	}
	return filepath.Join(os.TempDir(), "simclr")
}

// Complete reports whether dir holds all of a's files.
func (a Archive) Complete(dir string) bool {
	for _, f := range a.Files {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// Fetch makes sure cache/a.Dir holds the archive's files and returns that
// directory. A missing or incomplete entry is downloaded, its checksums
// verified, and extracted into a temporary directory that is renamed into
// place, so an interrupted or failed fetch never leaves a partial entry.
// Progress lines go to progress when it is not nil.
func Fetch(ctx context.Context, a Archive, cache string, progress io.Writer) (string, error) {
	final := filepath.Join(cache, a.Dir)
	if a.Complete(final) {
		return final, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("datasets: cache: %w", err)
	}
	tmp, err := os.CreateTemp(cache, ".download-*")
	if err != nil {
		return "", fmt.Errorf("datasets: cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := download(ctx, a, tmp, progress); err != nil {
		return "", err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(cache, ".extract-*")
	if err != nil {
		return "", fmt.Errorf("datasets: cache: %w", err)
	}
	defer os.RemoveAll(work)
	if err := extract(tmp, work, a.Dir); err != nil {
		return "", fmt.Errorf("datasets: extracting %s: %w", a.URL, err)
	}
	if !a.Complete(filepath.Join(work, a.Dir)) {
		return "", fmt.Errorf("datasets: archive %s lacks some of %v under %s/", a.URL, a.Files, a.Dir)
	}
	if err := os.RemoveAll(final); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(work, a.Dir), final); err != nil {
		return "", fmt.Errorf("datasets: cache: %w", err)
	}
	return final, nil
}

// download writes the archive to w and verifies its checksums.
func download(ctx context.Context, a Archive, w io.Writer, progress io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return fmt.Errorf("datasets: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var dns *net.DNSError
		if errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) {
			return fmt.Errorf("datasets: cannot reach %s (offline?): download %s on a machine that can and unpack it into --data-dir (or $SIMCLR_DATA), or try --dataset synthetic: %w", a.URL, path.Base(a.URL), err)
		}
		return fmt.Errorf("datasets: downloading %s: %w", a.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("datasets: downloading %s: %s", a.URL, resp.Status)
	}
	hm, hs := md5.New(), sha256.New()
	var body io.Reader = resp.Body
	if progress != nil {
		body = &progressReader{r: body, total: resp.ContentLength, w: progress, name: path.Base(a.URL)}
	}
	n, err := io.Copy(io.MultiWriter(w, hm, hs), body)
	if err != nil {
		return fmt.Errorf("datasets: downloading %s after %d bytes: %w", a.URL, n, err)
	}
	if got := hex.EncodeToString(hm.Sum(nil)); !strings.EqualFold(got, a.MD5) {
		return fmt.Errorf("datasets: %s: MD5 checksum mismatch: got %s, want %s", a.URL, got, a.MD5)
	}
	if a.SHA256 != "" {
		if got := hex.EncodeToString(hs.Sum(nil)); !strings.EqualFold(got, a.SHA256) {
			return fmt.Errorf("datasets: %s: SHA-256 checksum mismatch: got %s, want %s", a.URL, got, a.SHA256)
		}
	}
	return nil
}

// extract unpacks the regular files under top/ of a tar.gz into dir,
// refusing any path that would land outside it.
func extract(r io.Reader, dir, top string) error {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if h.Typeflag != tar.TypeReg || !strings.HasPrefix(name, top+"/") {
			continue
		}
		if strings.Contains(name, "..") || path.IsAbs(name) {
			return fmt.Errorf("unsafe path %q", h.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		f, err := os.Create(dst)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}

type progressReader struct {
	r           io.Reader
	w           io.Writer
	name        string
	total, done int64
	next        int64
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.done >= p.next || errors.Is(err, io.EOF) {
		if p.total > 0 {
			fmt.Fprintf(p.w, "download %s: %d/%d MB (%d%%)\n", p.name, p.done>>20, p.total>>20, 100*p.done/p.total)
			p.next = p.done + p.total/10
		} else {
			fmt.Fprintf(p.w, "download %s: %d MB\n", p.name, p.done>>20)
			p.next = p.done + 16<<20
		}
	}
	return n, err
}
