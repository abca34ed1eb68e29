package storage_test

// This file is a whole store: nine methods over a map, plugged into a
// clientcache.Session. mapstore_test.go proves it with storagetest.Run.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage"
)

// mapStore keeps values in a map. It implements storage.Storage.
type mapStore struct {
	mu     sync.Mutex
	m      map[string][]byte
	closed bool
}

func newMapStore() *mapStore { return &mapStore{m: map[string][]byte{}} }

// check returns the error every method returns for a done context or after
// Close. The caller holds s.mu.
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
	return bytes.Clone(v), nil // the caller may change what it gets
}

func (s *mapStore) Write(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	s.m[key] = bytes.Clone(value) // the caller may reuse value
	return nil
}

func (s *mapStore) Delete(ctx context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx); err != nil {
		return err
	}
	delete(s.m, key) // deleting an absent key is no error
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

// snapshot copies the map, so that Keys and Values hold no lock while the
// loop's body runs (it may call the store).
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

// A store implements the nine methods of storage.Storage; any type will do.
// A Backend pairs two of them, and a Session caches in it.
func Example_customStore() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	}))
	defer origin.Close()

	responses := newMapStore()
	b := &storage.Backend{Responses: responses, Redirects: newMapStore()}
	s, err := clientcache.NewSession(b, &clientcache.Options{AutoClose: true}) // Close closes b
	if err != nil {
		panic(err)
	}
	defer s.Close()

	for range 2 {
		resp, err := s.Get(origin.URL)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body) // the response is stored once read to the end
		resp.Body.Close()
		fmt.Printf("%s | %s | from cache: %v\n", body, resp.Header.Get("Cache-Status"), clientcache.StatusOf(resp).FromCache)
	}
	n, _ := responses.Size(context.Background())
	fmt.Println("responses stored:", n)
	// Output:
	// hello | clientcache; fwd=uri-miss | from cache: false
	// hello | clientcache; hit | from cache: true
	// responses stored: 1
}
