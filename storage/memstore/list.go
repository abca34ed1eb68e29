package memstore

import (
	"bytes"
	"context"
	"iter"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Size returns the number of values that have not expired.
func (s *store) Size(ctx context.Context) (int, error) {
	if err := s.closed.Check(ctx); err != nil {
		return 0, wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.IsClosed() {
		return 0, wrap(storage.ErrClosed)
	}
	if s.expiring == 0 {
		return len(s.entries), nil
	}
	now, n := time.Now().UnixNano(), 0
	for _, e := range s.entries {
		if !e.expiredAt(now) {
			n++
		}
	}
	return n, nil
}

// Keys yields the keys of the values that have not expired, in no particular
// order. It iterates over a snapshot taken when the iteration starts, so the
// loop body may call any method of the store, and stopping early holds
// nothing.
func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		entries, err := s.snapshot(ctx)
		if err != nil {
			yield("", wrap(err))
			return
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				yield("", wrap(err))
				return
			}
			if !yield(e.key, nil) {
				return
			}
		}
	}
}

// Values yields a copy of every value that has not expired, in no
// particular order, under the same rules as Keys.
func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		entries, err := s.snapshot(ctx)
		if err != nil {
			yield(nil, wrap(err))
			return
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				yield(nil, wrap(err))
				return
			}
			if !yield(bytes.Clone(e.value), nil) {
				return
			}
		}
	}
}

// snapshotEntry is what an iteration needs of an entry. Values are never
// modified once stored, so holding the slice without the lock is safe.
type snapshotEntry struct {
	key   string
	value []byte
}

// snapshot copies the live entries' keys and value slices (not the bytes)
// under the read lock.
func (s *store) snapshot(ctx context.Context) ([]snapshotEntry, error) {
	if err := s.closed.Check(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.IsClosed() {
		return nil, storage.ErrClosed
	}
	now := time.Now().UnixNano()
	out := make([]snapshotEntry, 0, len(s.entries))
	for _, e := range s.entries {
		if !e.expiredAt(now) {
			out = append(out, snapshotEntry{e.key, e.value})
		}
	}
	return out, nil
}

// Budget reports Options.MaxBytes and MaxEntries and what the store holds:
// its values (expired ones too, until they are evicted or pruned) and their
// cost in bytes as the budget counts it.
func (s *store) Budget(ctx context.Context) (storage.Budget, error) {
	if err := s.closed.Check(ctx); err != nil {
		return storage.Budget{}, wrap(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed.IsClosed() {
		return storage.Budget{}, wrap(storage.ErrClosed)
	}
	return storage.Budget{MaxBytes: s.maxBytes, MaxEntries: s.maxEntries, Bytes: s.bytes, Entries: len(s.entries)}, nil
}
