//go:build unix

package fspath

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
)

// TestMkdirPrivate sets the process-wide umask, so it must not be parallel.
func TestMkdirPrivate(t *testing.T) {
	base := t.TempDir()
	existing := filepath.Join(base, "existing")
	if err := os.Mkdir(existing, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(existing, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o277) // clears owner bits: Mkdir alone would make 0500
	defer syscall.Umask(old)

	dir := filepath.Join(existing, "a", "b", "c")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs { // as several processes opening one new cache would
		wg.Go(func() { errs[i] = MkdirPrivate(dir) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{
		existing:                         0o777 | os.ModeSticky, // not the cache's to change
		filepath.Join(existing, "a"):     0o700,
		filepath.Join(existing, "a/b"):   0o700,
		filepath.Join(existing, "a/b/c"): 0o700,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModePerm | os.ModeSticky); got != want {
			t.Errorf("%s has mode %v, want %v", path, got, want)
		}
	}

	if err := MkdirPrivate(existing); err != nil {
		t.Errorf("MkdirPrivate of an existing directory: %v", err)
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := MkdirPrivate(filepath.Join(file, "sub")); err == nil {
		t.Error("MkdirPrivate under a file: no error")
	}
	if err := MkdirPrivate(file); !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("MkdirPrivate of a file: %v, want ENOTDIR", err)
	}
}
