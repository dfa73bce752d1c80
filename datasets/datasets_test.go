package datasets

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cifarRecords makes n records with the given label bytes; image i is
// filled with byte i+offset and its fine label is i%classes.
func cifarRecords(n, labelBytes, classes, offset int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		lab := make([]byte, labelBytes)
		lab[labelBytes-1] = byte(i % classes)
		b = append(b, lab...)
		b = append(b, bytes.Repeat([]byte{byte(i + offset)}, 3072)...)
	}
	return b
}

func writeCIFAR10(t *testing.T, dir string, perFile int) {
	t.Helper()
	for k := 1; k <= 5; k++ {
		os.WriteFile(filepath.Join(dir, "data_batch_"+string(rune('0'+k))+".bin"), cifarRecords(perFile, 1, 10, 10*k), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "test_batch.bin"), cifarRecords(perFile, 1, 10, 0), 0o644)
	os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte(strings.Join(cifar10Classes, "\n")+"\n\n"), 0o644)
}

func TestLoadCIFAR10(t *testing.T) {
	dir := t.TempDir()
	writeCIFAR10(t, dir, 3)
	d, err := LoadCIFAR10(dir, Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 15 || len(d.Pixels) != 15*3072 || d.Classes[9] != "truck" {
		t.Fatalf("len %d pixels %d classes %v", d.Len(), len(d.Pixels), d.Classes)
	}
	if d.Image(4)[0] != 21 || d.Labels[4] != 1 { // file 2, record 1
		t.Fatalf("image 4 starts %d label %d", d.Image(4)[0], d.Labels[4])
	}
	d, err = LoadCIFAR10(dir, Train, 4)
	if err != nil || d.Len() != 4 {
		t.Fatalf("limit 4: %v, %d images", err, d.Len())
	}
	d, err = LoadCIFAR10(dir, Test, 0)
	if err != nil || d.Len() != 3 {
		t.Fatalf("test: %v", err)
	}
}

func TestLoadCIFAR100(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "train.bin"), cifarRecords(120, 2, 100, 0), 0o644)
	d, err := LoadCIFAR100(dir, Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 120 || d.Labels[105] != 5 || len(d.Classes) != 100 {
		t.Fatalf("len %d label %d", d.Len(), d.Labels[105])
	}
	if _, err := LoadCIFAR100(dir, Test, 0); err == nil || !strings.Contains(err.Error(), "test.bin") {
		t.Fatalf("missing test.bin: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	writeCIFAR10(t, dir, 2)
	// Truncated file.
	p := filepath.Join(dir, "data_batch_3.bin")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-1], 0o644)
	_, err := LoadCIFAR10(dir, Train, 0)
	if err == nil || !strings.Contains(err.Error(), "data_batch_3.bin") || !strings.Contains(err.Error(), "record 1") {
		t.Errorf("truncated: %v", err)
	}
	// Label 11 in CIFAR-10.
	b[3073] = 11
	os.WriteFile(p, b, 0o644)
	_, err = LoadCIFAR10(dir, Train, 0)
	if err == nil || !strings.Contains(err.Error(), "record 1: label 11") {
		t.Errorf("label 11: %v", err)
	}
	// Missing directory and missing file.
	if _, err := LoadCIFAR10(filepath.Join(dir, "nope"), Train, 0); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing dir: %v", err)
	}
	os.Remove(filepath.Join(dir, "test_batch.bin"))
	if _, err := LoadCIFAR10(dir, Test, 0); err == nil || !strings.Contains(err.Error(), "test_batch.bin") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load("mnist", dir, Train, 0); err == nil {
		t.Error("unknown dataset accepted")
	}
}

func TestSyntheticDeterministicAndBalanced(t *testing.T) {
	a := NewSynthetic(SyntheticConfig{N: 500, Seed: 7})
	b := NewSynthetic(SyntheticConfig{N: 500, Seed: 7})
	if !bytes.Equal(a.Pixels, b.Pixels) {
		t.Fatal("same config gave different pixels")
	}
	counts := make([]int, 10)
	for _, l := range a.Labels {
		counts[l]++
	}
	for k, c := range counts {
		if c < 25 {
			t.Fatalf("class %d has %d of 500 images", k, c)
		}
	}
	c := NewSynthetic(SyntheticConfig{N: 500, Seed: 8})
	if bytes.Equal(a.Pixels, c.Pixels) {
		t.Fatal("different seeds gave the same pixels")
	}
}

