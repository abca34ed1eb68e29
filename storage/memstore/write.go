package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Write stores a copy of value under key, replacing any older value and its
// expiry. In a store with a budget it may evict the least recently used
// values.
func (s *Store) Write(ctx context.Context, key string, value []byte) error {
	return s.store(ctx, "write", key, value, 0, false)
}

// WriteOwned stores value itself, without a copy, under key, with an expiry
// as WriteWithExpiry. It implements storage.OwnedWriter: the caller hands the
// value over and never modifies it afterwards.
func (s *Store) WriteOwned(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.store(ctx, "write", key, value, expiryNanos(expires), true)
}

// store is Write, WriteWithExpiry and WriteOwned; expires is in unix
// nanoseconds, 0 for never; owned says value may be kept as it is.
func (s *Store) store(ctx context.Context, op, key string, value []byte, expires int64, owned bool) error {
	if err := ctx.Err(); err != nil {
		return opError(op, key, err)
	}
	if cost := entryCost(key, value); s.maxBytes > 0 && cost > s.maxBytes {
		// The caller meant to replace the old value: leaving it would serve
		// what it just tried to overwrite.
		if err := s.remove(key); err != nil {
			return opError(op, key, err)
		}
		return opError(op, key, fmt.Errorf("%w (%d bytes, budget %d)", ErrTooLarge, cost, s.maxBytes))
	}
	copied := value
	if !owned {
		copied = bytes.Clone(value) // outside the lock: values may be megabytes
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		return opError(op, key, storage.ErrClosed)
	}
	e := s.entries[key]
	if e != nil {
		s.unaccountLocked(e)
		e.value, e.expires, e.owned = copied, expires, owned
		if s.budgeted {
			s.recency.moveToFront(e)
		}
	} else {
		e = &entry{key: key, value: copied, expires: expires, owned: owned}
		s.entries[key] = e
		if s.budgeted {
			s.recency.pushFront(e)
		}
	}
	s.accountLocked(e)
	s.evictLocked()
	return nil
}

func (s *Store) accountLocked(e *entry) {
	s.bytes += e.cost()
	if e.expires != 0 {
		s.expiring++
	}
}

func (s *Store) unaccountLocked(e *entry) {
	s.bytes -= e.cost()
	if e.expires != 0 {
		s.expiring--
	}
}

// evictLocked removes least recently used entries until the store is within
// its budget. The entry just written is at the front and fits on its own, so
// it is never evicted.
func (s *Store) evictLocked() {
	for s.recency.back != nil &&
		((s.maxEntries > 0 && len(s.entries) > s.maxEntries) || (s.maxBytes > 0 && s.bytes > s.maxBytes)) {
		s.removeLocked(s.recency.back)
	}
}

func (s *Store) removeLocked(e *entry) {
	delete(s.entries, e.key)
	if s.budgeted {
		s.recency.remove(e)
	}
	s.unaccountLocked(e)
}
