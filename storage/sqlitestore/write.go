package sqlitestore

import (
	"context"
	"time"
)

// Write stores value under key with no expiry, replacing any previous value
// and expiry. In a store with a budget it then evicts the least recently
// used values until the table fits (see "Budget" in the package doc).
func (s *store) Write(ctx context.Context, key string, value []byte) error {
	return s.upsert(ctx, key, value, nil)
}

// WriteWithExpiry stores value under key, to be removed by DeleteExpired once
// expires has passed. A zero expires means never, as Write. An expiry not
// after now stores nothing and deletes the key, as every store does (the
// core passes expiries that already include the time stale responses are
// kept for revalidation).
func (s *store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	if !expires.IsZero() && !expires.After(time.Now()) {
		return s.Delete(ctx, key)
	}
	var exp any
	if !expires.IsZero() {
		exp = expires.UnixMilli()
	}
	return s.upsert(ctx, key, value, exp)
}

func (s *store) upsert(ctx context.Context, key string, value []byte, expires any) error {
	if err := s.beginWrite(ctx); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // a nil slice would bind NULL
	}
	if s.counted {
		return s.upsertCounting(ctx, key, value, expires)
	}
	if _, err := s.write.ExecContext(ctx, key, value, expires); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}
