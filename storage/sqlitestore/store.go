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
// implements storage.ExpiringWriter, storage.BulkDeleter and storage.Pruner.
// It is safe for concurrent use. Open and New make them.
type store struct {
	h        *handle
	name     string // the table
	q        queries
	readOnly bool
	absent   bool // read-only and the table does not exist: an empty store
	// pointReadsRunToEnd: reads by key need not watch their context once
	// started (see readCtx).
	pointReadsRunToEnd bool
	closed             storeutil.Closed

	read, contains, write, del *sql.Stmt // nil when readOnly or absent
}

var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
)

// newStore creates table name in h unless readOnly, and prepares its
// statements.
func newStore(ctx context.Context, h *handle, name string, readOnly bool) (*store, error) {
	s := &store{h: h, name: name, q: newQueries(name), readOnly: readOnly}
	if readOnly {
		var n int
		err := h.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("look for table %s: %w", name, err)
		}
		s.absent = n == 0
		if s.absent {
			return s, nil
		}
	} else {
		for _, stmt := range s.q.schema {
			if _, err := h.db.ExecContext(ctx, stmt); err != nil {
				return nil, fmt.Errorf("create table %s: %w", name, err)
			}
		}
	}
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
	for _, stmt := range []*sql.Stmt{s.read, s.contains, s.write, s.del} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s.wrap(fmt.Errorf("close statements: %w", err))
	}
	return nil
}
