package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/clientcache/clientcache/storage"
)

// isDamaged reports whether err says that the database file is not a SQLite
// database or is corrupt: SQLITE_NOTADB ("file is not a database") or
// SQLITE_CORRUPT and its extended codes ("database disk image is
// malformed"). The driver keeps the *sqlite3.Error in the chain, and its Is
// method compares primary codes.
func isDamaged(err error) bool {
	return errors.Is(err, sqlite3.NOTADB) || errors.Is(err, sqlite3.CORRUPT)
}

// checkTables is the check that Open runs on an existing cache, so that
// damage shows at open, where it can be repaired, rather than at first use:
// it counts the rows of each table twice, through the key's index and
// through the table, which walks both b-trees, interior and leaf pages, but
// not the overflow pages that hold large values (bodies); and the same for
// the bookkeeping tables (small rows: key, clock, size).
// Its cost is that of reading those pages: measured on a 50 MB cache,
// 0.1-0.2 ms with 20 KB entries (bodies in overflow pages), 60-75 ms with
// 1 KB entries (bodies inline); PRAGMA quick_check, which reads every page
// and checks more, took 55 ms and 115-170 ms. The bookkeeping's counts add
// about 7 ms to the 1 KB case (50,000 entries), 0.1 ms to the 20 KB one.
// Damage to a body in an overflow page is caught by the entry's checksum (a
// miss) or by the read that meets it (a store error, never a failed
// request).
func checkTables(ctx context.Context, b *storage.Backend) error {
	for _, s := range []*store{b.Responses.(*store), b.Redirects.(*store)} {
		if s.absent {
			continue
		}
		// count(*) reads the smallest b-tree, the key's index; NOT INDEXED
		// makes it read the table's. The same for the bookkeeping.
		queries := []string{s.q.count, s.q.count + " NOT INDEXED"}
		if s.accounted {
			queries = append(queries, s.q.lruSize, s.q.lruSize+" NOT INDEXED", s.q.usageSize)
		}
		for _, q := range queries {
			var n int
			if err := s.h.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
				return fmt.Errorf("check table %s: %w", s.name, err)
			}
		}
	}
	return nil
}

// corruptSuffix is put, with the time, after the name of a damaged database
// file that Open sets aside.
const corruptSuffix = ".corrupt-"

// setAside renames the damaged database at path, which must still be the
// file found damaged (was), to path.corrupt-<UTC time>, and its -wal and
// -journal with it (path.corrupt-<time>-wal, so that SQLite finds them when
// the set-aside file is opened for inspection); it removes the -shm, an index
// SQLite rebuilds from the WAL. The WAL and journal must not stay: SQLite
// would replay the old database's pages into the new one. It returns the new
// name of the database file.
func setAside(path string, was os.FileInfo, now time.Time) (string, error) {
	if was != nil {
		// Another process may have set it aside and made a new one already.
		if fi, err := os.Stat(path); err == nil && !os.SameFile(fi, was) {
			return "", nil
		}
	}
	base := path + corruptSuffix + now.UTC().Format("20060102T150405Z")
	dst := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s.%d", base, i)
	}
	if err := os.Rename(path, dst); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil // another process set it aside
		}
		return "", err
	}
	var errs []error
	for _, sfx := range []string{"-wal", "-journal"} {
		if err := os.Rename(path+sfx, dst+sfx); err != nil && !errors.Is(err, fs.ErrNotExist) {
			if rerr := os.Remove(path + sfx); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	return dst, errors.Join(errs...)
}

// absentBackend is the Backend of a damaged cache that cannot be set aside
// (read-only, or in a directory Open may not write): no database, every read
// a miss, every write storage.ErrReadOnly, Size 0, no keys.
func absentBackend(c *config) *storage.Backend {
	h := &handle{refs: 2}
	mk := func(name string, b budget) *store {
		return &store{h: h, name: name, q: newQueries(name), readOnly: true, absent: true, budget: b}
	}
	return &storage.Backend{Responses: mk(c.prefix+"responses", c.budget), Redirects: mk(c.prefix+"redirects", budget{}),
		Timeout: c.timeout}
}

// recoverDamaged handles a database that open found damaged (cause): it sets
// the file aside and opens a new empty cache in its place, or, when the cache
// is read-only or the file cannot be moved, returns an absent Backend. Either
// way it logs one warning.
func recoverDamaged(ctx context.Context, c *config, was os.FileInfo, hadSidecars bool, cause error) (*storage.Backend, error) {
	if c.readOnly {
		if !hadSidecars {
			removeEmptyWAL(c.path)
		}
		c.logger.Warn("sqlitestore: the cache database is damaged; opened read-only, it is left as it is and the cache is "+
			"treated as empty (every request goes to the network). Open it once read-write to set it aside "+
			"and start a new cache, or delete it.",
			"path", c.path, "err", cause)
		return absentBackend(c), nil
	}
	dst, err := setAside(c.path, was, time.Now())
	if err != nil && dst == "" {
		c.logger.Warn("sqlitestore: the cache database is damaged and cannot be set aside; the cache is treated "+
			"as empty and read-only (every request goes to the network). Delete the file, or make its "+
			"directory writable, to start a new cache.",
			"path", c.path, "err", cause, "rename_err", err)
		return absentBackend(c), nil
	}
	if _, cerr := createPrivate(c.path); cerr != nil {
		return nil, fmt.Errorf("sqlitestore: create %s after setting the damaged database aside: %w", c.path, cerr)
	}
	b, oerr := openDB(ctx, c)
	if oerr != nil {
		return nil, fmt.Errorf("sqlitestore: open %s after setting the damaged database aside: %w (it was: %v)", c.path, oerr, cause)
	}
	attrs := []any{"path", c.path, "err", cause}
	if dst != "" {
		attrs = append(attrs, "moved_to", filepath.Base(dst))
	}
	if err != nil {
		attrs = append(attrs, "cleanup_err", err)
	}
	c.logger.Warn("sqlitestore: the cache database was damaged; it was set aside and a new empty cache was created", attrs...)
	return b, nil
}

// hasSidecars reports whether the -wal or -shm file of the database at path
// exists.
func hasSidecars(path string) bool {
	for _, sfx := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(path + sfx); !errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

// removeEmptyWAL removes the empty -wal file, and the -shm, that a read-only
// open of the damaged database at path created (SQLite creates them to read a
// file whose header says WAL mode), so that a read-only open leaves the
// directory as it found it.
func removeEmptyWAL(path string) {
	if fi, err := os.Lstat(path + "-wal"); err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 {
		return
	}
	_ = os.Remove(path + "-wal")
	_ = os.Remove(path + "-shm")
}

// loggerOr returns l, or slog.Default() when l is nil.
func loggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
