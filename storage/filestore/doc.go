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
// # Budget
//
// The Responses storage may be given a budget: a number of bytes
// ([Options.MaxBytes], URL parameter max_bytes) and/or a number of entries
// ([Options.MaxEntries], max_entries). A write that would go over it first
// evicts the least recently used responses until the new one fits, so that
// the directory never holds more than the budget; a single value bigger than
// the whole budget is still stored, alone (at most one entry over). Redirects
// has no budget: it holds short keys, one per redirect or alias, and stays
// unbounded. A read counts as a use; Contains, Keys and Values do not.
//
// What is counted: the entry files of responses/, each the size stat
// reports (the value, the key and a 23-byte header), not the disk blocks
// they occupy; an entry file counts as an entry until it is removed, expired
// or not. Temporary files of writes in progress count toward nothing (a write
// holds at most one, and a failed write removes it; those of killed writes
// are removed at Open, by Clear and DeleteExpired and by the scans below),
// nor do the directories and any other file.
//
// How recency is kept: the store keeps an index in memory of the entry files
// (size and last use, in a list most recently used first; about 100 bytes an
// entry), built at Open by reading the directory, a stat per file, in the
// order of the files' modification times. Open evicts what goes over the
// budget (unless read-only: a read-only store reports its use but evicts
// nothing and sets no file's time). A read moves its entry to the front of the list: no system call,
// no allocation, about 35 ns. At most once a minute per entry a read also
// sets the file's modification time (a system call of a few µs), so that a
// restart, and another process's scan, see the entry as recently used to
// within a minute. Every change this process makes to an entry file (a
// write's rename, a deletion, an eviction) is made under the index's lock
// with the index's change, so that within one process the index is the
// directory and the budget holds exactly: at no moment do the entry files
// sum to more than the budget, unless one value alone does.
//
// Several processes (or several Open calls) may share a directory. Each
// keeps its own index, which does not see the others' writes, so the bound
// across processes is approximate. Eviction tolerates a file already gone
// (another process evicted it) and may evict a file another process wrote.
// Each store re-reads its directory in the background, after some writes of
// its own: soon (every eighth of its entry count, at least 16 writes) once
// it has seen that its index is off (a file it evicted or read already gone,
// a file another process wrote found by a read, which adds it to the index),
// or when its last scan found another process's changes; otherwise at intervals that double up to 4 times the
// entry count (at least 4096 writes), so that a store alone in its directory
// pays less than one stat per write for them. A scan brings the index in
// line with the directory, orders the other processes' files by their
// modification times, and evicts down to the budget. Measured with stores
// writing distinct entries in turn under one budget of 1 MiB: two peaked at
// 1.17 times the budget (1.06 on average), four at 1.43 (1.12 on average).
// Without any scan the bound would still hold per process: N processes with
// the same budget never hold more than N budgets.
//
// [storage.Budgeted] reports the limits and the use: with a budget, the
// index's figures (after a scan if the index is known to be off); without
// one, a stat of every entry file. Each storage implements it; Redirects
// reports no limit.
//
// The cost, measured with BenchmarkBudgetInterleaved on entries of 2 KiB
// (see docs/BENCHMARKS.md): a read with a budget takes 1.00 to 1.05 times as
// long as one without (medians of 8 runs; the index's own work, 35 ns, is
// within the noise of the read's system calls, about 22 µs), with no
// allocation more; a read that also set the file's time every time would
// take about 4 µs more, which is what setting it at most once a minute
// saves. A write that evicts an entry takes as long as a write and a
// Delete by hand (0.97 to 1.01 times), and an overwrite within the budget as
// long as one without a budget.
//
// # Timeout
//
// Open sets the Backend's Timeout to zero: no deadline of the store's own. A
// file system call on a local disk cannot be abandoned once made, and a
// deadline would be checked only between the calls of an operation, so it
// would not make a slow disk answer sooner, only turn its slowness into
// failures, after which the core skips the store. A cache on a network file
// system, which can hang, may be given one with clientcache's
// Options.StoreTimeout.
//
// # Optional interfaces
//
// Besides [storage.Storage], each storage implements the optional interfaces
// [storage.ExpiringWriter] (the expiry is kept in the file's header; an
// expired value reads as absent and is removed; a write whose expiry has
// already passed stores nothing and deletes the older value, as in every
// store), [storage.BulkDeleter], [storage.Pruner] (which reads only
// headers) and [storage.Budgeted].
//
// A storage's errors say "filestore: ", its directory and the cause, which
// errors.Is finds (storage.ErrClosed, storage.ErrReadOnly, the context's
// error); clientcache adds the operation and the key.
//
// # URLs
//
// Importing the package registers the URL scheme "file" with [storage.Open]:
//
//	file:///var/cache/myapp          an absolute directory
//	file://~/.cache/myapp            under the home directory
//	file:relative/dir                relative to the working directory
//	file:///var/cache/myapp?mode=ro  read-only (see Options.ReadOnly)
//	file:///var/cache/myapp?max_bytes=10MiB&max_entries=10000
//	                                 a budget (see Budget)
//
// max_bytes is a whole number of bytes with an optional unit: KiB, MiB, GiB,
// TiB (powers of 1024), KB, MB, GB, TB (powers of 1000) or B; max_entries a
// whole number. 0 means no limit.
package filestore
