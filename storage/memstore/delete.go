package memstore

import (
	"context"

	"github.com/clientcache/clientcache/storage"
)

// remove deletes key if present.
func (s *Store) remove(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		return storage.ErrClosed
	}
	if e := s.entries[key]; e != nil {
		s.removeLocked(e)
	}
	return nil
}

// Delete removes key; an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return opError("delete", key, err)
	}
	if err := s.remove(key); err != nil {
		return opError("delete", key, err)
	}
	return nil
}

// DeleteMany removes keys under one lock; absent keys are ignored.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if err := ctx.Err(); err != nil {
		return opErrorNoKey("delete many", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		return opErrorNoKey("delete many", storage.ErrClosed)
	}
	for _, key := range keys {
		if e := s.entries[key]; e != nil {
			s.removeLocked(e)
		}
	}
	return nil
}

// Clear removes every value of the store.
func (s *Store) Clear(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return opErrorNoKey("clear", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries == nil {
		return opErrorNoKey("clear", storage.ErrClosed)
	}
	s.entries = map[string]*entry{}
	s.recency = recencyList{}
	s.bytes, s.expiring = 0, 0
	return nil
}
