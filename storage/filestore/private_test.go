//go:build unix

package filestore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/clientcache/clientcache/storage/filestore"
)

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got := fi.Mode() & (os.ModePerm | os.ModeSticky); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

// TestFilesArePrivate checks that every entry file is 0600 and every
// directory the store creates 0700, under the common umask 022 and under one
// that clears some of the owner's bits, while an existing directory that
// everybody may write, like /tmp, keeps its mode. It sets the process-wide
// umask, so it must not be parallel (no test in this package is).
func TestFilesArePrivate(t *testing.T) {
	for _, mask := range []int{0o022, 0o277} {
		t.Run(fmt.Sprintf("umask %04o", mask), func(t *testing.T) {
			shared := filepath.Join(t.TempDir(), "shared")
			if err := os.Mkdir(shared, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(shared, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			old := syscall.Umask(mask)
			t.Cleanup(func() { syscall.Umask(old) })

			// A store directly in the existing directory.
			s := newStore(t, shared, nil)
			write(t, s, "k", "a response body")
			wantMode(t, entryPath(shared, "k"), 0o600)
			wantMode(t, shared, 0o777|os.ModeSticky)

			// A cache whose directories the store creates.
			root := filepath.Join(shared, "new", "cache")
			b, err := filestore.Open(t.Context(), root, nil)
			if err != nil {
				t.Fatal(err)
			}
			write(t, b.Responses, "k", "a response body")
			write(t, b.Redirects, "r", "k")
			for _, dir := range []string{filepath.Join(shared, "new"), root, filepath.Join(root, "responses"), filepath.Join(root, "redirects")} {
				wantMode(t, dir, 0o700)
			}
			wantMode(t, entryPath(filepath.Join(root, "responses"), "k"), 0o600)
			wantMode(t, entryPath(filepath.Join(root, "redirects"), "r"), 0o600)

			// A directory removed from under the store is created again.
			if err := os.RemoveAll(root); err != nil {
				t.Fatal(err)
			}
			write(t, b.Responses, "k2", "another body")
			for _, dir := range []string{root, filepath.Join(root, "responses")} {
				wantMode(t, dir, 0o700)
			}
			wantMode(t, entryPath(filepath.Join(root, "responses"), "k2"), 0o600)
		})
	}
}