func tarball(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, b := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestFetch(t *testing.T) {
	files := map[string][]byte{"cifar-10-batches-bin/batches.meta.txt": []byte(strings.Join(cifar10Classes, "\n"))}
	for _, f := range Archives[CIFAR10].Files[:6] {
		files["cifar-10-batches-bin/"+f] = cifarRecords(2, 1, 10, 0)
	}
	body := tarball(t, files)
	sum := md5.Sum(body)
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path != "/cifar-10-binary.tar.gz" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	a := Archives[CIFAR10]
	a.URL = srv.URL + "/cifar-10-binary.tar.gz"
	a.MD5 = hex.EncodeToString(sum[:])
	a.SHA256 = ""

	cache := t.TempDir()
	var log bytes.Buffer
	dir, err := Fetch(context.Background(), a, cache, &log)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := LoadCIFAR10(dir, Train, 0); err != nil || d.Len() != 10 {
		t.Fatalf("load fetched: %v", err)
	}
	if !strings.Contains(log.String(), "download cifar-10-binary.tar.gz") {
		t.Errorf("no progress: %q", log.String())
	}
	// A second fetch uses the cache.
	if _, err := Fetch(context.Background(), a, cache, nil); err != nil || hits != 1 {
		t.Fatalf("second fetch: %v, %d requests", err, hits)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Fatalf("cache holds %d entries, want 1 (no temp files)", len(entries))
	}

	// Wrong checksum: an error, and nothing left behind.
	bad := a
	bad.MD5 = strings.Repeat("0", 32)
	cache2 := t.TempDir()
	if _, err := Fetch(context.Background(), bad, cache2, nil); err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("wrong checksum: %v", err)
	}
	if entries, _ := os.ReadDir(cache2); len(entries) != 0 {
		t.Fatalf("failed fetch left %d entries", len(entries))
	}
	// HTTP error.
	nf := a
	nf.URL = srv.URL + "/missing.tar.gz"
	if _, err := Fetch(context.Background(), nf, t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
	// Offline (nothing listens): what to do instead, not a raw dial error.
	off := a
	srv.Close()
	if _, err := Fetch(context.Background(), off, t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "(offline?): download cifar-10-binary.tar.gz on a machine that can") {
		t.Fatalf("offline: %v", err)
	}
}

// A directory of the Python pickle release gets a hint, not just "no such file".
func TestPickleHint(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "data_batch_1"), []byte("pickle"), 0o644)
	_, err := LoadCIFAR10(dir, Train, 0)
	if err == nil || !strings.Contains(err.Error(), "data_batch_1.bin") || !strings.Contains(err.Error(), "Python pickle release") {
		t.Fatalf("pickle dir: %v", err)
	}
	if _, err := LoadCIFAR10(t.TempDir(), Train, 0); err == nil || strings.Contains(err.Error(), "pickle") {
		t.Fatalf("empty dir: %v", err)
	}
}

func TestCacheDir(t *testing.T) {
	t.Setenv("SIMCLR_DATA", "/x/y")
	if CacheDir() != "/x/y" {
		t.Fatal(CacheDir())
	}
}

// TestRealCIFAR10 checks the shared copy when it is there (CI, dev boxes).
func TestRealCIFAR10(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "datasets", "cifar10")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no ../shared/datasets/cifar10")
	}
	d, err := LoadCIFAR10(dir, Test, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 10000 || d.Labels[0] != 3 || d.Classes[3] != "cat" {
		t.Fatalf("test set: %d images, first label %d", d.Len(), d.Labels[0])
	}
}

// STL-10's format on tiny files: column-major channels become planar
// row-major, labels 1..10 become 0..9, unlabeled_X.bin has labels -1; bad
// sizes and labels are named.
func TestLoadSTL10(t *testing.T) {
	dir := t.TempDir()
	const s = 96
	img := func(k int) []byte { // pixel (c, y, x) = k + c + 2y + 3x (mod 256), stored column-major
		b := make([]byte, 3*s*s)
		for c := range 3 {
			for x := range s {
				for y := range s {
					b[c*s*s+x*s+y] = byte(k + c + 2*y + 3*x)
				}
			}
		}
		return b
	}
	write := func(name string, ks ...int) {
		var b []byte
		for _, k := range ks {
			b = append(b, img(k)...)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	write("train_X.bin", 1, 2)
	os.WriteFile(filepath.Join(dir, "train_y.bin"), []byte{1, 10}, 0o644)
	write("test_X.bin", 3)
	os.WriteFile(filepath.Join(dir, "test_y.bin"), []byte{4}, 0o644)
	write("unlabeled_X.bin", 5, 6, 7)
	d, err := Load(STL10, dir, Train, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 2 || d.H != 96 || d.Labels[0] != 0 || d.Labels[1] != 9 || d.Classes[7] != "monkey" {
		t.Fatalf("train: %d images %d px, labels %v", d.Len(), d.H, d.Labels)
	}
	for _, p := range [][3]int{{0, 0, 0}, {1, 5, 7}, {2, 95, 3}} { // (c, y, x)
		c, y, x := p[0], p[1], p[2]
		if got, want := d.Image(1)[c*s*s+y*s+x], byte(2+c+2*y+3*x); got != want {
			t.Fatalf("pixel c%d y%d x%d: %d, want %d", c, y, x, got, want)
		}
	}
	u, err := Load(STL10Unlabeled, dir, Train, 2)
	if err != nil || u.Len() != 2 || u.Labelled() || u.Labels[1] != -1 {
		t.Fatalf("unlabeled: %v %+v", err, u)
	}
	if te, err := Load(STL10Unlabeled, dir, Test, 0); err != nil || te.Len() != 1 || te.Labels[0] != 3 {
		t.Fatalf("unlabeled's test split: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "test_y.bin"), []byte{11}, 0o644)
	if _, err := Load(STL10, dir, Test, 0); err == nil || !strings.Contains(err.Error(), "label 11 out of range 1..10") {
		t.Fatalf("label 11: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "test_X.bin"), img(1)[:100], 0o644)
	if _, err := Load(STL10, dir, Test, 0); err == nil || !strings.Contains(err.Error(), "test_X.bin: 100 bytes") {
		t.Fatalf("short file: %v", err)
	}
}
