package sqlitestore

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/storagetest"
)

var dbSeq atomic.Int64

// openTemp opens a new cache database in t's temporary directory and closes
// it when t ends.
func openTemp(t testing.TB, opts *Options) (*storage.Backend, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("cache%d.sqlite", dbSeq.Add(1)))
	b, err := Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, path
}

func TestResponsesConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		b, _ := openTemp(t, nil)
		return b.Responses
	})
}

func TestRedirectsConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Storage {
		b, _ := openTemp(t, nil)
		return b.Redirects
	})
}

// TestBackend runs the Backend specification on the Backends of Open (a
// database of the store's own, shared by its two storages) and of New (the
// caller's database, which Close must leave open). The database file, or the
// caller's database and the table prefix, is the cache_name.
func TestBackend(t *testing.T) {
	t.Run("Open", func(t *testing.T) { runOpenBackendSpec(t, nil) })
	t.Run("New", func(t *testing.T) {
		newOn := func(t *testing.T, db *sql.DB) *storage.Backend {
			t.Helper()
			b, err := New(t.Context(), db, &Options{TablePrefix: "c_"})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return b
		}
		storagetest.RunBackend(t, func(t *testing.T) *storage.Backend { return newOn(t, callersDB(t)) }, &storagetest.BackendOptions{
			Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend { return newOn(t, dbOf(b)) },
			ClientStillWorks: func(t *testing.T, b *storage.Backend) error {
				if err := dbOf(b).PingContext(t.Context()); err != nil {
					return err
				}
				var n int
				return dbOf(b).QueryRowContext(t.Context(), "SELECT count(*) FROM c_responses").Scan(&n)
			},
		})
	})
}

// runOpenBackendSpec runs the Backend specification on databases Open makes
// with opts, each in a file of its own.
func runOpenBackendSpec(t *testing.T, opts *Options) {
	var mu sync.Mutex
	paths := map[*storage.Backend]string{}
	storagetest.RunBackend(t, func(t *testing.T) *storage.Backend {
		b, path := openTemp(t, opts)
		mu.Lock()
		defer mu.Unlock()
		paths[b] = path
		return b
	}, &storagetest.BackendOptions{
		Reopen: func(t *testing.T, b *storage.Backend) *storage.Backend {
			mu.Lock()
			path := paths[b]
			mu.Unlock()
			b2, err := Open(t.Context(), path, opts)
			if err != nil {
				t.Fatalf("Open(%q) again: %v", path, err)
			}
			return b2
		},
	})
}

func TestDeleteManyChunks(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, nil)
	s := b.Responses.(*store)
	var keys []string
	for i := range 2*deleteChunk + 17 {
		k := fmt.Sprintf("k%05d", i)
		keys = append(keys, k)
		if err := s.Write(ctx, k, []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteMany(ctx, keys[:2*deleteChunk+10]); err != nil {
		t.Fatalf("DeleteMany(%d keys): %v", 2*deleteChunk+10, err)
	}
	if n, err := s.Size(ctx); err != nil || n != 7 {
		t.Fatalf("Size after DeleteMany = (%d, %v), want (7, nil)", n, err)
	}
}

// A store's error says the store, its table and the cause, once; the core
// adds the operation and the key.
func TestErrorShape(t *testing.T) {
	b, _ := openTemp(t, &Options{TablePrefix: "app_"})
	if err := b.Redirects.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := b.Redirects.Read(t.Context(), "the-key")
	if want := "sqlitestore: app_redirects: storage: store is closed"; !errors.Is(err, storage.ErrClosed) || err.Error() != want {
		t.Errorf("Read after Close: %q, want %q", err, want)
	}
}
