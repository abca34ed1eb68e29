package memstore

import (
	"fmt"
	"sync"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// ErrTooLarge is returned, wrapped, by a write of a value that alone is
// bigger than the store's Options.MaxBytes. Such a value is not stored, and
// any older value under its key is removed. It wraps storage.ErrTooLarge.
var ErrTooLarge = fmt.Errorf("value is larger than the store's MaxBytes: %w", storage.ErrTooLarge)

// store is an in-process storage.Storage, safe for concurrent use. Open
// makes them; the zero value is not usable.
type store struct {
	maxEntries int
	maxBytes   int64
	budgeted   bool // maxEntries or maxBytes is set: keep the recency list

	// closed is set by Close before it takes mu: a method that checks it
	// while holding mu sees the entries as they were, or the store closed.
	closed storeutil.Closed

	mu       sync.RWMutex
	entries  map[string]*entry // nil once closed
	recency  recencyList       // kept only when budgeted
	bytes    int64             // sum of entry costs
	expiring int               // entries with an expiry; 0 lets Size skip its scan
}

// Interface checks: the optional abilities a store has.
var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
	_ storage.ViewReader     = (*store)(nil)
	_ storage.OwnedWriter    = (*store)(nil)
	_ storage.Budgeted       = (*store)(nil)
)

// wrap gives err the shape of the store's errors: "memstore: " and the
// cause. The core adds the operation and the key.
func wrap(err error) error {
	return &storeutil.Error{Store: "memstore", Err: err}
}

// Close drops every value. Later calls of other methods return an error
// wrapping storage.ErrClosed; Close itself may be called again.
func (s *store) Close() error {
	if !s.closed.Close() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries = nil
	s.recency = recencyList{}
	s.bytes, s.expiring = 0, 0
	return nil
}
