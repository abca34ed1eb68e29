package memstore

import (
	"context"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// remove deletes key if present.
func (s *store) remove(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.IsClosed() {
		return storage.ErrClosed
	}
	if e := s.entries[key]; e != nil {
		s.removeLocked(e)
	}
	return nil
}

// Delete removes key; an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.closed.Check(ctx); err != nil {
		return wrap(err)
	}
	if err := s.remove(key); err != nil {
		return wrap(err)
	}
	return nil
}

// DeleteMany removes keys under one lock; absent keys are ignored.
func (s *store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.closed.Check(ctx); err != nil {
		return wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.IsClosed() {
		return wrap(storage.ErrClosed)
	}
	for _, key := range keys {
		if e := s.entries[key]; e != nil {
			s.removeLocked(e)
		}
	}
	return nil
}

// Clear removes every value of the store.
func (s *store) Clear(ctx context.Context) error {
	if err := s.closed.Check(ctx); err != nil {
		return wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.IsClosed() {
		return wrap(storage.ErrClosed)
	}
	s.entries = map[string]*entry{}
	s.recency = recencyList{}
	s.bytes, s.expiring = 0, 0
	return nil
}

// DeleteExpired removes the values whose expiry is not after now and returns
// how many it removed.
func (s *store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.closed.Check(ctx); err != nil {
		return 0, wrap(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.IsClosed() {
		return 0, wrap(storage.ErrClosed)
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
