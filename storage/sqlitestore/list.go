package sqlitestore

import (
	"context"
	"iter"
	"time"
)

// Size returns the number of keys in the table whose expiry has not passed.
func (s *store) Size(ctx context.Context) (int, error) {
	if err := s.begin(ctx); err != nil || s.absent {
		return 0, err
	}
	var n int
	if err := s.h.db.QueryRowContext(ctx, s.q.size, nowMillis()).Scan(&n); err != nil {
		return 0, s.fail(ctx, err)
	}
	return n, nil
}

// Keys yields every key of the table whose expiry has not passed. The
// iteration reads from one connection and one snapshot of the database
// until it ends or the loop breaks.
func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return scanAll[string](s, ctx, s.q.keys)
}

// Values yields every value of the table whose expiry has not passed, one
// row at a time, under the same rules as Keys. Each yielded slice belongs to
// the caller.
func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return scanAll[[]byte](s, ctx, s.q.values)
}

// scanAll yields the one column that query selects, as T.
func scanAll[T any](s *store, ctx context.Context, query string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := s.begin(ctx); err != nil {
			yield(zero, err)
			return
		}
		if s.absent {
			return
		}
		rows, err := s.h.db.QueryContext(ctx, query, nowMillis())
		if err != nil {
			yield(zero, s.fail(ctx, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var v T
			if err := rows.Scan(&v); err != nil {
				yield(zero, s.fail(ctx, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(zero, s.fail(ctx, err))
		}
	}
}

// nowMillis is the time the queries that hide expired rows compare expiries
// with.
func nowMillis() int64 { return time.Now().UnixMilli() }
