package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// store is one table of a cache database: a storage.Storage that also
// implements storage.ExpiringWriter, storage.BulkDeleter, storage.Pruner
// and storage.Budgeted. It is safe for concurrent use. Open and New make
// them.
type store struct {
	h        *handle
	name     string // the table
	q        queries
	readOnly bool
	absent   bool // read-only and the table does not exist: an empty store
	// accounted: the table's bookkeeping (usage and LRU tables, triggers)
	// exists, as it does once the file has been opened with a budget.
	accounted bool
	budget    budget
	// counted: the store keeps within a budget (it has one, may write and
	// has the bookkeeping): reads may count as uses, writes evict.
	counted bool
	// pointReadsRunToEnd: reads by key need not watch their context once
	// started (see readCtx).
	pointReadsRunToEnd bool
	closed             storeutil.Closed

	read, contains, write, del  *sql.Stmt // nil when readOnly or absent
	atime, touch, usage, oldest *sql.Stmt // only when counted
	uses                        *uses     // only when counted
}

var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
	_ storage.Budgeted       = (*store)(nil)
)

// newStore creates table name in h unless readOnly, and its bookkeeping if
// b is a budget (see ensureSchema), and prepares its statements. A store
// with a budget keeps within it.
func newStore(ctx context.Context, h *handle, name string, readOnly bool, b budget) (*store, error) {
	s := &store{h: h, name: name, q: newQueries(name), readOnly: readOnly, budget: b}
	if readOnly {
		present, err := objectsPresent(ctx, h.db, name, s.q.usageTable)
		if err != nil {
			return nil, fmt.Errorf("look for table %s: %w", name, err)
		}
		s.absent = !present[name]
		if s.absent {
			return s, nil
		}
		s.accounted = present[s.q.usageTable]
	} else {
		var err error
		if s.accounted, err = ensureSchema(ctx, h.db, s.q, b.set()); err != nil {
			return nil, fmt.Errorf("create table %s: %w", name, err)
		}
	}
	s.counted = !readOnly && b.set()
	err := s.prepare(ctx, &s.read, s.q.read)
	if err == nil {
		err = s.prepare(ctx, &s.contains, s.q.contains)
	}
	if err == nil && !readOnly {
		err = s.prepare(ctx, &s.write, s.q.write)
	}
	if err == nil && !readOnly {
		err = s.prepare(ctx, &s.del, s.q.del)
	}
	if err == nil && s.counted {
		err = s.prepare(ctx, &s.atime, s.q.atime)
	}
	if err == nil && s.counted {
		err = s.prepare(ctx, &s.touch, s.q.touch)
	}
	if err == nil && s.counted {
		err = s.prepare(ctx, &s.usage, s.q.usage)
	}
	if err == nil && s.counted {
		err = s.prepare(ctx, &s.oldest, s.q.lru)
	}
	if err == nil && s.counted {
		s.uses = newUses(b.maxEntries)
		if err = s.refreshUses(ctx, true); errors.Is(err, sql.ErrNoRows) {
			err = nil // a usage row deleted by hand: the next write makes it again
		}
	}
	if err != nil {
		_ = s.closeStatements()
		return nil, err
	}
	return s, nil
}

func (s *store) prepare(ctx context.Context, dst **sql.Stmt, query string) error {
	stmt, err := s.h.db.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare %q: %w", query, err)
	}
	*dst = stmt
	return nil
}

// begin checks what every operation checks first: the store is open and ctx
// is not done.
func (s *store) begin(ctx context.Context) error {
	if err := s.closed.Check(ctx); err != nil {
		return s.wrap(err)
	}
	return nil
}

// beginWrite is begin for an operation that writes.
func (s *store) beginWrite(ctx context.Context) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if s.readOnly {
		return s.wrap(storage.ErrReadOnly)
	}
	return nil
}

// fail wraps err from the database, adding storage.ErrClosed when the store
// was closed meanwhile and ctx.Err() when ctx ended (the driver may report
// an interruption instead).
func (s *store) fail(ctx context.Context, err error) error {
	if s.closed.IsClosed() && !errors.Is(err, storage.ErrClosed) {
		err = fmt.Errorf("%w (%v)", storage.ErrClosed, err)
	} else if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%v)", cerr, err)
	}
	return s.wrap(err)
}

// wrap gives err the shape of the store's errors: "sqlitestore: ", the table
// and the cause. The core adds the operation and the key.
func (s *store) wrap(err error) error {
	return &storeutil.Error{Store: "sqlitestore", Namespace: s.name, Err: err}
}

// Close releases the store's prepared statements and, when the other store
// of its Backend is closed too and Open opened the database, the database.
// It never closes a *sql.DB given to New. Close is idempotent.
func (s *store) Close() error {
	if !s.closed.Close() {
		return nil
	}
	err := s.closeStatements()
	if rerr := s.h.release(); rerr != nil {
		err = errors.Join(err, s.wrap(fmt.Errorf("close the database: %w", rerr)))
	}
	return err
}

func (s *store) closeStatements() error {
	var errs []error
	for _, stmt := range []*sql.Stmt{s.read, s.contains, s.write, s.del, s.atime, s.touch, s.usage, s.oldest} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s.wrap(fmt.Errorf("close statements: %w", err))
	}
	return nil
}
