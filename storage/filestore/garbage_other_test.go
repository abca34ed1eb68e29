//go:build !unix

package filestore_test

import (
	"os"
	"testing"
)

// unlockedTempsAreGarbage: without flock only age tells a leftover.
const unlockedTempsAreGarbage = false

// beingWritten creates the temporary file path as a write in progress has
// it: just modified.
func beingWritten(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("half a write"), 0o600); err != nil {
		t.Fatal(err)
	}
}
