package run

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes path (mode 0644) through a temp file in the same
// directory, synced, renamed into place and the directory synced: readers
// see the old file or the new one, and after a crash the new name holds.
func WriteFileAtomic(path string, write func(f *os.File) error) error { return writeFile(path, write) }

// writeFile is WriteFileAtomic's implementation: a variable so that tests
// can inject a failing disk.
var writeFile = func(path string, write func(f *os.File) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// CleanTemps removes the temp files an interrupted WriteFileAtomic left in
// dir (.NAME.tmp-*), as a run starts.
func CleanTemps(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	for _, p := range old {
		os.Remove(p)
	}
}

// WriteJSON writes v as indented JSON to path, atomically.
func WriteJSON(path string, v any) error {
	return WriteFileAtomic(path, func(f *os.File) error {
		e := json.NewEncoder(f)
		e.SetIndent("", "  ")
		return e.Encode(v)
	})
}
