package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// Write stores a copy of value under key, replacing any older value and its
// expiry. In a store with a budget it may evict the least recently used
// values.
func (s *store) Write(ctx context.Context, key string, value []byte) error {
	return s.put(ctx, key, value, 0, false)
}

// WriteWithExpiry is Write with an expiry: once expires has passed, the value
// reads as absent and is dropped by the read that notices, or by
// DeleteExpired. A zero expires means never, exactly as Write. An expires
// not after now stores nothing and drops key's older value.
func (s *store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.put(ctx, key, value, storeutil.ExpiryNanos(expires), false)
}

// WriteOwned stores value itself, without a copy, under key, with an expiry
// as WriteWithExpiry. It implements storage.OwnedWriter: the caller hands the
// value over and never modifies it afterwards.
func (s *store) WriteOwned(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.put(ctx, key, value, storeutil.ExpiryNanos(expires), true)
}

// put is Write, WriteWithExpiry and WriteOwned; expires is in unix
// nanoseconds, 0 for never; owned says value may be kept as it is.
func (s *store) put(ctx context.Context, key string, value []byte, expires int64, owned bool) error {
	if err := s.closed.Check(ctx); err != nil {
		return wrap(err)
	}
	if expires != 0 && expires <= time.Now().UnixNano() {
		// Already expired: kept, it would read as absent and wait for a
		// prune. Every store drops such a value at once, and with it the
		// older value the caller meant to replace.
		if err := s.remove(key); err != nil {
			return wrap(err)
		}
		return nil
	}
	if cost := entryCost(key, value); s.maxBytes > 0 && cost > s.maxBytes {
		// The caller meant to replace the old value: leaving it would serve
		// what it just tried to overwrite.
		if err := s.remove(key); err != nil {
			return wrap(err)
		}
		return wrap(fmt.Errorf("%w (%d bytes, budget %d)", ErrTooLarge, cost, s.maxBytes))
	}
	copied := value
	if !owned {
		copied = bytes.Clone(value) // outside the lock: values may be megabytes
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.IsClosed() {
		return wrap(storage.ErrClosed)
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

func (s *store) accountLocked(e *entry) {
	s.bytes += e.cost()
	if e.expires != 0 {
		s.expiring++
	}
}

func (s *store) unaccountLocked(e *entry) {
	s.bytes -= e.cost()
	if e.expires != 0 {
		s.expiring--
	}
}

// evictLocked removes least recently used entries until the store is within
// its budget. The entry just written is at the front and fits on its own, so
// it is never evicted.
func (s *store) evictLocked() {
	for s.recency.back != nil &&
		((s.maxEntries > 0 && len(s.entries) > s.maxEntries) || (s.maxBytes > 0 && s.bytes > s.maxBytes)) {
		s.removeLocked(s.recency.back)
	}
}

func (s *store) removeLocked(e *entry) {
	delete(s.entries, e.key)
	if s.budgeted {
		s.recency.remove(e)
	}
	s.unaccountLocked(e)
}
