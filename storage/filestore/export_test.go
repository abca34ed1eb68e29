package filestore

import (
	"context"

	"github.com/clientcache/clientcache/storage"
)

// What the external tests use of a store that Open's Backend holds but the
// package does not export.

// TestStore is every method a store has.
type TestStore interface {
	storage.Storage
	storage.ExpiringWriter
	storage.BulkDeleter
	storage.Pruner
}

// NewTestStore returns one store keeping its values directly in dir, as
// each of Open's two does in its subdirectory (and as Open, removing the
// temporary files no write is using).
func NewTestStore(dir string, opts *Options) (TestStore, error) {
	s, err := newStore(context.Background(), dir, opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// DirOf returns the directory of a store of Open's Backend.
func DirOf(s storage.Storage) string { return s.(*store).dir }
