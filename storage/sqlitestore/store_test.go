package sqlitestore

import (
	"fmt"
	"path/filepath"
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

func TestTablesAreSeparate(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, nil)
	if err := b.Responses.Write(ctx, "k", []byte("response")); err != nil {
		t.Fatal(err)
	}
	if err := b.Redirects.Write(ctx, "k", []byte("redirect")); err != nil {
		t.Fatal(err)
	}
	if err := b.Redirects.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Responses.Read(ctx, "k"); err != nil || string(v) != "response" {
		t.Fatalf("Responses.Read after Redirects.Clear = (%q, %v), want (response, nil)", v, err)
	}
}

func TestDeleteManyChunks(t *testing.T) {
	ctx := t.Context()
	b, _ := openTemp(t, nil)
	s := b.Responses.(*Store)
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
