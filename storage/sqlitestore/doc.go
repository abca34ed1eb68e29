// Package sqlitestore keeps a clientcache in one SQLite database file, the
// default embedded store (the counterpart of requests-cache's SQLiteCache).
// It is pure Go: SQLite runs through github.com/ncruces/go-sqlite3, no cgo.
//
// # cache_name
//
// The cache_name given to [Open] is the database path:
//
//   - a leading "~" is the user's home directory;
//   - ".sqlite" is appended when the file name has no extension
//     ("~/.cache/myapp" opens ~/.cache/myapp.sqlite; "cache.db" stays);
//   - missing parent directories are created with mode 0700 (never for a
//     read-only open); existing ones keep their mode;
//   - the database file and the journal, WAL and -shm files SQLite creates
//     next to it get mode 0600, whatever the umask;
//   - it may be a SQLite "file:" URI instead, whose query carries connection
//     options: "file:/var/cache/app.sqlite?mode=ro&_pragma=busy_timeout(10000)".
//
// In-memory databases are not supported: use package memstore.
//
// # Schema
//
// One table per Storage, "responses" and "redirects" (after
// [Options.TablePrefix]), each
//
//	key     TEXT PRIMARY KEY  -- the storage key
//	expires INTEGER           -- Unix milliseconds, NULL for never
//	value   BLOB NOT NULL
//
// with a partial index on expires, so that pruning (DeleteExpired) finds
// expired rows through the index instead of scanning the values. A hit reads
// one row by primary key; a write is one INSERT ... ON CONFLICT DO UPDATE.
//
// # Connection options
//
// [Open] sets, on every connection, PRAGMA busy_timeout ([Options.BusyTimeout],
// 5s by default) and synchronous=NORMAL, and puts the database in WAL mode
// once, so that readers never wait for the writer and many processes can share
// the file. A "file:" URI or a sqlite:// URL may carry these parameters, which
// are passed through; any other parameter is an error:
//
//	mode=ro|rw|rwc       SQLite's open mode; ro opens read-only
//	immutable=1          SQLite's immutable flag (also read-only)
//	cache, nolock, psow, vfs
//	                     SQLite's other URI parameters; a vfs replaces the
//	                     store's own, which creates the files 0600
//	_pragma=NAME(VALUE)  a PRAGMA run on every new connection, repeatable;
//	                     one for busy_timeout, synchronous or journal_mode
//	                     replaces the store's own setting
//	_txlock, _timefmt    options of the ncruces driver
//	table_prefix=NAME    [Options.TablePrefix]
//
// # Read-only caches
//
// A cache opened read-only (Options.ReadOnly, mode=ro or immutable=1) serves
// reads and never writes: it creates no directory, table or index, does not
// change the journal mode, and Write, WriteWithExpiry, Delete, DeleteMany,
// DeleteExpired and Clear return an error wrapping storage.ErrReadOnly without
// touching the database. Opening a missing file read-only is an error wrapping
// fs.ErrNotExist; a file without the cache's tables opens as an empty cache
// (every read a miss) and stays empty until it is reopened.
//
// A read-only open of a file in a directory this process may not write (a
// read-only mount, or another user's directory) creates no file: when there
// is no -wal file next to the database, no writer can be at work, and the
// file is opened with immutable=1, which needs no -shm and takes no lock.
// Where the directory is writable, or a -wal exists, the open stays a plain
// mode=ro one: SQLite then reads through the -wal and -shm files, creating
// them if needed, and sees a writer's changes.
//
// # Damaged files
//
// [Open] checks an existing database before using it: SQLite reads its header
// and schema, and the store counts the rows of each table, which walks the
// b-trees of the tables and their key indexes but not the overflow pages that
// hold values larger than about 4 KB (a damaged value is caught by the entry's
// checksum, a miss). Measured on a 50 MB cache: 0.1-0.2 ms with 20 KB entries,
// 60-75 ms with 1 KB entries (stored in the b-tree pages, so read), where
// PRAGMA quick_check takes 55 ms and 115-170 ms.
// A file that is not a database (SQLITE_NOTADB: truncated, zeros, another
// format) or is corrupt (SQLITE_CORRUPT) is then set aside: renamed to
// "<path>.corrupt-<UTC time, 20060102T150405Z>", its -wal and -journal renamed
// with it (they belong to it, and SQLite would replay them into a new
// database) and its -shm removed; a new empty cache is created in its place
// (0600), and one warning goes to [Options.Logger]. A damaged file opened
// read-only, or one that cannot be renamed (its directory is not writable),
// is left as it is: Open succeeds with a cache that holds nothing (reads are
// misses, writes fail with storage.ErrReadOnly, Size is 0), so that requests
// go to the network, and logs one warning naming the file and what to do.
// [New] does neither: the caller's *sql.DB is the caller's.
//
// # Sharing
//
// The two Storages of a Backend share one *sql.DB. [Open] closes its database
// when both are closed; [New] uses a *sql.DB the caller opened and never closes
// it. Many goroutines and many processes may use one database file at once;
// writers take turns, each waiting up to the busy timeout.
//
// # Errors
//
// A Storage's errors say "sqlitestore: ", its table and the cause, which
// errors.Is finds (storage.ErrClosed, storage.ErrReadOnly, the context's
// error); clientcache adds the operation and the key.
//
// # URLs
//
// Importing the package registers the URL scheme "sqlite" with
// storage.Open: "sqlite:///abs/path.sqlite" (three slashes: an absolute path),
// "sqlite://~/cache/app.sqlite" (under the home directory) or
// "sqlite:relative/path.sqlite", with the parameters above as its query.
package sqlitestore
