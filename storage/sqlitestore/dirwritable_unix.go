//go:build unix

package sqlitestore

import "golang.org/x/sys/unix"

// dirWritable reports whether this process may create files in dir:
// access(2) with W_OK, which also says no on a read-only mount. (For root,
// permission bits do not stop it, and access says yes.) A variable for
// tests.
var dirWritable = func(dir string) bool { return unix.Access(dir, unix.W_OK) == nil }
