package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/clientcache/clientcache/storage"
)

// readCtx is the context for a read by key, after begin checked ctx. On a
// database that Open opened in WAL mode such a read never waits (not for a
// lock: WAL readers do not wait for writers; not for a connection: the pool
// is unbounded) and takes microseconds, so it runs to its end without
// watching ctx: watching costs database/sql a goroutine per query, which
// doubles the cost of a cache hit. Everywhere else the read watches ctx.
func (s *store) readCtx(ctx context.Context) context.Context {
	if s.pointReadsRunToEnd {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Contains reports whether key holds a value whose expiry has not passed.
func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.begin(ctx); err != nil || s.absent {
		return false, err
	}
	var one int
	switch err := s.contains.QueryRowContext(s.readCtx(ctx), key, nowMillis()).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.fail(ctx, err)
	}
	return true, nil
}

// Read returns the value stored under key, or an error wrapping
// storage.ErrNotFound, which is also what it returns for a value whose
// expiry has passed (DeleteExpired removes it). It reads one row by primary
// key. In a store with a budget the read may count as a use of the value
// (see "Budget" in the package doc); Contains never does.
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	if s.absent {
		return nil, s.wrap(storage.ErrNotFound)
	}
	if s.counted {
		return s.readCounting(ctx, key)
	}
	return s.readValue(ctx, key)
}

// readValue reads key's value, after begin.
func (s *store) readValue(ctx context.Context, key string) ([]byte, error) {
	var v []byte // Scan copies: the slice is the caller's
	switch err := s.read.QueryRowContext(s.readCtx(ctx), key, nowMillis()).Scan(&v); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, storage.ErrNotFound // a miss is common: no wrapping to allocate
	case err != nil:
		return nil, s.fail(ctx, err)
	}
	return v, nil
}
