package sqlitestore

import (
	"context"
	"slices"
	"time"
)

// deleteChunk is how many keys one DELETE ... IN (...) binds: below SQLite's
// oldest variable limit (999), so that it works with any build.
const deleteChunk = 500

// Write stores value under key with no expiry, replacing any previous value
// and expiry.
func (s *Store) Write(ctx context.Context, key string, value []byte) error {
	return s.upsert(ctx, "write", key, value, nil)
}

// WriteWithExpiry stores value under key, to be removed by DeleteExpired once
// expires has passed. A zero expires means never, as Write.
func (s *Store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	var exp any
	if !expires.IsZero() {
		exp = expires.UnixMilli()
	}
	return s.upsert(ctx, "write", key, value, exp)
}

func (s *Store) upsert(ctx context.Context, op, key string, value []byte, expires any) error {
	if err := s.beginWrite(ctx, op, key); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // a nil slice would bind NULL
	}
	if _, err := s.write.ExecContext(ctx, key, value, expires); err != nil {
		return s.fail(ctx, op, key, err)
	}
	return nil
}

// Delete removes key; an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.beginWrite(ctx, "delete", key); err != nil {
		return err
	}
	if _, err := s.del.ExecContext(ctx, key); err != nil {
		return s.fail(ctx, "delete", key, err)
	}
	return nil
}

// DeleteMany removes keys, ignoring absent ones, with one DELETE per 500
// keys, all in one transaction.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.beginWrite(ctx, "delete many from", ""); err != nil || len(keys) == 0 {
		return err
	}
	if len(keys) <= deleteChunk {
		if _, err := s.h.db.ExecContext(ctx, s.q.deleteIn(len(keys)), anys(keys)...); err != nil {
			return s.fail(ctx, "delete many from", "", err)
		}
		return nil
	}
	tx, err := s.h.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, "delete many from", "", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	for chunk := range slices.Chunk(keys, deleteChunk) {
		if _, err := tx.ExecContext(ctx, s.q.deleteIn(len(chunk)), anys(chunk)...); err != nil {
			return s.fail(ctx, "delete many from", "", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, "delete many from", "", err)
	}
	return nil
}

// DeleteExpired removes the values whose expiry, given to WriteWithExpiry, is
// before now, finding them through the index on expires, and returns how
// many it removed.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.beginWrite(ctx, "delete expired from", ""); err != nil {
		return 0, err
	}
	res, err := s.h.db.ExecContext(ctx, s.q.prune, now.UnixMilli())
	if err != nil {
		return 0, s.fail(ctx, "delete expired from", "", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(ctx, "delete expired from", "", err)
	}
	return int(n), nil
}

// Clear removes every value of this table and nothing else.
func (s *Store) Clear(ctx context.Context) error {
	if err := s.beginWrite(ctx, "clear", ""); err != nil {
		return err
	}
	if _, err := s.h.db.ExecContext(ctx, s.q.clear); err != nil {
		return s.fail(ctx, "clear", "", err)
	}
	return nil
}

func anys(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}
