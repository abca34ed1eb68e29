package memstore

import (
	"context"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// WriteWithExpiry is Write with an expiry: once expires has passed, the value
// reads as absent and is dropped by the read that notices, or by
// DeleteExpired. A zero expires means never, exactly as Write.
func (s *Store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.store(ctx, "write with expiry", key, value, expiryNanos(expires), false)
}

// DeleteExpired removes the values whose expiry is not after now and returns
// how many it removed.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, opErrorNoKey("delete expired", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		return 0, opErrorNoKey("delete expired", storage.ErrClosed)
	}
	if s.expiring == 0 {
		return 0, nil
	}
	cutoff, n := now.UnixNano(), 0
	for _, e := range s.entries { // deleting during range is allowed
		if e.expiredAt(cutoff) {
			s.removeLocked(e)
			n++
		}
	}
	return n, nil
}
