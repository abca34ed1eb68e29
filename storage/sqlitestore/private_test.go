//go:build unix

package sqlitestore

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// setUmask sets the process's umask for the rest of the test. The umask is
// process-wide, so a test calling it must not be parallel (none in this
// package is: a parallel test would create its files under this umask).
func setUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// sharedDir returns a new directory with mode 1777, as /tmp has.
func sharedDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	return dir
}

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

func writeAndRead(t *testing.T, name string) func() error {
	t.Helper()
	b, err := Open(t.Context(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		k := fmt.Sprint("k", i)
		if err := b.Responses.Write(t.Context(), k, []byte("a response body")); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Responses.Read(t.Context(), k); err != nil {
			t.Fatal(err)
		}
	}
	return b.Close
}

// TestFilesArePrivate checks that the database and every file SQLite creates
// next to it are 0600, and every directory the store creates 0700, under the
// common umask 022 (which would leave 0644 files) and under one that clears
// some of the owner's bits, in a directory that everybody may write, like
// /tmp, which keeps its own mode.
func TestFilesArePrivate(t *testing.T) {
	for _, mask := range []int{0o022, 0o277} {
		t.Run(fmt.Sprintf("umask %04o", mask), func(t *testing.T) {
			shared := sharedDir(t)
			setUmask(t, mask)

			db := filepath.Join(shared, "cache.sqlite")
			closeDB := writeAndRead(t, db)
			// With the store open, the WAL and its -shm file exist.
			for _, name := range []string{db, db + "-wal", db + "-shm"} {
				wantMode(t, name, 0o600)
			}
			wantMode(t, shared, 0o777|os.ModeSticky)
			if err := closeDB(); err != nil {
				t.Fatal(err)
			}
			// The last connection deleted the WAL and -shm; the next one
			// creates them again.
			if _, err := os.Stat(db + "-wal"); !os.IsNotExist(err) {
				t.Fatalf("the WAL is still there after Close: %v", err)
			}
			closeDB = writeAndRead(t, db)
			for _, name := range []string{db, db + "-wal", db + "-shm"} {
				wantMode(t, name, 0o600)
			}
			if err := closeDB(); err != nil {
				t.Fatal(err)
			}
			// A read-only connection creates them too.
			ro, err := Open(t.Context(), db, &Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ro.Responses.Read(t.Context(), "k0"); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{db + "-wal", db + "-shm"} {
				wantMode(t, name, 0o600)
			}
			if err := ro.Close(); err != nil {
				t.Fatal(err)
			}

			// Directories the store creates for its database.
			nested := filepath.Join(shared, "new", "sub", "cache.sqlite")
			closeDB = writeAndRead(t, nested)
			for _, dir := range []string{filepath.Join(shared, "new"), filepath.Dir(nested)} {
				wantMode(t, dir, 0o700)
			}
			for _, name := range []string{nested, nested + "-wal", nested + "-shm"} {
				wantMode(t, name, 0o600)
			}
			if err := closeDB(); err != nil {
				t.Fatal(err)
			}

			// A rollback journal: in WAL mode SQLite creates one only to
			// switch a new database to WAL and deletes it at once, so
			// journal_mode=persist keeps one to look at.
			journaled := filepath.Join(shared, "journaled.sqlite")
			closeDB = writeAndRead(t, "file:"+journaled+"?_pragma=journal_mode(persist)")
			for _, name := range []string{journaled, journaled + "-journal"} {
				wantMode(t, name, 0o600)
			}
			if err := closeDB(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
