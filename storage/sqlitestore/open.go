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
	db, err := driver.Open(c.dsn())
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(idleConns)
	if c.setWAL {
		if err := setWAL(ctx, db, c.busy); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	b, err := newBackend(ctx, &handle{db: db, owned: true}, c.prefix, c.readOnly)
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
// closes db. Unless opts.ReadOnly, New creates the tables and index if they
// are missing; it changes no connection setting, so the caller chooses the
// journal mode and busy timeout (WAL and a few seconds are advised). A db
// limited to one open connection must not be used from inside a Keys or
// Values loop, which holds a connection until it ends. opts may be nil.
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
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: new: %w", err)
	}
	b, err := newBackend(ctx, &handle{db: db}, opts.TablePrefix, opts.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: new: %w", err)
	}
	return b, nil
}

// handle is the *sql.DB that a Backend's two storages share.
type handle struct {
	db    *sql.DB
	owned bool // opened by Open: closed when the last storage closes

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

// newBackend sets up both tables in h and returns their storages.
func newBackend(ctx context.Context, h *handle, prefix string, readOnly bool) (*storage.Backend, error) {
	var stores []*store
	for _, name := range []string{prefix + "responses", prefix + "redirects"} {
		s, err := newStore(ctx, h, name, readOnly)
		if err != nil {
			for _, s := range stores {
				_ = s.closeStatements()
			}
			return nil, err
		}
		stores = append(stores, s)
	}
	h.refs = len(stores)
	return &storage.Backend{Responses: stores[0], Redirects: stores[1]}, nil
}

// setWAL switches the database to WAL mode. Switching needs a lock that the
// busy handler does not always wait for, so a busy database is retried until
// the busy timeout has passed.
func setWAL(ctx context.Context, db *sql.DB, busy time.Duration) error {
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
