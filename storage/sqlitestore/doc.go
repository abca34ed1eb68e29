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
// A value whose expiry has passed is hidden (Read, Contains, Size, Keys and
// Values skip it) until DeleteExpired removes it.
//
// Once the file has been opened with a budget, the responses table also has
// its bookkeeping (see "Budget"): a one-row table "<table>_usage" (entries,
// bytes, and a clock that every write advances) and a table "<table>_lru"
// (key, size, and the clock at the value's last use, indexed by it), which
// three triggers on the table keep up to date in the transaction of every
// insert, update and delete, whoever makes it.
//
// # Connection options
//
// [Open] sets, on every connection, PRAGMA busy_timeout ([Options.BusyTimeout],
// 5s by default) and synchronous=NORMAL, and puts the database in WAL mode
// once, so that readers never wait for the writer and many processes can share
// the file; a new file is made with auto_vacuum=INCREMENTAL (see "Freed
// space"). [Open] and [New] set the Backend's Timeout, the deadline of each
// store operation a request makes, to [Options.Timeout] ([DefaultTimeout],
// 2s, by default; its doc says why). A "file:" URI or a sqlite:// URL may
// carry these parameters, which are passed through; any other parameter is
// an error:
//
//	mode=ro|rw|rwc       SQLite's open mode; ro opens read-only
//	immutable=1          SQLite's immutable flag (also read-only)
//	cache, nolock, psow, vfs
//	                     SQLite's other URI parameters; a vfs replaces the
//	                     store's own, which creates the files 0600
//	_pragma=NAME(VALUE)  a PRAGMA run on every new connection, repeatable;
//	                     one for busy_timeout, synchronous, journal_mode
//	                     or auto_vacuum replaces the store's own setting
//	_txlock, _timefmt    options of the ncruces driver
//	table_prefix=NAME    [Options.TablePrefix]
//	max_bytes=SIZE       [Options.MaxBytes]: bytes, or a size with a unit,
//	                     binary (512KiB, 10MiB, 1GiB) or decimal (10MB)
//	max_entries=N        [Options.MaxEntries]
//
// # Budget
//
// [Options.MaxBytes] and [Options.MaxEntries] (the max_bytes and max_entries
// parameters) bound the Responses table. The bytes counted are those of each
// row's key and value; SQLite's own (page and b-tree overhead, indexes,
// bookkeeping, free pages) are not, so the file is somewhat larger than
// MaxBytes. Redirects has no budget: a row there is an alias and a cache
// key, under 200 bytes, one per redirect or alias, and the table stays small.
// Both tables report their use through [storage.Budgeted] (Budget), with or
// without a budget (the limits are then zero).
//
// Eviction happens on write. A write that leaves the table over its budget
// deletes, in the same transaction, the least recently used values until
// it fits. The value just written always stays, so the table exceeds the
// budget by at most that one value (one larger than MaxBytes is kept
// alone, until the next write evicts it). The transaction holds the write
// lock from its first statement, so processes sharing the file keep it
// within the budget together; each applies its own Options (the limits are
// not stored in the file). Nothing is evicted at open, nor by a read.
//
// Least recently used means least recently written or read, at a
// granularity counted in writes rather than time: a Read counts as a use,
// which is a write to the database, only when at least a quarter of the
// table's entries have been written since the value was last written or
// counted. A value used more recently than that is a quarter of a turnover
// away from eviction at least, and counting it again would change nothing
// but cost a write; so a hit writes nothing in the common case, at most
// once per value per quarter of a turnover, and never while nothing is
// written. A time granularity fits a cache of one speed only: a minute is
// too coarse for a cache that turns over within a minute (values read
// every second would be evicted as if unread) and needlessly fine for one
// that turns over in a day. A read counted ranks its value after every
// value written before it. To know whether a read counts without a look at
// the LRU table, each store with a budget remembers, in memory, when it last
// found each value used (two keys for each of up to 65,536 buckets chosen
// by the key's hash, a bucket per MaxEntries entry, 16,384 buckets with
// MaxBytes only: 16 KiB to 1 MiB), and the table's clock, which it reads at
// each of its writes and at most every 100ms otherwise (what other
// processes write is seen that late). A read of a key it does not remember
// looks in the LRU table once (an indexed read, about a tenth of a hit's
// cost). A read waits at most 100ms for the write lock to count a use, and
// otherwise leaves it uncounted. Contains is not a use; reads through a
// store without a budget count nothing.
//
// The running totals are the bookkeeping's (see "Schema"), which triggers
// update in each write's transaction: Budget and the check after a write
// read one row, whatever the table holds, and eviction reads the LRU index
// from its oldest end. (Summing an index of the sizes instead would cost
// each write a scan: 3-4ms at 50,000 entries.) The first read-write open
// with a budget creates the bookkeeping and fills it, in one transaction,
// from the rows the table holds (their sizes from the rows' headers, not
// their values; written before by a store without a budget or an earlier
// version, they count as used in the order they were first written). From
// then on every writer of the file keeps it, with a budget or not. A file
// never opened with a budget pays nothing for it, and its Budget sums the
// table: 65ms for 50 MB of 1 KB entries, 0.7ms for 50 MB of 20 KB ones.
// Values whose expiry has passed count until DeleteExpired removes them,
// or the budget evicts them.
//
// What a budget costs, measured with BenchmarkBudgetInterleaved
// (budget_bench_test.go; docs/BENCHMARKS.md has the run), median of 8 runs:
// a hit takes 1.02 times as long as without a budget with 1000 entries of
// 2 KB (0.94 to 1.10 from run to run), 1.03 times with 1000 of 100 KB (0.98
// to 1.08); a write of 2 KB that evicts a value takes 1.39 times as long as
// a write and a Delete by hand without a budget (1.36 to 1.56), because it
// writes 16.4 pages to the WAL where those write 13.0: the usage row, the
// value's LRU row and two entries of the LRU index, on insertion and on
// eviction. A write that evicts nothing writes the same four pages more (an
// overwrite of 2 KB: 5.5 pages instead of 1), which on the benchmark's
// machine, where each page written costs, made it 3.8 times as long
// (BenchmarkBudgetWrite).
//
// # Freed space
//
// SQLite keeps the pages of deleted rows in the file for later writes. Open
// makes a new file with incremental auto-vacuum (PRAGMA
// auto_vacuum=INCREMENTAL, which SQLite fixes when it writes the file's first
// page), and Clear and DeleteExpired give freed space back to the file
// system when it is at least 1 MiB and a quarter of the file: PRAGMA
// incremental_vacuum, whose cost is that of the pages freed, then a
// checkpoint that truncates the WAL, unless a reader is in the way (it does
// not wait). After Clear, a file of 20 MB of values takes 30-45 KiB, WAL
// included. Evictions and smaller deletions leave their pages to the next
// writes, which a cache at its budget makes at once. A file made without
// auto-vacuum (by an earlier version, or a New caller's) is switched to it
// by the first Clear that frees that much, with a VACUUM, which rewrites
// what remains of the database (little, after a Clear); DeleteExpired does
// not VACUUM, which would rewrite all the rest. Auto-vacuum costs writes
// that allocate or free pages a little (SQLite keeps a map of the pages'
// parents): new 2 KB entries each written with the deletion of an old one
// wrote 13.0 pages each instead of 10.9 and took 1.17 times as long
// (BenchmarkBudgetInterleaved, 1.04 to 1.25); overwrites of the same size
// wrote no more.
// An auto_vacuum pragma in the URI
// (_pragma=auto_vacuum(none)) replaces the store's choice, for a new file
// and for Clear's VACUUM.
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
// PRAGMA quick_check takes 55 ms and 115-170 ms; the budget's bookkeeping,
// where there is one, adds 7 ms to the 50,000 entries of 1 KB.
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
