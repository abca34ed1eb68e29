package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"iter"

	"github.com/clientcache/clientcache/storage"
)

// readCtx is the context for a read by key, after begin checked ctx. On a
// database that Open opened in WAL mode such a read never waits (not for a
// lock: WAL readers do not wait for writers; not for a connection: the pool
// is unbounded) and takes microseconds, so it runs to its end without
// watching ctx: watching costs database/sql a goroutine per query, which
// doubles the cost of a cache hit. Everywhere else the read watches ctx.
func (s *Store) readCtx(ctx context.Context) context.Context {
	if s.pointReadsRunToEnd {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Contains reports whether key holds a value.
func (s *Store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.begin(ctx, "contains", key); err != nil || s.absent {
		return false, err
	}
	var one int
	switch err := s.contains.QueryRowContext(s.readCtx(ctx), key).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.fail(ctx, "contains", key, err)
	}
	return true, nil
}

// Read returns the value stored under key, or an error wrapping
// storage.ErrNotFound. It reads one row by primary key and does not hide a
// value whose expiry has passed.
func (s *Store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.begin(ctx, "read", key); err != nil {
		return nil, err
	}
	if s.absent {
		return nil, s.errorf("read", key, storage.ErrNotFound)
	}
	var v []byte // Scan copies: the slice is the caller's
	switch err := s.read.QueryRowContext(s.readCtx(ctx), key).Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, storage.ErrNotFound // a miss is common: no wrapping to allocate
	case err != nil:
		return nil, s.fail(ctx, "read", key, err)
	}
	return v, nil
}

// Size returns the number of keys in the table.
func (s *Store) Size(ctx context.Context) (int, error) {
	if err := s.begin(ctx, "size of", ""); err != nil || s.absent {
		return 0, err
	}
	var n int
	if err := s.h.db.QueryRowContext(ctx, s.q.size).Scan(&n); err != nil {
		return 0, s.fail(ctx, "size of", "", err)
	}
	return n, nil
}

// Keys yields every key of the table. The iteration reads from one
// connection and one snapshot of the database until it ends or the loop
// breaks.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return scanAll[string](s, ctx, "list keys of", s.q.keys)
}

// Values yields every value of the table, one row at a time, under the same
// rules as Keys. Each yielded slice belongs to the caller.
func (s *Store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return scanAll[[]byte](s, ctx, "list values of", s.q.values)
}

// scanAll yields the one column that query selects, as T.
func scanAll[T any](s *Store, ctx context.Context, op, query string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := s.begin(ctx, op, ""); err != nil {
			yield(zero, err)
			return
		}
		if s.absent {
			return
		}
		rows, err := s.h.db.QueryContext(ctx, query)
		if err != nil {
			yield(zero, s.fail(ctx, op, "", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var v T
			if err := rows.Scan(&v); err != nil {
				yield(zero, s.fail(ctx, op, "", err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, s.fail(ctx, op, "", err))
		}
	}
}
