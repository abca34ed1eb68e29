package filestore_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/clientcache/clientcache/storage"
)

func TestStorageOpenFileURL(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	abs := filepath.Join(t.TempDir(), "cache")
	tests := []struct{ url, dir string }{
		{"file://" + filepath.ToSlash(abs), abs},
		{"file://~/.cache/app", filepath.Join(home, ".cache", "app")},
	}
	for _, tc := range tests {
		b, err := storage.Open(t.Context(), tc.url)
		if err != nil {
			t.Fatalf("storage.Open(%q): %v", tc.url, err)
		}
		write(t, b.Responses, "k", "v")
		_ = b.Close()
		if !exists(entryPath(filepath.Join(tc.dir, "responses"), "k")) {
			t.Errorf("storage.Open(%q) did not keep its responses in %s", tc.url, tc.dir)
		}
	}

	// file:relative/dir is relative to the working directory.
	t.Chdir(t.TempDir())
	b, err := storage.Open(t.Context(), "file:rel/cache")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	write(t, b.Redirects, "k", "v")
	if _, err := os.Stat(filepath.Join("rel", "cache", "redirects")); err != nil {
		t.Errorf("file:rel/cache: %v", err)
	}

	ro, err := storage.Open(t.Context(), "file://"+filepath.ToSlash(abs)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Responses.Write(t.Context(), "k", nil); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("Write through mode=ro: err = %v, want ErrReadOnly", err)
	}
	if _, err := storage.Open(t.Context(), "file:///x?cache=1"); err == nil {
		t.Error("storage.Open with an unknown parameter succeeded")
	}
}
