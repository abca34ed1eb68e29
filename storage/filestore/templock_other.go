//go:build !unix

package filestore

import (
	"io/fs"
	"os"
	"time"
)

// Without flock (Windows, Plan 9, WASI) a store cannot tell whether a
// temporary file's writer is alive, so it goes by age: a temporary file
// untouched for staleTempAge is taken for a crashed write's leftover. A
// write of any value a process can hold in memory takes far less.
const staleTempAge = 10 * time.Minute

// tempLocked says writes hold no lock: the temporary file is closed before
// it is renamed (Windows renames no open file).
const tempLocked = false

func lockTemp(*os.File) error { return nil }

// removeAbandonedTemp removes the temporary file at path, which de
// describes, if it is older than staleTempAge, and reports whether it did.
func removeAbandonedTemp(path string, de fs.DirEntry) bool {
	info, err := de.Info()
	if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) <= staleTempAge {
		return false
	}
	return os.Remove(path) == nil
}
