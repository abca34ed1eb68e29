//go:build unix

package filestore_test

import (
	"os"
	"syscall"
	"testing"
)

// unlockedTempsAreGarbage says a temporary file no writer holds is garbage
// whatever its age: a write holds its file's flock until the rename.
const unlockedTempsAreGarbage = true

// beingWritten creates the temporary file path as a write in progress has
// it: created, and locked until the test ends, as a live writer holds it.
func beingWritten(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("half a write"); err != nil {
		t.Fatal(err)
	}
}
