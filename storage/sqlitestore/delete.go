package sqlitestore

import (
	"context"
	"slices"
	"time"
)

// deleteChunk is how many keys one DELETE ... IN (...) binds: below SQLite's
// oldest variable limit (999), so that it works with any build.
const deleteChunk = 500

// Delete removes key; an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.beginWrite(ctx); err != nil {
		return err
	}
	if _, err := s.del.ExecContext(ctx, key); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// DeleteMany removes keys, ignoring absent ones, with one DELETE per 500
// keys, all in one transaction.
func (s *store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.beginWrite(ctx); err != nil || len(keys) == 0 {
		return err
	}
	if len(keys) <= deleteChunk {
		if _, err := s.h.db.ExecContext(ctx, s.q.deleteIn(len(keys)), anys(keys)...); err != nil {
			return s.fail(ctx, err)
		}
		return nil
	}
	tx, err := s.h.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	for chunk := range slices.Chunk(keys, deleteChunk) {
		if _, err := tx.ExecContext(ctx, s.q.deleteIn(len(chunk)), anys(chunk)...); err != nil {
			return s.fail(ctx, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// DeleteExpired removes the values whose expiry, given to WriteWithExpiry, is
// before now, finding them through the index on expires, and returns how
// many it removed. When that frees much of the file, it gives the space back
// (see "Freed space" in the package doc).
func (s *store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.beginWrite(ctx); err != nil {
		return 0, err
	}
	res, err := s.h.db.ExecContext(ctx, s.q.prune, now.UnixMilli())
	if err != nil {
		return 0, s.fail(ctx, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fail(ctx, err)
	}
	if n > 0 {
		s.reclaim(ctx, false)
	}
	return int(n), nil
}

// Clear removes every value of this table and nothing else, and gives the
// space they took back to the file system (see "Freed space" in the package
// doc).
func (s *store) Clear(ctx context.Context) error {
	if err := s.beginWrite(ctx); err != nil {
		return err
	}
	if _, err := s.h.db.ExecContext(ctx, s.q.clear); err != nil {
		return s.fail(ctx, err)
	}
	s.reclaim(ctx, true)
	return nil
}

func anys(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}
