package memstore

import (
	"bytes"
	"context"
	"errors"

	"github.com/clientcache/clientcache/storage"
)

// Read returns a copy of the value stored under key. In a store with a
// budget it also marks the value as the most recently used.
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.closed.Check(ctx); err != nil {
		return nil, wrap(err)
	}
	value, err := s.load(key, s.budgeted)
	if err == storage.ErrNotFound {
		return nil, err // a miss is common: no wrapping to allocate
	}
	if err != nil {
		return nil, wrap(err)
	}
	return bytes.Clone(value), nil
}

// ReadView returns the stored value itself, without a copy; the caller must
// not modify it. It implements storage.ViewReader: stored values are never
// modified (a Write replaces the slice), so sharing them is safe. Only values
// given to WriteOwned are handed out; for one stored by Write or
// WriteWithExpiry it returns storage.ErrNoView.
func (s *store) ReadView(ctx context.Context, key string) ([]byte, error) {
	if err := s.closed.Check(ctx); err != nil {
		return nil, wrap(err)
	}
	value, owned, err := s.loadOwned(key, s.budgeted)
	if err == nil && !owned {
		return nil, storage.ErrNoView
	}
	if err == storage.ErrNotFound {
		return nil, err // a miss is common: no wrapping to allocate
	}
	if err != nil {
		return nil, wrap(err)
	}
	return value, nil
}

// Contains reports whether key holds a value that has not expired. It does
// not count as a use for eviction.
func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.closed.Check(ctx); err != nil {
		return false, wrap(err)
	}
	_, err := s.load(key, false)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	default:
		return false, wrap(err)
	}
}

// load returns the stored slice itself, which is never modified, so the
// caller copies it after the lock is released.
func (s *store) load(key string, touch bool) ([]byte, error) {
	v, _, err := s.loadOwned(key, touch)
	return v, err
}

// loadOwned is load, also telling whether the value came from WriteOwned.
// Touching the recency list needs the write lock; everything else makes do
// with the read lock, so that reads of an unbudgeted store run in parallel.
func (s *store) loadOwned(key string, touch bool) (value []byte, owned bool, err error) {
	if touch {
		s.mu.Lock()
		defer s.mu.Unlock()
		e, err := s.findLocked(key)
		if err != nil {
			return nil, false, err
		}
		if e.expired() {
			s.removeLocked(e)
			return nil, false, storage.ErrNotFound
		}
		s.recency.moveToFront(e)
		return e.value, e.owned, nil
	}

	s.mu.RLock()
	e, err := s.findLocked(key)
	expired := false
	if err == nil {
		value, owned, expired = e.value, e.owned, e.expired()
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, false, err
	}
	if expired {
		s.dropIfExpired(key)
		return nil, false, storage.ErrNotFound
	}
	return value, owned, nil
}

// findLocked returns key's entry, expired or not. The caller holds s.mu.
func (s *store) findLocked(key string) (*entry, error) {
	if s.closed.IsClosed() {
		return nil, storage.ErrClosed
	}
	e := s.entries[key]
	if e == nil {
		return nil, storage.ErrNotFound
	}
	return e, nil
}

// dropIfExpired removes key if its value is still expired once the write
// lock is held: a Write may have replaced it in between.
func (s *store) dropIfExpired(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, err := s.findLocked(key); err == nil && e.expired() {
		s.removeLocked(e)
	}
}
