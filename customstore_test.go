package clientcache_test

// This file is the in-memory store of this package's tests, newMapStore and
// newMapBackend: nine methods over a map, proved by storagetest. It is a copy
// of the store of package storage's example Example_customStore
// (storage/example_test.go), which shows it whole, plugged into a Session.

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/storagetest"
)

type mapStore struct {
	mu     sync.Mutex
	m      map[string][]byte
	closed bool
}

func newMapStore() *mapStore { return &mapStore{m: map[string][]byte{}} }

func (s *mapStore) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed {
		return storage.ErrClosed
	}
	return nil
}

func (s *mapStore) Contains(ctx context.Context, key string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return false, err
	}
	_, ok := s.m[key]
	return ok, nil
}

func (s *mapStore) Read(ctx context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, ok := s.m[key]
	if !ok {
		return nil, fmt.Errorf("mapstore: %q: %w", key, storage.ErrNotFound)
	}
	return bytes.Clone(v), nil
}

func (s *mapStore) Write(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	s.m[key] = append([]byte{}, value...)
	return nil
}

func (s *mapStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	delete(s.m, key)
	return nil
}

func (s *mapStore) Clear(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	clear(s.m)
	return nil
}

func (s *mapStore) Size(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	return len(s.m), nil
}

// snapshot copies the map so that iteration holds no lock while yielding.
func (s *mapStore) snapshot(ctx context.Context) (map[string][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return maps.Clone(s.m), nil
}

func (s *mapStore) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		m, err := s.snapshot(ctx)
		if err != nil {
			yield("", err)
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, nil) {
				return
			}
		}
	}
}

func (s *mapStore) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		m, err := s.snapshot(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, v := range m {
			if !yield(bytes.Clone(v), nil) {
				return
			}
		}
	}
}

func (s *mapStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func newMapBackend() *storage.Backend {
	return &storage.Backend{Responses: newMapStore(), Redirects: newMapStore()}
}

func TestMapStoreConforms(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage { return newMapStore() })
}
