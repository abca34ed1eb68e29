// Package filestore keeps a cache in a directory: one file per value, so the
// cache survives restarts and can be inspected, copied or deleted with the
// usual tools.
//
// The cache_name is the directory. A leading "~" means the user's home
// directory, and the directory is created (mode 0700) when missing. [Open]
// makes the two storages a cache needs in the subdirectories responses/ and
// redirects/.
//
// Each value is a file (mode 0600) named by the SHA-256 digest of its key, so
// no key, however awkward ("../x", "a/b", 512 bytes), can name a path outside
// the directory. The file starts with a small header holding the key and the
// expiry, which is how Keys returns the keys and how expired values are found
// without reading them whole. A write goes to a temporary file in the same
// directory that is then renamed over the old one: readers see the old value
// or the new one, never a mix. Writes are not synced to the disk one by one;
// after a crash a value may be lost, which for a cache is a miss.
//
// A file that is not a well-formed entry (truncated, foreign, from another
// version) reads as absent and is removed.
//
// A write killed before its rename leaves its temporary file behind. On Unix
// a write holds an exclusive flock on its temporary file from its creation
// to its rename, and the kernel drops the lock when the writer dies, so a
// temporary file whose lock is free is garbage whatever its age; elsewhere
// (no flock) a temporary file is garbage once untouched for ten minutes.
// Open (unless read-only), Clear and DeleteExpired remove the garbage; the
// temporary files of writes in progress stay.
//
// Besides [storage.Storage], each storage implements the optional interfaces
// [storage.ExpiringWriter] (the expiry is kept in the file's header; an
// expired value reads as absent and is removed; a write whose expiry has
// already passed stores nothing and deletes the older value, as in every
// store), [storage.BulkDeleter] and
// [storage.Pruner] (which reads only headers).
//
// A storage's errors say "filestore: ", its directory and the cause, which
// errors.Is finds (storage.ErrClosed, storage.ErrReadOnly, the context's
// error); clientcache adds the operation and the key.
//
// Importing the package registers the URL scheme "file" with [storage.Open]:
//
//	file:///var/cache/myapp          an absolute directory
//	file://~/.cache/myapp            under the home directory
//	file:relative/dir                relative to the working directory
//	file:///var/cache/myapp?mode=ro  read-only (see Options.ReadOnly)
package filestore
