package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"

	"github.com/clientcache/clientcache/storage"
)

// idleConns is how many idle connections a database opened by Open keeps,
// so that concurrent readers do not reopen connections all the time.
const idleConns = 8

// Open opens, creating it if needed, the cache database that path names (the
// cache_name; see the package doc) and returns its two storages. The caller
// closes the Backend. opts may be nil.
//
// path is a file path or a SQLite "file:" URI, never a URL of a store:
// Open refuses a path that starts with a URL scheme and a slash
// ("sqlite:///x.sqlite", "redis://host") or with "sqlite:", with an error
// wrapping storage.ErrInvalidURL, and creates nothing. Open a URL with
// storage.Open; write "./sqlite:x" for a relative path that looks like one.
func Open(ctx context.Context, path string, opts *Options) (*storage.Backend, error) {
	c, err := newConfig(path, opts)
	if err != nil {
		return nil, err
	}
	return openConfig(ctx, c)
}

func openConfig(ctx context.Context, c *config) (*storage.Backend, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", c.path, err)
	}
	if err := c.prepareDir(); err != nil {
		return nil, err
	}
	was, _ := os.Stat(c.path) // the file that openDB finds damaged, if it does
	sidecars := hasSidecars(c.path)
	b, err := openDB(ctx, c)
	if err != nil && isDamaged(err) {
		return recoverDamaged(ctx, c, was, sidecars, err)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", c.path, err)
	}
	return b, nil
}

// openDB opens the database c names, sets it up and checks it (checkTables).
// Its errors are unwrapped: isDamaged tells a damaged file.
func openDB(ctx context.Context, c *config) (*storage.Backend, error) {
	fi, err := os.Stat(c.path)
	fresh := err == nil && fi.Size() == 0 // a new file: SQLite has not written its first page
	db, err := driver.Open(c.dsn())
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(idleConns)
	if err := initDB(ctx, db, c, fresh); err != nil {
		_ = db.Close()
		return nil, err
	}
	h := &handle{db: db, owned: true, callersAutoVacuum: hasPragma(c.params["_pragma"], "auto_vacuum")}
	b, err := newBackend(ctx, h, c.prefix, c.readOnly, c.budget, c.timeout)
	if err == nil {
		err = markWAL(ctx, db, b)
	}
	if err == nil {
		err = checkTables(ctx, b)
	}
	if err != nil {
		if b != nil {
			_ = b.Close() // closes db
		} else {
			_ = db.Close()
		}
		return nil, err
	}
	return b, nil
}

// New returns the two storages of a cache kept in db, a database the caller
// opened with any SQLite driver and keeps owning: closing the Backend never
// closes db. Unless opts.ReadOnly, New creates the tables, indexes and
// triggers if they are missing; it changes no connection setting, so the
// caller chooses the journal mode, busy timeout and auto-vacuum mode (WAL, a
// few seconds and incremental are advised; see "Freed space" in the package
// doc). A db limited to one open connection must not be used from inside a
// Keys or Values loop, which holds a connection until it ends. opts may be
// nil; of its fields, New uses ReadOnly, TablePrefix, MaxBytes, MaxEntries
// and Timeout.
func New(ctx context.Context, db *sql.DB, opts *Options) (*storage.Backend, error) {
	if db == nil {
		return nil, errors.New("sqlitestore: New needs a *sql.DB")
	}
	if opts == nil {
		opts = &Options{}
	}
	if err := checkPrefix(opts.TablePrefix); err != nil {
		return nil, err
	}
	if err := checkBudget(opts.MaxBytes, opts.MaxEntries); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: new: %w", err)
	}
	b, err := newBackend(ctx, &handle{db: db}, opts.TablePrefix, opts.ReadOnly,
		budget{maxBytes: opts.MaxBytes, maxEntries: opts.MaxEntries}, backendTimeout(opts.Timeout))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: new: %w", err)
	}
	return b, nil
}

// handle is the *sql.DB that a Backend's two storages share.
type handle struct {
	db    *sql.DB
	owned bool // opened by Open: closed when the last storage closes
	// callersAutoVacuum: the connections run the caller's auto_vacuum
	// pragma, whose mode a VACUUM gives the file (see store.reclaim).
	callersAutoVacuum bool

	mu   sync.Mutex
	refs int
}

// release drops one storage's reference and closes an owned db after the last.
func (h *handle) release() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refs--
	if h.refs == 0 && h.owned {
		return h.db.Close()
	}
	return nil
}

// newBackend sets up both tables in h and returns their storages, with
// budget b for Responses (Redirects, which holds short keys, has none) and
// the given Timeout.
func newBackend(ctx context.Context, h *handle, prefix string, readOnly bool, b budget, timeout time.Duration) (*storage.Backend, error) {
	var stores []*store
	for i, name := range []string{prefix + "responses", prefix + "redirects"} {
		if i > 0 {
			b = budget{}
		}
		s, err := newStore(ctx, h, name, readOnly, b)
		if err != nil {
			for _, s := range stores {
				_ = s.closeStatements()
			}
			return nil, err
		}
		stores = append(stores, s)
	}
	h.refs = len(stores)
	return &storage.Backend{Responses: stores[0], Redirects: stores[1], Timeout: timeout}, nil
}

// initDB makes a new (fresh: empty) database file incremental-auto-vacuum
// capable (see "Freed space" in the package doc) and switches the database
// to WAL mode, as c says, on one connection: SQLite fixes a file's
// auto-vacuum mode when it writes the file's first page, which switching to
// WAL does, so the connection that may write it must have the setting.
// Setting it on an existing file would not change the file's mode.
func initDB(ctx context.Context, db *sql.DB, c *config, fresh bool) error {
	if !c.setWAL && !(fresh && c.setAutoVacuum) {
		return nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if fresh && c.setAutoVacuum {
		if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return fmt.Errorf("set auto_vacuum: %w", err)
		}
	}
	if c.setWAL {
		return setWAL(ctx, conn, c.busy)
	}
	return nil
}

// setWAL switches the database to WAL mode. Switching needs a lock that the
// busy handler does not always wait for, so a busy database is retried until
// the busy timeout has passed.
func setWAL(ctx context.Context, db *sql.Conn, busy time.Duration) error {
	deadline := time.Now().Add(time.Duration(busyMillis(busy)) * time.Millisecond)
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil {
			if !strings.EqualFold(mode, "wal") {
				return fmt.Errorf("set journal_mode=WAL: the database stays in mode %q (choose one with _pragma=journal_mode(...))", mode)
			}
			return nil
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return fmt.Errorf("set journal_mode=WAL: %w", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("set journal_mode=WAL: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// markWAL lets b's point reads run to their end when db is in WAL mode
// (see store.readCtx). It only reads the journal mode.
func markWAL(ctx context.Context, db *sql.DB, b *storage.Backend) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal_mode: %w", err)
	}
	wal := strings.EqualFold(mode, "wal")
	b.Responses.(*store).pointReadsRunToEnd = wal
	b.Redirects.(*store).pointReadsRunToEnd = wal
	return nil
}

func isBusy(err error) bool {
	return errors.Is(err, sqlite3.BUSY) || errors.Is(err, sqlite3.LOCKED)
}
