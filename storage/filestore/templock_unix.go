//go:build unix

package filestore

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// On Unix a write holds an exclusive flock(2) on its temporary file from
// just after creating it until it has renamed it into place. The lock goes
// with the writer: the kernel drops it when the process exits or is killed,
// so a temporary file whose lock can be taken is one nobody is writing, and
// is garbage however young it is. That is exact where an age or a PID is a
// guess (a PID is reused, and another machine sharing the directory has
// other PIDs). flock is advisory and per open file: a second descriptor of
// the same process conflicts too, which is what a cleaner in the writer's
// own process needs.

// tempLocked says writes hold their temporary file's lock until the rename:
// the file is renamed while still open, and closed after.
const tempLocked = true

// lockTemp takes the writer's lock on its new temporary file. It waits
// while a cleaner holds the lock: that cleaner then removes the file, which
// the writer notices (createTemp).
func lockTemp(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// removeAbandonedTemp removes the temporary file at path, which de
// describes, if no writer holds its lock, and reports whether it did.
func removeAbandonedTemp(path string, de fs.DirEntry) bool {
	if !de.Type().IsRegular() {
		return false // not one of the store's temporary files
	}
	// O_NONBLOCK: should a FIFO have taken the name since the directory was
	// read, opening it must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close() // releases the lock, after the removal
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false // EWOULDBLOCK: its writer is alive
	}
	held, err := f.Stat()
	if err != nil {
		return false
	}
	if current, err := os.Lstat(path); err != nil || !os.SameFile(held, current) {
		return false
	}
	return os.Remove(path) == nil
}
