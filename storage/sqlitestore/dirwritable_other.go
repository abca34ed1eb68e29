//go:build !unix

package sqlitestore

// dirWritable reports whether this process may create files in dir. Where
// there is no access(2), it says yes: a read-only open then lets SQLite
// create the -wal and -shm files it needs, as it always did.
var dirWritable = func(dir string) bool { return true }
