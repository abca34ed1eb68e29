package dynamostore

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// Namespaces: the two storages of a Backend share the table.
const (
	nsResponses = "responses"
	nsRedirects = "redirects"
)

// readAttempts bounds how often Read starts over when concurrent writes keep
// replacing a chunked value under it.
const readAttempts = 5

// cleanupTimeout bounds the removal of a replaced value's chunks, which runs
// even when the caller's context ends right after the write took effect.
const cleanupTimeout = 30 * time.Second

// store is one namespace (responses or redirects) of a cache table. It
// implements storage.Storage, storage.ExpiringWriter, storage.BulkDeleter and
// storage.Pruner, and is safe for concurrent use.
type store struct {
	t      *table
	ns     string
	closed storeutil.Closed
}

var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
)

// check returns the error an operation must fail with before doing anything.
func (s *store) check(ctx context.Context) error {
	if s.closed.IsClosed() {
		return storage.ErrClosed
	}
	return context.Cause(ctx)
}

func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	if !utf8.ValidString(key) {
		return errors.New("key is not valid UTF-8 (DynamoDB string keys must be)")
	}
	return nil
}

// Close marks the store closed; later calls fail with storage.ErrClosed.
// When both stores of a Backend built by Open (or storage.Open) are closed,
// the idle connections of the HTTP client built for them are closed. A client
// passed to New is never touched. Close is idempotent.
func (s *store) Close() error {
	if !s.closed.Close() {
		return nil
	}
	if s.t.open.Add(-1) == 0 && s.t.closeIdle != nil {
		s.t.closeIdle()
	}
	return nil
}
